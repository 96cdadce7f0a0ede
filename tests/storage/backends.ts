import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { StorageBackend } from '@vocloud/sdk';
// the built backend: its writer thread is a module of dist
import { LocalStorageBackend } from '@vocloud/core';
import { WebHdfsStorageBackend } from '../../core/src/storage/webhdfs-backend.js';
import { startWebHdfsStandIn, type WebHdfsStandIn } from '../standins/webhdfs/index.js';

/** A backend under test, with a way to look behind its interface. */
export interface Fixture {
  readonly backend: StorageBackend;
  /** The names really in a folder, temporary files of writes included ([] when it is missing). */
  rawNames(path: string): Promise<string[]>;
  /** Put many files into a folder quickly (test setup, not under test): [name, size] pairs. */
  seed(path: string, files: readonly (readonly [string, number])[]): Promise<void>;
  /** Requests that reached a server so far; undefined for backends without one. */
  requests?(): number;
  close(): Promise<void>;
}

export interface BackendCase {
  readonly name: string;
  make(): Promise<Fixture>;
}

/** Write files straight into a directory on disk, 32 at a time. */
async function seedDir(dir: string, files: readonly (readonly [string, number])[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < files.length; i += 32) {
    await Promise.all(files.slice(i, i + 32).map(([name, size]) => writeFile(join(dir, name), Buffer.alloc(size))));
  }
}

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** The local backend; small whole bodies in the writer thread as in executor threads, or every write the general way as on the main thread. */
const localCase = (name: string, smallWrites: 'thread' | 'none'): BackendCase => ({
  name,
  async make() {
    const dir = await mkdtemp(join(tmpdir(), 'vocloud-contract-'));
    const root = join(dir, 'storage');
    const backend = new LocalStorageBackend(root, smallWrites);
    const os = (p: string) => (p === '' ? root : join(root, ...p.split('/')));
    return {
      backend,
      rawNames: (p) => names(os(p)),
      seed: (p, files) => seedDir(os(p), files),
      close: () => rm(dir, { recursive: true, force: true }),
    };
  },
});
const local = localCase('local', 'none');
const localWriterThread = localCase('local, small writes in the writer thread (executor threads)', 'thread');

/** The storage root inside the stand-in, owned by the user the backend works as. */
export const STANDIN_ROOT = '/user/vocloud/storage';

/** A stand-in with /user/vocloud owned by 'vocloud', as a cluster admin would set it up. */
export async function standInWithHome(options: Parameters<typeof startWebHdfsStandIn>[0] = {}): Promise<WebHdfsStandIn> {
  const standIn = await startWebHdfsStandIn(options);
  await standIn.ns.preset('/user/vocloud', 'vocloud');
  return standIn;
}

const webhdfsStandIn: BackendCase = {
  name: 'webhdfs (stand-in)',
  async make() {
    // Small batches, so that listing a few thousand files walks many LISTSTATUS_BATCH pages.
    const standIn = await standInWithHome({ batchSize: 128 });
    const backend = new WebHdfsStorageBackend({ url: standIn.url, user: 'vocloud', root: STANDIN_ROOT, requestTimeout: 10, dataTimeout: 10 });
    const os = (p: string) => join(standIn.dir, ...STANDIN_ROOT.split('/').filter(Boolean), ...(p ? p.split('/') : []));
    return {
      backend,
      rawNames: (p) => names(os(p)),
      // Files put on disk behind the stand-in's back belong to the superuser, mode 644: readable.
      seed: async (p, files) => {
        await backend.mkdir(p);
        await seedDir(os(p), files);
      },
      requests: () => standIn.requests.length,
      close: async () => {
        await backend.close();
        await standIn.close();
      },
    };
  },
};

/**
 * A real Hadoop cluster or HttpFS, when VOCLOUD_WEBHDFS_URL is set (see docs/storage-webhdfs.md):
 * the same suite runs in a fresh folder under VOCLOUD_WEBHDFS_ROOT (default /tmp), removed after.
 */
const webhdfsReal: BackendCase = {
  name: 'webhdfs (real cluster)',
  async make() {
    const url = process.env.VOCLOUD_WEBHDFS_URL as string;
    const base = (process.env.VOCLOUD_WEBHDFS_ROOT ?? '/tmp').replace(/\/+$/, '');
    const root = `${base}/vocloud-contract-${randomBytes(4).toString('hex')}`;
    const backend = new WebHdfsStorageBackend({
      url,
      root,
      user: process.env.VOCLOUD_WEBHDFS_USER || undefined,
      delegationToken: process.env.VOCLOUD_WEBHDFS_TOKEN || undefined,
    });
    return {
      backend,
      rawNames: async (p) => {
        try {
          return (await backend.client.listStatus(backend.hdfsPath(p))).map((s) => s.pathSuffix);
        } catch (err) {
          if ((err as { code?: string }).code === 'not-found') return [];
          throw err;
        }
      },
      seed: async (p, files) => {
        let next = 0;
        await Promise.all(
          Array.from({ length: 16 }, async () => {
            while (next < files.length) {
              const [name, size] = files[next++] as readonly [string, number];
              await backend.write(`${p}/${name}`, Buffer.alloc(size));
            }
          }),
        );
      },
      close: async () => {
        await backend.client.delete(root, true);
        await backend.close();
      },
    };
  },
};

export const backendCases: BackendCase[] = [local, localWriterThread, webhdfsStandIn, ...(process.env.VOCLOUD_WEBHDFS_URL ? [webhdfsReal] : [])];

export async function bytesOf(stream: Readable | AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

/** `size` bytes of a repeating, position-dependent pattern (so a shifted range shows). */
export function pattern(size: number, seed = 0): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + seed) % 251;
  return b;
}

/** An async source of `total` bytes in `chunk`-sized pieces, waiting `delayMs` between them. */
export async function* slowSource(total: number, chunk: number, delayMs: number, fill = 0x42): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < total; sent += chunk) {
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    yield Buffer.alloc(Math.min(chunk, total - sent), fill);
  }
}
