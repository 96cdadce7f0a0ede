/**
 * @vocloud/core — the vocloud server. Most users run it with the `vocloud` CLI; tests and
 * embedding use `Vocloud` and `loadConfig`.
 */
export { Vocloud, VERSION, createLogger, type VocloudOptions } from './server.js';
export { loadConfig, ConfigError, type LoadedConfig, type LoadOptions } from './config/load.js';
export { ConfigSchema, type VocloudConfig } from './config/schema.js';
export { openDatabase, type Database } from './db/database.js';
export { migrateLatest, pendingMigrations } from './db/migrate.js';
export { JobService } from './uws/job-service.js';
export { JobStore, QueuedLimitReached } from './uws/job-store.js';
export { Executor } from './executor/executor.js';
export { Scheduler } from './scheduler/scheduler.js';
export { NodeRegistry } from './scheduler/node-registry.js';
export { DestructionReaper } from './scheduler/reaper.js';
export { PluginRegistry, PluginLoadError } from './plugins/registry.js';
export * from './uws/model.js';
export { configurationReference } from './config/reference.js';
export { UserService } from './auth/user-service.js';
export { AuthService } from './auth/auth-service.js';
export { AuditLog } from './auth/audit.js';
export { UsageService } from './quota/usage-service.js';
export { JobTypeSettings } from './plugins/job-type-settings.js';
export { LocalStorageBackend } from './storage/local-backend.js';
export type { User, Role, ApiToken } from './auth/model.js';
