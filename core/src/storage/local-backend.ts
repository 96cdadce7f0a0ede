import { createReadStream, type Stats } from 'node:fs';
import { cp, link, lstat, mkdir, readdir, realpath, rename, rm, stat, access, writeFile, unlink } from 'node:fs/promises';
import { constants } from 'node:fs';
import { basename, dirname, join, relative, isAbsolute, sep } from 'node:path';
import { randomBytes, randomFillSync } from 'node:crypto';
import { Readable } from 'node:stream';
import { isMainThread } from 'node:worker_threads';
import { NO_HARD_LINKS, errno, taken } from './small-file.js';
import { SmallFileWriter } from './small-file-writer.js';
import { statColumns } from './stat-columns.js';
import { DIRECTORY, GONE, vanished, type StatColumns } from './stat-task.js';
import {
  StorageError,
  storagePath,
  type ListOptions,
  type ListPage,
  type ReadOptions,
  type StorageBackend,
  type StorageEntry,
  type WriteOptions,
  streamToNewFile,
} from '@vocloud/sdk';

const SAFE_DIR_TTL_MS = 5_000;

/**
 * Bodies up to this size, given whole, are written by the writer thread when not on the main
 * thread (see writeSmall).
 */
const SMALL_WRITE_MAX = 1024 * 1024;

/** Large chunks: fewer syscalls and event-loop turns per gigabyte. */
const IO_CHUNK = 1024 * 1024;

/** Full listings of recently listed folders, valid while the folder's own mtime is unchanged
 *  (every write is a rename into the folder, which changes it) and for a few seconds at most. */
const LISTING_TTL_MS = 10_000;

/** Folders this large get their sort keys gathered ahead (see `prefetch`); smaller ones cost
 *  little to gather when asked (3,000 entries: ~20 ms). */
const PREFETCH_FROM = 10_000;

async function exists(full: string): Promise<boolean> {
  try {
    await access(full, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/** The file system's refusals as StorageError codes (core maps those to 4xx); others pass. */
function fsError(err: unknown, path: string, making: 'parent' | 'target' = 'target'): unknown {
  // mkdir -p over a file says EEXIST: for a parent that means "a file is in the way".
  if (making === 'parent' && errno(err) === 'EEXIST') return new StorageError('not-a-directory', `a part of '${path}' is a file, not a folder`);
  switch (errno(err)) {
    case 'EEXIST':
    case 'ENOTEMPTY':
      return new StorageError('exists', `'${path}' already exists`);
    case 'ENOTDIR':
      return new StorageError('not-a-directory', `a part of '${path}' is a file, not a folder`);
    case 'EISDIR':
      return new StorageError('is-a-directory', `'${path}' is a folder`);
    default:
      return err;
  }
}

// Temporary files of atomic writes: `<name>.part-<12 hex>`, the name cut so the whole fits 255 bytes.
// The 48 random bits come from a pool filled 4 kB at a time (an import writes thousands of
// files; one getrandom per name showed in its profile). They are opened with O_EXCL, so a name
// that somehow exists, or a symlink planted at it, makes the write fail instead of following it.
const TEMP = /\.part-[0-9a-f]{12}$/;
const randomPool = Buffer.alloc(4096);
let randomAt = randomPool.length;
function tempName(name: string): string {
  if (randomAt + 6 > randomPool.length) {
    randomFillSync(randomPool);
    randomAt = 0;
  }
  const suffix = `.part-${randomPool.toString('hex', randomAt, (randomAt += 6))}`;
  // a UTF-16 unit is at most 3 UTF-8 bytes: most names fit without being measured
  if (name.length * 3 + suffix.length <= 255) return name + suffix;
  const chars = Array.from(name);
  while (Buffer.byteLength(chars.join('')) + suffix.length > 255) chars.pop();
  return chars.join('') + suffix;
}

/** The entry of a file just written (no stat: its size is known, its time is now). */
function writtenFile(p: string, size: number): StorageEntry {
  return { path: p, name: p.split('/').pop() ?? '', type: 'file', size, modified: new Date() };
}

/**
 * Put a finished temporary file in place. With `noReplace` (overwrite: false) it becomes a hard
 * link, which fails with EEXIST when the name exists: a file another writer made after the
 * check is never replaced (two uploads of one new name: one wins, the other is told). Then the
 * temporary name goes; the inode stays, so nothing is freed. Where hard links are refused, a
 * look at the name and a rename is the best there is.
 */
async function placeFile(tmp: string, full: string, noReplace: boolean): Promise<void> {
  if (noReplace) {
    try {
      await link(tmp, full);
      await unlink(tmp);
      return;
    } catch (err) {
      if (!NO_HARD_LINKS.has(errno(err) ?? '')) throw err;
    }
    if (await lookAt(full)) throw taken(full);
  }
  await rename(tmp, full);
}

/** lstat, with null for a missing path. */
async function lookAt(full: string): Promise<Stats | null> {
  try {
    return await lstat(full);
  } catch (err) {
    if (errno(err) === 'ENOENT') return null;
    throw err;
  }
}

/** This thread's writer thread, started on first use. */
let writer: SmallFileWriter | null = null;
function smallFileWriter(): SmallFileWriter {
  return (writer ??= new SmallFileWriter());
}

/**
 * Storage on a local (or NFS-mounted) directory. Paths are checked by `storagePath` and, on
 * every access, the real path must stay under the root, so a symlink cannot lead outside.
 * Writes go to a temporary file in the same folder and are renamed into place.
 */
export class LocalStorageBackend implements StorageBackend {
  readonly kind = 'local';
  private realRoot: string | null = null;

  /**
   * `smallWrites`: 'thread' writes small whole bodies in this thread's writer thread
   * (writeSmall); by default only off the main thread, i.e. in the executor threads that run
   * jobs. 'none': every write takes the general path.
   * `prefetch`: listing a large folder by name also gathers its entries' sizes and times in
   * the background (folderListing); by default only on the main thread, which serves the file
   * manager. Jobs list folders by name to read them, and would only pay for it.
   */
  constructor(
    readonly root: string,
    private readonly smallWrites: 'thread' | 'none' = isMainThread ? 'none' : 'thread',
    private readonly prefetch: boolean = isMainThread,
  ) {}

  private async rootReal(): Promise<string> {
    if (this.realRoot === null) {
      await mkdir(this.root, { recursive: true });
      this.realRoot = await realpath(this.root);
    }
    return this.realRoot;
  }

  /** The OS path of a storage path; refuses anything whose real location leaves the root. */
  /** Folders whose real path was checked to stay under the root, until when. Nothing vocloud
   *  does creates symlinks, so a short memory saves a realpath walk per operation. */
  private readonly safeDirs = new Map<string, number>();

  private rememberSafe(dir: string): void {
    this.safeDirs.set(dir, Date.now() + SAFE_DIR_TTL_MS);
    if (this.safeDirs.size > 10_000) this.safeDirs.delete(this.safeDirs.keys().next().value!);
  }

  private async osPath(path: string, mustExist = false): Promise<string> {
    return (await this.locate(path, mustExist)).full;
  }

  /**
   * The OS path of a storage path, checked to stay under the root. `st` is what a look at the
   * path itself found on the way: its lstat (not a symlink), null when it does not exist, or
   * undefined when it was not looked at.
   */
  private async locate(path: string, mustExist = false): Promise<{ full: string; st: Stats | null | undefined }> {
    const p = storagePath(path);
    const root = await this.rootReal();
    const full = p === '' ? root : join(root, ...p.split('/'));
    const parent = dirname(full);
    if (full !== root && this.isSafe(parent, root)) {
      // The folder is known to be safe: only the last component needs a look.
      try {
        const st = await lookAt(full);
        if (st === null) {
          if (mustExist) throw new StorageError('not-found', `'${path}' does not exist`);
          return { full, st: null };
        }
        if (!st.isSymbolicLink()) return { full, st };
      } catch (err) {
        if (errno(err) !== 'ENOTDIR') throw err;
      }
    }
    // Resolve the deepest existing ancestor: a symlink anywhere on the way must not escape.
    let probe = full;
    let real: string | null = null;
    while (real === null) {
      try {
        real = await realpath(probe);
      } catch (err) {
        if (errno(err) !== 'ENOENT' && errno(err) !== 'ENOTDIR') throw err;
        if (probe === root) throw err;
        probe = dirname(probe);
      }
    }
    const rel = relative(root, real);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw new StorageError('invalid-path', `invalid path '${path}': leads outside the storage area (symbolic link)`);
    }
    if (mustExist && probe !== full) throw new StorageError('not-found', `'${path}' does not exist`);
    if (probe === full && full !== root) this.rememberSafe(parent);
    else if (probe !== root && (await stat(probe)).isDirectory()) this.rememberSafe(probe);
    return { full, st: probe === full ? undefined : null };
  }

  /** A folder was removed or moved away: forget it and everything below it. */
  private forgetSafe(full: string): void {
    for (const dir of this.safeDirs.keys()) if (dir === full || dir.startsWith(full + sep)) this.safeDirs.delete(dir);
  }

  private isSafe(dir: string, root: string): boolean {
    return dir === root || (this.safeDirs.get(dir) ?? 0) > Date.now();
  }


  localPath(path: string): string | null {
    const p = storagePath(path);
    return p === '' ? this.root : join(this.root, ...p.split('/'));
  }

  private entry(path: string, st: { isDirectory(): boolean; size: number; mtime: Date }): StorageEntry {
    const p = storagePath(path);
    return {
      path: p,
      name: p.split('/').pop() ?? '',
      type: st.isDirectory() ? 'directory' : 'file',
      size: st.isDirectory() ? 0 : st.size,
      modified: st.mtime,
    };
  }

  async stat(path: string): Promise<StorageEntry | null> {
    const { full, st } = await this.locate(path);
    if (st === null) return null;
    if (st) return this.entry(path, st); // lstat of something that is not a link is its stat
    try {
      return this.entry(path, await stat(full));
    } catch (err) {
      if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return null;
      throw err;
    }
  }


  async list(path: string, options: ListOptions = {}): Promise<ListPage> {
    const full = await this.osPath(path, true);
    const base = storagePath(path);
    const sortBy = options.sortBy ?? 'name';
    const order: 1 | -1 = options.order === 'desc' ? -1 : 1;
    const offset = Math.max(0, options.offset ?? 0);
    const limit = Math.max(0, options.limit ?? 1000);
    const child = (n: string) => (base ? `${base}/${n}` : n);
    const hide = options.hideSuffix || undefined;
    if (sortBy !== 'name') {
      const { names, columns, order: byKey, count } = await this.folderListing(full, path);
      const entries = [...byKey(sortBy, order, hide).subarray(offset, offset + limit)].map((i): StorageEntry => {
        const name = names[i]!;
        return { path: child(name), name, type: columns.kind[i] === DIRECTORY ? 'directory' : 'file', size: columns.size[i]!, modified: new Date(columns.mtime[i]!) };
      });
      return { entries, total: count(hide) };
    }
    // Only the page is stat()ed: a page of a 100,000-file folder costs one readdir and a sort.
    const dirMtime = this.prefetch ? (await stat(full)).mtimeMs : 0;
    const names = await this.readNames(full, path);
    if (this.prefetch && names.length >= PREFETCH_FROM) {
      // A large folder opened in the file manager may be sorted by size or time next: gather
      // what that needs now, in threads, while the user reads the first page.
      this.folderListing(full, path, { dirMtime, names: names.slice() }).catch(() => undefined);
    }
    const shown = hide ? names.filter((n) => !n.endsWith(hide)) : names;
    shown.sort((a, b) => (a < b ? -order : a > b ? order : 0));
    const page = shown.slice(offset, offset + limit);
    const entries = (await Promise.all(page.map(async (n) => this.statChild(full, n, child(n))))).filter((e): e is StorageEntry => e !== null);
    return { entries, total: shown.length };
  }

  private readonly listings = new Map<string, { dirMtime: number; at: number; listing: Promise<FolderListing> }>();

  private async readNames(full: string, path: string): Promise<string[]> {
    try {
      return (await readdir(full)).filter((n) => !TEMP.test(n));
    } catch (err) {
      if (errno(err) === 'ENOTDIR') throw new StorageError('not-a-directory', `'${path}' is not a folder`);
      throw err;
    }
  }

  private async statChild(dir: string, name: string, path: string): Promise<StorageEntry | null> {
    try {
      return this.entry(path, await stat(join(dir, name)));
    } catch (err) {
      if (vanished(err)) return null;
      throw err;
    }
  }

  /**
   * Every entry of a folder with its size and time (for sorting by them), cached per folder
   * while the folder's mtime is unchanged, for LISTING_TTL_MS at most. The mtime is read
   * before the names: a change after that changes it, so no listing outlives its key.
   */
  private async folderListing(full: string, path: string, ahead?: { dirMtime: number; names: string[] }): Promise<FolderListing> {
    const dirMtime = ahead?.dirMtime ?? (await stat(full)).mtimeMs;
    const hit = this.listings.get(full);
    if (hit && hit.dirMtime === dirMtime && Date.now() - hit.at < LISTING_TTL_MS) return hit.listing;
    const listing = (async () => {
      const names = ahead?.names ?? (await this.readNames(full, path));
      names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)); // ties in size or time go by name
      return folderListing(names, await statColumns(full, names, { background: ahead !== undefined }));
    })();
    this.listings.set(full, { dirMtime, at: Date.now(), listing });
    listing.catch(() => {
      if (this.listings.get(full)?.listing === listing) this.listings.delete(full);
    });
    if (this.listings.size > 32) this.listings.delete(this.listings.keys().next().value!);
    return listing;
  }

  async read(path: string, options: ReadOptions = {}): Promise<Readable> {
    const full = await this.osPath(path, true);
    const st = await stat(full);
    if (st.isDirectory()) throw new StorageError('is-a-directory', `'${path}' is a folder`);
    return createReadStream(full, { start: options.start, end: options.end, highWaterMark: IO_CHUNK });
  }

  async write(path: string, source: Readable | AsyncIterable<Uint8Array> | Uint8Array, options: WriteOptions = {}): Promise<StorageEntry> {
    const root = await this.rootReal();
    if (this.smallWrites !== 'none' && source instanceof Uint8Array && source.byteLength <= SMALL_WRITE_MAX) {
      const written = await this.writeSmall(root, path, source, options);
      if (written) return written;
    }
    const { full, st } = await this.locate(path);
    if (options.overwrite === false && (st || (st === undefined && (await exists(full))))) {
      throw new StorageError('exists', `'${path}' already exists`);
    }
    const dir = dirname(full);
    if (!this.isSafe(dir, root)) {
      try {
        await mkdir(dir, { recursive: true });
      } catch (err) {
        throw fsError(err, path, 'parent');
      }
    }
    // Written under a temporary name and put in place (placeFile): readers never see half a
    // file, and a symlink at the name is replaced, never written through.
    const tmp = join(dir, tempName(basename(full)));
    let size = 0;
    let written = false;
    try {
      if (source instanceof Uint8Array) {
        await writeFile(tmp, source, { flag: 'wx' });
        size = source.byteLength;
      } else {
        size = await streamToNewFile(source instanceof Readable ? source : Readable.from(source), tmp, IO_CHUNK);
      }
      written = true;
      await placeFile(tmp, full, options.overwrite === false);
    } catch (err) {
      // EEXIST before the write: O_EXCL refused the temporary name, which is not ours to remove.
      if (written || errno(err) !== 'EEXIST') await rm(tmp, { force: true });
      throw fsError(err, path);
    }
    return writtenFile(storagePath(path), size);
  }

  /**
   * A small body into a folder known to be safe, in one message to the writer thread, which
   * makes the synchronous calls of small-file.ts. Only off the main thread, in the executor
   * threads that run jobs: an import writes thousands of small files. Each asynchronous call
   * (a hand-off to libuv's pool and back, a promise, an Error per ENOENT) cost more CPU than
   * the system call it wraps; made synchronously in the job's thread, the calls took half of
   * its CPU on ext4, and that thread is an import's bottleneck (docs/plugins/datasources.md,
   * Benchmark). Returns null where the general path must decide: a folder not yet checked or
   * made, a symbolic link or something odd on the way, a name taken.
   */
  private async writeSmall(root: string, path: string, body: Uint8Array, options: WriteOptions): Promise<StorageEntry | null> {
    const p = storagePath(path);
    if (p === '') return null;
    const full = join(root, ...p.split('/'));
    const dir = dirname(full);
    if (!this.isSafe(dir, root)) return null;
    const tmp = join(dir, tempName(basename(full)));
    const noReplace = options.overwrite === false;
    try {
      const outcome = await smallFileWriter().write(tmp, full, body, noReplace);
      return outcome === 'written' ? writtenFile(p, body.byteLength) : null;
    } catch (err) {
      throw fsError(err, path);
    }
  }

  async mkdir(path: string): Promise<void> {
    const full = await this.osPath(path);
    try {
      await mkdir(full, { recursive: true });
    } catch (err) {
      throw fsError(err, path);
    }
    // locate checked where the path leads and mkdir adds plain folders, but mkdir -p also
    // succeeds on a symlink to a folder that appeared after the check: remembered only when
    // the name is a folder itself. Then the first writes into a new folder (an import's,
    // several at once) skip the realpath walk.
    if ((await lookAt(full))?.isDirectory()) this.rememberSafe(full);
  }

  async move(from: string, to: string): Promise<void> {
    const src = await this.osPath(from, true);
    const dst = await this.osPath(to);
    try {
      await mkdir(dirname(dst), { recursive: true });
    } catch (err) {
      throw fsError(err, to, 'parent');
    }
    this.forgetSafe(src);
    try {
      await rename(src, dst);
    } catch (err) {
      throw fsError(err, to);
    }
  }

  async copy(from: string, to: string): Promise<void> {
    const src = await this.osPath(from, true);
    const dst = await this.osPath(to);
    await mkdir(dirname(dst), { recursive: true });
    await cp(src, dst, { recursive: true, errorOnExist: false, force: true, verbatimSymlinks: true });
  }

  async delete(path: string): Promise<void> {
    const full = await this.osPath(path);
    if (full === (await this.rootReal())) throw new StorageError('invalid-path', 'refusing to delete the storage root');
    try {
      const st = await lstat(full);
      if (st.isDirectory()) {
        this.forgetSafe(full);
        await rm(full, { recursive: true, force: true });
      } else await unlink(full);
    } catch (err) {
      if (errno(err) !== 'ENOENT') throw err;
    }
  }

  async usage(path: string): Promise<number> {
    const full = await this.osPath(path);
    let total = 0;
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (errno(err) === 'ENOENT') return;
        if (errno(err) === 'ENOTDIR') {
          total += (await stat(dir)).size;
          return;
        }
        throw err;
      }
      for (const e of entries) {
        const p = dir + sep + e.name;
        if (e.isDirectory()) await walk(p);
        else if (e.isFile()) total += (await lstat(p)).size;
      }
    };
    await walk(full);
    return total;
  }

  async check(): Promise<void> {
    const root = await this.rootReal();
    const probe = join(root, `.availability-${randomBytes(4).toString('hex')}`);
    await writeFile(probe, 'ok');
    await unlink(probe);
  }
}

interface FolderListing {
  readonly names: readonly string[];
  readonly columns: StatColumns;
  /** Indexes of the entries still there (but names ending with `hide`), by size or time, ties by name (ascending either way). */
  order(sortBy: 'size' | 'modified', direction: 1 | -1, hide?: string): Uint32Array;
  /** How many names the folder has, but those ending with `hide`. */
  count(hide?: string): number;
}

/**
 * A folder's entries (names sorted, columns aligned with them) and the orders asked of it so
 * far: paging through a large folder sorted by size sorts it once, not once per page.
 */
function folderListing(names: readonly string[], columns: StatColumns): FolderListing {
  const orders = new Map<string, Uint32Array>();
  return {
    names,
    columns,
    count(hide) {
      return hide ? names.reduce((n, name) => (name.endsWith(hide) ? n : n + 1), 0) : names.length;
    },
    order(sortBy, direction, hide) {
      const id = `${sortBy}${direction}${hide ?? ''}`;
      let order = orders.get(id);
      if (!order) {
        const key = sortBy === 'size' ? columns.size : columns.mtime;
        order = new Uint32Array(names.length);
        let n = 0;
        for (let i = 0; i < names.length; i++) if (columns.kind[i] !== GONE && !(hide && names[i]!.endsWith(hide))) order[n++] = i;
        order = order.subarray(0, n).sort((a, b) => (key[a]! - key[b]!) * direction || a - b);
        orders.set(id, order);
      }
      return order;
    },
  };
}
