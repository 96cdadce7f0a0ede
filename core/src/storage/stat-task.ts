import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Piscina } from 'piscina';

/** What a folder listing needs of each entry, in columns aligned with the names asked for. */
export interface StatColumns {
  /** Bytes; 0 for folders. */
  readonly size: Float64Array;
  /** Modification time, whole milliseconds (as `Stats.mtime`). */
  readonly mtime: Float64Array;
  readonly kind: Uint8Array;
}

export const GONE = 0;
export const FILE = 1;
export const DIRECTORY = 2;

export interface StatTask {
  readonly dir: string;
  readonly names: readonly string[];
}

/**
 * An entry that cannot be listed: removed while the folder is read, or a link that leads
 * nowhere (dangling, or a loop). Such entries are left out of a page, not an error for it.
 */
export function vanished(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}

/** Fills one row; an entry that vanished is GONE. */
export function fillRow(columns: StatColumns, i: number, st: { isDirectory(): boolean; size: number; mtimeMs: number } | undefined): void {
  if (!st) {
    columns.kind[i] = GONE;
    return;
  }
  const dir = st.isDirectory();
  columns.kind[i] = dir ? DIRECTORY : FILE;
  columns.size[i] = dir ? 0 : st.size;
  columns.mtime[i] = Math.round(st.mtimeMs);
}

/** Columns backed by one buffer, so a thread can hand them over without a copy. */
export function columnsOf(buffer: Float64Array, n: number): StatColumns {
  return {
    size: buffer.subarray(0, n),
    mtime: buffer.subarray(n, 2 * n),
    kind: new Uint8Array(buffer.buffer, buffer.byteOffset + 16 * n, n),
  };
}

/** 8 bytes of size, 8 of time and 1 of kind per entry, rounded up to whole doubles. */
export function columnsBuffer(n: number): Float64Array {
  return new Float64Array(2 * n + Math.ceil(n / 8));
}

/**
 * The worker-thread entry point (piscina): stat()s every name with synchronous calls. In a
 * folder of 100,000 files these take ~2 µs each; the same calls through libuv's pool cost 4 to
 * 7 µs each on the server's event loop (a hand-off and a promise per call).
 */
export default function run(task: StatTask): unknown {
  const n = task.names.length;
  const buffer = columnsBuffer(n);
  const columns = columnsOf(buffer, n);
  for (let i = 0; i < n; i++) {
    let st;
    try {
      st = statSync(join(task.dir, task.names[i]!), { throwIfNoEntry: false });
    } catch (err) {
      if (!vanished(err)) throw err;
    }
    fillRow(columns, i, st);
  }
  return Piscina.move(buffer);
}
