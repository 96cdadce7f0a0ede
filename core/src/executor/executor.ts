import { mkdir, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { storageSpec } from '../storage/backend-factory.js';
import { join } from 'node:path';
import { MessageChannel, type MessagePort as ThreadPort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { inject, injectable } from 'tsyringe';
import type { Logger } from 'pino';
import type { AbortCause, StorageBackend } from '@vocloud/sdk';
import { TOKENS, type NodeIdentity } from '../tokens.js';
import type { LoadedConfig } from '../config/load.js';
import { JobNotRunningError, JobService, type RunOutcome } from '../uws/job-service.js';
import { JobEvents } from '../uws/job-events.js';
import type { Job, JobDetail } from '../uws/model.js';
import { PluginRegistry } from '../plugins/registry.js';
import { jobFiles } from '../storage/job-files.js';
import { Metrics } from '../metrics/metrics.js';
import { QuotaExceededError, UsageService } from '../quota/usage-service.js';
import { UserService } from '../auth/user-service.js';
import type { ExecutorMessage, PreviewOutcome, PreviewTask, RpcMethod, RunTask, TaskOutcome, ThreadMessage } from './protocol.js';
import { BadRequestError, NotFoundError } from '../uws/errors.js';
import { randomBytes } from 'node:crypto';

interface RunningJob {
  readonly job: JobDetail;
  readonly startedAt: number;
  readonly port: ThreadPort;
  /** Terminates the thread if the job ignores the abort request. */
  readonly kill: AbortController;
  cause: AbortCause | null;
  causeMessage: string;
  /** Bytes of the owner's quota taken ahead for this job's storage writes (see charge()). */
  reserved: number;
  durationTimer?: NodeJS.Timeout;
  graceTimer?: NodeJS.Timeout;
  progressTimer?: NodeJS.Timeout;
  pendingProgress?: { fraction: number | null; message: string | null };
  lastProgressWrite: number;
  done: Promise<void>;
}

const PROGRESS_WRITE_INTERVAL_MS = 250;
/** Attempts at a job's last database write (0.5, 1, 2 and 4 s apart). */
const PERSIST_ATTEMPTS = 5;
/** How much quota a job's storage writes reserve at a time. */
const RESERVATION_CHUNK = 8 * 1024 * 1024;

/**
 * Runs claimed jobs in a pool of worker threads (piscina), one job per thread at a time, so
 * plugin code never blocks the event loop that answers HTTP. Enforces executionDuration,
 * forwards progress/results/logs to JobService, and stops a job when its phase changes
 * elsewhere (ABORT or DELETE on any node arrives as a notification).
 */
@injectable()
export class Executor {
  /** Made on first use, so that a node that never runs a job starts no thread. */
  private poolInstance: Piscina | null = null;
  private closed = false;
  private readonly running = new Map<string, RunningJob>();
  private readonly cfg: LoadedConfig['config']['executor'];
  private unsubscribe: (() => void) | null = null;
  private onFreedListeners = new Set<() => void>();

  constructor(
    @inject(TOKENS.Config) private readonly config: LoadedConfig,
    @inject(JobService) private readonly jobs: JobService,
    @inject(JobEvents) private readonly events: JobEvents,
    @inject(PluginRegistry) private readonly registry: PluginRegistry,
    @inject(TOKENS.Storage) private readonly storage: StorageBackend,
    @inject(TOKENS.Node) private readonly node: NodeIdentity,
    @inject(Metrics) private readonly metrics: Metrics,
    @inject(UsageService) private readonly usage: UsageService,
    @inject(UserService) private readonly users: UserService,
    @inject(TOKENS.Logger) private readonly log: Logger,
  ) {
    this.cfg = config.config.executor;
  }

  private get pool(): Piscina {
    if (this.closed) throw new Error('the executor is shut down');
    this.poolInstance ??= new Piscina({
      filename: new URL('./thread.js', import.meta.url).href,
      // A new thread loads the plugins again and V8 compiles their hot code again: the first
      // import job after a minute's pause took 60% more CPU (bench/import). Warm threads stay.
      minThreads: Math.min(this.cfg.warmThreads, this.cfg.maxConcurrentJobs),
      maxThreads: this.cfg.maxConcurrentJobs,
      concurrentTasksPerWorker: 1,
      idleTimeout: this.cfg.idleThreadTimeout * 1000,
      // A job's results may be large buffers; nothing else needs a big queue.
      maxQueue: 'auto',
    });
    return this.poolInstance;
  }

  start(): void {
    this.unsubscribe = this.events.onAny((s) => {
      const r = this.running.get(s.id);
      if (!r || s.phase === 'EXECUTING') return;
      if (s.phase === 'ABORTED') this.requestAbort(r, 'abort', 'The job was aborted (PHASE=ABORT).');
      else if (s.phase === 'DELETED') this.requestAbort(r, 'destruction', 'The job was deleted.');
      else if (s.phase !== 'COMPLETED' && s.phase !== 'ERROR') void this.abortIfMoved(r);
    });
  }

  /**
   * A notification of an earlier phase may arrive after the claim: the job's QUEUED, sent when
   * it was queued, can reach this listener after the scheduler's claim has returned (two
   * connections, no order between them). Acting on it stopped a job that had just started, and
   * left it EXECUTING with nobody running it. Final phases and deletion cannot be stale; for
   * the others the database says whether the job really moved.
   */
  private async abortIfMoved(r: RunningJob): Promise<void> {
    let now: JobDetail | null;
    try {
      now = await this.jobs.internalGet(r.job.id);
    } catch (err) {
      this.log.warn({ err, job: r.job.id }, 'could not check the phase of a running job after a notification; it keeps running');
      return;
    }
    if (this.running.get(r.job.id) !== r) return; // it ended meanwhile
    if (now === null) this.requestAbort(r, 'destruction', 'The job was deleted.');
    else if (now.phase === 'EXECUTING' && now.nodeId === this.node.id) return; // a stale notification
    else if (now.phase !== 'COMPLETED' && now.phase !== 'ERROR') this.requestAbort(r, 'abort', `The job was moved to ${now.phase}.`);
  }

  /** Called when a slot frees up, so the scheduler claims more work. */
  onFreed(listener: () => void): () => void {
    this.onFreedListeners.add(listener);
    return () => this.onFreedListeners.delete(listener);
  }

  runningIds(): string[] {
    return [...this.running.keys()];
  }

  /** Free slots per job type on this node (node-wide and per-type limits). */
  capacity(): { total: number; perType: Map<string, number> } {
    const total = Math.max(0, this.cfg.maxConcurrentJobs - this.running.size);
    const perType = new Map<string, number>();
    const counts = new Map<string, number>();
    for (const r of this.running.values()) counts.set(r.job.jobType, (counts.get(r.job.jobType) ?? 0) + 1);
    for (const t of this.registry.list()) {
      const concurrency = this.jobs.limitsOf(t).concurrency;
      perType.set(t.definition.name, Math.min(total, Math.max(0, concurrency - (counts.get(t.definition.name) ?? 0))));
    }
    return { total, perType };
  }

  /** Run a job that this node has claimed (it is EXECUTING in the database). */
  execute(job: JobDetail): void {
    const channel = new MessageChannel();
    const r: RunningJob = {
      job,
      startedAt: Date.now(),
      port: channel.port1,
      kill: new AbortController(),
      cause: null,
      causeMessage: '',
      reserved: 0,
      lastProgressWrite: 0,
      done: Promise.resolve(),
    };
    this.running.set(job.id, r);
    this.metrics.jobStarted(job);
    r.done = this.runToEnd(r, channel.port2)
      // (the node's heartbeat ends a job left EXECUTING here: NodeRegistry.endLost)
      .catch((err: unknown) => this.log.error({ err, job: job.id }, 'the executor could not finish the job'))
      .finally(async () => {
        if (r.reserved > 0) await this.usage.credit(job.ownerId, r.reserved).catch((err) => this.log.warn({ err, job: job.id }, 'could not give back reserved quota'));
        r.reserved = 0;
        this.running.delete(job.id);
        this.metrics.jobStopped(job);
        for (const l of this.onFreedListeners) l();
      });
  }

  private async runToEnd(r: RunningJob, threadPort: ThreadPort): Promise<void> {
    const job = r.job;
    const log = this.log.child({ job: job.id, jobType: job.jobType });
    const workDir = join(this.config.paths.workDir, job.id);
    let outcome: RunOutcome;
    try {
      const detail = job; // the claim returned it with its parameters
      const type = this.registry.get(job.jobType);
      if (!type) throw new Error(`job type '${job.jobType}' is not loaded on node ${this.node.name}`);
      const owner = detail.ownerId ? await this.users.cached(detail.ownerId) : null;
      const ownerRole = owner ? owner.role : 'anonymous';
      const task = await this.buildTask(detail, ownerRole, type.moduleUrl, type.options, type.source, workDir, threadPort);
      if (job.executionDuration > 0) {
        const elapsed = job.startTime ? Date.now() - job.startTime.getTime() : 0;
        r.durationTimer = setTimeout(
          () => this.requestAbort(r, 'executionDuration', `The job exceeded its executionDuration of ${job.executionDuration} s and was aborted. Ask for a longer executionDuration (the job type allows up to ${this.jobs.limitsOf(type).maxExecutionDuration || 'unlimited'} s) or give it less work.`),
          Math.max(0, job.executionDuration * 1000 - elapsed),
        );
      }
      r.port.on('message', (m: ThreadMessage) => this.onThreadMessage(r, m, log));
      let result: TaskOutcome;
      // (timings at debug level: a job that seems stuck shows whether it waited for a thread,
      // for its plugin or for the database)
      log.debug({ threads: this.pool.threads.length, queued: this.pool.queueSize, setupMs: Date.now() - r.startedAt }, 'job handed to a thread');
      try {
        result = (await this.pool.run(task, { transferList: [threadPort], signal: r.kill.signal })) as TaskOutcome;
      } catch (err) {
        if (r.kill.signal.aborted) result = { status: 'aborted', message: r.causeMessage || 'The job was stopped.' };
        else throw err;
      }
      log.debug({ status: result.status, ranMs: Date.now() - r.startedAt }, 'thread returned');
      outcome = this.outcomeOf(r, result);
    } catch (err) {
      log.error({ err }, 'executor failure');
      outcome = { kind: 'error', message: `The executor could not run the job: ${(err as Error).message}`, detail: null, errorType: 'transient' };
    } finally {
      clearTimeout(r.durationTimer);
      clearTimeout(r.graceTimer);
      clearTimeout(r.progressTimer);
      r.port.close();
    }
    await this.flushProgress(r, log);
    let ended: Job | null = null;
    if (r.cause === 'shutdown') {
      await this.persist(() => this.jobs.requeue(job.id, 'requeued: the node shut down while the job ran'), 'requeue', log);
      log.info('job requeued (node shutting down)');
    } else if (r.cause === 'abort' || r.cause === 'destruction') {
      // The phase was already changed by whoever aborted or deleted the job.
    } else {
      if (outcome.kind === 'completed' && job.targetDir) {
        try {
          const dir = await this.jobs.copyToTarget(job);
          log.info({ dir }, 'results copied to TARGETDIR');
        } catch (err) {
          outcome = {
            kind: 'error',
            message: `The job finished, but its results could not be copied to ${job.targetDir}: ${(err as Error).message} They are still available as the job's results.`,
            detail: null,
            errorType: 'transient',
          };
        }
      }
      ended = await this.persist(() => this.jobs.finish(job.id, outcome), 'record the end of', log);
      if (ended) this.metrics.jobEnded(ended);
      log.info({ phase: ended?.phase ?? '(changed meanwhile)', ms: Date.now() - r.startedAt }, 'job ended');
    }
    // A job deleted or archived while it ran may have written files after the clean-up.
    if (r.cause !== null || !ended) {
      const after = await this.jobs.internalGet(job.id).catch(() => undefined);
      if (after === null || after?.phase === 'ARCHIVED') await this.storage.delete(jobFiles.root(job.id)).catch(() => undefined);
    }
    // The thread removes its work dir itself (off this event loop); only a terminated thread
    // leaves one behind.
    if (!this.cfg.keepWorkDirs && r.kill.signal.aborted) await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }

  /**
   * A job's last write to the database (its end, or its requeue), tried again over ~7 s: a
   * failed one would leave the job EXECUTING on a node that no longer runs it (until the
   * heartbeat's endLost ends it in ERROR). Throws the last error.
   */
  private async persist<T>(write: () => Promise<T>, what: string, log: Logger): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (err) {
        if (attempt >= PERSIST_ATTEMPTS) throw err;
        log.warn({ err, attempt }, `could not ${what} the job in the database; trying again`);
        await new Promise((res) => setTimeout(res, 500 * 2 ** (attempt - 1)));
      }
    }
  }

  private outcomeOf(r: RunningJob, result: TaskOutcome): RunOutcome {
    if (r.cause === 'executionDuration') return { kind: 'aborted', message: r.causeMessage };
    switch (result.status) {
      case 'completed':
        return { kind: 'completed' };
      case 'error':
        return { kind: 'error', message: result.message, detail: result.detail, errorType: result.errorType };
      case 'aborted':
        return { kind: 'aborted', message: r.causeMessage || result.message };
    }
  }

  private async buildTask(
    job: JobDetail,
    ownerRole: RunTask['ownerRole'],
    moduleUrl: string,
    options: unknown,
    source: string,
    workDir: string,
    port: ThreadPort,
  ): Promise<RunTask> {
    const files: Record<string, string> = {};
    const parameters: { name: string; value: string }[] = [];
    for (const p of job.parameters) {
      if (!p.filePath) {
        parameters.push({ name: p.name, value: this.jobs.openSecret(p.value) });
        continue;
      }
      // Uploaded files: the file itself on local storage, a copy in the work dir otherwise.
      let local = this.storage.localPath(p.filePath);
      if (!local) {
        const dir = join(workDir, 'uploads');
        await mkdir(dir, { recursive: true });
        local = join(dir, p.filePath.split('/').pop()!);
        await pipeline(await this.storage.read(p.filePath), createWriteStream(local));
      }
      files[p.name] = local;
      parameters.push({ name: p.name, value: local });
    }
    return {
      jobId: job.id,
      jobType: job.jobType,
      ownerId: job.ownerId,
      ownerRole,
      runId: job.runId,
      moduleUrl,
      options,
      source,
      parameters,
      files,
      workDir,
      keepWorkDir: this.cfg.keepWorkDirs,
      executionDuration: job.executionDuration,
      storage: storageSpec(this.config),
      resultsPath: jobFiles.results(job.id),
      port,
    };
  }

  private onThreadMessage(r: RunningJob, m: ThreadMessage, log: Logger): void {
    switch (m.type) {
      case 'log':
        log[m.level]({ ...(m.data ?? {}), plugin: true }, m.message);
        break;
      case 'quota-used':
        r.reserved -= m.bytes;
        break;
      case 'progress':
        r.pendingProgress = { fraction: m.fraction, message: m.message };
        if (!r.progressTimer) {
          const wait = Math.max(0, r.lastProgressWrite + PROGRESS_WRITE_INTERVAL_MS - Date.now());
          r.progressTimer = setTimeout(() => {
            r.progressTimer = undefined;
            void this.flushProgress(r, log);
          }, wait);
        }
        break;
      case 'rpc': {
        const reply = (msg: { result?: unknown; error?: string }) => r.port.postMessage({ type: 'rpc-reply', requestId: m.requestId, ...msg } satisfies ExecutorMessage);
        this.rpc(m.method, m.args, r)
          .then((result) => reply({ result }))
          .catch((err: Error) => {
            if (!(err instanceof QuotaExceededError)) log.warn({ err, method: m.method }, 'storage request of a job failed');
            reply({ error: err.message });
          });
        break;
      }
      case 'result': {
        const reply = (error?: string) =>
          r.port.postMessage({ type: 'result-ack', requestId: m.requestId, ...(error ? { error } : {}) } satisfies ExecutorMessage);
        const result = { name: m.name, storagePath: m.storagePath, size: m.size, mimeType: m.mimeType, createdAt: new Date() };
        // (the thread gave back its reservation first, so a result may use that room)
        this.jobs
          .recordResult(r.job, result)
          .then(() => reply())
          .catch(async (err: Error) => {
            // The file is not a result: remove it, and end the job with the reason.
            await this.storage.delete(m.storagePath).catch(() => undefined);
            if (err instanceof JobNotRunningError) {
              reply(err.message);
            } else if (err instanceof QuotaExceededError) {
              log.info({ result: m.name }, 'result refused: storage quota');
              reply(`The job stopped: ${err.message}`);
            } else {
              log.warn({ err, result: m.name }, 'could not record a result');
              reply(`could not record result '${m.name}': ${err.message}`);
            }
          });
        break;
      }
    }
  }

  /** Requests of a job's ctx.storage that need the database: quota and job owners. */
  private async rpc(method: RpcMethod, args: readonly unknown[], job?: RunningJob): Promise<unknown> {
    const owner = args[0] as string | null;
    const bytes = Number(args[1]);
    switch (method) {
      case 'charge':
        return this.usage.charge(owner, bytes);
      case 'reserve':
      case 'release': {
        if (!job || owner !== job.job.ownerId) throw new Error('a reservation is for the running job’s owner');
        job.reserved -= Number(args[2]); // what the reservation paid for since the thread last said
        if (method === 'reserve') return this.reserve(job, bytes);
        await this.usage.credit(owner, bytes); // on failure the bytes stay held, and are given back at the end
        job.reserved -= bytes;
        return undefined;
      }
      case 'credit':
        return this.usage.credit(owner, bytes);
      case 'jobOwner':
        return this.jobs.ownerOf(String(args[0]));
      case 'quota': {
        const owner = args[0] as string | null;
        return { used: await this.usage.usage(owner), limit: (await this.usage.limits(owner)).storage };
      }
    }
  }

  /**
   * A job's own writes (an import of thousands of files) are paid from quota reserved for its
   * thread in chunks (ReservedQuota, in the thread), so most writes cost no message and no
   * database statement. The quota is never exceeded: a chunk that does not fit falls back to the
   * exact need, and that failing is the quota message. `job.reserved` is what was charged ahead
   * and not yet reported used; the thread releases its balance before it returns, and what is
   * still held when the job ends is given back. While it runs, the owner's usage shows up to one
   * chunk more. Resolves with the bytes granted.
   */
  private async reserve(job: RunningJob, need: number): Promise<number> {
    if (!(need > 0)) return 0;
    try {
      await this.usage.charge(job.job.ownerId, need + RESERVATION_CHUNK);
      job.reserved += need + RESERVATION_CHUNK;
      return need + RESERVATION_CHUNK;
    } catch (err) {
      if (!(err instanceof QuotaExceededError)) throw err;
      await this.usage.charge(job.job.ownerId, need); // throws the quota message when even this does not fit
      job.reserved += need;
      return need;
    }
  }

  private async flushProgress(r: RunningJob, log: Logger): Promise<void> {
    const p = r.pendingProgress;
    if (!p) return;
    r.pendingProgress = undefined;
    r.lastProgressWrite = Date.now();
    await this.jobs.recordProgress(r.job.id, p.fraction, p.message).catch((err) => log.warn({ err }, 'could not record progress'));
  }

  /** Ask the job to stop; terminate its thread if it has not returned after abortGrace. */
  private requestAbort(r: RunningJob, cause: AbortCause, message: string): void {
    if (r.cause !== null) return;
    r.cause = cause;
    r.causeMessage = message;
    try {
      r.port.postMessage({ type: 'abort', cause, message } satisfies ExecutorMessage);
    } catch {
      /* port already closed: the job is ending */
    }
    r.graceTimer = setTimeout(() => {
      this.log.warn({ job: r.job.id }, `job did not stop within ${this.cfg.abortGrace} s of the abort request; terminating its thread`);
      r.kill.abort();
    }, this.cfg.abortGrace * 1000);
  }

  /**
   * Run a data source's preview in a thread (off the event loop), with a time limit. User
   * errors (bad parameters, an archive that says no) come back as BadRequestError.
   */
  async preview(jobType: string, ownerId: string | null, parameters: Record<string, unknown>, timeoutSeconds: number): Promise<unknown> {
    const type = this.registry.get(jobType);
    if (!type) throw new NotFoundError(`no job type '${jobType}'`);
    const owner = ownerId ? await this.users.cached(ownerId) : null;
    const channel = new MessageChannel();
    const kill = new AbortController();
    const workDir = join(this.config.paths.workDir, `preview-${randomBytes(6).toString('hex')}`);
    const log = this.log.child({ preview: jobType });
    channel.port1.on('message', (m: ThreadMessage) => {
      if (m.type === 'log') log[m.level]({ ...(m.data ?? {}), plugin: true }, m.message);
      else if (m.type === 'rpc') {
        this.rpc(m.method, m.args).then(
          (result) => channel.port1.postMessage({ type: 'rpc-reply', requestId: m.requestId, result } satisfies ExecutorMessage),
          (err: Error) => channel.port1.postMessage({ type: 'rpc-reply', requestId: m.requestId, error: err.message } satisfies ExecutorMessage),
        );
      }
    });
    const timer = setTimeout(() => {
      channel.port1.postMessage({ type: 'abort', cause: 'executionDuration', message: `the preview took longer than ${timeoutSeconds} s` } satisfies ExecutorMessage);
      setTimeout(() => kill.abort(), 2000).unref();
    }, timeoutSeconds * 1000);
    try {
      const task: PreviewTask = {
        jobType,
        ownerId,
        ownerRole: owner ? owner.role : 'anonymous',
        moduleUrl: type.moduleUrl,
        options: type.options,
        source: type.source,
        parameters,
        workDir,
        storage: storageSpec(this.config),
        port: channel.port2,
      };
      let outcome: PreviewOutcome;
      try {
        outcome = (await this.pool.run(task, { name: 'runPreview', transferList: [channel.port2], signal: kill.signal })) as PreviewOutcome;
      } catch (err) {
        if (kill.signal.aborted) throw new BadRequestError(`the preview took longer than ${timeoutSeconds} s and was stopped; narrow the query`);
        throw err;
      }
      if (outcome.status === 'ok') return outcome.value;
      if (outcome.user) throw new BadRequestError(outcome.message);
      throw new Error(`preview of ${jobType} failed: ${outcome.message}`);
    } finally {
      clearTimeout(timer);
      channel.port1.close();
      await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** Stop a job because of destruction (the reaper) or shutdown. */
  stop(jobId: string, cause: AbortCause, message: string): void {
    const r = this.running.get(jobId);
    if (r) this.requestAbort(r, cause, message);
  }

  /**
   * Graceful shutdown: let running jobs finish for up to `grace` seconds, then stop the rest
   * (they go back to QUEUED and run again after the restart), then close the pool.
   */
  async shutdown(grace = this.cfg.shutdownGrace): Promise<void> {
    this.unsubscribe?.();
    const all = () => Promise.all([...this.running.values()].map((r) => r.done));
    if (this.running.size > 0) {
      this.log.info({ running: this.running.size, grace }, 'waiting for running jobs before shutdown');
      await Promise.race([all(), new Promise((res) => setTimeout(res, grace * 1000).unref())]);
      for (const r of this.running.values()) this.requestAbort(r, 'shutdown', 'The server is shutting down; the job will run again after the restart.');
      await all();
    }
    this.closed = true;
    await this.poolInstance?.destroy();
  }
}
