import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { StorageError, sourceStream, storageName, type ListOptions, type ResultSource, type StorageBackend, type StorageEntry } from '@vocloud/sdk';
import { BadRequestError, NotFoundError, PhaseConflictError } from '../uws/errors.js';
import { displayPath, resolveUserPath, type JobOwnerLookup, type PathActor, type ResolvedPath } from './areas.js';

/** How usage is charged; in the server it is UsageService, in an executor thread a request to it. */
export interface Accounting {
  charge(ownerId: string | null, bytes: number): Promise<void>;
  credit(ownerId: string | null, bytes: number): Promise<void>;
}

/** An entry as the owner sees it: `path` is a user path (`~/a/b.fits`). */
export type UserEntry = StorageEntry;

/**
 * File operations on user paths with the owner's rights and exact quota accounting, for the
 * file API and for `ctx.storage` in executor threads. Writes go to a temporary name first and
 * are charged before they replace anything, so a refused write loses nothing.
 */
export class StorageOps {
  constructor(
    private readonly backend: StorageBackend,
    private readonly accounting: Accounting,
    private readonly jobOwner: JobOwnerLookup,
  ) {}

  resolve(actor: PathActor, path: string, mode: 'read' | 'write'): Promise<ResolvedPath> {
    return resolveUserPath(actor, path, mode, this.jobOwner);
  }

  /** Backend errors speak of backend paths (`home/alice/…`); say `~/…` to the user. */
  private async on<T>(r: ResolvedPath, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof StorageError && err.message.includes(r.backend)) {
        throw new StorageError(err.code, err.message.split(r.backend).join(r.user.display));
      }
      throw err;
    }
  }

  private userEntry(base: ResolvedPath, e: StorageEntry): UserEntry {
    return { ...e, path: displayPath(base, e.path) };
  }

  async stat(actor: PathActor, path: string): Promise<UserEntry | null> {
    const r = await this.resolve(actor, path, 'read');
    const e = await this.on(r, () => this.backend.stat(r.backend));
    if (e) return this.userEntry(r, e);
    // an area root that was never written to exists as an empty folder
    if (r.user.rest === '' || (r.user.area === 'home' && r.user.rest === '')) return { path: r.user.display, name: r.user.display, type: 'directory', size: 0, modified: new Date(0) };
    return null;
  }

  async require(actor: PathActor, path: string): Promise<UserEntry> {
    const e = await this.stat(actor, path);
    if (!e) throw new NotFoundError(`${path.slice(0, 200)} does not exist`);
    return e;
  }

  async list(actor: PathActor, path: string, options: ListOptions = {}): Promise<{ entries: UserEntry[]; total: number }> {
    const r = await this.resolve(actor, path, 'read');
    const st = await this.on(r, () => this.backend.stat(r.backend));
    if (!st) {
      if (r.user.rest === '') return { entries: [], total: 0 };
      throw new NotFoundError(`${r.user.display} does not exist`);
    }
    if (st.type !== 'directory') throw new BadRequestError(`${r.user.display} is a file, not a folder`);
    const page = await this.backend.list(r.backend, options);
    return { entries: page.entries.filter((e) => !isTemporary(e.name)).map((e) => this.userEntry(r, e)), total: page.total };
  }

  /** Every file under `path` (or `path` itself), sorted, at most `limit`. */
  async files(actor: PathActor, path: string, limit = 100_000): Promise<UserEntry[]> {
    const r = await this.resolve(actor, path, 'read');
    const out: UserEntry[] = [];
    const walk = async (backendPath: string): Promise<void> => {
      const e = await this.backend.stat(backendPath);
      if (!e || out.length >= limit) return;
      if (e.type === 'file') {
        out.push(this.userEntry(r, e));
        return;
      }
      for (let offset = 0; ; offset += 1000) {
        const page = await this.backend.list(backendPath, { offset, limit: 1000 });
        for (const child of page.entries) if (!isTemporary(child.name)) await walk(child.path);
        if (offset + 1000 >= page.total || out.length >= limit) break;
      }
    };
    await walk(r.backend);
    return out;
  }

  /** A file's entry, and a way to open it (with a range) without resolving it again. */
  async openFile(actor: PathActor, path: string): Promise<{ entry: UserEntry; open: (range?: { start?: number; end?: number }) => Promise<Readable> }> {
    const r = await this.resolve(actor, path, 'read');
    const e = await this.on(r, () => this.backend.stat(r.backend));
    if (!e) throw new NotFoundError(`${r.user.display} does not exist`);
    if (e.type === 'directory') throw new BadRequestError(`${r.user.display} is a folder; download it as a zip`);
    return { entry: this.userEntry(r, e), open: (range = {}) => this.on(r, () => this.backend.read(r.backend, range)) };
  }

  async read(actor: PathActor, path: string, range: { start?: number; end?: number } = {}): Promise<{ entry: UserEntry; stream: Readable }> {
    const r = await this.resolve(actor, path, 'read');
    const e = await this.on(r, () => this.backend.stat(r.backend));
    if (!e) throw new NotFoundError(`${r.user.display} does not exist`);
    if (e.type === 'directory') throw new BadRequestError(`${r.user.display} is a folder; download it as a zip`);
    return { entry: this.userEntry(r, e), stream: await this.on(r, () => this.backend.read(r.backend, range)) };
  }

  /** The OS path of a file on local storage (null for other backends). */
  localPath(resolved: ResolvedPath): string | null {
    return this.backend.localPath(resolved.backend);
  }

  async write(actor: PathActor, path: string, source: ResultSource, options: { overwrite?: boolean } = {}): Promise<UserEntry> {
    const r = await this.resolve(actor, path, 'write');
    if (r.user.rest === '') throw new BadRequestError('give a file name');
    const body = source instanceof Uint8Array ? source : sourceStream(source);
    // Most writes make a new file: try that first (one look at the name, in the backend, which
    // refuses an existing name before it reads the body). The backend's write is atomic, and if
    // the quota then says no, removing the file loses nothing (no earlier version existed). A
    // name that another writer took while the body was being sent is an error: that body is gone.
    const created = await this.on(r, () => this.backend.write(r.backend, body, { overwrite: false })).catch((err: unknown) => {
      if (err instanceof StorageError && err.code === 'exists' && !(body instanceof Readable && body.readableDidRead)) return null;
      throw err;
    });
    if (created) {
      try {
        if (r.chargeTo) await this.accounting.charge(r.chargeTo.ownerId, created.size);
      } catch (err) {
        await this.backend.delete(r.backend);
        throw err;
      }
      return this.userEntry(r, created);
    }
    const existing = await this.on(r, () => this.backend.stat(r.backend));
    if (existing?.type === 'directory') throw new PhaseConflictError(`${r.user.display} is a folder`);
    if (existing && options.overwrite === false) throw new PhaseConflictError(`${r.user.display} already exists`);
    // Replacing a file: write beside it and charge the difference before it is replaced.
    const dir = r.backend.slice(0, r.backend.lastIndexOf('/'));
    const temp = `${dir}/${storageName(`.upload-${randomBytes(6).toString('hex')}`)}`; // matches isTemporary
    const written = await this.backend.write(temp, body);
    try {
      if (r.chargeTo) await this.accounting.charge(r.chargeTo.ownerId, written.size - (existing?.size ?? 0));
    } catch (err) {
      await this.backend.delete(temp);
      throw err;
    }
    await this.backend.move(temp, r.backend);
    return this.userEntry(r, { ...written, path: r.backend, name: r.backend.split('/').pop()! });
  }

  async mkdir(actor: PathActor, path: string): Promise<void> {
    const r = await this.resolve(actor, path, 'write');
    const e = await this.backend.stat(r.backend);
    if (e?.type === 'file') throw new PhaseConflictError(`${r.user.display} is a file`);
    await this.backend.mkdir(r.backend);
  }

  async delete(actor: PathActor, path: string): Promise<void> {
    const r = await this.resolve(actor, path, 'write');
    if (r.user.rest === '') throw new BadRequestError('refusing to delete a whole area');
    const e = await this.backend.stat(r.backend);
    if (!e) throw new NotFoundError(`${r.user.display} does not exist`);
    const bytes = e.type === 'file' ? e.size : await this.backend.usage(r.backend);
    await this.backend.delete(r.backend);
    if (r.chargeTo) await this.accounting.credit(r.chargeTo.ownerId, bytes);
  }

  /** Move or rename; between areas the bytes move between quotas. */
  async move(actor: PathActor, from: string, to: string, options: { overwrite?: boolean } = {}): Promise<UserEntry> {
    const src = await this.resolve(actor, from, 'write');
    const dst = await this.resolve(actor, to, 'write');
    if (src.user.rest === '' || dst.user.rest === '') throw new BadRequestError('an area itself cannot be moved or replaced');
    if (dst.backend === src.backend || dst.backend.startsWith(`${src.backend}/`)) throw new BadRequestError('cannot move a folder into itself');
    const e = await this.backend.stat(src.backend);
    if (!e) throw new NotFoundError(`${src.user.display} does not exist`);
    const target = await this.backend.stat(dst.backend);
    if (target && options.overwrite !== true) throw new PhaseConflictError(`${dst.user.display} already exists`);
    if (target?.type === 'directory') throw new PhaseConflictError(`${dst.user.display} is a folder`);
    const bytes = e.type === 'file' ? e.size : await this.backend.usage(src.backend);
    const sameOwner = (src.chargeTo?.ownerId ?? '\0') === (dst.chargeTo?.ownerId ?? '\0') && !!src.chargeTo === !!dst.chargeTo;
    if (!sameOwner && dst.chargeTo) await this.accounting.charge(dst.chargeTo.ownerId, bytes - (target?.size ?? 0));
    try {
      await this.backend.move(src.backend, dst.backend);
    } catch (err) {
      if (!sameOwner && dst.chargeTo) await this.accounting.credit(dst.chargeTo.ownerId, bytes - (target?.size ?? 0));
      throw err;
    }
    if (!sameOwner && src.chargeTo) await this.accounting.credit(src.chargeTo.ownerId, bytes);
    if (sameOwner && target && src.chargeTo) await this.accounting.credit(src.chargeTo.ownerId, target.size);
    return (await this.stat(actor, to))!;
  }

  /** Copy a file or folder; the copy counts against the target's quota. */
  async copy(actor: PathActor, from: string, to: string): Promise<UserEntry> {
    const src = await this.resolve(actor, from, 'read');
    const dst = await this.resolve(actor, to, 'write');
    if (dst.user.rest === '') throw new BadRequestError('give a target name');
    if (dst.backend === src.backend || dst.backend.startsWith(`${src.backend}/`)) throw new BadRequestError('cannot copy a folder into itself');
    const e = await this.backend.stat(src.backend);
    if (!e) throw new NotFoundError(`${src.user.display} does not exist`);
    if (await this.backend.stat(dst.backend)) throw new PhaseConflictError(`${dst.user.display} already exists`);
    const bytes = e.type === 'file' ? e.size : await this.backend.usage(src.backend);
    if (dst.chargeTo) await this.accounting.charge(dst.chargeTo.ownerId, bytes);
    try {
      await this.backend.copy(src.backend, dst.backend);
    } catch (err) {
      await this.backend.delete(dst.backend).catch(() => undefined);
      if (dst.chargeTo) await this.accounting.credit(dst.chargeTo.ownerId, bytes);
      throw err;
    }
    return (await this.stat(actor, to))!;
  }

  /** A name in `dir` that does not exist yet: `name.fits`, else `name (1).fits`, `name (2).fits`… */
  async freeName(actor: PathActor, dir: string, name: string): Promise<string> {
    const dot = name.lastIndexOf('.');
    const multi = /\.(fits|fit|fts|vot|xml|csv|txt|tar)\.(gz|bz2|xz)$/i.exec(name);
    const stemEnd = multi ? name.length - multi[0].length : dot > 0 ? dot : name.length;
    const stem = name.slice(0, stemEnd);
    const ext = name.slice(stemEnd);
    for (let i = 0; i < 10_000; i++) {
      const candidate = i === 0 ? name : `${stem} (${i})${ext}`;
      if (!(await this.stat(actor, `${dir}/${candidate}`))) return candidate;
    }
    throw new StorageError('exists', `too many files named like ${name}`);
  }
}

/** Temporary names of writes in progress are never shown. */
export function isTemporary(name: string): boolean {
  return /^\.upload-[0-9a-f]{12}$/.test(name) || /\.part-[0-9a-f]{12}$/.test(name);
}
