// The database and data directory of one benchmark run: embedded PGlite in a fresh temporary
// data directory, or a PostgreSQL database of its own (unique name), dropped afterwards.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Run `fn` with a short-lived client on the admin URL. */
export async function withAdminClient(adminUrl, fn) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The server's version string, e.g. "15.20 (Debian 15.20-0+deb12u1)". */
export function postgresVersion(adminUrl) {
  return withAdminClient(adminUrl, async (c) => (await c.query('SHOW server_version')).rows[0].server_version);
}

/**
 * @param {'pglite' | 'postgres'} kind
 * @param {string} adminUrl  a PostgreSQL URL allowed to CREATE DATABASE (postgres only)
 * @returns {Promise<{ kind: string, dataDir: string, databaseUrl?: string, name?: string, drop(): Promise<void> }>}
 */
export async function createRunDatabase(kind, adminUrl) {
  const dataDir = await mkdtemp(join(tmpdir(), `vocloud-bench-uws-${kind}-`));
  if (kind === 'pglite') {
    return { kind, dataDir, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const name = `vocloud_bench_uws_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await withAdminClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    dataDir,
    name,
    databaseUrl: url.toString(),
    async drop() {
      await withAdminClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
