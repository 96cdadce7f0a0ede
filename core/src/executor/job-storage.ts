import { mkdir } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { JobError, type JobStorage } from '@vocloud/sdk';
import { ServiceError } from '../uws/errors.js';
import type { PathActor } from '../files/areas.js';
import type { StorageOps } from '../files/storage-ops.js';

/** Errors of storage operations become JobErrors: their messages are for the user. */
async function userErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ServiceError || (err as Error).name === 'InvalidPathError' || (err as Error).name === 'StorageError') {
      throw new JobError((err as Error).message);
    }
    throw err;
  }
}

/** ctx.storage inside an executor thread: the owner's rights, quota charged through the executor. */
export function jobStorage(ops: StorageOps, owner: PathActor, workDir: string, quota: () => Promise<{ used: number; limit: number }>): JobStorage {
  return {
    stat: (path) => userErrors(() => ops.stat(owner, path)),
    list: (path, options) => userErrors(() => ops.list(owner, path, options)),
    files: (path, options) => userErrors(() => ops.files(owner, path, options?.limit)),
    read: (path, range) => userErrors(async () => (await ops.read(owner, path, range)).stream),
    localFile: (path) =>
      userErrors(async () => {
        const resolved = await ops.resolve(owner, path, 'read');
        const local = ops.localPath(resolved);
        const { entry, stream } = await ops.read(owner, path);
        if (local) {
          stream.destroy();
          return local;
        }
        const dir = join(workDir, 'inputs', randomBytes(4).toString('hex'));
        await mkdir(dir, { recursive: true });
        const file = join(dir, entry.name);
        await pipeline(stream, createWriteStream(file));
        return file;
      }),
    write: (path, source, options) => userErrors(() => ops.write(owner, path, source, options)),
    mkdir: (path) => userErrors(() => ops.mkdir(owner, path)),
    delete: (path) => userErrors(() => ops.delete(owner, path)),
    quota,
  };
}
