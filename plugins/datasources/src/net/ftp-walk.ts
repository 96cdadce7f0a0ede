import { asItemError } from '../common/errors.js';
import type { PathFilter } from '../common/glob.js';
import type { ImportItem } from '../common/importer.js';
import type { ItemState } from '../common/manifest.js';
import { withRetries, type RetryPolicy } from '../common/retry.js';
import { decodeNameBytes } from '../common/names.js';
import { urlPath, type FtpEntry, type FtpPool } from './ftp.js';

export interface FtpWalkOptions {
  readonly pool: FtpPool;
  /** `ftp://host:port` for the URLs in manifests and sidecars. */
  readonly origin: string;
  readonly retry: RetryPolicy;
  readonly signal: AbortSignal;
  readonly recursive: boolean;
  readonly depth: number;
  readonly filter: PathFilter;
  readonly record: (url: string, state: ItemState, error: string) => void;
  readonly note: (text: string) => void;
  readonly query: string;
}

const MAX_DIRS = 10_000;

/**
 * Walk an FTP tree from `start` (a raw path), yielding its files as they are listed. Folders
 * deeper than `depth` are not entered, and a folder that lists exactly what one of its
 * ancestors lists (a symbolic link to a parent) is reported as a loop. Names the control
 * connection cannot carry (CR, LF, NUL) are reported and left out.
 */
export async function* walkFtp(start: string, o: FtpWalkOptions): AsyncGenerator<ImportItem> {
  const url = (raw: string) => `${o.origin}${urlPath(raw.startsWith('/') ? raw : `/${raw}`)}`;
  const list = (dir: string) => withRetries(o.retry, o.signal, () => o.pool.list(dir));
  const base = start.replace(/\/+$/, '') || '/';
  // a path without a trailing slash may be a file: SIZE answers on the control connection
  // (listing a file opens a data connection some servers reset, FTPS ones in particular)
  if (!start.endsWith('/') && base !== '/') {
    const size = await withRetries(o.retry, o.signal, () => o.pool.fileSize(base));
    if (size !== null) {
      const name = base.slice(base.lastIndexOf('/') + 1);
      yield fileItem(o, url(base), base, [], { raw: name, name: decodeNameBytes(Buffer.from(name, 'latin1')), kind: 'file', size });
      return;
    }
  }
  // Folders found and not listed yet, breadth first. A folder is listed only when its turn
  // comes, so the first folder's files are on their way while later folders wait (listing a
  // whole level first kept the downloads idle for one LIST per folder).
  const queue: { dir: string; segs: string[]; ancestors: Set<string> }[] = [];
  let current: { dir: string; segs: string[]; entries: FtpEntry[]; ancestors: Set<string> } | null = {
    dir: base,
    segs: [],
    entries: await list(base),
    ancestors: new Set(),
  };
  let dirs = 1;
  let depthNoted = false;
  for (;;) {
    if (o.signal.aborted) return;
    if (current) {
      const { dir, segs, entries, ancestors } = current;
      const signature = signatureOf(entries);
      const below = new Set(ancestors);
      if (signature) below.add(signature);
      for (const e of entries) {
        if (e.raw === '.' || e.raw === '..') continue;
        const path = `${dir === '/' ? '' : dir}/${e.raw}`;
        if (/[\r\n\0]/.test(e.raw)) {
          o.record(url(path), 'failed', 'the name contains line breaks or NUL, which FTP commands cannot carry');
          continue;
        }
        const rel = [...segs, e.name].join('/');
        if (e.kind === 'file') {
          if (o.filter.file(rel)) yield fileItem(o, url(path), path, segs, e);
        } else if (e.kind === 'directory' && o.recursive) {
          if (!o.filter.folder(rel)) continue;
          if (segs.length + 1 > o.depth) {
            if (!depthNoted) o.note(`folders deeper than ${o.depth} level(s) were not followed (first: ${url(path)})`);
            depthNoted = true;
            continue;
          }
          if (dirs >= MAX_DIRS) {
            o.record(url(path), 'skipped', `not followed: the import listed its limit of ${MAX_DIRS} folders`);
            continue;
          }
          dirs++;
          queue.push({ dir: path, segs: [...segs, e.name], ancestors: below });
        }
      }
    }
    const next = queue.shift();
    if (!next) return;
    current = null;
    try {
      const children = await list(next.dir);
      const sig = signatureOf(children);
      if (sig && next.ancestors.has(sig)) {
        o.record(url(`${next.dir}/`), 'skipped', 'folder loop: this folder lists exactly what a folder above it lists (a link back to a parent); not followed');
        continue;
      }
      current = { ...next, entries: children };
    } catch (err) {
      if (o.signal.aborted) return;
      o.record(url(`${next.dir}/`), 'failed', asItemError(err).message);
    }
  }
}

function signatureOf(entries: readonly FtpEntry[]): string {
  return entries
    .filter((e) => e.raw !== '.' && e.raw !== '..')
    .map((e) => `${e.kind === 'directory' ? 'd' : 'f'}:${e.raw}:${e.kind === 'file' ? (e.size ?? '') : ''}`)
    .sort()
    .join('\n');
}

function fileItem(o: FtpWalkOptions, url: string, path: string, segs: string[], e: FtpEntry): ImportItem {
  return {
    url,
    folder: segs,
    name: e.name,
    size: e.size,
    provenance: { query: o.query },
    open: (offset, signal) => o.pool.open(path, offset, e.size, signal),
  };
}
