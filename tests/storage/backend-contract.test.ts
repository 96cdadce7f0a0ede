import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InvalidPathError, StorageError, type StorageBackend, type StorageEntry } from '@vocloud/sdk';
import { backendCases, bytesOf, pattern, slowSource, type Fixture } from './backends.js';

/**
 * One contract for every StorageBackend: the local backend on a temporary directory, WebHDFS
 * against the stand-in in tests/standins/webhdfs, and a real cluster when VOCLOUD_WEBHDFS_URL
 * is set. Each test works in a folder of its own, so tests do not see each other's files.
 */
describe.each(backendCases)('storage contract: $name', (backendCase) => {
  let fx: Fixture;
  let b: StorageBackend;
  let n = 0;
  const folder = () => `case-${++n}`;

  beforeAll(async () => {
    fx = await backendCase.make();
    b = fx.backend;
  });
  afterAll(async () => {
    await fx?.close();
  });

  async function text(path: string, range?: { start?: number; end?: number }): Promise<string> {
    return (await bytesOf(await b.read(path, range))).toString('utf8');
  }

  async function code(p: Promise<unknown>): Promise<string> {
    try {
      await p;
    } catch (err) {
      return err instanceof StorageError ? err.code : `not a StorageError: ${(err as Error).name}: ${(err as Error).message}`;
    }
    return 'resolved';
  }

  describe('stat', () => {
    it('describes a file: path, name, type, size and modification time', async () => {
      const d = folder();
      const before = Date.now();
      await b.write(`${d}/hello.txt`, Buffer.from('hello'));
      const st = await b.stat(`${d}/hello.txt`);
      expect(st).toMatchObject({ path: `${d}/hello.txt`, name: 'hello.txt', type: 'file', size: 5 });
      expect(Math.abs((st as StorageEntry).modified.getTime() - before)).toBeLessThan(120_000);
    });

    it('describes a folder as a directory of size 0, and the root too', async () => {
      const d = folder();
      await b.mkdir(`${d}/sub`);
      expect(await b.stat(`${d}/sub`)).toMatchObject({ path: `${d}/sub`, name: 'sub', type: 'directory', size: 0 });
      expect(await b.stat('')).toMatchObject({ path: '', type: 'directory' });
    });

    it('is null for what is not there, also below a file', async () => {
      const d = folder();
      await b.write(`${d}/f`, Buffer.from('x'));
      expect(await b.stat(`${d}/nothing`)).toBeNull();
      expect(await b.stat(`${d}/f/below`)).toBeNull();
    });
  });

  describe('list', () => {
    it('a missing folder is not-found; a file is not-a-directory', async () => {
      const d = folder();
      await b.write(`${d}/f`, Buffer.from('x'));
      expect(await code(b.list(`${d}/missing`))).toBe('not-found');
      expect(await code(b.list(`${d}/f`))).toBe('not-a-directory');
    });

    it('gives entries with their full storage paths, and an empty folder as empty', async () => {
      const d = folder();
      await b.write(`${d}/a/x.txt`, Buffer.from('x'));
      await b.mkdir(`${d}/a/empty`);
      const page = await b.list(`${d}/a`);
      expect(page.total).toBe(2);
      expect(page.entries.map((e) => [e.path, e.type])).toEqual([
        [`${d}/a/empty`, 'directory'],
        [`${d}/a/x.txt`, 'file'],
      ]);
      expect(await b.list(`${d}/a/empty`)).toEqual({ entries: [], total: 0 });
    });

    it('sorts by name, size and modification time, ascending and descending', async () => {
      const d = folder();
      // Written in this order, a few ms apart: times b < dd < a < c; sizes c(0) < dd < a < b.
      await b.write(`${d}/b`, Buffer.alloc(30));
      await sleep(25);
      await b.write(`${d}/dd`, Buffer.alloc(10));
      await sleep(25);
      await b.write(`${d}/a`, Buffer.alloc(20));
      await sleep(25);
      await b.mkdir(`${d}/c`);
      const order = async (sortBy: 'name' | 'size' | 'modified', o: 'asc' | 'desc') =>
        (await b.list(d, { sortBy, order: o })).entries.map((e) => e.name);
      expect(await order('name', 'asc')).toEqual(['a', 'b', 'c', 'dd']);
      expect(await order('name', 'desc')).toEqual(['dd', 'c', 'b', 'a']);
      expect(await order('size', 'asc')).toEqual(['c', 'dd', 'a', 'b']);
      expect(await order('size', 'desc')).toEqual(['b', 'a', 'dd', 'c']);
      expect(await order('modified', 'asc')).toEqual(['b', 'dd', 'a', 'c']);
      expect(await order('modified', 'desc')).toEqual(['c', 'a', 'dd', 'b']);
    });

    it('pages a folder of 3,000 files without gaps or repeats, in every order', async () => {
      const d = folder();
      const count = 3000;
      // Sizes repeat (ties broken by name); names are not created in name order.
      const names = Array.from({ length: count }, (_, i) => `f-${String((i * 7919) % count).padStart(4, '0')}.dat`);
      await fx.seed(d, names.map((name, i) => [name, i % 37] as const));
      for (const sortBy of ['name', 'size', 'modified'] as const) {
        for (const order of ['asc', 'desc'] as const) {
          const all = await b.list(d, { sortBy, order, limit: 5000 });
          expect(all.total).toBe(count);
          expect(all.entries).toHaveLength(count);
          const sign = order === 'asc' ? 1 : -1;
          const key = (e: StorageEntry) => (sortBy === 'size' ? e.size : e.modified.getTime());
          const misplaced = all.entries.findIndex((q, i) => {
            const p = all.entries[i - 1];
            if (!p) return false;
            if (sortBy === 'name') return !(p.name < q.name ? sign > 0 : sign < 0);
            const cmp = (key(q) - key(p)) * sign;
            return !(cmp > 0 || (cmp === 0 && p.name < q.name));
          });
          expect(misplaced, `first entry out of ${sortBy} ${order} order`).toBe(-1);
          if (sortBy === 'modified') continue; // paging is the same code for every key
          // Pages of an odd size, joined, are the whole listing.
          const paged: string[] = [];
          for (let offset = 0; offset < count; offset += 1001) {
            const page = await b.list(d, { sortBy, order, offset, limit: 1001 });
            expect(page.total).toBe(count);
            paged.push(...page.entries.map((e) => e.name));
          }
          expect(paged).toEqual(all.entries.map((e) => e.name));
        }
      }
      expect(await b.list(d, { offset: count + 5, limit: 10 })).toEqual({ entries: [], total: count });
      expect((await b.list(d, { limit: 0 })).entries).toEqual([]);
      expect((await b.list(d)).entries).toHaveLength(1000);
    });

    it('leaves names with a given suffix out of the pages and the total (hideSuffix), in every order', async () => {
      const d = folder();
      await fx.seed(d, [['a.fits', 30], ['a.fits.provenance.json', 5], ['b.fits', 10], ['orphan.provenance.json', 1], ['c.provenance.json.txt', 20]]);
      for (const sortBy of ['name', 'size', 'modified'] as const) {
        for (const order of ['asc', 'desc'] as const) {
          const all = await b.list(d, { sortBy, order, hideSuffix: '.provenance.json' });
          expect([sortBy, order, all.total, all.entries.map((e) => e.name).sort()]).toEqual([sortBy, order, 3, ['a.fits', 'b.fits', 'c.provenance.json.txt']]);
        }
      }
      const second = await b.list(d, { offset: 1, limit: 1, hideSuffix: '.provenance.json' });
      expect([second.total, second.entries.map((e) => e.name)]).toEqual([3, ['b.fits']]);
      expect((await b.list(d, { sortBy: 'size', order: 'desc', limit: 1, hideSuffix: '.provenance.json' })).entries.map((e) => e.name)).toEqual(['a.fits']);
      expect((await b.list(d)).total).toBe(5);
    });

    it('lists a file whose name merely contains ".part-"', async () => {
      const d = folder();
      await b.write(`${d}/spectrum.part-2.fits`, Buffer.from('x'));
      expect((await b.list(d)).entries.map((e) => e.name)).toEqual(['spectrum.part-2.fits']);
    });
  });

  describe('read', () => {
    it('reads a whole file and inclusive byte ranges, as HTTP ranges are', async () => {
      const d = folder();
      const data = pattern(100);
      await b.write(`${d}/p.bin`, data);
      const range = async (r: { start?: number; end?: number }) => bytesOf(await b.read(`${d}/p.bin`, r));
      expect(await range({})).toEqual(data);
      expect(await range({ start: 10, end: 19 })).toEqual(data.subarray(10, 20));
      expect(await range({ start: 90 })).toEqual(data.subarray(90));
      expect(await range({ end: 4 })).toEqual(data.subarray(0, 5));
      expect(await range({ start: 42, end: 42 })).toEqual(data.subarray(42, 43));
      expect(await range({ start: 95, end: 500 })).toEqual(data.subarray(95));
      expect(await range({ start: 100 })).toEqual(Buffer.alloc(0));
      expect(await range({ start: 1000 })).toEqual(Buffer.alloc(0));
    });

    it('reads an empty file as nothing', async () => {
      const d = folder();
      await b.write(`${d}/empty`, Buffer.alloc(0));
      expect(await bytesOf(await b.read(`${d}/empty`))).toEqual(Buffer.alloc(0));
      expect((await b.stat(`${d}/empty`))?.size).toBe(0);
    });

    it('a missing file is not-found, a folder is-a-directory, a reversed range is refused', async () => {
      const d = folder();
      await b.write(`${d}/f`, Buffer.from('abc'));
      expect(await code(b.read(`${d}/missing`))).toBe('not-found');
      expect(await code(b.read(d))).toBe('is-a-directory');
      await expect(b.read(`${d}/f`, { start: 2, end: 1 })).rejects.toThrow();
    });

    it('streams an 8 MB file both ways intact', async () => {
      const d = folder();
      const chunks = Array.from({ length: 128 }, (_, i) => pattern(64 * 1024, i));
      const sha = (bufs: Buffer[]) => bufs.reduce((h, c) => h.update(c), createHash('sha256')).digest('hex');
      const entry = await b.write(`${d}/big.bin`, Readable.from(chunks));
      expect(entry.size).toBe(8 * 1024 * 1024);
      expect(sha([await bytesOf(await b.read(`${d}/big.bin`))])).toBe(sha(chunks));
    });
  });

  describe('write', () => {
    it('takes a Uint8Array, a Readable or an async iterable, and returns the new entry', async () => {
      const d = folder();
      expect(await b.write(`${d}/u8`, new Uint8Array([1, 2, 3]))).toMatchObject({ path: `${d}/u8`, name: 'u8', type: 'file', size: 3 });
      expect(await b.write(`${d}/stream`, Readable.from([Buffer.from('ab'), Buffer.from('cd')]))).toMatchObject({ size: 4 });
      expect(await b.write(`${d}/iter`, slowSource(10, 3, 0))).toMatchObject({ size: 10 });
      expect(await text(`${d}/stream`)).toBe('abcd');
    });

    it('creates missing parent folders', async () => {
      const d = folder();
      await b.write(`${d}/x/y/z.txt`, Buffer.from('deep'));
      expect(await b.stat(`${d}/x/y`)).toMatchObject({ type: 'directory' });
      expect(await text(`${d}/x/y/z.txt`)).toBe('deep');
    });

    it('replaces a file by default; overwrite: false refuses with exists and keeps the old content', async () => {
      const d = folder();
      await b.write(`${d}/f`, Buffer.from('old'));
      await b.write(`${d}/f`, Buffer.from('newer'));
      expect(await text(`${d}/f`)).toBe('newer');
      expect(await code(b.write(`${d}/f`, Buffer.from('nope'), { overwrite: false }))).toBe('exists');
      expect(await text(`${d}/f`)).toBe('newer');
      await b.write(`${d}/g`, Buffer.from('fresh'), { overwrite: false });
      expect(await text(`${d}/g`)).toBe('fresh');
      expect(await fx.rawNames(d)).toEqual(expect.arrayContaining(['f', 'g']));
      expect(await fx.rawNames(d)).toHaveLength(2);
    });

    it('overwrite: false refuses an existing name before reading any of the body (the caller may still use it)', async () => {
      const d = folder();
      await b.write(`${d}/f`, Buffer.from('old'));
      let pulled = 0;
      const body = new Readable({
        read() {
          pulled++;
          this.push(null);
        },
      });
      expect(await code(b.write(`${d}/f`, body, { overwrite: false }))).toBe('exists');
      expect(pulled).toBe(0);
      expect(body.destroyed).toBe(false);
      expect(await code(b.write(`${d}`, Buffer.from('x'), { overwrite: false }))).toBe('exists');
      expect(await text(`${d}/f`)).toBe('old');
    });

    it('overwrite: false never replaces a file another writer made meanwhile: of 8 racing writers of a new name one wins', async () => {
      const d = folder();
      for (const body of [(i: number) => Buffer.from(`writer ${i}`), (i: number) => Readable.from([Buffer.from(`writer ${i}`)])]) {
        const name = `${d}/${typeof body(0) === 'object' && body(0) instanceof Readable ? 'streamed' : 'whole'}`;
        const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => b.write(name, body(i), { overwrite: false })));
        const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
        expect(won).toHaveLength(1);
        for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'exists' });
        expect(await text(name)).toBe(`writer ${won[0]}`);
      }
      await vi.waitFor(async () => expect((await fx.rawNames(d)).sort()).toEqual(['streamed', 'whole']), { timeout: 3000, interval: 100 });
    });

    it('a reader never sees a partial file, and lists never show the write in progress', async () => {
      const d = folder();
      const oldSize = 256 * 1024;
      await b.write(`${d}/data.bin`, Buffer.alloc(oldSize, 0x41));
      // 2 MB in 64 kB pieces, slowly, while the file is read and listed over and over.
      const writing = b.write(`${d}/data.bin`, slowSource(2 * 1024 * 1024, 64 * 1024, 5, 0x42));
      const fresh = b.write(`${d}/new.bin`, slowSource(1024 * 1024, 64 * 1024, 5, 0x43));
      let done = false;
      void Promise.allSettled([writing, fresh]).then(() => (done = true));
      let looks = 0;
      while (!done) {
        // list first, stat after: a file the listing showed must still be there for stat
        const [content, listing] = await Promise.all([bytesOf(await b.read(`${d}/data.bin`)), b.list(d)]);
        const st = await b.stat(`${d}/new.bin`);
        const complete = (content.length === oldSize && content.every((x) => x === 0x41)) || (content.length === 2 * 1024 * 1024 && content.every((x) => x === 0x42));
        expect(complete, `read ${content.length} bytes of a file being replaced`).toBe(true);
        expect(listing.entries.map((e) => e.name).every((n) => n === 'data.bin' || (n === 'new.bin' && st !== null))).toBe(true);
        expect(st === null || st.size === 1024 * 1024).toBe(true);
        looks++;
      }
      await writing;
      await fresh;
      expect(looks).toBeGreaterThan(2);
      expect((await bytesOf(await b.read(`${d}/data.bin`))).every((x) => x === 0x42)).toBe(true);
      expect((await b.list(d)).entries.map((e) => e.name)).toEqual(['data.bin', 'new.bin']);
    });

    it('a failed write leaves nothing behind, and the old file intact', async () => {
      const d = folder();
      await b.write(`${d}/keep.txt`, Buffer.from('old content'));
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield Buffer.alloc(300 * 1024, 1);
        await sleep(10);
        throw new Error('the client went away');
      }
      await expect(b.write(`${d}/keep.txt`, failing())).rejects.toThrow('the client went away');
      await expect(b.write(`${d}/new.txt`, failing())).rejects.toThrow('the client went away');
      expect(await text(`${d}/keep.txt`)).toBe('old content');
      expect(await b.stat(`${d}/new.txt`)).toBeNull();
      // A remote backend may learn of an abandoned upload a moment late; within 3 s it is gone.
      await vi.waitFor(async () => expect(await fx.rawNames(d)).toEqual(['keep.txt']), { timeout: 3000, interval: 100 });
      expect(await b.usage(d)).toBe('old content'.length);
    });

    it('writing onto a folder is-a-directory; writing below a file is not-a-directory', async () => {
      const d = folder();
      await b.mkdir(`${d}/dir`);
      await b.write(`${d}/file`, Buffer.from('x'));
      expect(await code(b.write(`${d}/dir`, Buffer.from('x')))).toBe('is-a-directory');
      expect(await code(b.write(`${d}/file/below`, Buffer.from('x')))).toBe('not-a-directory');
      expect(await b.stat(`${d}/dir`)).toMatchObject({ type: 'directory' });
      expect(await fx.rawNames(d)).toEqual(expect.arrayContaining(['dir', 'file']));
      expect(await fx.rawNames(d)).toHaveLength(2);
    });

    it('writes a file whose name is 255 bytes long (the longest a storage name may be)', async () => {
      const d = folder();
      const name = `${'é'.repeat(100)}${'n'.repeat(55)}`;
      expect(Buffer.byteLength(name)).toBe(255);
      await b.write(`${d}/${name}`, Buffer.from('long'));
      expect(await text(`${d}/${name}`)).toBe('long');
      expect((await b.list(d)).entries.map((e) => e.name)).toEqual([name]);
    });
  });

  describe('mkdir', () => {
    it('makes parents and is idempotent', async () => {
      const d = folder();
      await b.mkdir(`${d}/a/b/c`);
      await b.mkdir(`${d}/a/b/c`);
      expect(await b.stat(`${d}/a/b/c`)).toMatchObject({ type: 'directory' });
    });

    it('where a file is: exists; below a file: not-a-directory', async () => {
      const d = folder();
      await b.write(`${d}/f`, Buffer.from('x'));
      expect(await code(b.mkdir(`${d}/f`))).toBe('exists');
      expect(await code(b.mkdir(`${d}/f/sub`))).toBe('not-a-directory');
      expect(await text(`${d}/f`)).toBe('x');
    });
  });

  describe('move', () => {
    it('renames a file, and moves a folder with its contents to a new parent', async () => {
      const d = folder();
      await b.write(`${d}/a.txt`, Buffer.from('A'));
      await b.move(`${d}/a.txt`, `${d}/b.txt`);
      expect(await b.stat(`${d}/a.txt`)).toBeNull();
      expect(await text(`${d}/b.txt`)).toBe('A');
      await b.write(`${d}/tree/x/y.txt`, Buffer.from('Y'));
      await b.move(`${d}/tree`, `${d}/new/parent/tree`);
      expect(await b.stat(`${d}/tree`)).toBeNull();
      expect(await text(`${d}/new/parent/tree/x/y.txt`)).toBe('Y');
    });

    it('replaces an existing file', async () => {
      const d = folder();
      await b.write(`${d}/src`, Buffer.from('source'));
      await b.write(`${d}/dst`, Buffer.from('destination'));
      await b.move(`${d}/src`, `${d}/dst`);
      expect(await text(`${d}/dst`)).toBe('source');
      expect(await b.stat(`${d}/src`)).toBeNull();
    });

    it('a missing source is not-found; a file onto a folder is-a-directory; a folder into itself is refused', async () => {
      const d = folder();
      await b.write(`${d}/f`, Buffer.from('x'));
      await b.write(`${d}/dir/inside`, Buffer.from('i'));
      expect(await code(b.move(`${d}/missing`, `${d}/x`))).toBe('not-found');
      expect(await code(b.move(`${d}/f`, `${d}/dir`))).toBe('is-a-directory');
      await expect(b.move(`${d}/dir`, `${d}/dir/sub`)).rejects.toThrow();
      expect(await text(`${d}/f`)).toBe('x');
      expect(await text(`${d}/dir/inside`)).toBe('i');
    });
  });

  describe('copy', () => {
    it('copies a file into an independent file, and replaces an existing one', async () => {
      const d = folder();
      await b.write(`${d}/a`, Buffer.from('one'));
      await b.write(`${d}/c`, Buffer.from('to be replaced'));
      await b.copy(`${d}/a`, `${d}/b`);
      await b.copy(`${d}/a`, `${d}/c`);
      await b.write(`${d}/a`, Buffer.from('two'));
      expect(await text(`${d}/b`)).toBe('one');
      expect(await text(`${d}/c`)).toBe('one');
    });

    it('copies a folder tree, and merges into an existing folder', async () => {
      const d = folder();
      await b.write(`${d}/src/1.txt`, Buffer.from('1'));
      await b.write(`${d}/src/sub/2.txt`, Buffer.from('22'));
      await b.mkdir(`${d}/src/empty`);
      await b.copy(`${d}/src`, `${d}/dst`);
      expect(await text(`${d}/dst/1.txt`)).toBe('1');
      expect(await text(`${d}/dst/sub/2.txt`)).toBe('22');
      expect(await b.stat(`${d}/dst/empty`)).toMatchObject({ type: 'directory' });
      await b.write(`${d}/other/own.txt`, Buffer.from('own'));
      await b.copy(`${d}/src`, `${d}/other`);
      expect((await b.list(`${d}/other`)).entries.map((e) => e.name)).toEqual(['1.txt', 'empty', 'own.txt', 'sub']);
      expect(await text(`${d}/src/sub/2.txt`)).toBe('22');
    });

    it('a missing source is not-found; a folder into itself is refused', async () => {
      const d = folder();
      await b.write(`${d}/dir/f`, Buffer.from('f'));
      expect(await code(b.copy(`${d}/missing`, `${d}/x`))).toBe('not-found');
      await expect(b.copy(`${d}/dir`, `${d}/dir/inner`)).rejects.toThrow();
      expect((await b.list(`${d}/dir`)).entries.map((e) => e.name)).toEqual(['f']);
    });
  });

  describe('delete', () => {
    it('deletes a file, and a folder with everything in it', async () => {
      const d = folder();
      await b.write(`${d}/f`, Buffer.from('x'));
      await b.write(`${d}/tree/a/b/c.txt`, Buffer.from('c'));
      await b.delete(`${d}/f`);
      await b.delete(`${d}/tree`);
      expect(await b.stat(`${d}/f`)).toBeNull();
      expect(await b.stat(`${d}/tree`)).toBeNull();
      expect(await fx.rawNames(d)).toEqual([]);
    });

    it('deleting what is not there is not an error; the root cannot be deleted', async () => {
      const d = folder();
      await b.delete(`${d}/never-was`);
      expect(await code(b.delete(''))).toBe('invalid-path');
      expect(await b.stat('')).toMatchObject({ type: 'directory' });
    });
  });

  describe('usage', () => {
    it('sums the bytes of the files under a path; a file is its size, nothing is 0', async () => {
      const d = folder();
      await b.write(`${d}/a`, Buffer.alloc(100));
      await b.write(`${d}/sub/b`, Buffer.alloc(250));
      await b.write(`${d}/sub/deeper/c`, Buffer.alloc(7));
      await b.mkdir(`${d}/empty`);
      expect(await b.usage(d)).toBe(357);
      expect(await b.usage(`${d}/sub`)).toBe(257);
      expect(await b.usage(`${d}/a`)).toBe(100);
      expect(await b.usage(`${d}/missing`)).toBe(0);
    });
  });

  describe('check', () => {
    it('succeeds on a working backend and leaves no probe behind', async () => {
      await b.check();
      expect((await fx.rawNames('')).filter((n) => n.startsWith('.availability'))).toEqual([]);
    });
  });

  describe('hostile paths', () => {
    const hostile: [string, string][] = [
      ['a parent reference', '../escape'],
      ['a parent reference inside', 'a/../../escape'],
      ['an absolute path', '/etc/passwd'],
      ['a NUL byte', 'a\0b'],
      ['a backslash', 'a\\..\\b'],
      ['an empty segment', 'a//b'],
      ['a trailing slash', 'a/'],
      ['a dot segment', 'a/./b'],
      ['a slash look-alike', 'a\u2215..\u2215b'],
      ['a bidi control', 'evil\u202etxt.exe'],
      ['a newline', 'a\nb'],
      ['a 256-byte name', 'x'.repeat(256)],
    ];
    // A real source and target, so only the hostile argument can be the reason to refuse.
    beforeAll(async () => {
      await b.write('ok', Buffer.from('ok'));
    });
    it.each(hostile)('%s is refused before it reaches the backend', async (_what, bad) => {
      const before = fx.requests?.();
      const calls: [string, () => Promise<unknown>][] = [
        ['stat', () => b.stat(bad)],
        ['list', () => b.list(bad)],
        ['read', () => b.read(bad)],
        ['write', () => b.write(bad, Buffer.from('x'))],
        ['mkdir', () => b.mkdir(bad)],
        ['move from', () => b.move(bad, 'ok')],
        ['move to', () => b.move('ok', bad)],
        ['copy from', () => b.copy(bad, 'ok')],
        ['copy to', () => b.copy('ok', bad)],
        ['delete', () => b.delete(bad)],
        ['usage', () => b.usage(bad)],
      ];
      for (const [name, call] of calls) {
        const err = await call().then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, `${name} accepted ${JSON.stringify(bad)}`).toBeInstanceOf(InvalidPathError);
      }
      if (before !== undefined) expect(fx.requests?.()).toBe(before);
      expect(await fx.rawNames('')).not.toContain('escape');
    });
  });
});
