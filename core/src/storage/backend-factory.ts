import type { StorageBackend } from '@vocloud/sdk';
import type { LoadedConfig } from '../config/load.js';
import type { StorageSpec } from '../executor/protocol.js';
import { LocalStorageBackend } from './local-backend.js';
import { WebHdfsStorageBackend, type WebHdfsOptionsInput } from './webhdfs-backend.js';

/** The storage backend the config asks for, as plain data an executor thread can rebuild it from. */
export function storageSpec(config: LoadedConfig): StorageSpec {
  if (config.config.storage.backend === 'webhdfs') {
    return { kind: 'webhdfs', options: config.config.storage.webhdfs as unknown as Record<string, unknown> };
  }
  return { kind: 'local', root: config.paths.storageRoot };
}

export function createStorageBackend(spec: StorageSpec): StorageBackend {
  return spec.kind === 'webhdfs' ? new WebHdfsStorageBackend(spec.options as unknown as WebHdfsOptionsInput) : new LocalStorageBackend(spec.root);
}
