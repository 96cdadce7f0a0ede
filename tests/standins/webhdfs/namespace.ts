import type { WriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { mkdir, open, readdir, rename, rm, stat, truncate, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { Remote } from './remote-error.js';

/**
 * The HDFS namespace of the WebHDFS stand-in: real files in a temporary directory, plus
 * what HDFS keeps and a plain directory does not (owner, group, permission, replication,
 * block size, file id). Operations follow the semantics of the HDFS namenode (permission
 * checks of FSPermissionChecker, rename vs rename2, mkdirs, delete) as far as vocloud's
 * backend and its tests can observe them. It is a stand-in for tests, not Hadoop.
 */
export interface Meta {
  owner: string;
  group: string;
  /** Permission bits, e.g. 0o755. */
  permission: number;
  replication: number;
  blockSize: number;
  fileId: number;
}

export interface Status {
  path: string;
  type: 'FILE' | 'DIRECTORY';
  length: number;
  modificationTime: number;
  accessTime: number;
  meta: Meta;
}

type Access = 'READ' | 'WRITE' | 'EXECUTE' | 'READ_EXECUTE' | 'ALL';
const BITS: Record<Access, number> = { READ: 4, WRITE: 2, EXECUTE: 1, READ_EXECUTE: 5, ALL: 7 };

export const MAX_COMPONENT_BYTES = 255;
const DEFAULT_BLOCK_SIZE = 134217728;

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

function parent(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function childPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

function mode(type: 'FILE' | 'DIRECTORY', p: number): string {
  const rwx = (b: number) => `${b & 4 ? 'r' : '-'}${b & 2 ? 'w' : '-'}${b & 1 ? 'x' : '-'}`;
  return `${type === 'DIRECTORY' ? 'd' : '-'}${rwx(p >> 6)}${rwx(p >> 3)}${rwx(p)}`;
}

export class Namespace {
  private readonly meta = new Map<string, Meta>();
  private nextFileId = 16386;
  /** Renames one at a time: a NameNode checks and renames under its namesystem write lock. */
  private renaming: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dir: string,
    readonly superuser: string,
    readonly supergroup: string,
    private readonly groups: Readonly<Record<string, readonly string[]>>,
  ) {
    this.meta.set('/', this.newMeta(superuser, 0o755, 0, 0));
  }

  private newMeta(owner: string, permission: number, replication: number, blockSize: number): Meta {
    return { owner, group: this.supergroup, permission, replication, blockSize, fileId: this.nextFileId++ };
  }

  /** A decoded WebHDFS path, checked as DFSUtil.isValidName does; returns it normalised. */
  static normalise(raw: string): string {
    if (!raw.startsWith('/')) throw Remote.invalidPath(`Invalid path name Path is not absolute: ${raw}`);
    const parts = raw.split('/').filter((s) => s !== '');
    for (const s of parts) {
      if (s === '.' || s === '..' || s.includes(':') || s.includes('\0')) throw Remote.invalidPath(`Invalid path name Invalid file name: ${raw}`);
    }
    return `/${parts.join('/')}`;
  }

  osPath(path: string): string {
    return path === '/' ? this.dir : join(this.dir, ...path.slice(1).split('/'));
  }

  private metaOf(path: string, type: 'FILE' | 'DIRECTORY'): Meta {
    let m = this.meta.get(path);
    if (!m) {
      // A file put into the directory by a test: owned by the superuser.
      m = this.newMeta(this.superuser, type === 'DIRECTORY' ? 0o755 : 0o644, type === 'DIRECTORY' ? 0 : 3, type === 'DIRECTORY' ? 0 : DEFAULT_BLOCK_SIZE);
      this.meta.set(path, m);
    }
    return m;
  }

  /** The status of a path, or null. A file in the middle of the path means "not there", as in HDFS. */
  async status(path: string): Promise<Status | null> {
    let st;
    try {
      st = await stat(this.osPath(path));
    } catch (err) {
      if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return null;
      throw err;
    }
    const type = st.isDirectory() ? 'DIRECTORY' : 'FILE';
    const meta = this.metaOf(path, type);
    const mtime = Math.floor(st.mtimeMs);
    return { path, type, length: type === 'FILE' ? st.size : 0, modificationTime: mtime, accessTime: type === 'FILE' ? mtime : 0, meta };
  }

  /** Entries in a folder (0 for a file): FileStatus.childrenNum, and "is it empty". */
  async childrenNum(st: Status): Promise<number> {
    return st.type === 'DIRECTORY' ? (await readdir(this.osPath(st.path))).length : 0;
  }

  private isSuper(user: string): boolean {
    return user === this.superuser || (this.groups[user] ?? []).includes(this.supergroup);
  }

  /** FSPermissionChecker: one inode against one access, owner/group/other bits; the superuser passes. */
  private checkInode(user: string, st: Status, access: Access): void {
    if (this.isSuper(user)) return;
    const p = st.meta.permission;
    const bits = user === st.meta.owner ? (p >> 6) & 7 : (this.groups[user] ?? []).includes(st.meta.group) ? (p >> 3) & 7 : p & 7;
    if ((bits & BITS[access]) === BITS[access]) return;
    throw Remote.accessControl(
      `Permission denied: user=${user}, access=${access}, inode="${st.path}":${st.meta.owner}:${st.meta.group}:${mode(st.type, p)}`,
    );
  }

  /** Execute (traverse) on every existing ancestor folder of `path`; a file on the way is ParentNotDirectory. */
  private async traverse(user: string, path: string): Promise<Status | null> {
    const parts = path.split('/').filter(Boolean);
    let cur = '/';
    for (let i = 0; i < parts.length; i++) {
      const st = await this.status(cur);
      if (!st) return null;
      if (st.type !== 'DIRECTORY') throw Remote.parentNotDirectory(`${cur} (is not a directory)`);
      this.checkInode(user, st, 'EXECUTE');
      cur = childPath(cur, parts[i] as string);
    }
    return this.status(path);
  }

  /** The nearest existing ancestor (or the path itself), with ParentNotDirectory for a file on the way. */
  private async nearestExisting(path: string): Promise<Status> {
    let cur = path;
    for (;;) {
      const st = await this.status(cur);
      if (st) return st;
      cur = parent(cur);
    }
  }

  private checkComponents(path: string): void {
    for (const s of path.split('/').filter(Boolean)) {
      const len = Buffer.byteLength(s);
      if (len > MAX_COMPONENT_BYTES) {
        throw Remote.componentTooLong(
          `The maximum path component name limit of ${s} in directory ${parent(path)} is exceeded: limit=${MAX_COMPONENT_BYTES} length=${len}`,
        );
      }
    }
  }

  async getFileStatus(user: string, path: string): Promise<Status> {
    const st = await this.traverse(user, path).catch((err: unknown) => {
      // getFileInfo reports a file on the way as "does not exist".
      if ((err as { exception?: string }).exception === 'ParentNotDirectoryException') return null;
      throw err;
    });
    if (!st) throw Remote.notFound(`File does not exist: ${path}`);
    return st;
  }

  /** The children of a folder in HDFS order, or the file itself (pathSuffix '') for a file. */
  async listing(user: string, path: string): Promise<{ self: Status | null; names: string[] }> {
    const st = await this.getFileStatus(user, path);
    if (st.type === 'FILE') return { self: st, names: [] };
    this.checkInode(user, st, 'READ_EXECUTE');
    // Sort by UTF-8 bytes, each name encoded once.
    const names = (await readdir(this.osPath(path)))
      .map((n) => ({ n, k: Buffer.from(n) }))
      .sort((a, b) => Buffer.compare(a.k, b.k))
      .map((e) => e.n);
    return { self: null, names };
  }

  async contentSummary(user: string, path: string): Promise<{ directoryCount: number; fileCount: number; length: number; spaceConsumed: number }> {
    const st = await this.getFileStatus(user, path);
    const sum = { directoryCount: 0, fileCount: 0, length: 0, spaceConsumed: 0 };
    const walk = async (s: Status): Promise<void> => {
      if (s.type === 'FILE') {
        sum.fileCount++;
        sum.length += s.length;
        sum.spaceConsumed += s.length * s.meta.replication;
        return;
      }
      this.checkInode(user, s, 'READ_EXECUTE');
      sum.directoryCount++;
      for (const n of await readdir(this.osPath(s.path))) {
        const c = await this.status(childPath(s.path, n));
        if (c) await walk(c);
      }
    };
    await walk(st);
    return sum;
  }

  async mkdirs(user: string, path: string, permission: number): Promise<void> {
    this.checkComponents(path);
    const existing = await this.traverse(user, path);
    if (existing) {
      if (existing.type !== 'DIRECTORY') throw Remote.exists(`Path is not a directory: ${path}`);
      return;
    }
    const anchor = await this.nearestExisting(path);
    if (anchor.type !== 'DIRECTORY') throw Remote.parentNotDirectory(`${anchor.path} (is not a directory)`);
    this.checkInode(user, anchor, 'WRITE');
    // Create each missing folder, owned by the caller.
    const missing: string[] = [];
    for (let cur = path; cur !== anchor.path; cur = parent(cur)) missing.unshift(cur);
    for (const m of missing) {
      // The owner is recorded before the folder appears: a request that sees the folder in
      // between must not take it for one a test put there (the superuser's), as the namenode
      // makes a folder and its owner in one step under its lock. A racing request that
      // recorded first owns the folder, as its creator would.
      const mine = !this.meta.has(m);
      if (mine) this.meta.set(m, this.newMeta(user, m === path ? permission : 0o755, 0, 0));
      try {
        await mkdir(this.osPath(m));
      } catch (err) {
        // Another request made it meanwhile (the namenode serialises this; we just accept it).
        if (errno(err) !== 'EEXIST' || (await this.status(m))?.type !== 'DIRECTORY') {
          if (mine) this.meta.delete(m);
          throw err;
        }
      }
    }
  }

  /** CREATE as the datanode runs it (the checks of ClientProtocol.create), returning a stream to write. */
  async create(
    user: string,
    path: string,
    o: { overwrite: boolean; permission: number; replication: number; blockSize: number },
  ): Promise<WriteStream> {
    this.checkComponents(path);
    const existing = await this.traverse(user, path);
    if (existing?.type === 'DIRECTORY') throw Remote.exists(`${path} already exists as a directory`);
    if (existing && !o.overwrite) throw Remote.exists(`${path} for client 127.0.0.1 already exists`);
    const dir = parent(path);
    if (!(await this.status(dir))) await this.mkdirs(user, dir, 0o755);
    const parentStatus = await this.getFileStatus(user, dir);
    if (parentStatus.type !== 'DIRECTORY') throw Remote.parentNotDirectory(`${dir} (is not a directory)`);
    this.checkInode(user, parentStatus, 'WRITE');
    this.meta.set(path, this.newMeta(user, o.permission, o.replication, o.blockSize));
    // The file exists once create() returns, as after the namenode's create RPC.
    const handle = await open(this.osPath(path), 'w');
    return handle.createWriteStream();
  }

  async append(user: string, path: string): Promise<WriteStream> {
    const st = await this.getFileStatus(user, path);
    if (st.type === 'DIRECTORY') throw Remote.notFound(`Failed to append to non-existent file ${path} for client 127.0.0.1`);
    this.checkInode(user, st, 'WRITE');
    const handle = await open(this.osPath(path), 'a');
    return handle.createWriteStream();
  }

  /**
   * OPEN as the datanode runs it; `length` null means to the end. The file is opened first and
   * its size taken from the open file, so the answer is one version of it even if the name is
   * replaced meanwhile (as a datanode reads the blocks the namenode named).
   */
  async open(user: string, path: string, offset: number, length: number | null): Promise<{ size: number; stream: () => Readable }> {
    const st = await this.getFileStatus(user, path);
    if (st.type === 'DIRECTORY') throw Remote.notFound(`Path is not a file: ${path}`);
    this.checkInode(user, st, 'READ');
    let handle;
    try {
      handle = await open(this.osPath(path), 'r');
    } catch {
      throw Remote.notFound(`File does not exist: ${path}`);
    }
    const fileLength = (await handle.stat()).size;
    if (offset > fileLength) {
      await handle.close();
      throw Remote.ioException(`Offset=${offset} out of the range [0, ${fileLength}); OPEN, path=${path}`);
    }
    const size = Math.min(length ?? Infinity, fileLength - offset);
    if (size === 0) {
      await handle.close();
      return { size, stream: () => Readable.from([]) };
    }
    return { size, stream: () => handle.createReadStream({ start: offset, end: offset + size - 1 }) };
  }

  /** Truncate a file to `length` bytes (used by the short-write fault). */
  async truncateTo(path: string, length: number): Promise<void> {
    await truncate(this.osPath(path), length);
  }

  private async checkSubtree(user: string, st: Status, access: Access): Promise<void> {
    if (st.type !== 'DIRECTORY') return;
    this.checkInode(user, st, access);
    for (const n of await readdir(this.osPath(st.path))) {
      const c = await this.status(childPath(st.path, n));
      if (c) await this.checkSubtree(user, c, access);
    }
  }

  async delete(user: string, path: string, recursive: boolean): Promise<boolean> {
    const st = await this.traverse(user, path).catch(() => null);
    if (!st || path === '/') return false;
    const p = await this.getFileStatus(user, parent(path));
    this.checkInode(user, p, 'WRITE');
    if (st.type === 'DIRECTORY' && (await this.childrenNum(st)) > 0) {
      if (!recursive) throw Remote.notEmpty(`\`${path} is non empty': Directory is not empty`);
      await this.checkSubtree(user, st, 'ALL');
    }
    await rm(this.osPath(path), { recursive: true, force: true });
    this.forget(path);
    return true;
  }

  private forget(path: string): void {
    for (const k of [...this.meta.keys()]) if (k === path || k.startsWith(`${path}/`)) this.meta.delete(k);
  }

  private moveMeta(from: string, to: string): void {
    const moved: [string, Meta][] = [];
    for (const [k, v] of this.meta) if (k === from || k.startsWith(`${from}/`)) moved.push([to + k.slice(from.length), v]);
    this.forget(from);
    for (const [k, v] of moved) this.meta.set(k, v);
  }

  /** The deprecated rename (no renameoptions): answers false instead of failing, moves *into* a folder. */
  rename(user: string, src: string, dst: string): Promise<boolean> {
    const done = this.renaming.then(() => this.renameNow(user, src, dst));
    this.renaming = done.catch(() => undefined);
    return done;
  }

  private async renameNow(user: string, src: string, dst: string): Promise<boolean> {
    const s = await this.traverse(user, src).catch(() => null);
    if (!s || src === '/') return false;
    if (dst === src) return true;
    if (dst.startsWith(`${src}/`)) return false;
    let target = dst;
    const d = await this.traverse(user, dst).catch(() => null);
    if (d) {
      if (d.type !== 'DIRECTORY') return false;
      target = childPath(dst, src.slice(src.lastIndexOf('/') + 1));
      if (await this.status(target)) return false;
    }
    const tp = await this.status(parent(target));
    if (!tp || tp.type !== 'DIRECTORY') return false;
    this.checkComponents(target);
    this.checkInode(user, await this.getFileStatus(user, parent(src)), 'WRITE');
    this.checkInode(user, tp, 'WRITE');
    await rename(this.osPath(src), this.osPath(target));
    this.moveMeta(src, target);
    return true;
  }

  /** rename2 (renameoptions NONE or OVERWRITE): POSIX-like, fails with an exception; atomic, as in HDFS. */
  rename2(user: string, src: string, dst: string, overwrite: boolean): Promise<void> {
    const done = this.renaming.then(() => this.rename2Now(user, src, dst, overwrite));
    this.renaming = done.catch(() => undefined);
    return done;
  }

  private async rename2Now(user: string, src: string, dst: string, overwrite: boolean): Promise<void> {
    const s = await this.traverse(user, src);
    if (!s) throw Remote.notFound(`rename source ${src} is not found.`);
    if (dst === src) throw Remote.exists(`The source ${src} and destination ${dst} are the same`);
    if (dst.startsWith(`${src}/`)) throw Remote.ioException(`Rename destination ${dst} is a directory or file under source ${src}`);
    this.checkComponents(dst);
    const dp = await this.traverse(user, parent(dst)).catch((err: unknown) => {
      if ((err as { exception?: string }).exception === 'ParentNotDirectoryException') throw Remote.parentNotDirectory(`rename destination parent ${parent(dst)} is a file.`);
      throw err;
    });
    if (!dp) throw Remote.notFound(`rename destination parent ${parent(dst)} not found.`);
    if (dp.type !== 'DIRECTORY') throw Remote.parentNotDirectory(`rename destination parent ${parent(dst)} is a file.`);
    const d = await this.status(dst);
    if (d) {
      if (!overwrite) throw Remote.exists(`rename destination ${dst} already exists.`);
      if (s.type === 'DIRECTORY' && d.type !== 'DIRECTORY') throw Remote.ioException(`Source ${src} and destination ${dst} must both be directories`);
      if (s.type !== 'DIRECTORY' && d.type === 'DIRECTORY') throw Remote.ioException(`Source ${src} and destination ${dst} must both be files`);
      if (d.type === 'DIRECTORY' && (await this.childrenNum(d)) > 0) throw Remote.ioException(`rename destination directory is not empty: ${dst}`);
    }
    this.checkInode(user, await this.getFileStatus(user, parent(src)), 'WRITE');
    this.checkInode(user, dp, 'WRITE');
    // rename(2) replaces a file, or an empty folder, in one step, as rename2 does in the namespace.
    if (d) this.forget(dst);
    await rename(this.osPath(src), this.osPath(dst));
    this.moveMeta(src, dst);
  }

  /** For tests: make a folder owned by `owner` (as the superuser would with mkdir + chown). */
  async preset(path: string, owner: string, permission = 0o755): Promise<void> {
    await this.mkdirs(this.superuser, path, permission);
    const m = this.meta.get(path);
    if (m) m.owner = owner;
  }

  /** For tests: whether an OS-level entry exists (used to look behind the protocol). */
  async exists(path: string): Promise<boolean> {
    try {
      await lstat(this.osPath(path));
      return true;
    } catch {
      return false;
    }
  }
}
