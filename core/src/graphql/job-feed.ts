import type { Logger } from 'pino';
import type { JobEvents, JobSignal } from '../uws/job-events.js';
import type { JobService } from '../uws/job-service.js';
import { isPhase, type Phase } from '../uws/model.js';
import { EventQueue } from './event-queue.js';

/** One phase change (or the deletion) of a job, as jobPhaseChanged delivers it. */
export interface JobPhaseChange {
  readonly jobId: string;
  readonly phase: Phase | null;
  readonly deleted: boolean;
  readonly at: Date;
  readonly jobType: string | null;
  readonly ownerId: string | null;
}

export interface JobFeedFilter {
  /** A user name, null for anonymous jobs; undefined = every owner. */
  readonly ownerId?: string | null;
  readonly jobType?: string;
}

interface Identity {
  readonly jobType: string;
  readonly ownerId: string | null;
}

/** Jobs whose type and owner we remember, so a deletion can still be filtered. */
const REMEMBERED = 10_000;
/** Events a subscriber may fall behind before it is ended. */
const BACKLOG = 1_000;

/**
 * Turns the database's job notifications (JobEvents, from any node) into jobPhaseChanged
 * events. It listens only while someone subscribes, looks up each job's type and owner once,
 * and handles notifications one after another, so every subscriber sees a job's phases in the
 * order they happened.
 */
export class JobPhaseFeed {
  private readonly subscribers = new Set<{ filter: JobFeedFilter; queue: EventQueue<JobPhaseChange> }>();
  private readonly identities = new Map<string, Identity | null>();
  private stopListening: (() => void) | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly events: JobEvents,
    private readonly jobs: JobService,
    private readonly log: Logger,
  ) {}

  subscribe(filter: JobFeedFilter): AsyncIterableIterator<JobPhaseChange> {
    const entry = {
      filter,
      queue: new EventQueue<JobPhaseChange>(BACKLOG, () => {
        this.subscribers.delete(entry);
        if (this.subscribers.size === 0) this.detach();
      }),
    };
    this.subscribers.add(entry);
    this.stopListening ??= this.events.onAny((signal) => {
      const at = new Date();
      this.chain = this.chain.then(() => this.deliver(signal, at)).catch((err) => this.log.warn({ err }, 'jobPhaseChanged: could not deliver a change'));
    });
    return entry.queue;
  }

  /** End every subscription (server shutdown). */
  close(): void {
    for (const s of [...this.subscribers]) void s.queue.return();
    this.detach();
  }

  private detach(): void {
    this.stopListening?.();
    this.stopListening = null;
    this.identities.clear();
  }

  private async identity(id: string): Promise<Identity | null> {
    if (this.identities.has(id)) return this.identities.get(id) ?? null;
    const job = await this.jobs.internalGet(id);
    const found = job ? { jobType: job.jobType, ownerId: job.ownerId } : null;
    this.identities.set(id, found);
    if (this.identities.size > REMEMBERED) this.identities.delete(this.identities.keys().next().value as string);
    return found;
  }

  private async deliver(signal: JobSignal, at: Date): Promise<void> {
    if (this.subscribers.size === 0) return;
    const deleted = !isPhase(signal.phase);
    const who = deleted ? (this.identities.get(signal.id) ?? null) : await this.identity(signal.id);
    if (deleted) this.identities.delete(signal.id);
    const change: JobPhaseChange = {
      jobId: signal.id,
      phase: deleted ? null : (signal.phase as Phase),
      deleted,
      at,
      jobType: who?.jobType ?? null,
      ownerId: who?.ownerId ?? null,
    };
    for (const { filter, queue } of this.subscribers) {
      if (filter.jobType !== undefined && filter.jobType !== change.jobType) continue;
      if (filter.ownerId !== undefined && (!who || filter.ownerId !== change.ownerId)) continue;
      queue.push(change);
    }
  }
}
