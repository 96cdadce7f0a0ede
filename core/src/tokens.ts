import type { InjectionToken } from 'tsyringe';
import type { Logger } from 'pino';
import type { StorageBackend } from '@vocloud/sdk';
import type { LoadedConfig } from './config/load.js';
import type { Database } from './db/database.js';

/** Injection tokens for what is not a class of ours. Classes are injected by their class. */
export const TOKENS = {
  Config: Symbol('Config') as InjectionToken<LoadedConfig>,
  Database: Symbol('Database') as InjectionToken<Database>,
  Logger: Symbol('Logger') as InjectionToken<Logger>,
  Storage: Symbol('Storage') as InjectionToken<StorageBackend>,
  Node: Symbol('Node') as InjectionToken<NodeIdentity>,
};

/** This process as a node of the cluster. */
export interface NodeIdentity {
  /** Unique per process start: `${name}#${random}`. */
  readonly id: string;
  /** Stable across restarts (config node.name, default hostname:port). */
  readonly name: string;
  readonly roles: readonly ('api' | 'executor')[];
  readonly startedAt: Date;
}
