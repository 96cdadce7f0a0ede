import { hostname } from 'node:os';
import { inject, injectable } from 'tsyringe';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { TOKENS, type NodeIdentity } from '../tokens.js';
import type { Database } from '../db/database.js';
import type { LoadedConfig } from '../config/load.js';
import { JobStore } from '../uws/job-store.js';
import { JobService } from '../uws/job-service.js';

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
  private runningCount: () => number = () => 0;
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

  async register(runningCount: () => number): Promise<void> {
    this.runningCount = runningCount;
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
      await this.knex('nodes').update({ heartbeat_at: this.knex.fn.now(), running_jobs: this.runningCount() }).where({ id: this.node.id });
      await this.reapOrphans();
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
