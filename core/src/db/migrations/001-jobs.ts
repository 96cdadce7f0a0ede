import type { Knex } from 'knex';

/** Jobs, their parameters, results and phase history; executor nodes. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('nodes', (t) => {
    t.text('id').primary(); // one row per process start: `${name}#${random}`
    t.text('name').notNullable();
    t.text('hostname').notNullable();
    t.integer('pid').notNullable();
    t.text('roles').notNullable();
    t.integer('max_concurrent_jobs').notNullable().defaultTo(0);
    t.integer('running_jobs').notNullable().defaultTo(0);
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('heartbeat_at', { useTz: true }).notNullable();
    t.timestamp('stopped_at', { useTz: true });
    t.index(['name']);
  });

  await knex.schema.createTable('jobs', (t) => {
    t.text('id').primary();
    t.text('job_type').notNullable();
    t.text('run_id');
    t.text('owner_id');
    t.text('phase').notNullable();
    t.timestamp('quote', { useTz: true });
    t.timestamp('creation_time', { useTz: true }).notNullable();
    t.timestamp('start_time', { useTz: true });
    t.timestamp('end_time', { useTz: true });
    t.integer('execution_duration').notNullable();
    t.timestamp('destruction', { useTz: true });
    t.text('error_type');
    t.text('error_message');
    t.text('error_detail');
    t.float('progress');
    t.text('progress_message');
    t.timestamp('queued_at', { useTz: true });
    t.text('node_id');
    t.integer('attempts').notNullable().defaultTo(0);
    t.index(['job_type', 'creation_time']);
    t.index(['owner_id', 'job_type', 'creation_time']);
    t.index(['node_id']);
  });
  // The scheduler's claim scans only queued jobs; the reaper only jobs with a destruction time.
  await knex.raw(`CREATE INDEX jobs_queued_idx ON jobs (queued_at, id) WHERE phase = 'QUEUED'`);
  await knex.raw(`CREATE INDEX jobs_executing_idx ON jobs (node_id) WHERE phase = 'EXECUTING'`);
  await knex.raw(`CREATE INDEX jobs_destruction_idx ON jobs (destruction) WHERE destruction IS NOT NULL`);

  await knex.schema.createTable('job_parameters', (t) => {
    t.text('job_id').notNullable().references('id').inTable('jobs').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.text('name').notNullable();
    t.text('value').notNullable();
    t.boolean('by_reference').notNullable().defaultTo(false);
    /** Storage path of an inline upload (byReference parameters made from a multipart file). */
    t.text('file_path');
    t.bigInteger('file_size');
    t.primary(['job_id', 'position']);
  });

  await knex.schema.createTable('job_results', (t) => {
    t.text('job_id').notNullable().references('id').inTable('jobs').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('storage_path').notNullable();
    t.text('mime_type').notNullable();
    t.bigInteger('size').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.integer('position').notNullable();
    t.primary(['job_id', 'name']);
  });

  await knex.schema.createTable('job_phase_history', (t) => {
    t.bigIncrements('id');
    t.text('job_id').notNullable().references('id').inTable('jobs').onDelete('CASCADE');
    t.text('phase').notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.text('reason');
    t.index(['job_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('job_phase_history');
  await knex.schema.dropTable('job_results');
  await knex.schema.dropTable('job_parameters');
  await knex.schema.dropTable('jobs');
  await knex.schema.dropTable('nodes');
}
