import { inject, injectable } from 'tsyringe';
import type { Logger } from 'pino';
import { TOKENS, type NodeIdentity } from '../tokens.js';
import type { Database } from '../db/database.js';
import type { LoadedConfig } from '../config/load.js';
import { JobService } from '../uws/job-service.js';
import { QUEUE_CHANNEL } from '../uws/job-store.js';
import { Executor } from '../executor/executor.js';

/**
 * Moves QUEUED jobs to this node's executor. Woken by NOTIFY on the queue channel (a job was
 * queued anywhere) and when a local slot frees up; a slow poll is only a safety net.
 * Claims are `FOR UPDATE SKIP LOCKED`, so two nodes never take the same job.
 */
@injectable()
export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private stopped = true;
  private unlisten: (() => Promise<void>) | null = null;
  private offFreed: (() => void) | null = null;
  private readonly cfg: LoadedConfig['config']['executor'];
  private readonly idle: Set<() => void> = new Set();

  constructor(
    @inject(TOKENS.Config) config: LoadedConfig,
    @inject(TOKENS.Database) private readonly db: Database,
    @inject(TOKENS.Node) private readonly node: NodeIdentity,
    @inject(JobService) private readonly jobs: JobService,
    @inject(Executor) private readonly executor: Executor,
    @inject(TOKENS.Logger) private readonly log: Logger,
  ) {
    this.cfg = config.config.executor;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.unlisten = await this.db.listen(QUEUE_CHANNEL, () => this.wake());
    this.offFreed = this.executor.onFreed(() => this.wake());
    this.timer = setInterval(() => this.wake(), this.cfg.pollInterval * 1000);
    this.timer.unref();
    this.wake();
  }

  /** Claim now (coalesces bursts of wake-ups into one claim loop). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.loop().finally(() => {
      this.running = false;
      for (const l of this.idle) l();
    });
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        for (;;) {
          if (this.stopped) return;
          const { total, perType } = this.executor.capacity();
          if (total === 0) break;
          const claimed = await this.jobs.claim(this.node.id, perType, total);
          for (const job of claimed) this.executor.execute(job);
          if (claimed.length === 0) break;
        }
      } catch (err) {
        this.log.warn({ err }, 'claiming queued jobs failed; retrying at the next wake-up');
      }
    } while (this.again && !this.stopped);
  }

  /** Stop claiming (running jobs are the executor's to finish). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.offFreed?.();
    await this.unlisten?.();
    if (this.running) await new Promise<void>((res) => this.idle.add(res));
  }
}
