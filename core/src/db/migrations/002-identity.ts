import type { Knex } from 'knex';

/** Users, sessions, API tokens, password resets, invites, audit log, storage usage, job-type settings. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.bigIncrements('id');
    t.text('username').notNullable().unique();
    t.text('email').notNullable();
    t.text('display_name').notNullable().defaultTo('');
    t.text('organisation').notNullable().defaultTo('');
    t.text('role').notNullable().defaultTo('user');
    t.boolean('enabled').notNullable().defaultTo(true);
    /** `scrypt$N$r$p$salt$hash` (base64); null = no password login (tokens only). */
    t.text('password_hash');
    t.bigInteger('storage_quota');
    t.integer('max_running_jobs');
    t.integer('max_queued_jobs');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('last_login_at', { useTz: true });
    t.timestamp('password_changed_at', { useTz: true });
  });
  await knex.raw('CREATE UNIQUE INDEX users_email_idx ON users (lower(email))');

  await knex.schema.createTable('sessions', (t) => {
    t.text('id_hash').primary(); // sha256 of the cookie value
    t.bigInteger('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('csrf_token').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('last_seen_at', { useTz: true }).notNullable();
    t.text('user_agent');
    t.text('ip');
    t.index(['user_id']);
  });

  await knex.schema.createTable('api_tokens', (t) => {
    t.bigIncrements('id');
    t.bigInteger('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('token_hash').notNullable().unique(); // sha256 of the token (tokens are 256-bit random)
    t.text('prefix').notNullable(); // first characters, to recognise a token in the list
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('last_used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.index(['user_id']);
  });

  await knex.schema.createTable('password_resets', (t) => {
    t.text('token_hash').primary();
    t.bigInteger('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
  });

  await knex.schema.createTable('invites', (t) => {
    t.text('code_hash').primary();
    t.text('created_by').notNullable();
    t.text('role').notNullable().defaultTo('user');
    t.text('note').notNullable().defaultTo('');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.text('used_by');
    t.timestamp('used_at', { useTz: true });
  });

  await knex.schema.createTable('login_failures', (t) => {
    t.bigIncrements('id');
    t.text('username').notNullable();
    t.text('ip').notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.index(['username', 'at']);
    t.index(['ip', 'at']);
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable();
    t.text('actor').notNullable();
    t.text('action').notNullable();
    t.text('target_type').notNullable();
    t.text('target_id');
    t.jsonb('before');
    t.jsonb('after');
    t.index(['at']);
    t.index(['target_type', 'target_id']);
  });

  /** Exact bytes stored per owner ('' = anonymous), changed only by conditional increments. */
  await knex.schema.createTable('storage_usage', (t) => {
    t.text('owner').primary();
    t.bigInteger('bytes').notNullable().defaultTo(0);
  });

  /** Runtime overrides of a job type's limits and availability (GraphQL admin). */
  await knex.schema.createTable('job_type_settings', (t) => {
    t.text('name').primary();
    t.boolean('enabled');
    t.integer('concurrency');
    t.integer('default_execution_duration');
    t.integer('max_execution_duration');
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['job_type_settings', 'storage_usage', 'audit_log', 'login_failures', 'invites', 'password_resets', 'api_tokens', 'sessions', 'users']) {
    await knex.schema.dropTable(t);
  }
}
