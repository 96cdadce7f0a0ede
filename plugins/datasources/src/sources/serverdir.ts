import { createReadStream } from 'node:fs';
import { lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import { defineDataSource, JobError, Type, type PreviewContext, type Static } from '@vocloud/sdk';
import { ItemError } from '../common/errors.js';
import { pathFilter, type PathFilter } from '../common/glob.js';
import type { ImportItem } from '../common/importer.js';
import type { ItemState } from '../common/manifest.js';
import { decodeNameBytes } from '../common/names.js';
import type { DataSourceOptions } from '../options.js';
import { crawlParameters, importParameters, runImport, type CommonParams } from './common.js';

function serverdirParameters(options: DataSourceOptions) {
  return Type.Object({
    path: Type.String({ minLength: 1, maxLength: 4096, description: 'An absolute folder or file on the server, inside one of the allowed roots' }),
    ...crawlParameters(options),
    ...importParameters(options),
  });
}

type ServerDirParams = Static<ReturnType<typeof serverdirParameters>> & CommonParams;

/**
 * Server folders are for admins only. Core's `restricted` already keeps users from creating
 * such jobs, but lets managers in; the role the job runs with is checked here, at run and in
 * the preview.
 */
function requireAdmin(role: string): void {
  if (role !== 'admin') throw new JobError(`serverdir: only administrators may import from server folders (you are ${role === 'anonymous' ? 'not logged in' : `a ${role}`}); use the http or ftp import, or ask an administrator`);
}

const inside = (root: string, p: string): boolean => {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** The configured roots as real paths (a root that does not exist is left out). */
async function realRoots(options: DataSourceOptions): Promise<string[]> {
  if (options.serverRoots.length === 0) throw new JobError('no server folders are configured for import (plugin option serverRoots)');
  const out: string[] = [];
  for (const r of options.serverRoots) {
    try {
      out.push(await realpath(r));
    } catch {
      /* a missing root allows nothing */
    }
  }
  if (out.length === 0) throw new JobError('none of the configured server folders exists');
  return out;
}

/** Resolve a path the user gave; it must lie inside an allowed root after following every link. */
async function allowedPath(path: string, roots: string[]): Promise<string> {
  if (!isAbsolute(path)) throw new JobError(`path: give an absolute path inside ${roots.join(' or ')}`);
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    throw new JobError(`path: ${path} does not exist`);
  }
  if (!roots.some((r) => inside(r, real))) throw new JobError(`path: ${path} is outside the folders allowed for import (${roots.join(', ')})`);
  return real;
}

interface WalkOptions {
  readonly roots: string[];
  readonly recursive: boolean;
  readonly depth: number;
  readonly filter: PathFilter;
  readonly signal: AbortSignal;
  readonly record: (url: string, state: ItemState, error: string) => void;
  readonly note: (text: string) => void;
}

const fileUrl = (p: Buffer | string) => `file://${Buffer.isBuffer(p) ? decodeNameBytes(p) : p}`;

function fileItem(path: Buffer, segs: string[], size: number): ImportItem {
  return {
    url: fileUrl(path),
    folder: segs.slice(0, -1),
    name: segs[segs.length - 1]!,
    size,
    provenance: { query: fileUrl(path) },
    async open(offset) {
      // O_NOFOLLOW: the file was checked as a regular file; a link swapped in since is refused
      const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch((err: NodeJS.ErrnoException) => {
        throw new ItemError(`cannot open ${fileUrl(path)}: ${err.code ?? err.message}`, false);
      });
      const st = await fh.stat();
      return { stream: createReadStream('', { fd: fh, start: offset }), offset, length: Math.max(0, st.size - offset), resumable: true };
    },
  };
}

/**
 * Walk a server folder. Names are read as bytes (a name that is not UTF-8 still reaches its
 * file); links are followed only when they stay inside the allowed roots; a folder already
 * visited (same device and inode) is a loop and is not entered again.
 */
async function* walk(start: string, o: WalkOptions): AsyncGenerator<ImportItem> {
  const st = await stat(start);
  if (st.isFile()) {
    yield fileItem(Buffer.from(start), [start.split(sep).pop()!], st.size);
    return;
  }
  const visited = new Set<string>([`${st.dev}:${st.ino}`]);
  const queue: { dir: Buffer; segs: string[] }[] = [{ dir: Buffer.from(start), segs: [] }];
  let depthNoted = false;
  while (queue.length > 0) {
    if (o.signal.aborted) return;
    const { dir, segs } = queue.shift()!;
    let names: Buffer[];
    try {
      names = (await readdir(dir, { encoding: 'buffer' })).sort(Buffer.compare);
    } catch (err) {
      o.record(fileUrl(dir), 'failed', `cannot read the folder: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      continue;
    }
    for (const raw of names) {
      const path = Buffer.concat([dir, Buffer.from(sep), raw]);
      const name = decodeNameBytes(raw);
      const rel = [...segs, name].join('/');
      let info = await lstat(path).catch(() => null);
      if (!info) continue;
      let real = path;
      if (info.isSymbolicLink()) {
        const target = await realpath(path, { encoding: 'buffer' }).catch(() => null);
        if (!target || !o.roots.some((r) => inside(r, target.toString('utf8')))) {
          o.record(fileUrl(path), 'skipped', 'a symbolic link that leads outside the folders allowed for import (or nowhere)');
          continue;
        }
        real = target;
        info = await stat(real).catch(() => null);
        if (!info) continue;
      }
      if (info.isFile()) {
        if (o.filter.file(rel)) yield fileItem(real, [...segs, name], info.size);
      } else if (info.isDirectory() && o.recursive) {
        if (!o.filter.folder(rel)) continue;
        if (segs.length + 1 > o.depth) {
          if (!depthNoted) o.note(`folders deeper than ${o.depth} level(s) were not followed (first: ${fileUrl(path)})`);
          depthNoted = true;
          continue;
        }
        const key = `${info.dev}:${info.ino}`;
        if (visited.has(key)) {
          o.record(fileUrl(path), 'skipped', 'folder loop: this folder was visited already (a link back); not followed');
          continue;
        }
        visited.add(key);
        queue.push({ dir: real, segs: [...segs, name] });
      }
    }
  }
}

/** `serverdir` (admins only): import from folders on the server inside the configured roots. */
export function serverdirSource(options: DataSourceOptions) {
  return defineDataSource({
    name: 'serverdir',
    title: 'Server folder import (admins)',
    description: 'Import files from a folder on the server, inside the folders an admin allowed (plugin option serverRoots); for administrators only',
    version: '0.1.0',
    restricted: true,
    parameters: serverdirParameters(options),
    limits: { defaultExecutionDuration: 3600, maxExecutionDuration: 86400, concurrency: options.concurrentJobs },
    async preview(ctx) {
      requireAdmin(ctx.ownerRole);
      const p = (ctx as PreviewContext<ServerDirParams>).parameters;
      const roots = await realRoots(options);
      if (!p.path) return { roots };
      const start = await allowedPath(p.path, roots);
      const files: { path: string; size: number | null }[] = [];
      const skipped: { url: string; state: string; error: string }[] = [];
      const notes: string[] = [];
      const o = { roots, recursive: p.recursive, depth: p.depth, filter: pathFilter(p.include, p.exclude), signal: ctx.signal, record: (url: string, state: string, error: string) => void skipped.push({ url, state, error }), note: (n: string) => void notes.push(n) };
      for await (const item of walk(start, o)) {
        files.push({ path: [...item.folder, item.name].join('/'), size: item.size ?? null });
        if (files.length >= options.previewRows) break;
      }
      return { roots, files, skipped, notes };
    },
    async run(ctx) {
      requireAdmin(ctx.ownerRole);
      const p = ctx.parameters as ServerDirParams;
      const roots = await realRoots(options);
      const start = await allowedPath(p.path, roots);
      await runImport(ctx, options, p, 'server folder import', (importer) =>
        walk(start, {
          roots,
          recursive: p.recursive,
          depth: p.depth,
          filter: pathFilter(p.include, p.exclude),
          signal: ctx.signal,
          record: (url, state, error) => void importer.manifest.record(url, state, error),
          note: (n) => void importer.manifest.notes.push(n),
        }),
      );
    },
  });
}
