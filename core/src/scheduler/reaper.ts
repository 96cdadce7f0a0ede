import { inject, injectable } from 'tsyringe';
import type { Logger } from 'pino';
import { TOKENS } from '../tokens.js';
import type { LoadedConfig } from '../config/load.js';
import { JobService } from '../uws/job-service.js';

/** Applies destruction: every uws.reaperInterval seconds, expired jobs are deleted or archived. */
@injectable()
export class DestructionReaper {
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> | null = null;

  constructor(
    @inject(TOKENS.Config) private readonly config: LoadedConfig,
    @inject(JobService) private readonly jobs: JobService,
    @inject(TOKENS.Logger) private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.config.uws.reaperInterval * 1000);
    this.timer.unref();
    void this.sweep();
  }

  /** One pass; overlapping calls share the pass in progress. */
  sweep(): Promise<void> {
    this.busy ??= (async () => {
      try {
        while ((await this.jobs.destroyExpired()) > 0) {
          /* keep going while there is a backlog */
        }
      } catch (err) {
        this.log.warn({ err }, 'destruction sweep failed');
      } finally {
        this.busy = null;
      }
    })();
    return this.busy;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.busy;
  }
}
