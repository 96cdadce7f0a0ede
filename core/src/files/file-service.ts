import { PassThrough, type Readable } from 'node:stream';
import { once } from 'node:events';
import { inject, injectable } from 'tsyringe';
import type { Logger } from 'pino';
import { ZipArchive } from 'archiver';
import { mimeTypeFor, storageName, type ListOptions, type StorageBackend } from '@vocloud/sdk';
import { TOKENS } from '../tokens.js';
import type { LoadedConfig } from '../config/load.js';
import { UsageService } from '../quota/usage-service.js';
import { JobStore } from '../uws/job-store.js';
import { BadRequestError, ForbiddenError, NotFoundError } from '../uws/errors.js';
import type { Actor } from '../uws/model.js';
import { ServerKey } from '../secrets/server-key.js';
import { StorageOps, type UserEntry } from './storage-ops.js';
import { previewOf, type Preview } from './preview.js';
import { SIDECAR, isSidecar, sidecarOf } from './sidecars.js';

/** One file of a multipart upload, in order. */
export interface UploadPart {
  /** The client's file name, possibly with a relative path (folder uploads). */
  readonly filename: string;
  readonly stream: Readable;
  readonly truncated: () => boolean;
}

export interface UploadOutcome {
  readonly path: string;
  readonly size: number;
  /** True when the name was taken and a `name (n).ext` was used. */
  readonly renamed: boolean;
}

/** What a signed URL gives access to. */
interface SignedPayload extends Record<string, unknown> {
  readonly b: string; // backend path
  readonly n: string; // display name
}

/**
 * The file manager: listings, uploads (folders keep their structure, clashes become
 * `name (1).fits`), downloads with ranges, zips of selections, mass download in N parts,
 * signed URLs for SAMP tools, previews — all with the owner's rights and quota.
 */
@injectable()
export class FileService {
  readonly ops: StorageOps;
  private readonly cfg: LoadedConfig['config']['files'];

  constructor(
    @inject(TOKENS.Config) private readonly config: LoadedConfig,
    @inject(TOKENS.Storage) private readonly backend: StorageBackend,
    @inject(UsageService) private readonly usage: UsageService,
    @inject(JobStore) store: JobStore,
    @inject(ServerKey) private readonly key: ServerKey,
    @inject(TOKENS.Logger) private readonly log: Logger,
  ) {
    this.cfg = config.config.files;
    this.ops = new StorageOps(backend, usage, async (id) => {
      const owner = await store.ownerOf(id);
      return owner;
    });
  }

  /**
   * A page of a folder. `provenance`: mark each file that has a provenance sidecar, whether or
   * not the sidecar is on the same page (sorted by size, they seldom are). `hideSidecars`:
   * leave the sidecars out of the pages and the total.
   */
  async list(
    actor: Actor,
    path: string,
    options: ListOptions & { provenance?: boolean; hideSidecars?: boolean },
  ): Promise<{ entries: (UserEntry & { provenance?: boolean })[]; total: number }> {
    const limit = Math.min(options.limit ?? this.cfg.maxListPage, this.cfg.maxListPage);
    const { provenance, hideSidecars, ...rest } = options;
    const page = await this.ops.list(actor, path, { ...rest, limit, ...(hideSidecars ? { hideSuffix: SIDECAR } : {}) });
    if (!provenance) return page;
    const onPage = new Set(page.entries.map((e) => e.path));
    const entries = await Promise.all(
      page.entries.map(async (e) => {
        if (e.type !== 'file' || isSidecar(e.name)) return e;
        const has = onPage.has(sidecarOf(e.path)) || (await this.ops.stat(actor, sidecarOf(e.path)))?.type === 'file';
        return has ? { ...e, provenance: true } : e;
      }),
    );
    return { entries, total: page.total };
  }

  /**
   * Rename or move; a file's provenance sidecar goes with it. A sidecar already at the new
   * name described a file that is no longer there (or was just replaced): it goes.
   */
  async move(actor: Actor, from: string, to: string, options: { overwrite?: boolean } = {}): Promise<UserEntry> {
    const moved = await this.ops.move(actor, from, to, options);
    if (moved.type === 'file' && !isSidecar(from)) {
      if (await this.ops.stat(actor, sidecarOf(from))) await this.ops.move(actor, sidecarOf(from), sidecarOf(to), { overwrite: true });
      else if (await this.ops.stat(actor, sidecarOf(to))) await this.ops.delete(actor, sidecarOf(to));
    }
    return moved;
  }

  /** Copy; a file's provenance sidecar is copied with it (and counts against the quota too). */
  async copy(actor: Actor, from: string, to: string): Promise<UserEntry> {
    const copied = await this.ops.copy(actor, from, to);
    if (copied.type === 'file' && !isSidecar(from)) {
      if (await this.ops.stat(actor, sidecarOf(to))) await this.ops.delete(actor, sidecarOf(to));
      if (await this.ops.stat(actor, sidecarOf(from))) await this.ops.copy(actor, sidecarOf(from), sidecarOf(to));
    }
    return copied;
  }

  /**
   * Delete files and folders; a file's provenance sidecar goes with it. A sidecar named in the
   * same request as its file is not deleted twice.
   */
  async delete(actor: Actor, paths: readonly string[]): Promise<void> {
    const named = new Set(paths);
    for (const p of paths) {
      if (isSidecar(p) && named.has(p.slice(0, -SIDECAR.length))) continue;
      const entry = await this.ops.stat(actor, p);
      await this.ops.delete(actor, p);
      if (entry?.type === 'file' && !isSidecar(p) && (await this.ops.stat(actor, sidecarOf(p)))) await this.ops.delete(actor, sidecarOf(p));
    }
  }

  /** Refuse early when a write of `size` bytes to `path` cannot fit the quota it counts against. */
  async checkRoom(actor: Actor, path: string, size: number): Promise<void> {
    const r = await this.ops.resolve(actor, path, 'write');
    if (!r.chargeTo) return;
    const { storage } = await this.usage.limits(r.chargeTo.ownerId);
    const used = await this.usage.usage(r.chargeTo.ownerId);
    if (used + size > storage) await this.usage.charge(r.chargeTo.ownerId, size); // throws with the quota message
  }

  stat(actor: Actor, path: string): Promise<UserEntry> {
    return this.ops.require(actor, path);
  }

  /**
   * Stream uploaded files into `dir`. A filename with `/` keeps its relative folders (a folder
   * upload); every segment is checked. Quota and rights are checked per file; the files
   * accepted before a refusal stay.
   */
  async upload(actor: Actor, dir: string, parts: AsyncIterable<UploadPart>): Promise<UploadOutcome[]> {
    const base = await this.ops.resolve(actor, dir, 'write');
    const out: UploadOutcome[] = [];
    for await (const part of parts) {
      if (out.length >= this.cfg.maxUploadFiles) {
        part.stream.resume();
        throw new BadRequestError(`too many files in one upload (files.maxUploadFiles = ${this.cfg.maxUploadFiles})`);
      }
      const segments = part.filename.split('/').filter((s) => s !== '');
      if (segments.length === 0) {
        part.stream.resume();
        throw new BadRequestError('an uploaded file has no name');
      }
      // A folder upload names files relative to the folder chosen; a name from the root of
      // the sender's disk says the client meant something else.
      if (part.filename.startsWith('/')) {
        part.stream.resume();
        throw new BadRequestError(`invalid name '${part.filename.slice(0, 200)}': an uploaded file's name is relative to the folder it goes to (no leading /)`);
      }
      let names: string[];
      try {
        names = segments.map(storageName);
      } catch (err) {
        part.stream.resume();
        throw err;
      }
      const folder = [base.user.display, ...names.slice(0, -1)].join('/');
      const wanted = names[names.length - 1]!;
      const name = await this.ops.freeName(actor, folder, wanted);
      const entry = await this.ops.write(actor, `${folder}/${name}`, part.stream, { overwrite: false });
      if (part.truncated()) {
        await this.ops.delete(actor, entry.path);
        throw new BadRequestError(`${part.filename} is larger than the upload limit (uws.maxUploadSize)`);
      }
      out.push({ path: entry.path, size: entry.size, renamed: name !== wanted });
    }
    return out;
  }

  /** A zip of the selection (files and folders, folders recursively), streamed as it is built. */
  async zip(actor: Actor, paths: readonly string[]): Promise<Readable> {
    if (paths.length === 0) throw new BadRequestError('select at least one file or folder');
    const groups: { prefix: string; files: UserEntry[] }[] = [];
    for (const p of paths) {
      const e = await this.ops.require(actor, p);
      const parent = e.path.slice(0, e.path.length - e.name.length);
      groups.push({ prefix: parent, files: await this.ops.files(actor, p) });
    }
    return this.zipStream(groups.flatMap((g) => g.files.map((f) => ({ file: f, name: f.path.slice(g.prefix.length) }))), actor);
  }

  /**
   * VO-CLOUD's mass download: the files under a folder, split into `parts` zips of about equal
   * size (by bytes, in name order); this returns part `part` (1-based).
   */
  async massDownload(actor: Actor, path: string, parts: number, part: number): Promise<{ stream: Readable; files: number; bytes: number }> {
    if (!Number.isInteger(parts) || parts < 1 || parts > 1000) throw new BadRequestError('parts must be between 1 and 1000');
    if (!Number.isInteger(part) || part < 1 || part > parts) throw new BadRequestError(`part must be between 1 and ${parts}`);
    const root = await this.ops.require(actor, path);
    if (root.type !== 'directory') throw new BadRequestError(`${path} is not a folder`);
    const files = await this.ops.files(actor, path);
    const total = files.reduce((n, f) => n + f.size, 0);
    const chunk = total / parts;
    const mine = files.filter((_, i) => {
      const before = files.slice(0, i).reduce((n, f) => n + f.size, 0);
      return Math.min(parts, Math.floor(before / (chunk || 1)) + 1) === part;
    });
    const prefix = `${root.path}/`;
    return {
      stream: this.zipStream(mine.map((f) => ({ file: f, name: f.path.slice(prefix.length) })), actor),
      files: mine.length,
      bytes: mine.reduce((n, f) => n + f.size, 0),
    };
  }

  private zipStream(entries: { file: UserEntry; name: string }[], actor: Actor | null, backendPaths?: Map<UserEntry, string>): Readable {
    const out = new PassThrough();
    const zip = new ZipArchive({ store: true }); // spectra and FITS are already dense; never spend CPU on deflate
    zip.on('error', (err) => out.destroy(err));
    zip.on('warning', (err) => this.log.warn({ err }, 'zip warning'));
    zip.pipe(out);
    void (async () => {
      try {
        for (const { file, name } of entries) {
          const stream = backendPaths ? await this.backend.read(backendPaths.get(file)!) : (await this.ops.read(actor!, file.path)).stream;
          zip.append(stream, { name, date: file.modified });
          await once(zip, 'entry');
        }
        await zip.finalize();
      } catch (err) {
        out.destroy(err as Error);
      }
    })();
    return out;
  }

  /** A URL anyone may fetch until it expires: for SAMP tools and programs without a session. */
  async sign(actor: Actor, path: string, ttl = this.cfg.signedUrlTtl): Promise<{ token: string; expiresAt: Date; kind: 'file' | 'directory' }> {
    if (!Number.isInteger(ttl) || ttl < 10 || ttl > this.cfg.maxSignedUrlTtl) {
      throw new BadRequestError(`a signed URL lives 10 to ${this.cfg.maxSignedUrlTtl} seconds (files.maxSignedUrlTtl)`);
    }
    const e = await this.ops.require(actor, path);
    const r = await this.ops.resolve(actor, path, 'read');
    const token = this.key.sign({ b: r.backend, n: e.name }, ttl);
    return { token, expiresAt: new Date(Date.now() + ttl * 1000), kind: e.type };
  }

  /** Open what a signed URL points at: a file (with ranges) or a folder (as a zip). */
  async openSigned(token: string, range?: { start?: number; end?: number }) {
    const p = this.key.verify<SignedPayload>(token);
    if (!p) throw new ForbiddenError('this link is not valid or has expired; ask for a new one');
    const e = await this.backend.stat(p.b);
    if (!e) throw new NotFoundError('the file behind this link no longer exists');
    if (e.type === 'file') return { kind: 'file' as const, name: p.n, size: e.size, mimeType: mimeTypeFor(p.n), modified: e.modified, stream: await this.backend.read(p.b, range) };
    const files: { file: UserEntry; name: string }[] = [];
    const paths = new Map<UserEntry, string>();
    const walk = async (dir: string, rel: string): Promise<void> => {
      for (let offset = 0; ; offset += 1000) {
        const page = await this.backend.list(dir, { offset, limit: 1000 });
        for (const c of page.entries) {
          if (c.type === 'directory') await walk(c.path, `${rel}${c.name}/`);
          else {
            const f = { ...c, path: `${rel}${c.name}` };
            files.push({ file: f, name: `${p.n}/${rel}${c.name}` });
            paths.set(f, c.path);
          }
        }
        if (offset + 1000 >= page.total) break;
      }
    };
    await walk(p.b, '');
    return { kind: 'directory' as const, name: `${p.n}.zip`, stream: this.zipStream(files, null, paths) };
  }

  async preview(actor: Actor, path: string): Promise<Preview> {
    const { entry, stream } = await this.ops.read(actor, path, { start: 0, end: Math.max(this.cfg.previewBytes, 8 * 1024 * 1024) - 1 });
    return previewOf(entry, stream, this.cfg.previewBytes);
  }
}
