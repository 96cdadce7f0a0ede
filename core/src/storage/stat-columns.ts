import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { columnsBuffer, columnsOf, fillRow, vanished, type StatColumns, type StatTask } from './stat-task.js';

/** From this many entries a folder is stat()ed by threads; below, through libuv's pool. */
const THREADED_FROM = 2048;

/** libuv's pool has four threads: more calls in flight only queue. */
const ASYNC_BATCH = 256;

let pool: Piscina | null = null;

function threads(): Piscina {
  pool ??= new Piscina({
    filename: new URL('./stat-task.js', import.meta.url).href,
    minThreads: 0,
    maxThreads: Math.max(1, Math.min(4, availableParallelism())),
    idleTimeout: 30_000,
  });
  return pool;
}

/**
 * Size, time and kind of every name in a folder, for sorting a listing by size or time. A
 * large folder's names are split among up to four threads making synchronous calls: 100,000
 * entries took ~110 ms on two threads of a 2-core machine, against 380-680 ms through libuv's
 * pool (bench:storage, docs/benchmarks/storage.md). The event loop is free meanwhile.
 * `background`: gathered ahead of a request, on one thread.
 */
export async function statColumns(dir: string, names: readonly string[], options: { background?: boolean } = {}): Promise<StatColumns> {
  const n = names.length;
  const buffer = columnsBuffer(n);
  const columns = columnsOf(buffer, n);
  if (n < THREADED_FROM) {
    for (let start = 0; start < n; start += ASYNC_BATCH) {
      const end = Math.min(n, start + ASYNC_BATCH);
      const batch = await Promise.all(names.slice(start, end).map((name) => statOrGone(join(dir, name))));
      batch.forEach((st, k) => fillRow(columns, start + k, st));
    }
    return columns;
  }
  // Work nobody waits for takes one thread, leaving the other cores to requests.
  const pieces = options.background ? 1 : threads().options.maxThreads;
  const per = Math.ceil(n / pieces);
  await Promise.all(
    Array.from({ length: pieces }, async (_, p) => {
      const start = p * per;
      const part = names.slice(start, start + per);
      if (part.length === 0) return;
      const got = columnsOf((await threads().run({ dir, names: part } satisfies StatTask)) as Float64Array, part.length);
      columns.size.set(got.size, start);
      columns.mtime.set(got.mtime, start);
      columns.kind.set(got.kind, start);
    }),
  );
  return columns;
}

async function statOrGone(path: string) {
  try {
    return await stat(path);
  } catch (err) {
    if (vanished(err)) return undefined;
    throw err;
  }
}
