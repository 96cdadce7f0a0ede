import { hostname } from 'node:os';
import { inject, injectable } from 'tsyringe';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { TOKENS, type NodeIdentity } from '../tokens.js';
import type { Database } from '../db/database.js';
import type { LoadedConfig } from '../config/load.js';
import { JobStore } from '../uws/job-store.js';
import { JobService } from '../uws/job-service.js';

/** How long after its claim a job must be in the executor before endLost() may end it. */
const LOST_GRACE_MS = 10_000;

/** A node as other nodes and admins see it. */
export interface NodeStatus {
  readonly id: string;
  readonly name: string;
  readonly hostname: string;
  readonly roles: string[];
  readonly maxConcurrentJobs: number;
  readonly runningJobs: number;
  readonly startedAt: Date;
  readonly heartbeatAt: Date;
  readonly stoppedAt: Date | null;
  readonly alive: boolean;
}

/**
 * Nodes announce themselves and send heartbeats; any node finds EXECUTING jobs whose node is
 * gone (stopped, silent for executor.deadAfter, or restarted under the same name) and ends
 * them in ERROR with a reason — so nothing stays EXECUTING forever after a crash.
 */
@injectable()
export class NodeRegistry {
  private readonly knex: Knex;
  private timer: NodeJS.Timeout | null = null;
  private runningIds: () => readonly string[] = () => [];
  private readonly cfg: LoadedConfig['config']['executor'];

  constructor(
    @inject(TOKENS.Database) db: Database,
    @inject(TOKENS.Config) config: LoadedConfig,
    @inject(TOKENS.Node) private readonly node: NodeIdentity,
    @inject(JobStore) private readonly store: JobStore,
    @inject(JobService) private readonly jobs: JobService,
    @inject(TOKENS.Logger) private readonly log: Logger,
  ) {
    this.knex = db.knex;
    this.cfg = config.config.executor;
  }

  /** `runningIds`: the jobs this node's executor runs now. */
  async register(runningIds: () => readonly string[]): Promise<void> {
    this.runningIds = runningIds;
    await this.knex('nodes').insert({
      id: this.node.id,
      name: this.node.name,
      hostname: hostname(),
      pid: process.pid,
      roles: this.node.roles.join(','),
      max_concurrent_jobs: this.node.roles.includes('executor') ? this.cfg.maxConcurrentJobs : 0,
      running_jobs: 0,
      started_at: this.node.startedAt,
      heartbeat_at: this.knex.fn.now(),
    });
    await this.reapOrphans();
    this.timer = setInterval(() => void this.beat(), this.cfg.heartbeatInterval * 1000);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    try {
      await this.knex('nodes').update({ heartbeat_at: this.knex.fn.now(), running_jobs: this.runningIds().length }).where({ id: this.node.id });
      await this.reapOrphans();
      await this.endLost();
    } catch (err) {
      this.log.warn({ err }, 'heartbeat failed');
    }
  }

  /** End the jobs of dead nodes. Safe on every node at once: each is a conditional update. */
  async reapOrphans(): Promise<number> {
    const deadBefore = new Date(Date.now() - this.cfg.deadAfter * 1000);
    const orphans = await this.store.orphanedJobs(deadBefore, this.node.id, this.node.name);
    let n = 0;
    for (const o of orphans) {
      if (await this.jobs.failOrphan(o.id, o.why)) {
        n++;
        this.log.warn({ job: o.id, node: o.nodeId }, `job ended in ERROR: ${o.why}`);
      }
    }
    return n;
  }

  /**
   * End the jobs the database says run on this (live) node that its executor does not run, so
   * that none stays EXECUTING for ever: a job whose end could not be recorded even after the
   * executor's retries, or a claim that never reached the executor. A job claimed within the
   * last LOST_GRACE_MS is left alone: between the claim's commit and the executor taking the job
   * there is a moment when this check could see it. Returns how many were ended.
   */
  async endLost(): Promise<number> {
    const ids = await this.store.executingOn(this.node.id, new Date(Date.now() - LOST_GRACE_MS));
    if (ids.length === 0) return 0;
    // read after the query: a job handed to the executor meanwhile is in it by now
    const running = new Set(this.runningIds());
    let n = 0;
    for (const id of ids) {
      if (running.has(id)) continue;
      if (await this.jobs.failLost(id, this.node.id)) {
        n++;
        this.log.error({ job: id }, 'job ended in ERROR: it was EXECUTING on this node, but the executor did not run it');
      }
    }
    return n;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.knex('nodes').update({ stopped_at: this.knex.fn.now(), running_jobs: 0 }).where({ id: this.node.id }).catch(() => undefined);
  }

  async list(): Promise<NodeStatus[]> {
    const rows = (await this.knex('nodes').select('*').orderBy('started_at', 'desc').limit(200)) as Record<string, unknown>[];
    const deadBefore = Date.now() - this.cfg.deadAfter * 1000;
    return rows.map((r) => ({
      id: r.id as string,
      name: r.name as string,
      hostname: r.hostname as string,
      roles: String(r.roles).split(',').filter(Boolean),
      maxConcurrentJobs: Number(r.max_concurrent_jobs),
      runningJobs: Number(r.running_jobs),
      startedAt: new Date(r.started_at as string),
      heartbeatAt: new Date(r.heartbeat_at as string),
      stoppedAt: r.stopped_at ? new Date(r.stopped_at as string) : null,
      alive: !r.stopped_at && new Date(r.heartbeat_at as string).getTime() >= deadBefore,
    }));
  }
}
