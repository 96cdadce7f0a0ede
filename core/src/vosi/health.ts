import { inject, injectable } from 'tsyringe';
import type { StorageBackend } from '@vocloud/sdk';
import { TOKENS, type NodeIdentity } from '../tokens.js';
import type { Database } from '../db/database.js';

export interface HealthCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface Health {
  readonly available: boolean;
  readonly upSince: Date;
  readonly checks: readonly HealthCheck[];
}

async function timed(name: string, timeoutMs: number, probe: () => Promise<string>): Promise<HealthCheck> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const detail = await Promise.race([
      probe(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { name, ok: true, detail: `${detail}, ${Math.round(performance.now() - t0)} ms` };
  } catch (err) {
    return { name, ok: false, detail: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** Real checks of what the service needs: the database answers, storage can be written. */
@injectable()
export class HealthService {
  private draining = false;

  constructor(
    @inject(TOKENS.Database) private readonly db: Database,
    @inject(TOKENS.Storage) private readonly storage: StorageBackend,
    @inject(TOKENS.Node) private readonly node: NodeIdentity,
  ) {}

  /** Called on shutdown, so load balancers stop sending work here. */
  setDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async check(): Promise<Health> {
    const checks = await Promise.all([
      timed('database', 3000, async () => {
        await this.db.knex.raw('select 1');
        return `ok (${this.db.kind})`;
      }),
      timed('storage', 3000, async () => {
        await this.storage.check();
        return `ok (${this.storage.kind}, writable)`;
      }),
    ]);
    const all = this.draining ? [...checks, { name: 'node', ok: false, detail: 'shutting down' }] : checks;
    return { available: all.every((c) => c.ok), upSince: this.node.startedAt, checks: all };
  }
}
