import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobStorage } from '../plugin/context.js';
import type { StorageEntry } from '../storage/backend.js';
import { parseUserPath, type StorageArea } from '../storage/user-path.js';
import { JobError } from '../plugin/errors.js';
import { writeLocalFile } from '../runtime/local-results.js';

const AREA_DIRS: Record<StorageArea, string> = { home: 'home', data: 'data', jobs: 'jobs' };

/**
 * A JobStorage on a local folder for plugin tests: `~/` is `root/home`, `DATA/` is
 * `root/data` (read-only unless `writableData`), `JOBS/` is `root/jobs`. No quotas.
 */
export function localJobStorage(root: string, options: { writableData?: boolean; quotaBytes?: number } = {}): JobStorage {
  const resolve = (path: string, write = false) => {
    const p = parseUserPath(path);
    if (write && (p.area === 'jobs' || (p.area === 'data' && !options.writableData))) {
      throw new JobError(`${p.display} is read-only for this job`);
    }
    return { os: join(root, AREA_DIRS[p.area], ...(p.rest ? p.rest.split('/') : [])), display: p.display };
  };
  const entry = async (os: string, display: string): Promise<StorageEntry | null> => {
    try {
      const st = await stat(os);
      return { path: display, name: display.split('/').pop() ?? display, type: st.isDirectory() ? 'directory' : 'file', size: st.isDirectory() ? 0 : st.size, modified: st.mtime };
    } catch {
      return null;
    }
  };
  const storage: JobStorage = {
    async stat(path) {
      const r = resolve(path);
      return entry(r.os, r.display);
    },
    async list(path, opts = {}) {
      const r = resolve(path);
      const names = (await readdir(r.os)).sort();
      const page = names.slice(opts.offset ?? 0, (opts.offset ?? 0) + (opts.limit ?? 1000));
      const entries = (await Promise.all(page.map((n) => entry(join(r.os, n), `${r.display}/${n}`)))).filter((e): e is StorageEntry => e !== null);
      return { entries, total: names.length };
    },
    async files(path, opts = {}) {
      const limit = opts.limit ?? Infinity;
      const out: StorageEntry[] = [];
      const walk = async (os: string, display: string): Promise<void> => {
        const e = await entry(os, display);
        if (!e || out.length >= limit) return;
        if (e.type === 'file') {
          out.push(e);
          return;
        }
        for (const n of (await readdir(os)).sort()) await walk(join(os, n), `${display}/${n}`);
      };
      const r = resolve(path);
      await walk(r.os, r.display);
      return out;
    },
    async read(path, range = {}) {
      return createReadStream(resolve(path).os, { start: range.start, end: range.end });
    },
    async localFile(path) {
      return resolve(path).os;
    },
    async write(path, source, opts = {}) {
      const r = resolve(path, true);
      if (opts.overwrite === false && (await entry(r.os, r.display))) throw new JobError(`${r.display} already exists`);
      await writeLocalFile(r.os, source);
      return (await entry(r.os, r.display))!;
    },
    async mkdir(path) {
      await mkdir(resolve(path, true).os, { recursive: true });
    },
    async delete(path) {
      await rm(resolve(path, true).os, { recursive: true, force: true });
    },
    async quota() {
      return { used: 0, limit: options.quotaBytes ?? Number.MAX_SAFE_INTEGER };
    },
  };
  return storage;
}
