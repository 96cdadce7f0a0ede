#!/usr/bin/env node
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { loadConfig, ConfigError, type LoadedConfig } from '../config/load.js';
import { Vocloud, VERSION, createLogger } from '../server.js';
import { openDatabase, redactUrl } from '../db/database.js';
import { migrateLatest, pendingMigrations } from '../db/migrate.js';
import { PluginRegistry, PluginLoadError } from '../plugins/registry.js';
import { configurationReference } from '../config/reference.js';

/** Load the config or exit with a clear message (exit code 2 = configuration problem). */
function configOrExit(file: string | undefined): LoadedConfig {
  try {
    return loadConfig({ ...(file ? { file } : {}) });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`vocloud: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}

function describeDatabase(c: LoadedConfig): string {
  return c.config.database.url ? `PostgreSQL ${redactUrl(c.config.database.url)}` : `embedded PGlite in ${c.paths.pgliteDir}`;
}

async function loadPlugins(c: LoadedConfig): Promise<PluginRegistry> {
  const registry = new PluginRegistry(c, createLogger({ level: 'warn', pretty: false }));
  await registry.load();
  return registry;
}

const program = new Command()
  .name('vocloud')
  .description('vocloud: IVOA UWS 1.1 jobs (SOM, KOREL, any local command) as a service')
  .version(VERSION)
  .option('-c, --config <file>', 'configuration file (default: $VOCLOUD_CONFIG, ./config/vocloud.yaml, ./config/default.yaml)');

program
  .command('serve')
  .description('start the server (API and executor, per the config)')
  .action(async () => {
    const config = configOrExit(program.opts().config);
    const server = new Vocloud({ config });
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        server.log.warn(`${signal} again: exiting now`);
        process.exit(1);
      }
      stopping = true;
      server.log.info(`${signal} received: finishing running jobs (up to ${config.config.executor.shutdownGrace} s), then stopping`);
      server.stop().then(
        () => process.exit(0),
        (err) => {
          server.log.error({ err }, 'error while stopping');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    try {
      const url = await server.start();
      const types = server.resolve(PluginRegistry).list().map((t) => t.definition.name);
      console.log(
        `\nvocloud ${VERSION} is serving ${url}\n` +
          `  UWS job lists: ${types.map((t) => `${url}/uws/${t}`).join('  ') || '(no job types configured)'}\n` +
          `  API docs:      ${url}/docs\n  VOSI:          ${url}/capabilities  ${url}/availability\n` +
          `  database:      ${describeDatabase(config)}\n  storage:       ${config.paths.storageRoot}\n`,
      );
    } catch (err) {
      if (err instanceof PluginLoadError || err instanceof ConfigError) {
        console.error(`vocloud: cannot start: ${err.message}`);
      } else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        console.error(`vocloud: cannot start: port ${config.config.server.port} is in use; set PORT or server.port to another port`);
      } else {
        console.error(`vocloud: cannot start: ${(err as Error).message}`);
      }
      await server.stop().catch(() => undefined);
      process.exit(1);
    }
  });

program
  .command('migrate')
  .description('bring the database schema up to date and exit')
  .action(async () => {
    const config = configOrExit(program.opts().config);
    const db = await openDatabase({
      ...(config.config.database.url ? { url: config.config.database.url } : { pgliteDir: config.paths.pgliteDir }),
    });
    try {
      const before = await pendingMigrations(db.knex);
      const ran = await migrateLatest(db);
      console.log(ran.length ? `applied ${ran.join(', ')} to ${describeDatabase(config)}` : `${describeDatabase(config)} is up to date (${before.length} pending before)`);
    } finally {
      await db.close();
    }
  });

program
  .command('plugins')
  .description('load the configured plugins and list their job types')
  .action(async () => {
    const config = configOrExit(program.opts().config);
    try {
      const registry = await loadPlugins(config);
      for (const t of registry.list()) {
        const d = t.definition;
        const params = Object.keys(d.parameters.properties).join(', ') || '(none)';
        console.log(
          `${d.name} (${d.kind}, ${t.source} ${d.version})${d.restricted ? ' [restricted]' : ''}\n  ${d.title}${d.description ? ` — ${d.description}` : ''}\n` +
            `  parameters: ${params}\n  limits: default ${d.limits.defaultExecutionDuration} s, max ${d.limits.maxExecutionDuration || 'unlimited'} s, concurrency ${d.limits.concurrency}`,
        );
      }
    } catch (err) {
      console.error(`vocloud: ${(err as Error).message}`);
      process.exit(1);
    }
  });

const userCommand = program.command('user').description('user accounts');

userCommand
  .command('add <username>')
  .description('create a user (the first admin, for instance); the password is read from stdin with --password-stdin, else generated and printed once')
  .requiredOption('--email <address>', 'e-mail address (for password resets)')
  .option('--admin', 'make the user an administrator')
  .option('--role <role>', 'user, manager or admin', 'user')
  .option('--password-stdin', 'read the password from standard input')
  .action(async (username: string, o: { email: string; admin?: boolean; role: string; passwordStdin?: boolean }) => {
    const config = configOrExit(program.opts().config);
    const role = o.admin ? 'admin' : o.role;
    if (!['user', 'manager', 'admin'].includes(role)) {
      console.error(`vocloud: --role must be user, manager or admin`);
      process.exit(2);
    }
    let password: string;
    if (o.passwordStdin) {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
    } else {
      password = randomBytes(15).toString('base64url');
    }
    const server = new Vocloud({ config, logger: createLogger({ level: 'warn', pretty: false }) });
    try {
      const user = await server.createUser({ username, email: o.email, password, role: role as 'user' | 'manager' | 'admin' });
      console.log(`created ${user.role} '${user.username}'${o.passwordStdin ? '' : ` with password ${password} (shown only now)`}`);
    } catch (err) {
      console.error(`vocloud: ${(err as Error).message}`);
      process.exitCode = 1;
    } finally {
      await server.closeDatabase();
    }
  });

const configCommand = program.command('config').description('configuration tools');

configCommand
  .command('reference')
  .description('print the configuration reference (docs/configuration.md) generated from the schema')
  .action(() => {
    process.stdout.write(configurationReference());
  });

configCommand
  .command('check')
  .description('validate the configuration and load every plugin; exit 0 when all is well')
  .action(async () => {
    const config = configOrExit(program.opts().config);
    try {
      const registry = await loadPlugins(config);
      console.log(
        `configuration OK${config.file ? ` (${config.file})` : ' (defaults and environment)'}\n` +
          `  database: ${describeDatabase(config)}\n  storage:  ${config.paths.storageRoot}\n` +
          `  listen:   ${config.config.server.host}:${config.config.server.port}\n` +
          `  job types: ${registry.list().map((t) => t.definition.name).join(', ') || '(none)'}`,
      );
    } catch (err) {
      console.error(`vocloud: ${(err as Error).message}`);
      process.exit(1);
    }
  });

await program.parseAsync(process.argv);
