import { JobError, parseUserPath, type JobStorage } from '@vocloud/sdk';
import { SIDECAR_SUFFIX, numberedName, safeName } from './names.js';

/** What to do when an item's source was imported into the same folder before (by any job). */
export type ExistingPolicy = 'skip' | 'replace' | 'keep-both';

export interface Allocation {
  /** The user path of the file (`~/imports/a (1).fits`). */
  readonly path: string;
  /** The user path of the folder it is in. */
  readonly folder: string;
  readonly name: string;
  /** The same source was imported under this name before. */
  readonly existing: boolean;
}

const MAX_SIDECAR_BYTES = 256 * 1024;

/**
 * The folder an import writes into. Every name it hands out is a safe storage name inside that
 * folder (sub-folders likewise), unique among the files already there and the ones this job
 * is writing (`name (1).ext` on a clash). A file whose provenance sidecar names the same source
 * is recognised as imported before, so running an import again resumes it instead of
 * duplicating files.
 */
export class TargetFolder {
  private readonly names = new Map<string, Promise<Set<string>>>();
  private readonly folders = new Map<string, Promise<string>>();
  private readonly reserved = new Set<string>();

  private constructor(
    private readonly storage: JobStorage,
    /** The user path of the target folder. */
    readonly root: string,
  ) {}

  /** Check the user's target path and create the folder (the owner's rights apply). */
  static async open(storage: JobStorage, target: string): Promise<TargetFolder> {
    let display: string;
    try {
      display = parseUserPath(target).display;
    } catch (err) {
      throw new JobError(`target: ${(err as Error).message}`);
    }
    const st = await storage.stat(display);
    if (st && st.type !== 'directory') throw new JobError(`target: ${display} is a file, not a folder`);
    if (!st) await storage.mkdir(display);
    return new TargetFolder(storage, display);
  }

  /** The user path of a sub-folder given by remote segments (each made safe), created on first use. */
  folder(segments: readonly string[]): Promise<string> {
    const safe = segments.map((s) => safeName(s, 'folder'));
    const path = [this.root, ...safe].join('/');
    let p = this.folders.get(path);
    if (!p) {
      p = (async () => {
        if (safe.length > 0) {
          const st = await this.storage.stat(path);
          if (st?.type === 'file') throw new JobError(`${path} is a file; cannot import the folder ${segments.join('/')} there`);
          if (!st) await this.storage.mkdir(path);
        }
        return path;
      })();
      this.folders.set(path, p);
      p.catch(() => this.folders.delete(path));
    }
    return p;
  }

  /** Names already in a folder, listed once. */
  private existingNames(folder: string): Promise<Set<string>> {
    let p = this.names.get(folder);
    if (!p) {
      p = (async () => {
        const set = new Set<string>();
        for (let offset = 0; ; offset += 1000) {
          const page = await this.storage.list(folder, { offset, limit: 1000 }).catch(() => ({ entries: [], total: 0 }));
          for (const e of page.entries) set.add(e.name);
          if (page.entries.length === 0 || offset + 1000 >= page.total) break;
        }
        return set;
      })();
      this.names.set(folder, p);
    }
    return p;
  }

  /** The source recorded in a file's sidecar, or null. */
  private async sidecarSource(path: string): Promise<string | null> {
    try {
      const stream = await this.storage.read(`${path}${SIDECAR_SUFFIX}`);
      const chunks: Buffer[] = [];
      let n = 0;
      for await (const c of stream) {
        n += (c as Buffer).length;
        if (n > MAX_SIDECAR_BYTES) {
          stream.destroy();
          return null;
        }
        chunks.push(c as Buffer);
      }
      const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { source?: unknown };
      return typeof json.source === 'string' ? json.source : null;
    } catch {
      return null;
    }
  }

  /**
   * Reserve a name for `rawName` (made safe) in `folder`, for an item from `source`. With the
   * 'skip' and 'replace' policies a file imported from the same source before is returned
   * with `existing: true`.
   */
  async allocate(folder: string, rawName: string, source: string, policy: ExistingPolicy): Promise<Allocation> {
    const base = safeName(rawName);
    const existing = await this.existingNames(folder);
    for (let n = 0; n < 100_000; n++) {
      const name = numberedName(base, n);
      const path = `${folder}/${name}`;
      if (this.reserved.has(path)) continue;
      if (existing.has(name)) {
        if (policy === 'keep-both') continue;
        this.reserved.add(path);
        if ((await this.sidecarSource(path)) === source) return { path, folder, name, existing: true };
        continue; // someone else's file: keep it reserved, take the next name
      }
      // an orphaned sidecar would be overwritten and then describe the wrong file
      if (existing.has(`${name}${SIDECAR_SUFFIX}`)) continue;
      this.reserved.add(path);
      return { path, folder, name, existing: false };
    }
    throw new JobError(`too many files named like ${base} in ${folder}`);
  }

  /** A file was written: later allocations see it. */
  written(allocation: Allocation): void {
    void this.existingNames(allocation.folder).then((s) => {
      s.add(allocation.name);
      s.add(`${allocation.name}${SIDECAR_SUFFIX}`);
    });
  }
}
