import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import knexModule, { type Knex } from 'knex';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import ClientPgLite from 'knex-pglite';
import type { Logger } from 'pino';

const knexFactory = ((knexModule as unknown as { knex?: typeof knexModule }).knex ?? knexModule) as unknown as (c: Knex.Config) => Knex;

// Keep timestamps as JS Dates and bigint sizes as numbers (results are < 2^53 bytes).
pg.types.setTypeParser(20, (v: string) => Number(v));

export type DatabaseKind = 'pglite' | 'postgres';

/**
 * The database: a knex instance (queries, migrations) and a LISTEN connection for
 * notifications, on embedded PGlite or on PostgreSQL — the same SQL on both.
 */
export interface Database {
  readonly kind: DatabaseKind;
  readonly knex: Knex;
  /** Subscribe to a NOTIFY channel; returns the unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** Run `fn` holding a cluster-wide lock (PostgreSQL advisory lock; PGlite has one process). */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** PGlite only: the whole data directory as a tar (backups, test templates). */
  dump?(): Promise<Blob>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… ; absent = PGlite. */
  readonly url?: string;
  readonly poolMax?: number;
  /** PGlite data directory (persisted); absent = in memory. */
  readonly pgliteDir?: string;
  /** Start PGlite from a dump (tests clone a migrated template this way). */
  readonly pgliteLoad?: Blob;
  readonly log?: Logger;
}

/**
 * PGlite is one process's database: a second process opening the same directory would corrupt
 * it. A pid file makes the second one stop with a clear message instead.
 */
async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const file = `${dir}.lock`; // beside, not in, the data directory: initdb wants it empty
  const holder = Number(await readFile(file, 'utf8').catch(() => ''));
  if (holder && holder !== process.pid) {
    let alive = true;
    try {
      process.kill(holder, 0);
    } catch (err) {
      alive = (err as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (alive) {
      throw new Error(`the embedded database in ${dir} is in use by process ${holder} (a running vocloud); stop it first, or use PostgreSQL (database.url) to run several processes`);
    }
  }
  await writeFile(file, String(process.pid));
  return () => rm(file, { force: true });
}

class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  constructor(
    readonly knex: Knex,
    private readonly pglite: PGlite,
    private readonly unlock: () => Promise<void> = async () => undefined,
  ) {}
  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    const unlisten = await this.pglite.listen(channel, onPayload);
    return async () => {
      if (!this.pglite.closed) await unlisten();
    };
  }
  exclusive<T>(_name: string, fn: () => Promise<T>): Promise<T> {
    return fn();
  }
  async dump(): Promise<Blob> {
    return this.pglite.dumpDataDir('none');
  }
  async close(): Promise<void> {
    await this.knex.destroy();
    if (!this.pglite.closed) await this.pglite.close();
    await this.unlock();
  }
}

/**
 * PostgreSQL: a pool for queries, and one dedicated client that LISTENs, reconnecting with
 * backoff if the connection drops (the scheduler's poll covers the gap).
 */
class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  private listener: pg.Client | null = null;
  private readonly channels = new Map<string, Set<(payload: string) => void>>();
  private closed = false;
  private connecting: Promise<void> | null = null;
  private retryDelay = 200;

  constructor(
    readonly knex: Knex,
    private readonly url: string,
    private readonly log?: Logger,
  ) {}

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'vocloud-listen' });
    client.on('notification', (msg) => {
      for (const cb of this.channels.get(msg.channel) ?? []) cb(msg.payload ?? '');
    });
    client.on('error', (err) => {
      this.log?.warn({ err }, 'database LISTEN connection lost; reconnecting');
      this.listener = null;
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    });
    await client.connect();
    for (const channel of this.channels.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    this.listener = client;
    this.retryDelay = 200;
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, 10_000);
    setTimeout(() => {
      if (this.closed || this.listener) return;
      this.connect().catch((err) => {
        this.log?.warn({ err }, `database LISTEN reconnect failed; retrying in ${this.retryDelay} ms`);
        this.scheduleReconnect();
      });
    }, delay).unref();
  }

  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    let set = this.channels.get(channel);
    const fresh = !set;
    if (!set) this.channels.set(channel, (set = new Set()));
    set.add(onPayload);
    if (!this.listener) {
      this.connecting ??= this.connect().finally(() => (this.connecting = null));
      await this.connecting;
    } else if (fresh) {
      await this.listener.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    }
    return async () => {
      set!.delete(onPayload);
    };
  }

  /** A session-level advisory lock on a connection of its own, so `fn` may use the pool freely. */
  async exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'vocloud-lock' });
    await client.connect();
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name]).catch(() => undefined);
      await client.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const l = this.listener;
    this.listener = null;
    if (l) await l.end().catch(() => undefined);
    await this.knex.destroy();
  }
}

/** Open the configured database (migrations are run separately, see migrate.ts). */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const knex = knexFactory({
      client: 'pg',
      connection: { connectionString: options.url, application_name: 'vocloud' },
      pool: { min: 0, max: options.poolMax ?? 10 },
      acquireConnectionTimeout: 30_000,
    });
    const db = new PostgresDatabase(knex, options.url, options.log);
    try {
      await knex.raw('select 1');
    } catch (err) {
      await knex.destroy();
      throw new Error(`cannot connect to PostgreSQL at ${redactUrl(options.url)}: ${(err as Error).message}`);
    }
    return db;
  }
  let unlock: (() => Promise<void>) | undefined;
  if (options.pgliteDir) {
    await mkdir(options.pgliteDir, { recursive: true });
    unlock = await lockDataDir(options.pgliteDir);
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(options.pgliteDir, options.pgliteLoad ? { loadDataDir: options.pgliteLoad } : {});
  } catch (err) {
    await unlock?.();
    throw err;
  }
  const knex = knexFactory({
    client: ClientPgLite as unknown as Knex.Config['client'],
    dialect: 'postgres',
    connection: () => ({ pglite }) as object,
  } as Knex.Config);
  return new PgliteDatabase(knex, pglite, unlock);
}

/** Hide the password of a connection URL in messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
