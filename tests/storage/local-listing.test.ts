import { appendFile, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StorageEntry } from '@vocloud/sdk';
// the built backend: its stat threads are a module of dist
import { LocalStorageBackend } from '@vocloud/core';

/**
 * Listings sorted by size or time gather every entry's size and time; folders of thousands
 * of entries in threads, and folders of 10,000 or more ahead, when they are listed by name.
 * The backend contract checks the orders; this checks what each entry says, and the cache.
 */
describe('local backend: listings sorted by size and time', () => {
  let dir: string;
  let root: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vocloud-listing-'));
    root = join(dir, 'storage');
    await mkdir(root);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function seed(folder: string, count: number, size: (i: number) => number): Promise<string[]> {
    await mkdir(join(root, folder), { recursive: true });
    const names = Array.from({ length: count }, (_, i) => `s${String(i).padStart(6, '0')}.fits`);
    for (let i = 0; i < count; i += 64) {
      await Promise.all(names.slice(i, i + 64).map((n, k) => writeFile(join(root, folder, n), Buffer.alloc(size(i + k)))));
    }
    return names;
  }

  async function expectTrue(folder: string, entries: readonly StorageEntry[]): Promise<void> {
    for (const e of entries) {
      const st = await stat(join(root, folder, e.name));
      expect(e, e.name).toEqual({
        path: `${folder}/${e.name}`,
        name: e.name,
        type: st.isDirectory() ? 'directory' : 'file',
        size: st.isDirectory() ? 0 : st.size,
        modified: st.mtime,
      });
    }
  }

  it('a folder of 2,500 entries, stat()ed in threads: every entry as the file system says, links that lead nowhere left out', async () => {
    const b = new LocalStorageBackend(root, 'none', false);
    await seed('big', 2500, (i) => (i * 31) % 700);
    for (const d of ['sub-a', 'sub-b']) await mkdir(join(root, 'big', d));
    await symlink(join(root, 'big', 'nowhere'), join(root, 'big', 'dangling'));
    await symlink(join(root, 'big', 'loop'), join(root, 'big', 'loop'));
    const bySize = await b.list('big', { sortBy: 'size', limit: 5000 });
    expect(bySize.total).toBe(2504); // every name in the folder, as a listing by name counts them
    expect(bySize.entries).toHaveLength(2502);
    expect(bySize.entries.map((e) => e.name)).not.toContain('dangling');
    // Size 0: four files and the two folders, ties by name.
    expect(bySize.entries.slice(0, 7).map((e) => `${e.name}:${e.type}:${e.size}`)).toEqual([
      's000000.fits:file:0',
      's000700.fits:file:0',
      's001400.fits:file:0',
      's002100.fits:file:0',
      'sub-a:directory:0',
      'sub-b:directory:0',
      's000271.fits:file:1', // 271 × 31 = 8,401 = 12 × 700 + 1
    ]);
    await expectTrue('big', bySize.entries);
    const byTime = await b.list('big', { sortBy: 'modified', order: 'desc', limit: 5000 });
    expect(byTime.entries.map((e) => e.name).sort()).toEqual(bySize.entries.map((e) => e.name).sort());
    await expectTrue('big', byTime.entries);
    const byName = await b.list('big', { limit: 5000 });
    expect(byName.entries.map((e) => e.name)).toEqual(bySize.entries.map((e) => e.name).sort());
  });

  it('a folder of 12,000 files listed by name has its sizes gathered ahead; a change to the folder starts again', async () => {
    // Seen through a file grown in place (which does not change its folder's mtime): a sort
    // served from what was gathered shows the size from before.
    const names = await seed('huge', 12_000, () => 10);
    const last = names.at(-1)!; // all are 10 bytes; sorted by size, descending, ties go by name: last comes last unless seen grown
    for (const prefetch of [true, false]) {
      const b = new LocalStorageBackend(root, 'none', prefetch);
      expect((await b.list('huge', { limit: 5 })).entries.map((e) => e.name)).toEqual(names.slice(0, 5));
      await new Promise((r) => setTimeout(r, 1500)); // the gathering reads 12,000 entries in ~50 ms
      await appendFile(join(root, 'huge', last), Buffer.alloc(5));
      const biggest = (await b.list('huge', { sortBy: 'size', order: 'desc', limit: 1 })).entries[0];
      expect(biggest).toMatchObject(prefetch ? { name: names[0], size: 10 } : { name: last, size: 15 });
      // A new file changes the folder: the next sort reads it all again, and sees the growth.
      await writeFile(join(root, 'huge', 'zz-new.fits'), Buffer.alloc(1));
      const after = await b.list('huge', { sortBy: 'size', order: 'desc', limit: 12_001 });
      expect(after.total).toBe(12_001);
      expect(after.entries[0]).toMatchObject({ name: last, size: 15 });
      expect(after.entries.at(-1)).toMatchObject({ name: 'zz-new.fits', size: 1 });
      await rm(join(root, 'huge', 'zz-new.fits'));
      await writeFile(join(root, 'huge', last), Buffer.alloc(10));
    }
  });
});
