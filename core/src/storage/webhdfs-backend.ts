import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  InvalidPathError,
  StorageError,
  storageName,
  storagePath,
  type ListOptions,
  type ListPage,
  type ReadOptions,
  type StorageBackend,
  type StorageEntry,
  type WriteOptions,
} from '@vocloud/sdk';
import { WebHdfsClient } from './webhdfs/client.js';
import { WebHdfsError } from './webhdfs/errors.js';
import type { FileStatus } from './webhdfs/protocol.js';
import type { Source } from './webhdfs/streams.js';

const Octal = (description: string, def: string) => Type.String({ pattern: '^[01]?[0-7]{3}$', default: def, description });

/** `storage.webhdfs` in the configuration. Times are in seconds, like the rest of the config. */
export const WebHdfsOptionsSchema = Type.Object(
  {
    url: Type.String({
      pattern: '^https?://',
      description: 'WebHDFS endpoint of the active namenode or of HttpFS, e.g. http://namenode:9870 (the /webhdfs/v1 prefix is added when missing)',
    }),
    root: Type.String({
      pattern: '^/',
      default: '/user/vocloud/storage',
      description: 'Absolute HDFS folder that holds all vocloud storage; created on first use',
    }),
    user: Type.Optional(Type.String({ minLength: 1, description: 'user.name sent on every request (clusters without Kerberos)' })),
    delegationToken: Type.Optional(
      Type.String({ minLength: 1, description: 'Hadoop delegation token, URL-safe encoded, sent as delegation= (secure clusters); used instead of user' }),
    ),
    connectTimeout: Type.Number({ default: 10, exclusiveMinimum: 0, description: 'Seconds to open a connection to the namenode or a datanode' }),
    requestTimeout: Type.Number({ default: 30, exclusiveMinimum: 0, description: 'Seconds one metadata request to the namenode may take, answer included' }),
    dataTimeout: Type.Number({
      default: 60,
      exclusiveMinimum: 0,
      description: 'Seconds a datanode may stay silent during a transfer (no answer, no bytes sent or taken) before it fails',
    }),
    datanodeHosts: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: 'Rewrite host:port of datanode redirects, e.g. {"dn1.cluster.internal:9864": "10.1.2.3:9864"}, when cluster-internal names do not resolve here',
    }),
    replication: Type.Optional(Type.Integer({ minimum: 1, maximum: 32767, description: 'Replication of new files; default: the cluster default' })),
    blockSize: Type.Optional(Type.Integer({ minimum: 1, description: 'Block size of new files in bytes; default: the cluster default' })),
    filePermission: Octal('Octal permission of new files', '644'),
    dirPermission: Octal('Octal permission of new folders', '755'),
    listBatch: Type.Boolean({
      default: true,
      description: 'Page folders with LISTSTATUS_BATCH (Hadoop >= 2.8); false, or a server that refuses it, lists with LISTSTATUS',
    }),
    csrfHeader: Type.Optional(Type.String({ minLength: 1, description: 'Header to send on writes when the cluster has dfs.webhdfs.rest-csrf.enabled (usually X-XSRF-HEADER)' })),
    copyConcurrency: Type.Integer({ default: 4, minimum: 1, maximum: 64, description: 'Files copied at once when a folder is copied' }),
  },
  { additionalProperties: false },
);

export type WebHdfsOptions = Static<typeof WebHdfsOptionsSchema>;
/** What a caller must give; everything else has a default. */
export type WebHdfsOptionsInput = Pick<WebHdfsOptions, 'url'> & Partial<WebHdfsOptions>;

// Temporary files of atomic writes: `<name>.part-<12 hex>` beside the target, hidden from lists.
const TEMP = /\.part-[0-9a-f]{12}$/;
const MAX_NAME_BYTES = 255; // HDFS dfs.namenode.fs-limits.max-component-length default
const LATE_DISCARD_MS = 1000;

function tempName(name: string): string {
  const suffix = `.part-${randomBytes(6).toString('hex')}`;
  const chars = Array.from(name);
  while (Buffer.byteLength(chars.join('')) + suffix.length > MAX_NAME_BYTES) chars.pop();
  return chars.join('') + suffix;
}

function isVisibleName(name: string): boolean {
  if (name === '' || TEMP.test(name)) return false;
  try {
    return storageName(name) === name;
  } catch {
    // A name no storage path can address (written by another HDFS client): not listable here.
    return false;
  }
}

function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Run `tasks` with at most `n` at a time; the first failure stops new ones and is thrown. */
async function pool<T>(items: readonly T[], n: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown = null;
  const worker = async () => {
    while (failed === null && next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  if (failed !== null) throw failed;
}

/**
 * Storage on HDFS through WebHDFS or HttpFS. Storage paths live under `root`; writes go to a
 * temporary name in the same folder and are renamed into place, so a reader sees the old
 * file or the new one, never a part. Data always flows between vocloud and a datanode;
 * the namenode only answers metadata and redirects.
 */
export class WebHdfsStorageBackend implements StorageBackend {
  readonly kind = 'webhdfs';
  readonly options: WebHdfsOptions;
  readonly client: WebHdfsClient;
  private readonly root: string;
  private rootReady: Promise<void> | null = null;
  private batchSupported: boolean;

  constructor(options: WebHdfsOptionsInput) {
    const o = Value.Default(WebHdfsOptionsSchema, Value.Clone(options)) as WebHdfsOptions;
    const problem = Value.Errors(WebHdfsOptionsSchema, o).First();
    if (problem) throw new Error(`storage.webhdfs${problem.path.replace(/\//g, '.')}: ${problem.message}`);
    this.options = o;
    const root = o.root.replace(/\/+$/, '');
    if (root.split('/').some((s, i) => i > 0 && (s === '' || s === '.' || s === '..'))) {
      throw new Error(`storage.webhdfs.root: '${o.root}' must be a plain absolute HDFS path`);
    }
    this.root = root;
    this.batchSupported = o.listBatch;
    this.client = new WebHdfsClient({
      url: o.url,
      user: o.user,
      delegationToken: o.delegationToken,
      connectTimeoutMs: o.connectTimeout * 1000,
      requestTimeoutMs: o.requestTimeout * 1000,
      dataTimeoutMs: o.dataTimeout * 1000,
      datanodeHosts: o.datanodeHosts,
      csrfHeader: o.csrfHeader,
    });
  }

  /** The absolute HDFS path of a storage path (checked by storagePath and for HDFS's own name rules). */
  hdfsPath(path: string): string {
    const p = storagePath(path);
    if (p.includes(':')) throw new InvalidPathError(path, "HDFS does not allow ':' in names");
    if (p === '') return this.root === '' ? '/' : this.root;
    return `${this.root}/${p}`;
  }

  /** The storage root exists before anything else happens (as the local backend creates its root). */
  private ready(): Promise<void> {
    this.rootReady ??= this.client.mkdirs(this.root === '' ? '/' : this.root, this.options.dirPermission).catch((err: unknown) => {
      this.rootReady = null;
      throw err;
    });
    return this.rootReady;
  }

  localPath(): string | null {
    return null;
  }

  private entry(p: string, st: FileStatus): StorageEntry {
    const dir = st.type === 'DIRECTORY';
    return { path: p, name: baseName(p), type: dir ? 'directory' : 'file', size: dir ? 0 : st.length, modified: new Date(st.modificationTime) };
  }

  async stat(path: string): Promise<StorageEntry | null> {
    const h = this.hdfsPath(path);
    await this.ready();
    const st = await this.client.getFileStatus(h);
    return st ? this.entry(storagePath(path), st) : null;
  }

  /** The visible children of a folder in the namenode's order; errors for a missing path or a file. */
  private async children(p: string, h: string, enough = Infinity): Promise<{ statuses: FileStatus[]; remaining: number }> {
    const notDir = () => new StorageError('not-a-directory', `'${p}' is not a folder`);
    const notFound = () => new StorageError('not-found', `'${p}' does not exist`);
    const isSelf = (list: FileStatus[]) => list.length === 1 && list[0]?.pathSuffix === '' && list[0].type !== 'DIRECTORY';
    try {
      if (this.batchSupported) {
        const statuses: FileStatus[] = [];
        let startAfter: string | undefined;
        for (;;) {
          let batch: { entries: FileStatus[]; remaining: number };
          try {
            batch = await this.client.listStatusBatch(h, startAfter);
          } catch (err) {
            // Hadoop before 2.8 does not know the operation (400 IllegalArgumentException).
            if (startAfter === undefined && err instanceof WebHdfsError && err.detail.status === 400) {
              this.batchSupported = false;
              return this.children(p, h, enough);
            }
            throw err;
          }
          if (startAfter === undefined && isSelf(batch.entries)) throw notDir();
          for (const st of batch.entries) if (isVisibleName(st.pathSuffix)) statuses.push(st);
          const last = batch.entries.at(-1)?.pathSuffix;
          // Stop when done, when the caller has enough, or if a server does not advance.
          if (batch.remaining <= 0 || last === undefined || last === startAfter || statuses.length >= enough) {
            return { statuses, remaining: Math.max(0, batch.remaining) };
          }
          startAfter = last;
        }
      }
      const all = await this.client.listStatus(h);
      if (isSelf(all)) throw notDir();
      return { statuses: all.filter((st) => isVisibleName(st.pathSuffix)), remaining: 0 };
    } catch (err) {
      if (err instanceof WebHdfsError && err.code === 'not-found') throw notFound();
      throw err;
    }
  }

  async list(path: string, options: ListOptions = {}): Promise<ListPage> {
    const h = this.hdfsPath(path);
    const p = storagePath(path);
    await this.ready();
    const sortBy = options.sortBy ?? 'name';
    const order = options.order === 'desc' ? -1 : 1;
    const offset = Math.max(0, options.offset ?? 0);
    const limit = Math.max(0, options.limit ?? 1000);
    const hide = options.hideSuffix || undefined;
    // Name order ascending is the namenode's own order: read only as far as the page needs
    // (with names hidden, the total needs them all).
    const enough = sortBy === 'name' && order === 1 && !hide ? offset + limit : Infinity;
    const { statuses, remaining } = await this.children(p, h, enough);
    const all = statuses.filter((st) => !(hide && st.pathSuffix.endsWith(hide))).map((st) => this.entry(p ? `${p}/${st.pathSuffix}` : st.pathSuffix, st));
    // The same order as the local backend: names by code unit; ties in size or time by name.
    if (sortBy === 'name') all.sort((a, b) => (a.name < b.name ? -order : a.name > b.name ? order : 0));
    else {
      const key = sortBy === 'size' ? (e: StorageEntry) => e.size : (e: StorageEntry) => e.modified.getTime();
      all.sort((a, b) => (key(a) - key(b)) * order || (a.name < b.name ? -1 : 1));
    }
    return { entries: all.slice(offset, offset + limit), total: all.length + remaining };
  }

  async read(path: string, options: ReadOptions = {}): Promise<Readable> {
    const h = this.hdfsPath(path);
    const p = storagePath(path);
    const start = options.start ?? 0;
    const end = options.end ?? Infinity;
    if (!Number.isInteger(start) || start < 0 || (end !== Infinity && (!Number.isInteger(end) || end < 0))) {
      throw new RangeError(`invalid byte range ${start}-${options.end ?? ''} for '${p}'`);
    }
    if (end < start) throw new RangeError(`invalid byte range for '${p}': start ${start} is after end ${end}`);
    await this.ready();
    const st = await this.client.getFileStatus(h);
    if (!st) throw new StorageError('not-found', `'${p}' does not exist`);
    if (st.type === 'DIRECTORY') throw new StorageError('is-a-directory', `'${p}' is a folder`);
    // The length is known before the first byte: the datanode must send this much, unless the
    // file was replaced in between (then the datanode sends the new one, whole, and a second
    // look at the file says so). Asking for the old length to the end would cut a new, longer
    // file short — so to the end means no `length`.
    const bytesOf = (size: number) => Math.max(0, Math.min(end, size - 1) - start + 1);
    const expected = bytesOf(st.length);
    if (expected === 0) {
      return new Readable({
        read() {
          this.push(null);
        },
      });
    }
    return this.client.open(h, {
      offset: start,
      length: end === Infinity ? undefined : end - start + 1,
      expected,
      recheck: async () => {
        const now = await this.client.getFileStatus(h);
        return now && now.type !== 'DIRECTORY' ? bytesOf(now.length) : 0;
      },
    });
  }

  async write(path: string, source: Source, options: WriteOptions = {}): Promise<StorageEntry> {
    const h = this.hdfsPath(path);
    const p = storagePath(path);
    if (p === '') throw new StorageError('is-a-directory', 'the storage root is a folder');
    const overwrite = options.overwrite !== false;
    await this.ready();
    const existing = await this.client.getFileStatus(h);
    if (existing && !overwrite) throw new StorageError('exists', `'${p}' already exists`);
    if (existing?.type === 'DIRECTORY') throw new StorageError('is-a-directory', `'${p}' is a folder`);
    const parent = parentOf(h) || '/';
    const tmp = `${parent === '/' ? '' : parent}/${tempName(baseName(h))}`;
    try {
      // CREATE makes missing parent folders itself; a file on the way is ParentNotDirectory.
      const sent = await this.client.create(tmp, source, {
        overwrite: false,
        permission: this.options.filePermission,
        replication: this.options.replication,
        blocksize: this.options.blockSize,
      });
      const st = await this.client.getFileStatus(tmp);
      if (!st || st.length !== sent) {
        throw new WebHdfsError('io', `WebHDFS CREATE ${tmp}: the datanode stored ${st?.length ?? 'no'} bytes of the ${sent} sent`, {
          op: 'CREATE',
          path: tmp,
          server: 'datanode',
        });
      }
      await this.replace(tmp, h, p, overwrite);
      return this.entry(p, st);
    } catch (err) {
      await this.discard(tmp);
      throw this.forPath(err, p);
    }
  }

  /**
   * APPEND to an existing file (WebHDFS's two-step POST). Not part of StorageBackend and not
   * atomic: for logs and other files that grow; readers may see the file between appends.
   */
  async append(path: string, source: Source): Promise<StorageEntry> {
    const h = this.hdfsPath(path);
    const p = storagePath(path);
    await this.ready();
    try {
      await this.client.append(h, source);
    } catch (err) {
      throw this.forPath(err, p);
    }
    const st = await this.client.getFileStatus(h);
    if (!st) throw new StorageError('not-found', `'${p}' does not exist`);
    return this.entry(p, st);
  }

  /** Rename `src` onto `dst`: atomically with rename2 where the server has it, else delete-then-rename. */
  private async replace(src: string, dst: string, p: string, overwrite: boolean): Promise<void> {
    const r = await this.client.rename(src, dst, overwrite ? 'OVERWRITE' : 'NONE');
    if (r === 'done' || r === true) return;
    // The server ignored renameoptions (HttpFS) and its old rename refused: find out why.
    const there = await this.client.getFileStatus(dst);
    if (there && !overwrite) throw new StorageError('exists', `'${p}' already exists`);
    if (there) {
      await this.client.delete(dst, false);
      if ((await this.client.rename(src, dst)) === true) return;
    }
    throw new WebHdfsError('io', `WebHDFS RENAME ${src} to ${dst}: the namenode refused (answered false)`, { op: 'RENAME', path: src, server: 'namenode' });
  }

  /**
   * Best effort: remove a temporary file after a failed write. When there was nothing to
   * delete, the datanode may still be about to create it (an upload we gave up on, whose
   * request it is only now handling), so look once more a moment later.
   */
  private async discard(tmp: string): Promise<void> {
    try {
      if (await this.client.delete(tmp, false)) return;
      const again = setTimeout(() => void this.client.delete(tmp, false).catch(() => undefined), LATE_DISCARD_MS);
      again.unref();
    } catch {
      // The write already failed with a better error; a leftover temporary name stays hidden.
    }
  }

  /** Say the storage path, not the HDFS path, in the messages clients see (4xx codes). */
  private forPath(err: unknown, p: string): unknown {
    if (!(err instanceof WebHdfsError)) return err;
    switch (err.code) {
      case 'not-found':
        return new StorageError('not-found', `'${p}' does not exist`);
      case 'not-a-directory':
        return new StorageError('not-a-directory', `a parent of '${p}' is a file, not a folder`);
      case 'exists':
        return new StorageError('exists', `'${p}' already exists`);
      case 'invalid-path':
        return new InvalidPathError(p, `refused by HDFS: ${err.message.slice(err.message.lastIndexOf(': ') + 2)}`);
      default:
        return err;
    }
  }

  async mkdir(path: string): Promise<void> {
    const h = this.hdfsPath(path);
    const p = storagePath(path);
    await this.ready();
    try {
      await this.client.mkdirs(h, this.options.dirPermission);
    } catch (err) {
      if (err instanceof WebHdfsError && err.code === 'exists') throw new StorageError('exists', `'${p}' already exists and is a file`);
      throw this.forPath(err, p);
    }
  }

  async move(from: string, to: string): Promise<void> {
    const hf = this.hdfsPath(from);
    const ht = this.hdfsPath(to);
    const f = storagePath(from);
    const t = storagePath(to);
    if (f === '' || t === '') throw new StorageError('invalid-path', 'the storage root cannot be moved or replaced');
    if (t.startsWith(`${f}/`)) throw new StorageError('invalid-path', `cannot move '${f}' into itself ('${t}')`);
    await this.ready();
    const src = await this.client.getFileStatus(hf);
    if (!src) throw new StorageError('not-found', `'${f}' does not exist`);
    if (f === t) return;
    const dst = await this.client.getFileStatus(ht);
    // POSIX rename, as the local backend does: replace a file, or an empty folder by a folder.
    if (dst?.type === 'DIRECTORY' && src.type !== 'DIRECTORY') throw new StorageError('is-a-directory', `'${t}' is a folder`);
    if (dst && dst.type !== 'DIRECTORY' && src.type === 'DIRECTORY') throw new StorageError('not-a-directory', `'${t}' is a file`);
    if (dst?.type === 'DIRECTORY' && (await this.children(t, ht, 1)).statuses.length > 0) {
      throw new StorageError('exists', `'${t}' is a folder that is not empty`);
    }
    try {
      await this.client.mkdirs(parentOf(ht) || '/', this.options.dirPermission);
      await this.replace(hf, ht, t, true);
    } catch (err) {
      throw this.forPath(err, t);
    }
  }

  async copy(from: string, to: string): Promise<void> {
    const hf = this.hdfsPath(from);
    const ht = this.hdfsPath(to);
    const f = storagePath(from);
    const t = storagePath(to);
    if (f === t) throw new StorageError('invalid-path', `cannot copy '${f}' onto itself`);
    if (f === '' || t.startsWith(`${f}/`)) throw new StorageError('invalid-path', `cannot copy '${f}' into itself ('${t}')`);
    await this.ready();
    const src = await this.client.getFileStatus(hf);
    if (!src) throw new StorageError('not-found', `'${f}' does not exist`);
    if (src.type !== 'DIRECTORY') {
      await this.copyFile(f, t);
      return;
    }
    const dst = await this.client.getFileStatus(ht);
    if (dst && dst.type !== 'DIRECTORY') throw new StorageError('not-a-directory', `'${t}' is a file`);
    // Walk the tree first (folders made as found), then copy the files a few at a time.
    const files: [string, string][] = [];
    const walk = async (sf: string, st: string): Promise<void> => {
      await this.mkdir(st);
      const { statuses } = await this.children(sf, this.hdfsPath(sf));
      for (const s of statuses) {
        const a = `${sf}/${s.pathSuffix}`;
        const b = `${st}/${s.pathSuffix}`;
        if (s.type === 'DIRECTORY') await walk(a, b);
        else files.push([a, b]);
      }
    };
    await walk(f, t);
    await pool(files, this.options.copyConcurrency, ([a, b]) => this.copyFile(a, b));
  }

  /** WebHDFS has no server-side copy: stream the bytes through, atomically as any write. */
  private async copyFile(from: string, to: string): Promise<void> {
    const input = await this.read(from);
    try {
      await this.write(to, input);
    } finally {
      input.destroy();
    }
  }

  async delete(path: string): Promise<void> {
    const h = this.hdfsPath(path);
    if (storagePath(path) === '') throw new StorageError('invalid-path', 'refusing to delete the storage root');
    await this.ready();
    // false means "was not there", which is not an error here.
    await this.client.delete(h, true);
  }

  async usage(path: string): Promise<number> {
    const h = this.hdfsPath(path);
    await this.ready();
    return (await this.client.contentLength(h)) ?? 0;
  }

  async check(): Promise<void> {
    await this.ready();
    // A real write through a datanode: the namenode alone answering is not "available".
    const probe = `${this.root}/.availability-${randomBytes(4).toString('hex')}`;
    try {
      await this.client.create(probe, Buffer.from('ok'), { overwrite: true, permission: this.options.filePermission });
    } finally {
      await this.discard(probe);
    }
  }

  /** Close the connection pool (not part of StorageBackend; for shutdown and tests). */
  async close(): Promise<void> {
    await this.client.close();
  }
}
