import type { Knex } from 'knex';

/** Counting an owner's queued and executing jobs (limits) without scanning all jobs. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX jobs_queued_owner_idx ON jobs (owner_id) WHERE phase = 'QUEUED'`);
  await knex.raw(`CREATE INDEX jobs_executing_owner_idx ON jobs (owner_id) WHERE phase = 'EXECUTING'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX jobs_queued_owner_idx');
  await knex.raw('DROP INDEX jobs_executing_owner_idx');
}
