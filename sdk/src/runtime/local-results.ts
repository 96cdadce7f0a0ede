import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, relative, isAbsolute } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ResultSource } from '../plugin/context.js';

/** A temporary sibling name; storage listings hide `*.part-<12 hex>`. */
function tempName(dest: string): string {
  return `${dest}.part-${randomBytes(6).toString('hex')}`;
}

/** True when `path` lies inside `dir` (both absolute). */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** A readable stream of any result source. */
export function sourceStream(source: ResultSource): Readable {
  if (typeof source === 'string') return createReadStream(source);
  if (source instanceof Uint8Array) return Readable.from([source]);
  if (source instanceof Readable) return source;
  return Readable.from(source);
}

/**
 * Stream `source` into a new file at `path` (O_EXCL: an existing name or a symlink planted at
 * it is refused, never written through); resolves with the bytes written. When the copy fails,
 * this settles only after the file stream has closed: a source that fails at once leaves the
 * file still being opened, and a clean-up that ran before the open finished would miss the
 * file it then creates.
 */
export async function streamToNewFile(source: Readable, path: string, highWaterMark?: number): Promise<number> {
  const out = createWriteStream(path, { flags: 'wx', ...(highWaterMark ? { highWaterMark } : {}) });
  try {
    await pipeline(source, out);
  } catch (err) {
    if (!out.closed) await once(out, 'close').catch(() => undefined);
    throw err;
  }
  return out.bytesWritten;
}

/**
 * Write a result source to a local file atomically (temp file + rename). A file inside
 * `movableFrom` (the job's work directory) is moved, not copied.
 */
export async function writeLocalFile(dest: string, source: ResultSource, movableFrom?: string): Promise<number> {
  await mkdir(dirname(dest), { recursive: true });
  if (typeof source === 'string') {
    const st = await stat(source);
    if (!st.isFile()) throw new Error(`result source '${source}' is not a file`);
    if (movableFrom && isInside(movableFrom, source)) {
      try {
        await rename(source, dest);
        return st.size;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      }
    }
    const tmp = tempName(dest);
    await copyFile(source, tmp);
    await rename(tmp, dest);
    return st.size;
  }
  const tmp = tempName(dest);
  let size: number;
  try {
    size = await streamToNewFile(sourceStream(source), tmp);
    await rename(tmp, dest);
  } catch (err) {
    // EEXIST: the temporary name was not ours to remove (O_EXCL refused it).
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') await rm(tmp, { force: true });
    throw err;
  }
  return size;
}
