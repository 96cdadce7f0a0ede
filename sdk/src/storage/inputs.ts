/**
 * Inputs named by storage paths (`vocloud:/~/…`, `vocloud:/DATA/…`), turned into local files
 * for the loaders. A named file is taken as it is; a folder gives every file below it (hidden
 * ones left out) whose path below the folder matches the include glob. Every file keeps the
 * path its owner knows (`~/spectra/a.fits`) as its name, so errors and results name it.
 */
import picomatch from 'picomatch';
import { JobError } from '../plugin/errors.js';
import type { JobStorage } from '../plugin/context.js';
import type { StorageEntry } from './backend.js';
import { parseUserPath } from './user-path.js';

/** A local file and the name to show for it. */
export interface LocalInput {
  readonly path: string;
  readonly name: string;
}

export interface StorageInputOptions {
  /** Glob on the path below a folder; a pattern without '/' matches a file name at any depth. */
  readonly include?: string;
  /** Most files all paths together may give. */
  readonly maxFiles: number;
  readonly signal?: AbortSignal;
}

// How many files a folder walk may look at before the glob; past it the folder is too big to use.
const SCAN_FACTOR = 4;
// Copies from a remote backend run a few at a time; on local storage each is a lookup only.
const PARALLEL = 8;

function matcher(include: string | undefined): (relative: string) => boolean {
  if (!include || include.trim() === '' || include.trim() === '*') return () => true;
  try {
    const full = picomatch(include, { dot: false });
    const bare = include.includes('/') ? null : picomatch(include, { dot: false, basename: true });
    return (p) => full(p) || (bare !== null && bare(p));
  } catch (err) {
    throw new JobError(`include '${include}' is not a valid glob pattern: ${(err as Error).message}`);
  }
}

/** Storage failures (no rights, a link leaving the storage area, I/O) name the path. */
async function named<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new JobError(`cannot read ${what}: ${(err as Error).message}`);
  }
}

/** `~/a` for `vocloud:/~/a/`, as the file manager shows it. */
function shown(path: string): string {
  try {
    return parseUserPath(path).display;
  } catch {
    return path;
  }
}

const hidden = (relative: string) => relative.split('/').some((s) => s.startsWith('.'));

/** The files a folder gives, as storage entries (at most SCAN_FACTOR × maxFiles looked at). */
async function folderFiles(storage: JobStorage, folder: StorageEntry, include: (p: string) => boolean, maxFiles: number): Promise<StorageEntry[]> {
  const scan = maxFiles * SCAN_FACTOR;
  const all = await named(folder.path, () => storage.files(folder.path, { limit: scan + 1 }));
  if (all.length > scan) {
    throw new JobError(`${folder.path} holds more than ${scan} files; name a smaller folder (at most ${maxFiles} input files are allowed)`);
  }
  const below = (e: StorageEntry) => e.path.slice(folder.path.length + 1);
  const visible = all.filter((e) => !hidden(below(e)));
  if (visible.length === 0) throw new JobError(`${folder.path} is an empty folder`);
  const taken = visible.filter((e) => include(below(e)));
  if (taken.length === 0) {
    const examples = visible.slice(0, 3).map(below).join(', ');
    throw new JobError(`none of the ${visible.length} files in ${folder.path} matches the include pattern (e.g. ${examples})`);
  }
  return taken;
}

/** The entry of a path the job was created with; it may have gone since. */
async function existing(storage: JobStorage, path: string): Promise<StorageEntry> {
  const entry = await named(shown(path), () => storage.stat(path));
  if (!entry) throw new JobError(`${shown(path)} does not exist (was it moved or deleted after the job was created?)`);
  return entry;
}

/** Every file the paths name, once each, in order; then each as a local file. */
export async function storageInputs(storage: JobStorage, paths: readonly string[], options: StorageInputOptions): Promise<LocalInput[]> {
  const include = matcher(options.include);
  const files = new Map<string, StorageEntry>();
  for (const path of paths) {
    const entry = await existing(storage, path);
    const list = entry.type === 'file' ? [entry] : await folderFiles(storage, entry, include, options.maxFiles);
    for (const e of list) files.set(e.path, e);
    if (files.size > options.maxFiles) {
      throw new JobError(`too many input files: more than ${options.maxFiles} (this service's limit); name fewer files or a narrower include pattern`);
    }
  }
  const entries = [...files.values()];
  const out: LocalInput[] = new Array(entries.length);
  let next = 0;
  const worker = async () => {
    while (next < entries.length && !options.signal?.aborted) {
      const i = next++;
      const e = entries[i]!;
      out[i] = { path: await named(e.path, () => storage.localFile(e.path)), name: e.path };
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, entries.length) }, worker));
  return out.filter(Boolean);
}

/** One storage file as a local file. */
export async function storageFile(storage: JobStorage, path: string): Promise<LocalInput> {
  const entry = await existing(storage, path);
  if (entry.type !== 'file') throw new JobError(`${entry.path} is a folder; a file is needed`);
  return { path: await named(entry.path, () => storage.localFile(entry.path)), name: entry.path };
}
