import { lstat, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StorageError } from '@vocloud/sdk';
// the built backend: its writer thread is a module of dist
import { LocalStorageBackend } from '@vocloud/core';

/*
 * Symbolic links someone made inside the local storage root (vocloud makes none). A write at a
 * link's name never writes through it: a link leading out is refused, a new file at a link
 * inside is refused as existing, a replacement replaces the link itself. Both write paths must
 * agree: small writes in the writer thread (executor threads) and the general one.
 */
describe.each([
  { mode: 'small writes in the writer thread', smallWrites: 'thread' as const },
  { mode: 'general writes', smallWrites: 'none' as const },
])('local backend, symlinks at a written name ($mode)', ({ smallWrites }) => {
  let dir: string;
  let root: string;
  let outside: string;
  let b: LocalStorageBackend;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vocloud-links-'));
    root = join(dir, 'storage');
    outside = join(dir, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), 'secret');
    b = new LocalStorageBackend(root, smallWrites);
    await b.mkdir('d'); // made through the backend: known to be safe, so small writes take the fast path
    await symlink(join(outside, 'secret.txt'), join(root, 'd', 'link'));
    await symlink(outside, join(root, 'd', 'dirlink'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const code = (p: Promise<unknown>) => p.then(() => 'written', (e: unknown) => (e instanceof StorageError ? e.code : String(e)));

  it('a link leading out of the root is refused as invalid-path, replacing or not, and what it points to is untouched', async () => {
    expect(await code(b.write('d/link', Buffer.from('x'), { overwrite: false }))).toBe('invalid-path');
    expect(await code(b.write('d/link', Buffer.from('x')))).toBe('invalid-path');
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('secret');
    expect((await lstat(join(root, 'd', 'link'))).isSymbolicLink()).toBe(true);
    expect((await readdir(join(root, 'd'))).sort()).toEqual(['dirlink', 'link']); // no temporary file left
  });

  it('a link inside the root: a new file is refused with exists; a replacement replaces the link, never the file it points to', async () => {
    await writeFile(join(root, 'd', 'real.txt'), 'real');
    await symlink(join(root, 'd', 'real.txt'), join(root, 'd', 'inlink'));
    expect(await code(b.write('d/inlink', Buffer.from('x'), { overwrite: false }))).toBe('exists');
    expect((await lstat(join(root, 'd', 'inlink'))).isSymbolicLink()).toBe(true);
    const entry = await b.write('d/inlink', Buffer.from('new'));
    expect(entry).toMatchObject({ path: 'd/inlink', type: 'file', size: 3 });
    expect((await lstat(join(root, 'd', 'inlink'))).isFile()).toBe(true);
    expect(await readFile(join(root, 'd', 'inlink'), 'utf8')).toBe('new');
    expect(await readFile(join(root, 'd', 'real.txt'), 'utf8')).toBe('real');
    expect((await readdir(join(root, 'd'))).sort()).toEqual(['dirlink', 'inlink', 'link', 'real.txt']);
  });

  it('a write below a link that leaves the root is refused, and nothing is written outside', async () => {
    expect(await code(b.write('d/dirlink/planted.txt', Buffer.from('x')))).toBe('invalid-path');
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });

  // The general path's lookup; the writer thread's never calls it for a new file in a folder
  // it knows, so counting its calls tells which path a write took.
  const lookups = () => vi.spyOn(b as unknown as { locate(path: string): Promise<unknown> }, 'locate');

  // Only the writer-thread mode has a fast path to check (registered only there, not skipped).
  if (smallWrites === 'thread') {
    it('a new file in a folder made through the backend takes the writer thread; a link sends it to the general one', async () => {
      const spy = lookups();
      await b.write('d/plain.txt', Buffer.from('x'), { overwrite: false });
      expect(spy).not.toHaveBeenCalled();
      expect(await code(b.write('d/link', Buffer.from('x'), { overwrite: false }))).toBe('invalid-path');
      expect(spy).toHaveBeenCalledTimes(1);
    });

    it('a symlink planted between mkdir\'s check and mkdir itself is not remembered as a safe folder', async () => {
      // the race, made to happen: the link appears right after the lookup found no name
      const backend = b as unknown as { locate(path: string): Promise<unknown> };
      const locate = backend.locate.bind(b);
      vi.spyOn(backend, 'locate').mockImplementationOnce(async (path) => {
        const found = await locate(path);
        await symlink(outside, join(root, 'd', 'planted'));
        return found;
      });
      await b.mkdir('d/planted'); // mkdir -p accepts a symlink to a folder
      const spy = lookups();
      expect(await code(b.write('d/planted/x.txt', Buffer.from('x'), { overwrite: false }))).toBe('invalid-path');
      expect(spy).toHaveBeenCalled();
      expect(await readdir(outside)).toEqual(['secret.txt']);
    });
  }
});
