import type { Readable } from 'node:stream';
import { inject, injectable } from 'tsyringe';
import type { Logger } from 'pino';
import {
  ParameterError,
  fileParameterNames,
  isSecretParameter,
  parseParameters,
  storageName,
  storagePathKind,
  type RawParameter,
  type StorageBackend,
} from '@vocloud/sdk';
import { TOKENS } from '../tokens.js';
import type { LoadedConfig } from '../config/load.js';
import { PluginRegistry, type JobType } from '../plugins/registry.js';
import { JobTypeSettings } from '../plugins/job-type-settings.js';
import { JobLimitError, UsageService } from '../quota/usage-service.js';
import { FileService } from '../files/file-service.js';
import { ServerKey } from '../secrets/server-key.js';
import { jobFiles } from '../storage/job-files.js';
import { JobEvents } from './job-events.js';
import { JobStore, QueuedLimitReached, newJobId, type JobListFilter, type JobRef, type JobSearch, type NewJobRef } from './job-store.js';
import {
  ACTIVE_PHASES,
  FINAL_PHASES,
  isManager,
  isPhase,
  type Actor,
  type Job,
  type JobDetail,
  type JobParameter,
  type JobResult,
  type Phase,
  type PhaseChange,
} from './model.js';
import { BadRequestError, ForbiddenError, GoneError, NotFoundError, PayloadTooLargeError, PhaseConflictError } from './errors.js';
import { parseIsoTime } from './time.js';

/** A file a client sent inline with a request, already streamed to storage. */
export interface StagedUpload {
  /** The multipart field name. */
  readonly field: string;
  readonly storagePath: string;
  readonly size: number;
}

/** A job being created: uploads are streamed into its storage folder before it exists. */
export interface JobDraft {
  readonly id: string;
  readonly jobType: JobType;
  /** Who creates it: uploads count against this owner's quota. */
  readonly ownerId: string | null;
  readonly uploads: StagedUpload[];
}

/** A creation or parameter request, as the route parsed it (names as the client wrote them). */
export interface JobRequest {
  readonly parameters: readonly RawParameter[];
  /** DALI UPLOAD=name,uri values. */
  readonly uploadRefs: readonly string[];
  readonly runId?: string;
  readonly executionDuration?: string;
  readonly destruction?: string;
  /** PHASE at creation: only RUN is meaningful. */
  readonly phase?: string;
  /** vocloud extension: copy the results into this folder of the owner's space on completion. */
  readonly targetDir?: string;
}

export interface WaitOptions {
  /** Seconds; negative = as long as the server allows. */
  readonly wait: number;
  /** Only wait while the job is in this phase. */
  readonly phase?: Phase;
  /** Fires when the client disconnects. */
  readonly signal?: AbortSignal;
}

export interface ListRequest {
  /** Admins only: another owner's jobs ('' or 'anonymous' for anonymous jobs). */
  readonly owner?: string;
  readonly phases?: readonly string[];
  readonly after?: string;
  readonly last?: string;
}

/** Why a running job ended, as the executor reports it. */
export type RunOutcome =
  | { readonly kind: 'completed' }
  | { readonly kind: 'error'; readonly message: string; readonly detail: string | null; readonly errorType: 'fatal' | 'transient' }
  | { readonly kind: 'aborted'; readonly message: string };

const RUNID_MAX = 256;
const FINISHED_CACHE_MS = 30_000;
const FINISHED_CACHE_SIZE = 10_000;
/** What a job id can look like (ours are 16 base32 letters); anything else is not a job. */
const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The one UWS state machine. Every decision about phases, parameters, durations, destruction
 * and WAIT is made here; routes translate HTTP to these calls, the scheduler and executor call
 * the server-side transitions, and the store only persists.
 */
@injectable()
export class JobService {
  private readonly uws: LoadedConfig['config']['uws'];

  constructor(
    @inject(TOKENS.Config) config: LoadedConfig,
    @inject(JobStore) private readonly store: JobStore,
    @inject(JobEvents) private readonly events: JobEvents,
    @inject(PluginRegistry) private readonly registry: PluginRegistry,
    @inject(TOKENS.Storage) private readonly storage: StorageBackend,
    @inject(UsageService) private readonly usage: UsageService,
    @inject(JobTypeSettings) private readonly settings: JobTypeSettings,
    @inject(FileService) private readonly files: FileService,
    @inject(ServerKey) private readonly key: ServerKey,
    @inject(TOKENS.Logger) private readonly log: Logger,
  ) {
    this.uws = config.config.uws;
  }

  /** The job type's limits with the admin's runtime overrides applied. */
  limitsOf(type: JobType) {
    return this.settings.limits(type.definition.name, type.definition.limits);
  }

  /** A job type the actor may use now (404 unknown, 403 restricted or disabled). */
  usableType(actor: Actor, name: string): JobType {
    const type = this.jobType(name);
    this.checkUsable(actor, type);
    return type;
  }

  enabled(type: JobType): boolean {
    return this.settings.enabled(type.definition.name);
  }

  /** Refuse job types the actor may not use now: restricted ones for users, disabled ones for all. */
  private checkUsable(actor: Actor, type: JobType): void {
    if (type.definition.restricted && !isManager(actor)) {
      throw new ForbiddenError(`the job type ${type.definition.name} is restricted to managers and administrators`);
    }
    if (!this.settings.enabled(type.definition.name)) {
      throw new ForbiddenError(`the job type ${type.definition.name} is disabled by an administrator for now; queued jobs stay queued`);
    }
  }

  private async queuedLimit(ownerId: string | null): Promise<number> {
    return (await this.usage.limits(ownerId)).maxQueuedJobs;
  }

  private limitError(err: QueuedLimitReached): JobLimitError {
    return new JobLimitError(`you have ${err.queued} jobs waiting in QUEUED and the limit is ${err.max}; wait for some to start, or abort some`);
  }

  // ---------------------------------------------------------------- job types

  jobType(name: string): JobType {
    const t = this.registry.get(name);
    if (!t) {
      const known = this.registry.list().map((j) => j.definition.name);
      throw new NotFoundError(`no job type '${name.slice(0, 64)}'; this service offers: ${known.join(', ') || '(none)'}`);
    }
    return t;
  }

  jobTypes(): JobType[] {
    return this.registry.list();
  }

  // ---------------------------------------------------------------- reading

  private visible(actor: Actor, job: Job | JobDetail): boolean {
    return actor.isAdmin || job.ownerId === actor.ownerId;
  }

  /**
   * Finished jobs rarely change (destruction, deletion, archiving — each notified), and clients
   * poll them: keep them in memory for a while, dropped at their next notification.
   */
  private readonly finished = new Map<string, { job: JobDetail; at: number }>();
  private finishedWatch: (() => void) | null = null;

  private async load(id: string): Promise<JobDetail | null> {
    const hit = this.finished.get(id);
    if (hit && Date.now() - hit.at < FINISHED_CACHE_MS) return hit.job;
    const job = await this.store.get(id);
    if (job && FINAL_PHASES.has(job.phase) && job.phase !== 'ARCHIVED') {
      this.finishedWatch ??= this.events.onAny((s) => this.finished.delete(s.id));
      this.finished.set(id, { job, at: Date.now() });
      if (this.finished.size > FINISHED_CACHE_SIZE) this.finished.delete(this.finished.keys().next().value!);
    }
    return job;
  }

  /** The job, if it exists, is of this type and the actor may see it — else 404 (ids leak nothing). */
  async get(actor: Actor, jobType: string, id: string): Promise<JobDetail> {
    this.jobType(jobType);
    const job = JOB_ID.test(id) ? await this.load(id) : null;
    if (!job || job.jobType !== jobType || !this.visible(actor, job)) {
      throw new NotFoundError(`no job '${id.slice(0, 64)}' in the ${jobType} job list`);
    }
    return job;
  }

  /** GET job with WAIT: block while the job stays in its (active) phase. */
  async getWaiting(actor: Actor, jobType: string, id: string, options: WaitOptions): Promise<JobDetail> {
    const job = await this.get(actor, jobType, id);
    if (!ACTIVE_PHASES.has(job.phase)) return job;
    if (options.phase !== undefined && options.phase !== job.phase) return job;
    const seconds = options.wait < 0 ? this.uws.maxWait : Math.min(options.wait, this.uws.maxWait);
    if (seconds <= 0) return job;
    const waiter = this.events.waitForChange(id, job.phase, seconds * 1000, options.signal);
    // Subscribed first, then look again: a change between the two reads is not missed.
    const now = await this.store.getPhase(id);
    if (now !== job.phase) waiter.cancel();
    await waiter.ready;
    return (await this.store.get(id)) ?? job;
  }

  async list(actor: Actor, jobType: string, request: ListRequest): Promise<JobRef[]> {
    this.jobType(jobType);
    const phases = (request.phases ?? []).map((p) => {
      const up = p.trim().toUpperCase();
      if (!isPhase(up)) throw new BadRequestError(`PHASE=${p.slice(0, 32)}: not a UWS phase (one of PENDING, QUEUED, EXECUTING, COMPLETED, ERROR, ABORTED, UNKNOWN, HELD, SUSPENDED, ARCHIVED)`);
      return up;
    });
    let last: number | undefined;
    if (request.last !== undefined) {
      if (!/^\d+$/.test(request.last.trim()) || Number(request.last) < 1) {
        throw new BadRequestError(`LAST=${request.last.slice(0, 32)}: must be a positive integer`);
      }
      last = Number(request.last);
    }
    if (request.owner !== undefined && !actor.isAdmin) throw new ForbiddenError('OWNER is for administrators only');
    const owner = request.owner === undefined ? undefined : request.owner === '' || request.owner === 'anonymous' ? null : request.owner;
    const filter: JobListFilter = {
      jobType,
      ...(owner !== undefined ? { ownerId: owner } : actor.isAdmin ? {} : { ownerId: actor.ownerId }),
      phases,
      ...(request.after !== undefined ? { after: parseIsoTime(request.after, 'AFTER') } : {}),
      ...(last !== undefined ? { last } : {}),
      limit: this.uws.maxJobList,
    };
    return this.store.list(filter);
  }

  /** The actor's own jobs across job types (admins: everyone's, or one owner's), for the UI. */
  async mine(actor: Actor, filter: Omit<JobSearch, 'ownerId'> & { owner?: string }): Promise<{ jobs: Job[]; total: number; counts: Map<Phase, number> }> {
    if (filter.owner !== undefined && !actor.isAdmin) throw new ForbiddenError('owner is for administrators only');
    const { owner, ...rest } = filter;
    const ownerId = actor.isAdmin ? (owner === undefined ? undefined : owner === 'anonymous' ? null : owner) : actor.ownerId;
    const search: JobSearch = { ...rest, ...(ownerId !== undefined ? { ownerId } : {}) };
    const { jobs, total } = await this.store.search(search);
    const { phases: _p, limit: _l, offset: _o, ...counted } = search;
    return { jobs, total, counts: await this.store.countPhases(counted) };
  }

  /** May the actor see job `id`? (for live event streams) */
  async canSee(actor: Actor, id: string): Promise<boolean> {
    if (actor.isAdmin) return true;
    const owner = await this.store.ownerOf(id);
    return owner !== undefined && owner === actor.ownerId;
  }

  /** Admin view: jobs of every owner and type. Managers may read it too. */
  async search(actor: Actor, filter: JobSearch): Promise<{ jobs: Job[]; total: number; counts: Map<Phase, number> }> {
    if (!isManager(actor)) throw new ForbiddenError('only managers and administrators see all jobs');
    const { jobs, total } = await this.store.search(filter);
    const { phases: _p, limit: _l, offset: _o, ...rest } = filter;
    return { jobs, total, counts: await this.store.countPhases(rest) };
  }

  /** Admin: destroy finished jobs created before `before`; returns how many. */
  async purge(actor: Actor, before: Date, phases: readonly Phase[] = ['COMPLETED', 'ERROR', 'ABORTED', 'ARCHIVED']): Promise<number> {
    if (!actor.isAdmin) throw new ForbiddenError('only administrators purge jobs');
    let n = 0;
    for (;;) {
      const ids = await this.store.finishedBefore(before, phases, 200);
      for (const id of ids) await this.destroy(id, `purged by ${actor.ownerId ?? 'an administrator'}`);
      n += ids.length;
      if (ids.length < 200) return n;
    }
  }

  /** A job by id alone, for admins (GraphQL abort/delete of any job). */
  async getAny(actor: Actor, id: string): Promise<JobDetail> {
    const job = JOB_ID.test(id) ? await this.store.get(id) : null;
    if (!job || !this.visible(actor, job)) throw new NotFoundError(`no job '${id.slice(0, 64)}'`);
    return job;
  }

  async history(actor: Actor, jobType: string, id: string): Promise<PhaseChange[]> {
    await this.get(actor, jobType, id);
    return this.store.history(id);
  }

  // ---------------------------------------------------------------- creating and changing

  /** Start a job draft, so the route can stream uploads into the job's folder. */
  draft(actor: Actor, jobType: string): JobDraft {
    const type = this.jobType(jobType);
    this.checkUsable(actor, type);
    return { id: newJobId(), jobType: type, ownerId: actor.ownerId, uploads: [] };
  }

  /** Stream one inline upload of a draft (or of a PENDING job) into storage. */
  async stageUpload(jobId: string, ownerId: string | null, uploads: StagedUpload[], field: string, stream: Readable, truncated: () => boolean): Promise<void> {
    let name: string;
    try {
      name = storageName(field);
    } catch {
      stream.resume();
      throw new BadRequestError(`upload field name '${field.slice(0, 64)}' is not usable as a parameter name`);
    }
    if (uploads.length >= this.uws.maxUploadFiles) {
      stream.resume();
      throw new PayloadTooLargeError(`too many files in one request (the limit is ${this.uws.maxUploadFiles})`);
    }
    try {
      await this.usage.checkRoom(ownerId);
    } catch (err) {
      stream.resume();
      throw err;
    }
    const path = `${jobFiles.uploads(jobId)}/${name}.${uploads.length}`;
    const entry = await this.storage.write(path, stream);
    if (truncated()) {
      await this.storage.delete(path);
      throw new PayloadTooLargeError(
        `upload '${field.slice(0, 64)}' is larger than the limit of ${this.uws.maxUploadSize} bytes (uws.maxUploadSize)`,
      );
    }
    try {
      await this.usage.charge(ownerId, entry.size);
    } catch (err) {
      await this.storage.delete(path);
      throw err;
    }
    uploads.push({ field, storagePath: path, size: entry.size });
  }

  /** Remove what a failed request staged. */
  async discardDraft(draft: JobDraft): Promise<void> {
    await this.discardUploads(draft.ownerId, draft.uploads);
    await this.storage.delete(jobFiles.root(draft.id)).catch((err) => this.log.warn({ err, job: draft.id }, 'could not remove staged uploads'));
  }

  /** Remove uploads of a rejected request and give their bytes back to the owner. */
  async discardUploads(ownerId: string | null, uploads: readonly StagedUpload[]): Promise<void> {
    for (const u of uploads) await this.storage.delete(u.storagePath).catch(() => undefined);
    await this.usage.credit(ownerId, uploads.reduce((n, u) => n + u.size, 0));
  }

  /** Turn a request's parameters, UPLOAD references and inline files into stored parameters. */
  private buildParameters(type: JobType, request: JobRequest, uploads: readonly StagedUpload[]): JobParameter[] {
    const schema = type.definition.parameters;
    const fileParams = new Set(fileParameterNames(schema).map((n) => n.toLowerCase()));
    const out: JobParameter[] = [];
    const usedUploads = new Set<StagedUpload>();
    for (const p of request.parameters) {
      if (fileParams.has(p.name.toLowerCase())) {
        throw new BadRequestError(
          `parameter '${p.name}' takes a file: send it as a multipart file part named '${p.name}' (or UPLOAD=${p.name},param:partname)`,
        );
      }
      if (p.value.startsWith(SECRET_PREFIX)) throw new BadRequestError(`parameter '${p.name}': a value cannot start with '${SECRET_PREFIX}'`);
      out.push({ name: p.name, value: p.value, byReference: false, filePath: null, fileSize: null });
    }
    for (const ref of request.uploadRefs) {
      for (const item of ref.split(';')) {
        const comma = item.indexOf(',');
        if (comma <= 0) throw new BadRequestError(`UPLOAD=${item.slice(0, 64)}: expected name,uri`);
        const name = item.slice(0, comma).trim();
        const uri = item.slice(comma + 1).trim();
        if (uri.startsWith('param:')) {
          const part = uri.slice('param:'.length);
          const staged = uploads.find((u) => u.field === part);
          if (!staged) throw new BadRequestError(`UPLOAD=${name},${uri.slice(0, 64)}: the request has no file part named '${part.slice(0, 64)}'`);
          usedUploads.add(staged);
          out.push({ name, value: '', byReference: true, filePath: staged.storagePath, fileSize: staged.size });
        } else if (/^https?:\/\//i.test(uri)) {
          if (fileParams.has(name.toLowerCase())) {
            throw new BadRequestError(
              `UPLOAD=${name},${uri.slice(0, 64)}: remote files are not fetched for job parameters; upload the file inline, or import it with a data source first`,
            );
          }
          out.push({ name, value: uri, byReference: true, filePath: null, fileSize: null });
        } else {
          throw new BadRequestError(`UPLOAD=${name},${uri.slice(0, 64)}: the URI must be param:partname or http(s)://…`);
        }
      }
    }
    for (const staged of uploads) {
      if (usedUploads.has(staged)) continue;
      if (!fileParams.has(staged.field.toLowerCase())) {
        const known = fileParameterNames(schema);
        throw new BadRequestError(
          `file part '${staged.field.slice(0, 64)}' does not match a file parameter of ${type.definition.name}` +
            (known.length ? ` (file parameters: ${known.join(', ')})` : ' (this job type takes no files)'),
        );
      }
      out.push({ name: staged.field, value: '', byReference: true, filePath: staged.storagePath, fileSize: staged.size });
    }
    if (out.length > this.uws.maxParameters) throw new BadRequestError(`too many parameters (the limit is ${this.uws.maxParameters})`);
    for (const p of out) {
      if (Buffer.byteLength(p.value) > this.uws.maxParameterLength) {
        throw new PayloadTooLargeError(`parameter '${p.name.slice(0, 64)}' is longer than ${this.uws.maxParameterLength} bytes; upload it as a file`);
      }
    }
    return out;
  }

  /** Secret parameters (passwords) are stored encrypted with the server key. */
  private sealSecrets(type: JobType, params: readonly JobParameter[]): JobParameter[] {
    const props = type.definition.parameters.properties as Record<string, unknown>;
    const secret = new Set(Object.keys(props).filter((k) => isSecretParameter(props[k])).map((k) => k.toLowerCase()));
    return params.map((p) => (secret.has(p.name.toLowerCase()) && !p.filePath ? { ...p, value: `${SECRET_PREFIX}${this.key.encrypt(p.value)}` } : p));
  }

  /** The clear value of a stored parameter (for the executor only). */
  openSecret(value: string): string {
    return value.startsWith(SECRET_PREFIX) ? this.key.decrypt(value.slice(SECRET_PREFIX.length)) : value;
  }

  /** Check parameters against the plugin's schema; `complete` also requires the required ones. */
  private validate(type: JobType, params: readonly JobParameter[], complete: boolean): void {
    try {
      parseParameters(type.definition.parameters, params.map(asRaw), { complete });
    } catch (err) {
      if (err instanceof ParameterError) {
        throw new BadRequestError(complete ? `cannot run the job: ${err.message}` : err.message);
      }
      throw err;
    }
  }

  /**
   * Storage-path parameters (`vocloud:/~/…`) must point at something the owner may read, of the
   * kind the parameter wants — checked at creation, so a typo fails now and not in an hour.
   */
  private async checkStoragePaths(actor: Actor, type: JobType, params: readonly JobParameter[]): Promise<void> {
    const props = type.definition.parameters.properties as Record<string, unknown>;
    for (const p of params) {
      const name = Object.keys(props).find((k) => k.toLowerCase() === p.name.toLowerCase());
      const kind = name ? storagePathKind(props[name]) : null;
      if (!kind || p.filePath) continue;
      const values = p.value.trim().startsWith('[') ? (safeJson(p.value) as unknown[]) : [p.value];
      for (const v of Array.isArray(values) ? values : [p.value]) {
        if (kind === 'target') {
          await this.files.ops.resolve(actor, String(v), 'write').catch((err: Error) => {
            throw new BadRequestError(`parameter '${p.name}': ${err.message}`);
          });
          const existing = await this.files.ops.stat(actor, String(v)).catch(() => null);
          if (existing?.type === 'file') throw new BadRequestError(`parameter '${p.name}': ${existing.path} is a file; a folder is needed`);
          continue;
        }
        const entry = await this.files.ops.stat(actor, String(v)).catch((err: Error) => {
          throw new BadRequestError(`parameter '${p.name}': ${err.message}`);
        });
        if (!entry) throw new BadRequestError(`parameter '${p.name}': ${String(v).slice(0, 200)} does not exist`);
        if (kind === 'file' && entry.type !== 'file') throw new BadRequestError(`parameter '${p.name}': ${entry.path} is a folder; a file is needed`);
        if (kind === 'folder' && entry.type !== 'directory') throw new BadRequestError(`parameter '${p.name}': ${entry.path} is a file; a folder is needed`);
      }
    }
  }

  /** TARGETDIR must be a folder the owner may write (it is created if missing). */
  private async checkTargetDir(actor: Actor, raw: string): Promise<string> {
    try {
      const r = await this.files.ops.resolve(actor, raw, 'write');
      if (r.user.area !== 'home') throw new BadRequestError('TARGETDIR must be in your own files (~/…)');
      return r.user.display;
    } catch (err) {
      if (err instanceof BadRequestError) throw err;
      throw new BadRequestError(`TARGETDIR: ${(err as Error).message}`);
    }
  }

  /** On completion: copy the results into the job's TARGETDIR (charged to the owner). */
  async copyToTarget(job: Job): Promise<string | null> {
    if (!job.targetDir) return null;
    const owner = { ownerId: job.ownerId, role: job.ownerId === null ? ('anonymous' as const) : ('user' as const) };
    const dir = `${job.targetDir}/${job.id}`;
    await this.files.ops.copy(owner, `JOBS/${job.id}/results`, dir);
    return dir;
  }

  private executionDuration(type: JobType, raw: string | undefined): number {
    const { defaultExecutionDuration, maxExecutionDuration } = this.limitsOf(type);
    if (raw === undefined) return defaultExecutionDuration;
    const t = raw.trim();
    if (!/^\d+$/.test(t)) throw new BadRequestError(`EXECUTIONDURATION=${raw.slice(0, 32)}: must be a whole number of seconds (0 = as long as allowed)`);
    const n = Number(t);
    if (maxExecutionDuration > 0 && (n === 0 || n > maxExecutionDuration)) return maxExecutionDuration;
    return Math.min(n, 2 ** 31 - 1);
  }

  private destruction(raw: string | undefined, creation: Date): Date {
    const max = new Date(creation.getTime() + this.uws.maxDestruction * 1000);
    if (raw === undefined || raw.trim() === '') return new Date(creation.getTime() + this.uws.defaultDestruction * 1000);
    const d = parseIsoTime(raw, 'DESTRUCTION');
    return d > max ? max : d;
  }

  /** POST to the job list: create a job (and queue it when PHASE=RUN). */
  async create(actor: Actor, draft: JobDraft, request: JobRequest): Promise<NewJobRef> {
    const type = draft.jobType;
    const run = parseCreationPhase(request.phase);
    const checked = this.buildParameters(type, request, draft.uploads);
    this.validate(type, checked, run);
    const params = this.sealSecrets(type, checked);
    const runId = request.runId === undefined ? null : request.runId.slice(0, RUNID_MAX);
    this.checkUsable(actor, type);
    await this.checkStoragePaths(actor, type, params);
    const targetDir = request.targetDir === undefined ? null : await this.checkTargetDir(actor, request.targetDir);
    const job = await this.store
      .insert(
      {
        id: draft.id,
        jobType: type.definition.name,
        runId,
        ownerId: actor.ownerId,
        executionDuration: this.executionDuration(type, request.executionDuration),
        destruction: this.destruction(request.destruction, new Date()),
        targetDir,
        parameters: params,
      },
        run ? 'QUEUED' : 'PENDING',
        run ? 'created with PHASE=RUN' : 'created',
        run ? await this.queuedLimit(actor.ownerId) : undefined,
      )
      .catch((err) => {
        throw err instanceof QueuedLimitReached ? this.limitError(err) : err;
      });
    this.log.debug({ job: job.id, jobType: job.jobType, phase: job.phase }, 'job created');
    return job;
  }

  /** POST …/parameters: only while PENDING. */
  async setParameters(actor: Actor, jobType: string, id: string, request: JobRequest, uploads: readonly StagedUpload[]): Promise<void> {
    const job = await this.get(actor, jobType, id);
    if (job.phase !== 'PENDING') throw new PhaseConflictError(`parameters can only be changed while the job is PENDING; it is ${job.phase}`);
    const type = this.jobType(jobType);
    const added = this.buildParameters(type, request, uploads);
    // Validate the merged set: the new values replace same-named old ones.
    const names = new Set(added.map((p) => p.name.toLowerCase()));
    this.validate(type, [...job.parameters.filter((p) => !names.has(p.name.toLowerCase())), ...added], false);
    await this.checkStoragePaths(actor, type, added);
    const outcome = await this.store.upsertParameters(id, 'PENDING', this.sealSecrets(type, added));
    if (outcome === 'wrong-phase') throw new PhaseConflictError('parameters can only be changed while the job is PENDING; it has just left PENDING');
    if (outcome === 'missing') throw new NotFoundError(`no job '${id}'`);
    // Files of replaced uploads are no longer referenced.
    const replaced = job.parameters.filter((p) => p.filePath && names.has(p.name.toLowerCase()));
    await Promise.all(replaced.map((p) => this.storage.delete(p.filePath!)));
    await this.usage.credit(job.ownerId, replaced.reduce((n, p) => n + (p.fileSize ?? 0), 0));
  }

  /** POST …/phase PHASE=RUN. */
  async run(actor: Actor, jobType: string, id: string): Promise<void> {
    const job = await this.get(actor, jobType, id);
    if (job.phase === 'QUEUED' || job.phase === 'EXECUTING') return; // already on its way: RUN is idempotent
    if (job.phase !== 'PENDING' && job.phase !== 'HELD') {
      throw new PhaseConflictError(`cannot run a job that is ${job.phase}; create a new job instead`);
    }
    const type = this.jobType(jobType);
    this.checkUsable(actor, type);
    this.validate(type, job.parameters, true);
    const moved = await this.store.queue(id, job.ownerId, await this.queuedLimit(job.ownerId), 'PHASE=RUN').catch((err) => {
      throw err instanceof QueuedLimitReached ? this.limitError(err) : err;
    });
    if (!moved) throw new PhaseConflictError(`the job left ${job.phase} while it was being queued; look at it again`);
  }

  /** POST …/phase PHASE=ABORT. A running job's executor notices the change and stops it. */
  async abort(actor: Actor, jobType: string, id: string, reason = 'aborted by the owner (PHASE=ABORT)'): Promise<void> {
    const job = await this.get(actor, jobType, id);
    if (job.phase === 'ABORTED') return;
    const moved = await this.store.transition(id, ['PENDING', 'QUEUED', 'EXECUTING', 'HELD', 'SUSPENDED'], 'ABORTED', reason, { endTime: 'now' });
    if (!moved) throw new PhaseConflictError(`cannot abort a job that is ${(await this.store.getPhase(id)) ?? 'gone'}`);
  }

  /** DELETE job (or ACTION=DELETE): stop it if running, then remove it and its files. */
  async delete(actor: Actor, jobType: string, id: string): Promise<void> {
    await this.get(actor, jobType, id);
    await this.destroy(id, 'deleted by the owner');
  }

  async setExecutionDuration(actor: Actor, jobType: string, id: string, raw: string): Promise<void> {
    const job = await this.get(actor, jobType, id);
    const value = this.executionDuration(this.jobType(jobType), raw);
    const allowed: Phase[] = ['PENDING', 'QUEUED', 'HELD'];
    if (!(await this.store.updateAttribute(id, allowed, 'execution_duration', value))) {
      throw new PhaseConflictError(`executionDuration can only be changed before the job starts; it is ${job.phase}`);
    }
  }

  async setDestruction(actor: Actor, jobType: string, id: string, raw: string): Promise<void> {
    const job = await this.get(actor, jobType, id);
    const value = this.destruction(raw, job.creationTime);
    const allowed: Phase[] = ['PENDING', 'QUEUED', 'EXECUTING', 'HELD', 'SUSPENDED', 'COMPLETED', 'ERROR', 'ABORTED'];
    if (!(await this.store.updateAttribute(id, allowed, 'destruction', value))) {
      throw new PhaseConflictError(`destruction cannot be changed on a job that is ${job.phase}`);
    }
    this.finished.delete(id);
  }

  /**
   * A result file, to read whole or in part (HTTP ranges). `modified` is the job's end: a
   * result does not change once its job has ended, and resumed downloads check it.
   */
  async openResult(
    actor: Actor,
    jobType: string,
    id: string,
    name: string,
  ): Promise<{ result: JobResult; modified: Date | undefined; open(range?: { start: number; end: number }): Promise<Readable> }> {
    const job = await this.get(actor, jobType, id);
    const result = job.results.find((r) => r.name === name);
    if (!result) throw new NotFoundError(`job ${id} has no result '${name.slice(0, 128)}'`);
    return { result, modified: job.endTime ?? undefined, open: (range) => this.storage.read(result.storagePath, range ?? {}) };
  }

  /** GET …/parameters/{name}: an uploaded file, or the value. */
  async openParameter(
    actor: Actor,
    jobType: string,
    id: string,
    name: string,
  ): Promise<{ parameter: JobParameter; stream: Readable | null }> {
    const job = await this.get(actor, jobType, id);
    const lower = name.toLowerCase();
    const parameter = job.parameters.find((p) => p.name.toLowerCase() === lower);
    if (!parameter) throw new NotFoundError(`job ${id} has no parameter '${name.slice(0, 64)}'`);
    if (parameter.byReference && !parameter.filePath && parameter.value === '') {
      throw new GoneError(`the file uploaded as '${parameter.name}' was removed when job ${id} was archived`);
    }
    return { parameter, stream: parameter.filePath ? await this.storage.read(parameter.filePath) : null };
  }

  // ---------------------------------------------------------------- server side (scheduler, executor, reaper)

  claim(nodeId: string, capacity: ReadonlyMap<string, number>, limit: number): Promise<JobDetail[]> {
    const enabled = new Map([...capacity].filter(([type]) => this.settings.enabled(type)));
    return this.store.claim(nodeId, enabled, limit, this.usage.defaultRunning);
  }

  /** The owner of a job (undefined when there is no such job): for storage rights. */
  ownerOf(id: string): Promise<string | null | undefined> {
    return this.store.ownerOf(id);
  }

  /** The job's internal record (no access check): for executors. */
  internalGet(id: string): Promise<JobDetail | null> {
    return this.store.get(id);
  }

  /** Record how a running job ended. A job aborted or deleted meanwhile keeps that phase. */
  async finish(id: string, outcome: RunOutcome): Promise<Job | null> {
    switch (outcome.kind) {
      case 'completed':
        return this.store.transition(id, ['EXECUTING'], 'COMPLETED', 'finished', { endTime: 'now', progress: 1 });
      case 'error':
        return this.store.transition(id, ['EXECUTING'], 'ERROR', 'failed', {
          endTime: 'now',
          error: { type: outcome.errorType, message: outcome.message, detail: outcome.detail },
        });
      case 'aborted':
        return this.store.transition(id, ['EXECUTING'], 'ABORTED', outcome.message, {
          endTime: 'now',
          error: { type: 'fatal', message: outcome.message, detail: null },
        });
    }
  }

  /** Put an interrupted job back in the queue (graceful shutdown); its partial results go. */
  async requeue(id: string, reason: string): Promise<boolean> {
    const moved = await this.store.transition(id, ['EXECUTING'], 'QUEUED', reason, { queuedAt: 'now', nodeId: null, startTime: null, progress: null, progressMessage: null });
    if (moved) {
      const detail = await this.store.get(id);
      const bytes = (detail?.results ?? []).reduce((n, r) => n + r.size, 0);
      await this.store.deleteResults(id);
      await this.storage.delete(jobFiles.results(id));
      await this.usage.credit(moved.ownerId, bytes);
    }
    return moved !== null;
  }

  /** End a job whose executor died (found by heartbeat checks). */
  async failOrphan(id: string, why: string): Promise<boolean> {
    const message = `The job was interrupted: ${why}. Results produced before that are kept; run the job again to finish it.`;
    const moved = await this.store.transition(id, ['EXECUTING'], 'ERROR', why, {
      endTime: 'now',
      error: { type: 'transient', message, detail: null },
    });
    return moved !== null;
  }

  /**
   * End a job the database says runs on `nodeId` (this node) although its executor does not run
   * it: its end could not be recorded, or a claim never reached the executor. Only while it is
   * still EXECUTING there.
   */
  async failLost(id: string, nodeId: string): Promise<boolean> {
    const why = 'its executor node lost track of it (its end could not be recorded in the database)';
    const message = `The job was interrupted: ${why}. Results produced before that are kept; run the job again to be sure it finished.`;
    const moved = await this.store.transition(id, ['EXECUTING'], 'ERROR', why, { endTime: 'now', error: { type: 'transient', message, detail: null } }, nodeId);
    return moved !== null;
  }

  /** Record a result the job wrote; it counts against the owner's quota. On QuotaExceededError
   *  nothing is recorded and the caller removes the file. */
  async recordResult(job: Pick<Job, 'id' | 'ownerId'>, result: JobResult): Promise<void> {
    const previous = await this.store.resultSize(job.id, result.name);
    await this.usage.charge(job.ownerId, result.size - previous);
    let added: boolean;
    try {
      added = await this.store.addResult(job.id, result);
    } catch (err) {
      await this.usage.credit(job.ownerId, result.size - previous);
      throw err;
    }
    if (!added) {
      await this.usage.credit(job.ownerId, result.size - previous);
      throw new JobNotRunningError(`job ${job.id} is no longer running; result '${result.name}' was not kept`);
    }
  }

  async recordProgress(id: string, fraction: number | null, message: string | null): Promise<void> {
    await this.store.setProgress(id, fraction, message);
  }

  /**
   * Destruction (or DELETE): a running job is aborted first, so its executor stops it; then
   * the job is deleted — or ARCHIVED with its files removed, per uws.destructionPolicy.
   */
  async destroy(id: string, reason: string, policy: 'delete' | 'archive' = 'delete'): Promise<void> {
    await this.store.transition(id, ['PENDING', 'QUEUED', 'EXECUTING', 'HELD', 'SUSPENDED'], 'ABORTED', reason, { endTime: 'now' });
    const job = await this.store.get(id);
    if (!job) return;
    const bytes = await this.store.bytesOf(id);
    if (policy === 'archive') {
      if (!(await this.store.transition(id, ['COMPLETED', 'ERROR', 'ABORTED'], 'ARCHIVED', reason))) return;
      await this.store.deleteResults(id);
      await this.store.forgetUploads(id);
      await this.storage.delete(jobFiles.root(id));
    } else {
      if (!(await this.store.delete(id))) return; // someone else deleted it meanwhile (and credited)
      await this.storage.delete(jobFiles.root(id));
      await this.store.notifyDeleted(id);
    }
    await this.usage.credit(job.ownerId, bytes);
  }

  /** Apply destruction to every job whose time has come; returns how many. */
  async destroyExpired(limit = 200): Promise<number> {
    const expired = await this.store.expired(new Date(), limit);
    for (const job of expired) {
      await this.destroy(job.id, 'destruction time reached', this.uws.destructionPolicy);
      this.log.info({ job: job.id, policy: this.uws.destructionPolicy }, 'job destroyed (destruction time reached)');
    }
    return expired.length;
  }

  countsByPhase(): Promise<Map<string, Map<Phase, number>>> {
    return this.store.countsByPhase();
  }
}

function safeJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return [v];
  }
}

/** A running job's result arrived after the job was aborted, deleted or archived. */
export class JobNotRunningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobNotRunningError';
  }
}

/** Stored secret values start with this; they are shown as hidden and decrypted only to run. */
export const SECRET_PREFIX = 'vocloud-secret:';

function asRaw(p: JobParameter): RawParameter {
  // Uploaded files are validated by name only; their value is the file itself. Sealed secrets
  // were validated before they were sealed.
  if (p.value.startsWith(SECRET_PREFIX)) return { name: p.name, value: 'secret' };
  return { name: p.name, value: p.filePath ?? p.value };
}

function parseCreationPhase(phase: string | undefined): boolean {
  if (phase === undefined) return false;
  const up = phase.trim().toUpperCase();
  if (up === 'RUN') return true;
  throw new BadRequestError(`PHASE=${phase.slice(0, 32)} at creation: only PHASE=RUN is allowed (it queues the new job at once)`);
}
