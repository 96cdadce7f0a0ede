import { createReadStream, createWriteStream } from 'node:fs';
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
  try {
    await pipeline(sourceStream(source), createWriteStream(tmp));
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return (await stat(dest)).size;
}
