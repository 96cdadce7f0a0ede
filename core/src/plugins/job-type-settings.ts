import { inject, injectable } from 'tsyringe';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { WorkerLimits } from '@vocloud/sdk';
import { TOKENS } from '../tokens.js';
import type { Database } from '../db/database.js';

const CHANNEL = 'vocloud_settings';

/** An admin's runtime overrides of a job type (null = the plugin's own value). */
export interface JobTypeOverride {
  readonly enabled: boolean | null;
  readonly concurrency: number | null;
  readonly defaultExecutionDuration: number | null;
  readonly maxExecutionDuration: number | null;
}

const NONE: JobTypeOverride = { enabled: null, concurrency: null, defaultExecutionDuration: null, maxExecutionDuration: null };

/**
 * Runtime settings of job types (enable, concurrency, durations), stored in the database and
 * reloaded on every node when any node changes them (NOTIFY).
 */
@injectable()
export class JobTypeSettings {
  private readonly knex: Knex;
  private overrides = new Map<string, JobTypeOverride>();
  private unlisten: (() => Promise<void>) | null = null;

  constructor(
    @inject(TOKENS.Database) private readonly db: Database,
    @inject(TOKENS.Logger) private readonly log: Logger,
  ) {
    this.knex = db.knex;
  }

  async start(): Promise<void> {
    await this.reload();
    this.unlisten = await this.db.listen(CHANNEL, () => {
      this.reload().catch((err) => this.log.warn({ err }, 'could not reload job type settings'));
    });
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
  }

  private async reload(): Promise<void> {
    const rows = (await this.knex('job_type_settings').select('*')) as Record<string, unknown>[];
    const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    this.overrides = new Map(
      rows.map((r) => [
        r.name as string,
        {
          enabled: r.enabled === null || r.enabled === undefined ? null : Boolean(r.enabled),
          concurrency: n(r.concurrency),
          defaultExecutionDuration: n(r.default_execution_duration),
          maxExecutionDuration: n(r.max_execution_duration),
        },
      ]),
    );
  }

  get(name: string): JobTypeOverride {
    return this.overrides.get(name) ?? NONE;
  }

  enabled(name: string): boolean {
    return this.get(name).enabled !== false;
  }

  /** The plugin's limits with the admin's overrides applied. */
  limits(name: string, base: WorkerLimits): WorkerLimits {
    const o = this.get(name);
    return {
      concurrency: o.concurrency ?? base.concurrency,
      defaultExecutionDuration: o.defaultExecutionDuration ?? base.defaultExecutionDuration,
      maxExecutionDuration: o.maxExecutionDuration ?? base.maxExecutionDuration,
    };
  }

  /** Store new overrides (null fields reset to the plugin's value) and tell every node. */
  async set(name: string, change: Partial<JobTypeOverride>): Promise<JobTypeOverride> {
    const next = { ...this.get(name), ...change };
    await this.knex.raw(
      `INSERT INTO job_type_settings (name, enabled, concurrency, default_execution_duration, max_execution_duration, updated_at)
       VALUES (?, ?, ?, ?, ?, now())
       ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled, concurrency = excluded.concurrency,
         default_execution_duration = excluded.default_execution_duration, max_execution_duration = excluded.max_execution_duration,
         updated_at = excluded.updated_at`,
      [name, next.enabled, next.concurrency, next.defaultExecutionDuration, next.maxExecutionDuration],
    );
    await this.knex.raw(`SELECT pg_notify('${CHANNEL}', ?)`, [name]);
    await this.reload();
    return this.get(name);
  }
}
