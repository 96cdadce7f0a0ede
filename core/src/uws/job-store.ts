import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { inject, injectable } from 'tsyringe';
import { TOKENS } from '../tokens.js';
import type { Database } from '../db/database.js';
import { PhaseHistoryRow } from '../db/models.js';
import { isPhase, type Job, type JobDetail, type JobParameter, type JobResult, type Phase, type PhaseChange } from './model.js';

/** NOTIFY channels. Payload of JOB_CHANNEL: `${id} ${phase}`; of QUEUE_CHANNEL: the job type. */
export const JOB_CHANNEL = 'vocloud_job';
export const QUEUE_CHANNEL = 'vocloud_queue';
/** Payload: JSON `{ id, fraction, message }` (progress of a running job, for live views). */
export const PROGRESS_CHANNEL = 'vocloud_progress';

/** Fields a transition may set besides the phase. */
export interface JobPatch {
  startTime?: 'now' | null;
  endTime?: 'now' | null;
  queuedAt?: 'now' | null;
  nodeId?: string | null;
  error?: { type: 'transient' | 'fatal'; message: string; detail: string | null } | null;
  progress?: number | null;
  progressMessage?: string | null;
}

export interface NewJob {
  readonly id: string;
  readonly jobType: string;
  readonly runId: string | null;
  readonly ownerId: string | null;
  readonly executionDuration: number;
  readonly destruction: Date;
  readonly targetDir: string | null;
  readonly parameters: readonly JobParameter[];
}

/** What creating a job gives back (enough for the 303 Location). */
export interface NewJobRef {
  readonly id: string;
  readonly jobType: string;
  readonly phase: Phase;
}

export interface JobListFilter {
  readonly jobType: string;
  /** Only jobs of this owner; undefined = every owner (admins). */
  readonly ownerId?: string | null;
  readonly phases?: readonly Phase[];
  readonly after?: Date;
  readonly last?: number;
  readonly limit: number;
}

export interface JobSearch {
  readonly ownerId?: string | null;
  /** Matches the job id, runId or job type (case-insensitive substring). */
  readonly text?: string;
  readonly jobType?: string;
  readonly phases?: readonly Phase[];
  readonly after?: Date;
  readonly before?: Date;
  readonly limit: number;
  readonly offset: number;
}

export interface JobRef {
  readonly id: string;
  readonly phase: Phase;
  readonly runId: string | null;
  readonly ownerId: string | null;
  readonly creationTime: Date;
}

/** The owner already has as many QUEUED jobs as allowed. */
export class QueuedLimitReached extends Error {
  constructor(
    readonly queued: number,
    readonly max: number,
  ) {
    super(`${queued} jobs are already queued; the limit is ${max}`);
    this.name = 'QueuedLimitReached';
  }
}

/** 16 characters of [a-z2-7]: 80 random bits, URL-safe, no guessable order. */
export function newJobId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

function date(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v : new Date(String(v));
}

function phaseOf(v: string): Phase {
  return isPhase(v) ? v : 'UNKNOWN';
}

export function rowToJob(r: Record<string, unknown>): Job {
  const errorMessage = r.error_message as string | null;
  return {
    id: r.id as string,
    jobType: r.job_type as string,
    runId: (r.run_id as string | null) ?? null,
    ownerId: (r.owner_id as string | null) ?? null,
    phase: phaseOf(r.phase as string),
    quote: date(r.quote),
    creationTime: date(r.creation_time)!,
    startTime: date(r.start_time),
    endTime: date(r.end_time),
    executionDuration: Number(r.execution_duration),
    destruction: date(r.destruction),
    error:
      errorMessage === null || errorMessage === undefined
        ? null
        : {
            type: r.error_type === 'transient' ? 'transient' : 'fatal',
            message: errorMessage,
            detail: (r.error_detail as string | null) ?? null,
            hasDetail: r.error_detail !== null && r.error_detail !== undefined && r.error_detail !== errorMessage,
          },
    progress: r.progress === null || r.progress === undefined ? null : Math.round(Number(r.progress) * 1e4) / 1e4,
    progressMessage: (r.progress_message as string | null) ?? null,
    queuedAt: date(r.queued_at),
    nodeId: (r.node_id as string | null) ?? null,
    attempts: Number(r.attempts ?? 0),
    targetDir: (r.target_dir as string | null) ?? null,
  };
}

function parseJsonColumn<T>(v: unknown): T[] {
  if (v === null || v === undefined) return [];
  return (typeof v === 'string' ? JSON.parse(v) : v) as T[];
}

function parametersOf(row: Record<string, unknown>): JobParameter[] {
  return parseJsonColumn<JobParameter>(row.parameters_json).map((p) => ({ ...p, fileSize: p.fileSize === null ? null : Number(p.fileSize) }));
}

const DETAIL_SQL = `
SELECT j.*,
  (SELECT coalesce(json_agg(json_build_object('name', p.name, 'value', p.value, 'byReference', p.by_reference,
            'filePath', p.file_path, 'fileSize', p.file_size) ORDER BY p.position), '[]'::json)
     FROM job_parameters p WHERE p.job_id = j.id) AS parameters_json,
  (SELECT coalesce(json_agg(json_build_object('name', r.name, 'mimeType', r.mime_type, 'size', r.size,
            'storagePath', r.storage_path, 'createdAt', r.created_at) ORDER BY r.position), '[]'::json)
     FROM job_results r WHERE r.job_id = j.id) AS results_json
FROM jobs j WHERE j.id = ?`;

/**
 * Persistence of jobs — and nothing else: no phase rules here (JobService owns them). Every
 * phase change is one conditional UPDATE that also records the history and NOTIFYs, in a
 * single statement.
 */
@injectable()
export class JobStore {
  private readonly knex: Knex;
  constructor(@inject(TOKENS.Database) db: Database) {
    this.knex = db.knex;
  }

  /**
   * Run a statement that begins with `vocloud_lock_queue(owner, max, exclusive)` (its answer
   * as `vocloud_queued`, the job's id as `id`) under one stripe of the owner's queue lock, and
   * again under the whole lock when the count was too near the limit to decide (-1).
   */
  private async underQueueLock(sql: string, bindings: (exclusive: boolean) => Knex.RawBinding[]): Promise<Record<string, unknown>> {
    const run = async (exclusive: boolean) => ((await this.knex.raw(sql, bindings(exclusive))).rows as Record<string, unknown>[])[0]!;
    const row = await run(false);
    return (row.id === null || row.id === undefined) && Number(row.vocloud_queued) < 0 ? run(true) : row;
  }

  /**
   * Insert a job with its parameters and first history entry, and notify, in one statement.
   * With `queuedLimit`, `vocloud_lock_queue` (migration 005) takes the owner's queue lock and
   * counts their queued jobs with a snapshot taken after it, and the insert happens only below
   * the limit: concurrent creates of one owner cannot overshoot it, and the lock is held only
   * while this one statement commits. Near the limit the count needs the whole lock, which
   * takes a second round trip.
   */
  async insert(job: NewJob, initialPhase: Phase, reason: string, queuedLimit?: number): Promise<NewJobRef> {
    const queued = initialPhase === 'QUEUED';
    const params = JSON.stringify(
      job.parameters.map((p, position) => ({ position, name: p.name, value: p.value, by_reference: p.byReference, file_path: p.filePath, file_size: p.fileSize })),
    );
    const limited = queued && queuedLimit !== undefined;
    const sql = `
      WITH g AS (SELECT ${limited ? 'vocloud_lock_queue(?::text, ?::bigint, ?::boolean)' : '0::bigint'} AS vocloud_queued), j AS (
        INSERT INTO jobs (id, job_type, run_id, owner_id, phase, creation_time, queued_at, execution_duration, destruction, target_dir, attempts)
        SELECT ?, ?, ?, ?, ?, now(), CASE WHEN ? THEN now() END, ?, ?, ?, 0
        FROM g WHERE g.vocloud_queued >= 0 AND g.vocloud_queued < ?
        RETURNING id, phase, job_type
      ), p AS (
        INSERT INTO job_parameters (job_id, position, name, value, by_reference, file_path, file_size)
        SELECT j.id, x.position, x.name, x.value, x.by_reference, x.file_path, x.file_size
        FROM j, json_to_recordset(?::json) AS x(position int, name text, value text, by_reference boolean, file_path text, file_size bigint)
      ), h AS (
        INSERT INTO job_phase_history (job_id, phase, at, reason) SELECT j.id, j.phase, now(), ? FROM j
      )
      SELECT g.vocloud_queued, j.id,
             CASE WHEN j.id IS NOT NULL THEN pg_notify('${JOB_CHANNEL}', j.id || ' ' || j.phase) END,
             CASE WHEN j.phase = 'QUEUED' THEN pg_notify('${QUEUE_CHANNEL}', j.job_type) END
      FROM g LEFT JOIN j ON true`;
    const bindings = (exclusive: boolean): Knex.RawBinding[] => [
      ...(limited ? [job.ownerId, queuedLimit, exclusive] : []),
      job.id, job.jobType, job.runId, job.ownerId, initialPhase, queued, job.executionDuration, job.destruction, job.targetDir,
      limited ? queuedLimit : 1,
      params, reason,
    ];
    const row = await this.underQueueLock(sql, bindings); // unlimited: counts 0, one round trip
    if (!row.id) throw new QueuedLimitReached(Number(row.vocloud_queued), queuedLimit ?? 0);
    return { id: job.id, jobType: job.jobType, phase: initialPhase };
  }

  async get(id: string): Promise<JobDetail | null> {
    const res = await this.knex.raw(DETAIL_SQL, [id]);
    const row = (res.rows as Record<string, unknown>[])[0];
    if (!row) return null;
    const job = rowToJob(row);
    const parameters = parametersOf(row);
    const results = parseJsonColumn<JobResult & { createdAt: string }>(row.results_json).map((r) => ({
      ...r,
      size: Number(r.size),
      createdAt: new Date(r.createdAt),
    }));
    return { ...job, parameters, results };
  }

  /** The owner of a job: a username, null (anonymous), or undefined when there is no such job. */
  async ownerOf(id: string): Promise<string | null | undefined> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return undefined;
    const row = await this.knex('jobs').select('owner_id').where({ id }).first();
    return row ? ((row.owner_id as string | null) ?? null) : undefined;
  }

  async getPhase(id: string): Promise<Phase | null> {
    const row = await this.knex('jobs').select('phase').where({ id }).first();
    return row ? phaseOf(row.phase as string) : null;
  }

  async list(filter: JobListFilter): Promise<JobRef[]> {
    const q = this.knex('jobs')
      .select('id', 'phase', 'run_id', 'owner_id', 'creation_time')
      .where('job_type', filter.jobType)
      .orderBy([{ column: 'creation_time', order: 'desc' }, { column: 'id', order: 'desc' }])
      .limit(Math.min(filter.last ?? filter.limit, filter.limit));
    if (filter.ownerId !== undefined) {
      if (filter.ownerId === null) q.whereNull('owner_id');
      else q.where('owner_id', filter.ownerId);
    }
    if (filter.phases && filter.phases.length > 0) q.whereIn('phase', filter.phases as Phase[]);
    else q.whereNot('phase', 'ARCHIVED');
    if (filter.after) q.where('creation_time', '>', filter.after);
    const rows = (await q) as Record<string, unknown>[];
    return rows.map((r) => ({
      id: r.id as string,
      phase: phaseOf(r.phase as string),
      runId: (r.run_id as string | null) ?? null,
      ownerId: (r.owner_id as string | null) ?? null,
      creationTime: date(r.creation_time)!,
    }));
  }

  /** Jobs across owners and types (admin queries): filters, newest first, with the total. */
  async search(filter: JobSearch): Promise<{ jobs: Job[]; total: number }> {
    const q = this.knex('jobs');
    if (filter.ownerId !== undefined) {
      if (filter.ownerId === null) q.whereNull('owner_id');
      else q.where('owner_id', filter.ownerId);
    }
    if (filter.jobType) q.where('job_type', filter.jobType);
    if (filter.phases?.length) q.whereIn('phase', filter.phases as Phase[]);
    else q.whereNot('phase', 'ARCHIVED');
    if (filter.after) q.where('creation_time', '>', filter.after);
    if (filter.before) q.where('creation_time', '<', filter.before);
    if (filter.text) {
      const like = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q.where((w) => w.whereILike('id', like).orWhereILike('run_id', like).orWhereILike('job_type', like));
    }
    const [{ n }] = (await q.clone().count('* as n')) as [{ n: string | number }];
    const rows = (await q.select('*').orderBy([{ column: 'creation_time', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(filter.limit).offset(filter.offset)) as Record<string, unknown>[];
    return { jobs: rows.map(rowToJob), total: Number(n) };
  }

  /** Job counts per phase for the same filters (without phases). */
  async countPhases(filter: Omit<JobSearch, 'phases' | 'limit' | 'offset'>): Promise<Map<Phase, number>> {
    const q = this.knex('jobs');
    if (filter.text) {
      const like = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q.where((w) => w.whereILike('id', like).orWhereILike('run_id', like).orWhereILike('job_type', like));
    }
    if (filter.ownerId !== undefined) {
      if (filter.ownerId === null) q.whereNull('owner_id');
      else q.where('owner_id', filter.ownerId);
    }
    if (filter.jobType) q.where('job_type', filter.jobType);
    if (filter.after) q.where('creation_time', '>', filter.after);
    if (filter.before) q.where('creation_time', '<', filter.before);
    const rows = (await q.select('phase').count('* as n').groupBy('phase')) as { phase: string; n: string | number }[];
    return new Map(rows.map((r) => [phaseOf(r.phase), Number(r.n)]));
  }

  /** Ids of finished jobs older than `before` (purging). */
  async finishedBefore(before: Date, phases: readonly Phase[], limit: number): Promise<string[]> {
    const rows = await this.knex('jobs').select('id').whereIn('phase', phases as Phase[]).where('creation_time', '<', before).orderBy('creation_time').limit(limit);
    return rows.map((r) => r.id as string);
  }

  /**
   * The one way a phase changes: `UPDATE … WHERE id = :id AND phase = ANY(:from)`, plus a
   * history row and a NOTIFY, atomically. Returns null when the job was not in `from`.
   */
  async transition(id: string, from: readonly Phase[], to: Phase, reason: string, patch: JobPatch = {}, onNode?: string): Promise<Job | null> {
    const sets: string[] = ['phase = ?'];
    const values: Knex.RawBinding[] = [to];
    const setNow = (col: string, v: 'now' | null | undefined) => {
      if (v === undefined) return;
      sets.push(v === 'now' ? `${col} = now()` : `${col} = NULL`);
    };
    setNow('start_time', patch.startTime);
    setNow('end_time', patch.endTime);
    setNow('queued_at', patch.queuedAt);
    if (patch.nodeId !== undefined) sets.push('node_id = ?'), values.push(patch.nodeId);
    if (patch.error !== undefined) {
      sets.push('error_type = ?', 'error_message = ?', 'error_detail = ?');
      values.push(patch.error?.type ?? null, patch.error?.message ?? null, patch.error?.detail ?? null);
    }
    if (patch.progress !== undefined) sets.push('progress = ?'), values.push(patch.progress);
    if (patch.progressMessage !== undefined) sets.push('progress_message = ?'), values.push(patch.progressMessage);
    const notifyQueue = to === 'QUEUED' ? `, pg_notify('${QUEUE_CHANNEL}', u.job_type)` : '';
    const sql = `
      WITH u AS (
        UPDATE jobs SET ${sets.join(', ')} WHERE id = ? AND phase = ANY(?::text[])${onNode === undefined ? '' : ' AND node_id = ?'} RETURNING *
      ), h AS (
        INSERT INTO job_phase_history (job_id, phase, at, reason) SELECT id, phase, now(), ? FROM u
      )
      SELECT u.*, pg_notify('${JOB_CHANNEL}', u.id || ' ' || u.phase)${notifyQueue} FROM u`;
    const res = await this.knex.raw(sql, [...values, id, [...from], ...(onNode === undefined ? [] : [onNode]), reason]);
    const row = (res.rows as Record<string, unknown>[])[0];
    return row ? rowToJob(row) : null;
  }

  /** PENDING/HELD → QUEUED, unless the owner already has `max` queued jobs (see insert). */
  async queue(id: string, ownerId: string | null, max: number, reason: string): Promise<Job | null> {
    const row = await this.underQueueLock(
      `WITH g AS (SELECT vocloud_lock_queue(?::text, ?::bigint, ?::boolean) AS vocloud_queued), u AS (
         UPDATE jobs SET phase = 'QUEUED', queued_at = now() FROM g
         WHERE jobs.id = ? AND jobs.phase = ANY(?::text[]) AND g.vocloud_queued >= 0 AND g.vocloud_queued < ? RETURNING jobs.*
       ), h AS (
         INSERT INTO job_phase_history (job_id, phase, at, reason) SELECT id, phase, now(), ? FROM u
       )
       SELECT g.vocloud_queued, u.*,
              CASE WHEN u.id IS NOT NULL THEN pg_notify('${JOB_CHANNEL}', u.id || ' ' || u.phase) END,
              CASE WHEN u.id IS NOT NULL THEN pg_notify('${QUEUE_CHANNEL}', u.job_type) END
       FROM g LEFT JOIN u ON true`,
      (exclusive) => [ownerId, max, exclusive, id, ['PENDING', 'HELD'], max, reason],
    );
    if (row.id !== null && row.id !== undefined) return rowToJob(row);
    const queued = Number(row.vocloud_queued);
    if (queued >= max) throw new QueuedLimitReached(queued, max);
    return null;
  }

  /** Bytes the job holds in storage: results and uploads. */
  async bytesOf(id: string): Promise<number> {
    const res = await this.knex.raw(
      `SELECT (SELECT coalesce(sum(size), 0) FROM job_results WHERE job_id = ?) +
              (SELECT coalesce(sum(file_size), 0) FROM job_parameters WHERE job_id = ?) AS n`,
      [id, id],
    );
    return Number((res.rows as { n: string | number }[])[0]?.n ?? 0);
  }

  /** Size of a result, if the job has one of that name (to charge only the difference on replace). */
  async resultSize(id: string, name: string): Promise<number> {
    const row = await this.knex('job_results').select('size').where({ job_id: id, name }).first();
    return row ? Number(row.size) : 0;
  }

  /** Replace the named parameters (and add new ones) while the job is in `phase`. */
  async upsertParameters(id: string, phase: Phase, params: readonly JobParameter[]): Promise<'ok' | 'wrong-phase' | 'missing'> {
    return this.knex.transaction(async (trx) => {
      const job = await trx('jobs').select('phase').where({ id }).forUpdate().first();
      if (!job) return 'missing';
      if (job.phase !== phase) return 'wrong-phase';
      const names = [...new Set(params.map((p) => p.name.toLowerCase()))];
      await trx('job_parameters').where({ job_id: id }).whereIn(trx.raw('lower(name)') as unknown as string, names).delete();
      const max = await trx('job_parameters').where({ job_id: id }).max('position as m').first();
      let position = Number(max?.m ?? -1) + 1;
      if (params.length > 0) {
        await trx('job_parameters').insert(
          params.map((p) => ({
            job_id: id,
            position: position++,
            name: p.name,
            value: p.value,
            by_reference: p.byReference,
            file_path: p.filePath,
            file_size: p.fileSize,
          })),
        );
      }
      return 'ok';
    });
  }

  /** Set a job attribute only while the job is in one of `phases`. */
  async updateAttribute(
    id: string,
    phases: readonly Phase[],
    column: 'execution_duration' | 'destruction',
    value: number | Date,
  ): Promise<boolean> {
    // The notification (same phase) tells every node's caches that the job changed.
    const res = await this.knex.raw(
      `WITH u AS (UPDATE jobs SET ${column} = ? WHERE id = ? AND phase = ANY(?::text[]) RETURNING id, phase)
       SELECT u.id, pg_notify('${JOB_CHANNEL}', u.id || ' ' || u.phase) FROM u`,
      [value, id, [...phases]],
    );
    return (res.rows as unknown[]).length > 0;
  }

  async setProgress(id: string, progress: number | null, message: string | null): Promise<void> {
    await this.knex.raw(
      `WITH u AS (UPDATE jobs SET progress = ?, progress_message = ? WHERE id = ? AND phase = 'EXECUTING' RETURNING id)
       SELECT pg_notify('${PROGRESS_CHANNEL}', json_build_object('id', u.id, 'fraction', ?::real, 'message', ?::text)::text) FROM u`,
      [progress, message, id, progress, message],
    );
  }

  /**
   * Record a result — only while the job is EXECUTING: a job that was aborted, deleted or
   * archived meanwhile gets nothing more. Returns false when the result was refused.
   */
  async addResult(id: string, result: JobResult): Promise<boolean> {
    const res = await this.knex.raw(
      `INSERT INTO job_results (job_id, name, storage_path, mime_type, size, created_at, position)
       SELECT ?, ?, ?, ?, ?, now(), (SELECT coalesce(max(position) + 1, 0) FROM job_results WHERE job_id = ?)
       WHERE EXISTS (SELECT 1 FROM jobs WHERE id = ? AND phase = 'EXECUTING')
       ON CONFLICT (job_id, name) DO UPDATE SET storage_path = excluded.storage_path,
         mime_type = excluded.mime_type, size = excluded.size, created_at = excluded.created_at
       RETURNING job_id`,
      [id, result.name, result.storagePath, result.mimeType, result.size, id, id],
    );
    return (res.rows as unknown[]).length > 0;
  }

  /** Archived jobs keep their parameters but their uploaded files are gone. */
  async forgetUploads(id: string): Promise<void> {
    await this.knex('job_parameters').update({ file_path: null, file_size: null }).where({ job_id: id }).whereNotNull('file_path');
  }

  async deleteResults(id: string): Promise<void> {
    await this.knex('job_results').where({ job_id: id }).delete();
  }

  async history(id: string): Promise<PhaseChange[]> {
    const rows = await PhaseHistoryRow.bindKnex(this.knex).query().where('job_id', id).orderBy('id');
    return rows.map((r) => ({ phase: phaseOf(r.phase), at: date(r.at)!, reason: r.reason }));
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.knex('jobs').where({ id }).delete().returning('id');
    return deleted.length > 0;
  }

  /** Tell listeners (executors, waiters) on every node that a job is gone. */
  async notifyDeleted(id: string): Promise<void> {
    await this.knex.raw(`SELECT pg_notify('${JOB_CHANNEL}', ? || ' DELETED')`, [id]);
  }

  /**
   * Claim up to `limit` QUEUED jobs of the given types for `nodeId`, in one statement:
   * `vocloud_claim` (migration 005) takes the cluster-wide claim lock (so owners' running counts
   * are exact), ranks queued jobs per owner and per type against the owners' free running slots
   * and the types' free slots, locks the chosen ones with FOR UPDATE SKIP LOCKED (another node's
   * claim, or an ABORT, skips them), starts them, records the history, notifies, and returns them
   * with their parameters, so the executor needs no second read.
   */
  async claim(nodeId: string, capacity: ReadonlyMap<string, number>, limit: number, running: { user: number; anonymous: number }): Promise<JobDetail[]> {
    const types = [...capacity.entries()].filter(([, n]) => n > 0).map(([t]) => t);
    if (types.length === 0 || limit <= 0) return [];
    const res = await this.knex.raw('SELECT claimed_job, claimed_parameters FROM vocloud_claim(?, ?::text[], ?::jsonb, ?, ?, ?, ?)', [
      nodeId, types, JSON.stringify(Object.fromEntries(capacity)), limit, running.anonymous, running.user, `started on node ${nodeId}`,
    ]);
    return (res.rows as { claimed_job: unknown; claimed_parameters: unknown }[]).map((row) => {
      const job = (typeof row.claimed_job === 'string' ? JSON.parse(row.claimed_job) : row.claimed_job) as Record<string, unknown>;
      return { ...rowToJob(job), parameters: parametersOf({ parameters_json: row.claimed_parameters }), results: [] };
    });
  }

  /** Ids of jobs EXECUTING on `nodeId` since before `startedBefore`. */
  async executingOn(nodeId: string, startedBefore: Date): Promise<string[]> {
    const rows = await this.knex('jobs').select('id').where({ phase: 'EXECUTING', node_id: nodeId }).where('start_time', '<', startedBefore);
    return rows.map((r) => r.id as string);
  }

  /** Ids of EXECUTING jobs whose node is gone: stopped, silent since `deadBefore`, unknown, or
   *  an earlier process of a node with the same name. */
  async orphanedJobs(deadBefore: Date, selfId: string, selfName: string): Promise<{ id: string; nodeId: string | null; why: string }[]> {
    const res = await this.knex.raw(
      `SELECT j.id, j.node_id, n.name, n.heartbeat_at, n.stopped_at FROM jobs j
       LEFT JOIN nodes n ON n.id = j.node_id
       WHERE j.phase = 'EXECUTING' AND (j.node_id IS DISTINCT FROM ?) AND (
         n.id IS NULL OR n.stopped_at IS NOT NULL OR n.heartbeat_at < ? OR n.name = ?)`,
      [selfId, deadBefore, selfName],
    );
    return (res.rows as Record<string, unknown>[]).map((r) => ({
      id: r.id as string,
      nodeId: (r.node_id as string | null) ?? null,
      why:
        r.name === null || r.name === undefined
          ? `its executor node ${String(r.node_id)} is unknown`
          : r.stopped_at
            ? `its executor node ${String(r.node_id)} stopped while it ran`
            : r.name === selfName
              ? `its executor node ${String(r.name)} restarted while it ran`
              : `its executor node ${String(r.node_id)} stopped sending heartbeats (last at ${date(r.heartbeat_at)!.toISOString()})`,
    }));
  }

  /** Jobs whose destruction time has passed (oldest first). */
  async expired(now: Date, limit: number): Promise<{ id: string; phase: Phase }[]> {
    const rows = await this.knex('jobs')
      .select('id', 'phase')
      .where('destruction', '<=', now)
      .whereNot('phase', 'ARCHIVED')
      .orderBy('destruction')
      .limit(limit);
    return rows.map((r) => ({ id: r.id as string, phase: phaseOf(r.phase as string) }));
  }

  async countsByPhase(): Promise<Map<string, Map<Phase, number>>> {
    const rows = (await this.knex('jobs').select('job_type', 'phase').count('* as n').groupBy('job_type', 'phase')) as Record<string, unknown>[];
    const out = new Map<string, Map<Phase, number>>();
    for (const r of rows) {
      const m = out.get(r.job_type as string) ?? new Map<Phase, number>();
      m.set(phaseOf(r.phase as string), Number(r.n));
      out.set(r.job_type as string, m);
    }
    return out;
  }
}
