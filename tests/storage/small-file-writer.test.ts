import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// the built module: its thread is a module of dist
import { SmallFileWriter } from '../../core/dist/storage/small-file-writer.js';

/*
 * The writer thread that makes the local backend's small writes for a job thread (the
 * backend's own behaviour is in the contract suite, run in this mode too). Here: what comes
 * back from the thread, and that a writer whose thread ended starts another.
 */
describe('SmallFileWriter (the writer thread of small writes)', () => {
  let dir: string;
  let writer: SmallFileWriter;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vocloud-writer-'));
    writer = new SmallFileWriter();
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const thread = () => (writer as unknown as { current: { worker: Worker } | null }).current?.worker;

  it('puts a new file in place whole and leaves no temporary file', async () => {
    const body = Buffer.from('SIMPLE  =                    T');
    expect(await writer.write(join(dir, 'a.fits.part-000000000001'), join(dir, 'a.fits'), body, true)).toBe('written');
    expect(await readFile(join(dir, 'a.fits'))).toEqual(body);
    expect(await readdir(dir)).toEqual(['a.fits']);
  });

  it('a new file at a taken name goes back to the general path, and the file there is kept', async () => {
    await writeFile(join(dir, 'taken'), 'first');
    expect(await writer.write(join(dir, 'taken.part-000000000002'), join(dir, 'taken'), Buffer.from('second'), true)).toBe('general');
    expect(await readFile(join(dir, 'taken'), 'utf8')).toBe('first');
    expect(await readdir(dir)).toEqual(['taken']);
  });

  it("the file system's error comes back with its code, for the backend to translate", async () => {
    await mkdir(join(dir, 'folder'));
    const replacing = writer.write(join(dir, 'folder.part-000000000003'), join(dir, 'folder'), Buffer.from('x'), false);
    await expect(replacing).rejects.toMatchObject({ code: 'EISDIR' });
    const missing = writer.write(join(dir, 'gone', 'f.part-000000000004'), join(dir, 'gone', 'f'), Buffer.from('x'), true);
    await expect(missing).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual(['folder']);
  });

  it('a slice of a large buffer is posted alone, and the buffer stays whole and usable', async () => {
    await writer.write(join(dir, 'start.part-000000000007'), join(dir, 'start'), Buffer.from('-'), true);
    const posted: number[] = [];
    const worker = thread()!;
    const post = worker.postMessage.bind(worker);
    worker.postMessage = (message: unknown, transfer?: readonly import('node:worker_threads').Transferable[]) => {
      posted.push((message as { body: Uint8Array }).body.buffer.byteLength); // before a transfer detaches it
      post(message, transfer);
    };
    const big = Buffer.alloc(32 * 1024 * 1024, 7);
    big.write('HEADER', 1000);
    const slice = big.subarray(1000, 1006);
    expect(await writer.write(join(dir, 'slice.part-000000000008'), join(dir, 'slice'), slice, true)).toBe('written');
    expect(await readFile(join(dir, 'slice'), 'utf8')).toBe('HEADER');
    // what crossed to the thread: the 6 bytes, not the 32 MB behind them
    expect(posted).toEqual([6]);
    expect(big.byteLength).toBe(32 * 1024 * 1024);
    expect(slice.toString()).toBe('HEADER');
    expect(big[0]).toBe(7);
    // a body that is its whole buffer is copied across, never taken from the caller
    const own = Buffer.alloc(64 * 1024, 1);
    expect(await writer.write(join(dir, 'own.part-000000000009'), join(dir, 'own'), own, true)).toBe('written');
    expect(own.byteLength).toBe(64 * 1024);
    expect((await readFile(join(dir, 'own'))).equals(own)).toBe(true);
  });

  it('after its thread ended, the next write starts another', async () => {
    await writer.write(join(dir, 'one.part-000000000005'), join(dir, 'one'), Buffer.from('1'), true);
    const first = thread()!;
    const exited = once(first, 'exit');
    await first.terminate();
    await exited;
    expect(await writer.write(join(dir, 'two.part-000000000006'), join(dir, 'two'), Buffer.from('2'), true)).toBe('written');
    expect(thread()).not.toBe(first);
    expect((await readdir(dir)).sort()).toEqual(['one', 'two']);
  });
});
