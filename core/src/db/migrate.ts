import type { Knex } from 'knex';
import type { Database } from './database.js';
import * as m001 from './migrations/001-jobs.js';
import * as m002 from './migrations/002-identity.js';
import * as m003 from './migrations/003-target-dir.js';
import * as m004 from './migrations/004-queue-indexes.js';
import * as m005 from './migrations/005-one-trip-locks.js';

type Migration = { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> };

/** Migrations are compiled into the package (no directory scanning at run time). */
const MIGRATIONS: ReadonlyArray<readonly [string, Migration]> = [
  ['001-jobs', m001],
  ['002-identity', m002],
  ['003-target-dir', m003],
  ['004-queue-indexes', m004],
  ['005-one-trip-locks', m005],
];

const source: Knex.MigrationSource<readonly [string, Migration]> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: (m) => m[0],
  getMigration: async (m) => m[1],
};

const config: Knex.MigratorConfig = { migrationSource: source, tableName: 'vocloud_migrations' };

/**
 * Bring the schema up to date; returns the names of the migrations that ran. Nodes starting
 * at the same moment take turns (advisory lock), so each migration runs exactly once.
 */
export async function migrateLatest(db: Database): Promise<string[]> {
  return db.exclusive('vocloud:migrate', async () => {
    const [, ran] = (await db.knex.migrate.latest(config)) as [number, string[]];
    return ran;
  });
}

/** Names of migrations not yet applied. */
export async function pendingMigrations(knex: Knex): Promise<string[]> {
  const [, pending] = (await knex.migrate.list(config)) as [unknown[], Array<{ file: string } | string>];
  return pending.map((p) => (typeof p === 'string' ? p : p.file));
}
