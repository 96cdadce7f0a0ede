import type { Knex } from 'knex';
import * as m001 from './migrations/001-jobs.js';

type Migration = { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> };

/** Migrations are compiled into the package (no directory scanning at run time). */
const MIGRATIONS: ReadonlyArray<readonly [string, Migration]> = [['001-jobs', m001]];

const source: Knex.MigrationSource<readonly [string, Migration]> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: (m) => m[0],
  getMigration: async (m) => m[1],
};

const config: Knex.MigratorConfig = { migrationSource: source, tableName: 'vocloud_migrations' };

/** Bring the schema up to date; returns the names of the migrations that ran. */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, ran] = (await knex.migrate.latest(config)) as [number, string[]];
  return ran;
}

/** Names of migrations not yet applied. */
export async function pendingMigrations(knex: Knex): Promise<string[]> {
  const [, pending] = (await knex.migrate.list(config)) as [unknown[], Array<{ file: string } | string>];
  return pending.map((p) => (typeof p === 'string' ? p : p.file));
}
