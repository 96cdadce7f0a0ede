import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { container as rootContainer, Lifecycle, type DependencyContainer } from 'tsyringe';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { TOKENS, type NodeIdentity } from './tokens.js';
import type { LoadedConfig } from './config/load.js';
import { openDatabase, type Database } from './db/database.js';
import { migrateLatest } from './db/migrate.js';
import { createStorageBackend, storageSpec } from './storage/backend-factory.js';
import { PluginRegistry } from './plugins/registry.js';
import { JobStore } from './uws/job-store.js';
import { JobEvents } from './uws/job-events.js';
import { JobService } from './uws/job-service.js';
import { Executor } from './executor/executor.js';
import { Scheduler } from './scheduler/scheduler.js';
import { NodeRegistry } from './scheduler/node-registry.js';
import { DestructionReaper } from './scheduler/reaper.js';
import { Metrics } from './metrics/metrics.js';
import { HealthService } from './vosi/health.js';
import { AuditLog } from './auth/audit.js';
import { UserService, type NewUser } from './auth/user-service.js';
import type { User } from './auth/model.js';
import { AuthService } from './auth/auth-service.js';
import { Mailer } from './auth/mailer.js';
import { UsageService } from './quota/usage-service.js';
import { JobTypeSettings } from './plugins/job-type-settings.js';
import { ServerKey } from './secrets/server-key.js';
import { FileService } from './files/file-service.js';
import { buildApp } from './http/app.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface VocloudOptions {
  readonly config: LoadedConfig;
  /** A logger to use instead of one built from config.log. */
  readonly logger?: Logger;
  /** Start embedded PGlite from this dump (tests clone a migrated template). */
  readonly pgliteLoad?: Blob;
  /** Run migrations at start (default true; `vocloud migrate` does it separately). */
  readonly migrate?: boolean;
}

export function createLogger(config: LoadedConfig['config']['log']): Logger {
  return pino({
    level: config.level,
    ...(config.pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  });
}

/**
 * The composition root: one vocloud server (API and/or executor node). Everything is wired
 * here, in a container of its own, so several servers can run in one process (tests).
 */
export class Vocloud {
  readonly container: DependencyContainer;
  readonly log: Logger;
  private app: FastifyInstance | null = null;
  private db: Database | null = null;
  private started = false;
  private stopping: Promise<void> | null = null;
  /** The URL the server listens on, once started. */
  url = '';

  constructor(private readonly options: VocloudOptions) {
    this.log = options.logger ?? createLogger(options.config.config.log);
    this.container = rootContainer.createChildContainer();
  }

  get config(): LoadedConfig {
    return this.options.config;
  }

  get database(): Database {
    if (!this.db) throw new Error('vocloud is not started');
    return this.db;
  }

  get http(): FastifyInstance {
    if (!this.app) throw new Error('vocloud is not started');
    return this.app;
  }

  resolve<T>(token: new (...args: never[]) => T): T {
    return this.container.resolve(token as never);
  }

  /** Open the database, migrate and wire the container (no HTTP, no executing). */
  private async prepare(): Promise<void> {
    if (this.db) return;
    const { config, paths } = this.options.config;
    const c = this.container;

    this.db = await openDatabase({
      ...(config.database.url ? { url: config.database.url } : { pgliteDir: paths.pgliteDir }),
      poolMax: config.database.poolMax,
      ...(this.options.pgliteLoad ? { pgliteLoad: this.options.pgliteLoad } : {}),
      log: this.log,
    });
    if (this.options.migrate !== false) {
      const ran = await migrateLatest(this.db);
      if (ran.length) this.log.info({ migrations: ran }, 'database migrated');
    }
    const roles: NodeIdentity['roles'] = config.executor.enabled ? ['api', 'executor'] : ['api'];
    const name = config.node.name ?? (config.server.port ? `${hostname()}:${config.server.port}` : `${hostname()}:pid${process.pid}`);
    const node: NodeIdentity = { id: `${name}#${randomBytes(4).toString('hex')}`, name, roles, startedAt: new Date() };

    c.register(TOKENS.Config, { useValue: this.options.config });
    c.register(TOKENS.Logger, { useValue: this.log });
    c.register(TOKENS.Database, { useValue: this.db });
    c.register(TOKENS.Storage, { useValue: createStorageBackend(storageSpec(this.options.config)) });
    c.register(TOKENS.Node, { useValue: node });
    for (const cls of [
      PluginRegistry, JobTypeSettings, JobStore, JobEvents, JobService, Executor, Scheduler, NodeRegistry, DestructionReaper, Metrics, HealthService,
      AuditLog, UserService, AuthService, Mailer, UsageService, ServerKey, FileService,
    ]) {
      c.register(cls as never, { useClass: cls as never }, { lifecycle: Lifecycle.ContainerScoped });
    }

  }

  /** Create a user without starting the server (`vocloud user add`). */
  async createUser(input: NewUser): Promise<User> {
    await this.prepare();
    return this.resolve(UserService).create('cli', input);
  }

  /** Close what prepare() opened, for one-shot commands. */
  async closeDatabase(): Promise<void> {
    await this.db?.close();
  }

  /** Open the database, migrate, load plugins, listen, and start executing. */
  async start(): Promise<string> {
    if (this.started) return this.url;
    this.started = true;
    await this.prepare();
    const { config } = this.options.config;
    const node = this.container.resolve(TOKENS.Node);
    const roles = node.roles;
    await this.resolve(PluginRegistry).load();
    await this.resolve(JobTypeSettings).start();
    await this.resolve(JobEvents).start();
    await this.resolve(UserService).bootstrap();

    this.app = await buildApp({
      config: this.options.config,
      jobs: this.resolve(JobService),
      health: this.resolve(HealthService),
      metrics: this.resolve(Metrics),
      auth: this.resolve(AuthService),
      users: this.resolve(UserService),
      usage: this.resolve(UsageService),
      audit: this.resolve(AuditLog),
      settings: this.resolve(JobTypeSettings),
      nodes: this.resolve(NodeRegistry),
      events: this.resolve(JobEvents),
      files: this.resolve(FileService),
      executor: this.resolve(Executor),
      log: this.log,
      version: VERSION,
    });
    const address = await this.app.listen({ host: config.server.host, port: config.server.port });
    this.url = address.replace('[::1]', 'localhost');

    const executor = this.resolve(Executor);
    await this.resolve(NodeRegistry).register(() => executor.runningIds());
    if (config.executor.enabled) {
      executor.start();
      await this.resolve(Scheduler).start();
    }
    this.resolve(DestructionReaper).start();
    this.log.info({ node: node.id, roles, database: this.database.kind, jobTypes: this.resolve(PluginRegistry).list().map((t) => t.definition.name) }, `vocloud ${VERSION} serving ${this.url}`);
    return this.url;
  }

  /**
   * Graceful stop: report unavailable, stop claiming, let running jobs finish within
   * executor.shutdownGrace (the rest go back to QUEUED), close HTTP and the database.
   */
  stop(grace?: number): Promise<void> {
    this.stopping ??= (async () => {
      if (!this.started) return;
      this.log.info('vocloud stopping');
      const c = this.container;
      c.resolve(HealthService).setDraining();
      c.resolve(JobEvents).releaseWaiters();
      await c.resolve(Scheduler).stop();
      await c.resolve(DestructionReaper).stop();
      await c.resolve(Executor).shutdown(grace);
      await c.resolve(NodeRegistry).stop();
      await this.app?.close();
      await c.resolve(JobEvents).stop();
      await c.resolve(JobTypeSettings).stop();
      c.resolve(Mailer).close();
      const storage = c.resolve(TOKENS.Storage) as { close?: () => Promise<void> | void };
      await storage.close?.();
      await this.db?.close();
      this.log.info('vocloud stopped');
    })();
    return this.stopping;
  }
}
