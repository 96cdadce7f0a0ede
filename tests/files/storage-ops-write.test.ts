import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError, type ResultSource, type StorageBackend, type WriteOptions } from '@vocloud/sdk';
import { LocalStorageBackend } from '../../core/src/storage/local-backend.js';
import { StorageOps } from '../../core/src/files/storage-ops.js';

/*
 * StorageOps.write tries a new file first and replaces only when the name exists. A backend may
 * learn that the name exists only after it has sent the body (WebHDFS: another writer took the
 * name during the upload, and the final RENAME without OVERWRITE refuses): then the body is
 * spent, and the write must fail rather than "replace" with an empty file. The backend below is
 * the real local backend with that race made to happen on one name.
 */
class RacedBackend extends LocalStorageBackend {
  override async write(path: string, source: Readable | AsyncIterable<Uint8Array> | Uint8Array, options: WriteOptions = {}) {
    if (path.endsWith('/raced.bin') && options.overwrite === false) {
      if (!(source instanceof Uint8Array)) for await (const _ of source);
      await super.write(path, Buffer.from('the other writer'));
      throw new StorageError('exists', `'${path}' already exists`);
    }
    return super.write(path, source, options);
  }
}

let dir: string;
let backend: StorageBackend;
let ops: StorageOps;
const charges: number[] = [];
const actor = { ownerId: 'ann', role: 'user' as const };
const text = async (path: string) => {
  const chunks: Buffer[] = [];
  for await (const c of await backend.read(path)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vocloud-ops-'));
  backend = new RacedBackend(join(dir, 'storage'));
  ops = new StorageOps(backend, { charge: async (_o, b) => void charges.push(b), credit: async (_o, b) => void charges.push(-b) }, async () => null);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('StorageOps.write', () => {
  it('a name another writer took while the body was being sent: an error, their file kept, nothing charged', async () => {
    charges.length = 0;
    const body: ResultSource = Readable.from([Buffer.from('mine, '), Buffer.from('streamed')]);
    await expect(ops.write(actor, '~/raced.bin', body)).rejects.toThrow(/already exists/);
    expect(await text('home/ann/raced.bin')).toBe('the other writer');
    expect(charges).toEqual([]);
  });

  it('an existing file is replaced by a stream (the backend refused the new name before reading it), the difference charged', async () => {
    await ops.write(actor, '~/f.txt', Buffer.from('0123456789'));
    charges.length = 0;
    const entry = await ops.write(actor, '~/f.txt', Readable.from([Buffer.from('abc')]));
    expect(entry).toMatchObject({ path: '~/f.txt', size: 3 });
    expect(await text('home/ann/f.txt')).toBe('abc');
    expect(charges).toEqual([3 - 10]);
  });

  it('an async iterable body that is not a stream is replaced just the same', async () => {
    async function* parts(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('x');
      yield Buffer.from('yz');
    }
    await ops.write(actor, '~/g.txt', Buffer.from('old'));
    await ops.write(actor, '~/g.txt', parts());
    expect(await text('home/ann/g.txt')).toBe('xyz');
  });

  it('overwrite: false keeps an existing file and says so', async () => {
    await ops.write(actor, '~/h.txt', Buffer.from('keep'));
    await expect(ops.write(actor, '~/h.txt', Buffer.from('nope'), { overwrite: false })).rejects.toThrow(/already exists/);
    expect(await text('home/ann/h.txt')).toBe('keep');
  });
});
