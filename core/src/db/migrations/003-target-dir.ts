import type { Knex } from 'knex';

/** A folder in the owner's space that a job's results are copied into when it completes. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('jobs', (t) => {
    t.text('target_dir');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('jobs', (t) => {
    t.dropColumn('target_dir');
  });
}
