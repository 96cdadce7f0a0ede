import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { multistream, pino, type Level, type Logger } from 'pino';
import { Vocloud, loadConfig, type LoadedConfig } from '@vocloud/core';
import { keepLog, LogRing } from './recent-log.js';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const TEST_PLUGIN = join(REPO, 'tests', 'fixtures', 'test-plugin.mjs');
export const COMMAND_PLUGIN = '@vocloud/plugin-command';
/** The bootstrap admin every test server starts with. */
export const ADMIN_PASSWORD = 'admin-password-for-tests';

/**
 * Which database the integration tests use: embedded PGlite by default, PostgreSQL when
 * VOCLOUD_TEST_DATABASE_URL points at a server (CI runs the suite both ways). Each server gets
 * a database of its own, dropped afterwards.
 */
export const TEST_PG_URL = process.env.VOCLOUD_TEST_DATABASE_URL;
export const DB_KIND: 'pglite' | 'postgres' = TEST_PG_URL ? 'postgres' : 'pglite';

export interface TestDatabase {
  /** postgres URL, or undefined for PGlite. */
  readonly url?: string;
  drop(): Promise<void>;
}

/** `adminUrl`: the server to create it on (default VOCLOUD_TEST_DATABASE_URL; none = PGlite). */
export async function createTestDatabase(adminUrl: string | undefined = TEST_PG_URL): Promise<TestDatabase> {
  if (!adminUrl) return { drop: async () => undefined };
  const name = `vocloud_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export interface TestServerOptions {
  /** Config values (deep-merged over the test defaults). */
  overrides?: Record<string, unknown>;
  /** Plugin entries; default: the test plugin. */
  plugins?: unknown[];
  /** Reuse a data directory (restart tests). */
  dataDir?: string;
  /** Reuse a database (restart tests on PostgreSQL). */
  database?: TestDatabase;
  logLevel?: string;
}

export interface TestServer {
  readonly vocloud: Vocloud;
  readonly url: string;
  readonly dataDir: string;
  readonly database: TestDatabase;
  readonly config: LoadedConfig;
  /** Stop the server; `keep` leaves data dir and database for a restart. */
  stop(options?: { keep?: boolean; grace?: number }): Promise<void>;
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      prev && typeof prev === 'object' && !Array.isArray(prev) && v && typeof v === 'object' && !Array.isArray(v)
        ? merge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

export function testConfig(dataDir: string, database: TestDatabase, options: TestServerOptions = {}): LoadedConfig {
  const base = {
    dataDir,
    server: { host: '127.0.0.1', port: 0 },
    database: database.url ? { url: database.url } : {},
    log: { level: options.logLevel ?? process.env.VOCLOUD_TEST_LOG ?? 'warn' },
    auth: { anonymous: true, bootstrapAdmin: { username: 'admin', password: ADMIN_PASSWORD } },
    executor: { pollInterval: 1, heartbeatInterval: 0.5, deadAfter: 3, abortGrace: 2, shutdownGrace: 2 },
    uws: { reaperInterval: 1 },
    plugins: options.plugins ?? [{ package: TEST_PLUGIN }],
  };
  return loadConfig({ noFile: true, env: {}, overrides: merge(base, options.overrides ?? {}) });
}

/** PGlite data dir template, migrated once per run (see global-setup), loaded in ~0.5 s. */
async function pgliteTemplate(): Promise<Blob | undefined> {
  const path = process.env.VOCLOUD_PGLITE_TEMPLATE;
  if (!path || !existsSync(path)) return undefined;
  return new Blob([await readFile(path)]);
}

/**
 * Prints `printed` and above (warnings by default), and keeps the last debug lines in memory
 * for a test that fails (recent-log.ts).
 */
function testLogger(printed: Level, dataDir: string): { logger: Logger; forget: () => void } {
  const ring = new LogRing();
  const forget = keepLog(`server ${dataDir}`, () => ring.text());
  const level = pino.levels.values[printed]! < pino.levels.values.debug! ? printed : 'debug';
  return { logger: pino({ level }, multistream([{ level: printed, stream: pino.destination(1) }, { level: 'debug', stream: ring }])), forget };
}

/** Start a real vocloud server on a loopback port. */
export async function startServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'vocloud-test-')));
  const database = options.database ?? (await createTestDatabase());
  const config = testConfig(dataDir, database, options);
  const fresh = !options.dataDir && DB_KIND === 'pglite';
  const template = fresh ? await pgliteTemplate() : undefined;
  const { logger, forget } = testLogger(config.config.log.level as Level, dataDir);
  const vocloud = new Vocloud({
    config,
    logger,
    ...(template ? { pgliteLoad: template } : {}),
  });
  const url = await vocloud.start();
  return {
    vocloud,
    url,
    dataDir,
    database,
    config,
    async stop({ keep = false, grace } = {}) {
      await vocloud.stop(grace);
      forget();
      if (!keep) {
        await rm(dataDir, { recursive: true, force: true });
        await database.drop();
      }
    },
  };
}
