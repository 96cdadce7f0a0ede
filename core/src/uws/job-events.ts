import { inject, injectable } from 'tsyringe';
import type { Logger } from 'pino';
import { TOKENS } from '../tokens.js';
import type { Database } from '../db/database.js';
import { JOB_CHANNEL, PROGRESS_CHANNEL } from './job-store.js';

/** A phase as carried by notifications, plus the deletion of a job. */
export type JobSignal = { id: string; phase: string };
type Listener = (signal: JobSignal) => void;
/** Progress of a running job, for live views. */
export type ProgressSignal = { id: string; fraction: number | null; message: string | null };

/**
 * Phase changes of jobs, from the database's NOTIFY — so a change made on any node wakes
 * WAIT requests and executors on every node, promptly and without polling.
 */
@injectable()
export class JobEvents {
  private readonly byJob = new Map<string, Set<Listener>>();
  private readonly any = new Set<Listener>();
  private readonly progress = new Set<(p: ProgressSignal) => void>();
  private readonly waiters = new Set<() => void>();
  private closing = false;
  private unlisten: (() => Promise<void>) | null = null;
  private unlistenProgress: (() => Promise<void>) | null = null;

  constructor(
    @inject(TOKENS.Database) private readonly db: Database,
    @inject(TOKENS.Logger) private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.unlisten = await this.db.listen(JOB_CHANNEL, (payload) => this.dispatch(payload));
    this.unlistenProgress = await this.db.listen(PROGRESS_CHANNEL, (payload) => {
      if (this.progress.size === 0) return;
      try {
        const p = JSON.parse(payload) as ProgressSignal;
        for (const l of this.progress) l(p);
      } catch {
        this.log.warn({ payload: payload.slice(0, 200) }, 'ignoring malformed progress notification');
      }
    });
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    await this.unlistenProgress?.();
    this.unlisten = null;
    this.unlistenProgress = null;
  }

  /** Shutdown: answer every parked WAIT now, and let new ones return at once. */
  releaseWaiters(): void {
    this.closing = true;
    for (const finish of [...this.waiters]) finish();
  }

  /** Listen to the progress of every running job. */
  onProgress(listener: (p: ProgressSignal) => void): () => void {
    this.progress.add(listener);
    return () => this.progress.delete(listener);
  }

  private dispatch(payload: string): void {
    const space = payload.indexOf(' ');
    if (space < 0) return this.log.warn({ payload }, 'ignoring malformed job notification');
    const signal = { id: payload.slice(0, space), phase: payload.slice(space + 1) };
    for (const l of this.byJob.get(signal.id) ?? []) l(signal);
    for (const l of this.any) l(signal);
  }

  /** Listen to one job's changes; returns the function that stops listening. */
  onJob(id: string, listener: Listener): () => void {
    let set = this.byJob.get(id);
    if (!set) this.byJob.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      set!.delete(listener);
      if (set!.size === 0 && this.byJob.get(id) === set) this.byJob.delete(id);
    };
  }

  /** Listen to every job's changes (metrics, executors, subscriptions). */
  onAny(listener: Listener): () => void {
    this.any.add(listener);
    return () => this.any.delete(listener);
  }

  /** Number of WAIT requests and other listeners currently parked on jobs. */
  get waiting(): number {
    let n = 0;
    for (const s of this.byJob.values()) n += s.size;
    return n;
  }

  /**
   * Resolve when job `id` leaves `phase`, after `timeoutMs`, or when `signal` aborts (client
   * went away). Callers subscribe before re-reading the phase, so no change is missed.
   */
  waitForChange(id: string, phase: string, timeoutMs: number, signal?: AbortSignal): { ready: Promise<void>; cancel: () => void } {
    if (this.closing) return { ready: Promise.resolve(), cancel: () => undefined };
    let stop: () => void = () => undefined;
    const waiters = this.waiters;
    const ready = new Promise<void>((resolve) => {
      const timer = setTimeout(finish, timeoutMs);
      const off = this.onJob(id, (s) => {
        if (s.phase !== phase) finish();
      });
      const onAbort = () => finish();
      signal?.addEventListener('abort', onAbort, { once: true });
      function finish() {
        clearTimeout(timer);
        off();
        signal?.removeEventListener('abort', onAbort);
        waiters.delete(finish);
        resolve();
      }
      waiters.add(finish);
      stop = finish;
    });
    return { ready, cancel: () => stop() };
  }
}
