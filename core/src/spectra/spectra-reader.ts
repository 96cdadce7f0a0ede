import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Logger } from 'pino';
import type { PathActor } from '../files/areas.js';
import type { StorageOps } from '../files/storage-ops.js';
import { encodeSpectra, type WireError, type WireSpectrum } from './wire.js';
import { parseSpectra, type ParsedSpectrum, type ParseTask } from './parse-task.js';

/** Bounds of one request, so a plot of a huge folder cannot exhaust the server. */
export const SPECTRA_LIMITS = {
  /** Files per request after folders are expanded. */
  maxFiles: 10_000,
  /** A larger file is an item error (readSpectrum holds the whole file). */
  maxFileBytes: 256 * 1024 * 1024,
  /** Float32 values in one answer (256 MB). */
  maxValues: 64 * 1024 * 1024,
  /** Files read at the same time. */
  readConcurrency: 8,
  /** Files per worker-thread task. */
  batch: 32,
  /** Below this many bytes in total the files are parsed on the event loop (a thread costs more). */
  inlineBytes: 512 * 1024,
} as const;

interface Item {
  readonly path: string;
  readonly name: string;
  readonly size: number;
}

type Outcome = { readonly item: Item; readonly parsed: ParsedSpectrum } | WireError;

/** Names a folder expansion leaves out: hidden files and the import provenance sidecars. */
function skippedInFolder(name: string): boolean {
  return name.startsWith('.') || name.endsWith('.provenance.json');
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function readAll(ops: StorageOps, actor: PathActor, item: Item, signal: AbortSignal): Promise<Uint8Array> {
  const { stream } = await ops.read(actor, item.path);
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of stream) {
      if (signal.aborted) throw new Error('the request was cancelled');
      chunks.push(c as Buffer);
      n += (c as Buffer).length;
      if (n > SPECTRA_LIMITS.maxFileBytes) throw new Error(`larger than ${SPECTRA_LIMITS.maxFileBytes / 1024 / 1024} MB; too large to plot`);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks, n);
}

/** 64-bit FNV-1a over the float bits, as a key that finds identical wavelength grids. */
function gridKey(w: Float32Array): string {
  const u = new Uint32Array(w.buffer, w.byteOffset, w.length);
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ w.length;
  for (let i = 0; i < u.length; i++) {
    a = Math.imul(a ^ u[i]!, 0x01000193);
    b = Math.imul(b ^ (u[i]! >>> 7), 0x5bd1e995);
  }
  return `${w.length}:${(a >>> 0).toString(36)}:${(b >>> 0).toString(36)}`;
}

function sameFloats(x: Float32Array, y: Float32Array): boolean {
  return x.length === y.length && Buffer.compare(Buffer.from(x.buffer, x.byteOffset, x.byteLength), Buffer.from(y.buffer, y.byteOffset, y.byteLength)) === 0;
}

/**
 * Reads many spectra from storage with the caller's rights and answers them in the binary
 * wire format (wire.ts). I/O stays on the event loop (it is asynchronous); parsing runs in a
 * small worker-thread pool of its own, so a plot of thousands of files does not stall other
 * requests. Unreadable files become per-item errors.
 */
export class SpectraReader {
  private pool: Piscina | null = null;

  constructor(
    private readonly ops: StorageOps,
    private readonly log: Logger,
  ) {}

  private threads(): Piscina {
    this.pool ??= new Piscina({
      filename: new URL('./parse-task.js', import.meta.url).href,
      minThreads: 0,
      maxThreads: Math.max(1, Math.min(4, availableParallelism())),
      idleTimeout: 30_000,
    });
    return this.pool;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.destroy();
  }

  /** The files behind the requested paths: folders expand (recursively, sorted), duplicates drop. */
  private async expand(actor: PathActor, paths: readonly string[]): Promise<(Item | WireError)[]> {
    const out: (Item | WireError)[] = [];
    const seen = new Set<string>();
    let files = 0;
    const add = (e: { path: string; name: string; size: number }) => {
      if (seen.has(e.path)) return;
      seen.add(e.path);
      files++;
      out.push({ path: e.path, name: e.name, size: e.size });
    };
    for (const path of paths) {
      if (files >= SPECTRA_LIMITS.maxFiles) {
        out.push({ path, error: `not read: one request plots at most ${SPECTRA_LIMITS.maxFiles} files` });
        continue;
      }
      try {
        const entry = await this.ops.require(actor, path);
        if (entry.type === 'file') {
          add(entry);
          continue;
        }
        const inside = await this.ops.files(actor, path, SPECTRA_LIMITS.maxFiles - files + 1);
        for (const f of inside) {
          if (skippedInFolder(f.name)) continue;
          if (files >= SPECTRA_LIMITS.maxFiles) {
            out.push({ path: entry.path, error: `only the first files of this folder were read: one request plots at most ${SPECTRA_LIMITS.maxFiles} files` });
            break;
          }
          add(f);
        }
      } catch (err) {
        out.push({ path, error: messageOf(err) });
      }
    }
    return out;
  }

  async read(actor: PathActor, paths: readonly string[], options: { maxPoints: number; signal: AbortSignal }): Promise<{ body: Buffer; spectra: number; errors: number }> {
    const expanded = await this.expand(actor, paths);
    const items = expanded.filter((e): e is Item => !('error' in e));
    const inline = items.reduce((n, i) => n + i.size, 0) <= SPECTRA_LIMITS.inlineBytes;

    // Read and parse in batches; at most a few batches are held in memory at once.
    const outcomes = new Map<Item, Outcome>();
    const batches: Item[][] = [];
    for (let i = 0; i < items.length; i += SPECTRA_LIMITS.batch) batches.push(items.slice(i, i + SPECTRA_LIMITS.batch));
    const runBatch = async (batch: Item[]) => {
      const files: { name: string; bytes: Uint8Array }[] = [];
      const readable: Item[] = [];
      let next = 0;
      const reader = async () => {
        while (next < batch.length) {
          const item = batch[next++]!;
          if (item.size > SPECTRA_LIMITS.maxFileBytes) {
            outcomes.set(item, { path: item.path, error: `${item.name}: larger than ${SPECTRA_LIMITS.maxFileBytes / 1024 / 1024} MB; too large to plot` });
            continue;
          }
          try {
            const bytes = await readAll(this.ops, actor, item, options.signal);
            files.push({ name: item.name, bytes });
            readable.push(item);
          } catch (err) {
            outcomes.set(item, { path: item.path, error: `${item.name}: ${messageOf(err)}` });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(SPECTRA_LIMITS.readConcurrency, batch.length) }, reader));
      if (options.signal.aborted || files.length === 0) return;
      const task: ParseTask = { files, maxPoints: options.maxPoints };
      const parsed = inline ? parseSpectra(task) : ((await this.threads().run(task)) as ParsedSpectrum[]);
      readable.forEach((item, k) => outcomes.set(item, { item, parsed: parsed[k]! }));
    };
    const inFlight = inline ? 1 : Math.max(2, Math.min(4, availableParallelism()) + 1);
    let nextBatch = 0;
    await Promise.all(
      Array.from({ length: Math.min(inFlight, batches.length) }, async () => {
        while (nextBatch < batches.length && !options.signal.aborted) await runBatch(batches[nextBatch++]!);
      }),
    );
    if (options.signal.aborted) throw new Error('the request was cancelled');

    // Assemble in request order; identical wavelength grids are sent once.
    const arrays: Float32Array[] = [];
    const grids: { offset: number; length: number }[] = [];
    const gridIndex = new Map<string, number[]>();
    const gridArrays: Float32Array[] = [];
    const entries: (WireSpectrum | WireError)[] = [];
    let values = 0;
    let errors = 0;
    const push = (a: Float32Array) => {
      const offset = values;
      arrays.push(a);
      values += a.length;
      return offset;
    };
    for (const e of expanded) {
      if ('error' in e) {
        entries.push(e);
        errors++;
        continue;
      }
      const o = outcomes.get(e);
      if (!o || 'error' in o) {
        entries.push(o ?? { path: e.path, error: `${e.name}: not read` });
        errors++;
        continue;
      }
      const p = o.parsed;
      if (!p.ok) {
        entries.push({ path: e.path, error: p.error });
        errors++;
        continue;
      }
      const key = gridKey(p.wavelength);
      const candidates = gridIndex.get(key) ?? [];
      let grid = candidates.find((g) => sameFloats(gridArrays[g]!, p.wavelength));
      const extra = (grid === undefined ? p.wavelength.length : 0) + p.flux.length;
      if (values + extra > SPECTRA_LIMITS.maxValues) {
        entries.push({ path: e.path, error: `${e.name}: not sent: the answer would exceed ${SPECTRA_LIMITS.maxValues} values; plot fewer spectra or ask for fewer points (maxPoints)` });
        errors++;
        continue;
      }
      if (grid === undefined) {
        grid = grids.length;
        grids.push({ offset: push(p.wavelength), length: p.wavelength.length });
        gridArrays.push(p.wavelength);
        gridIndex.set(key, [...candidates, grid]);
      }
      const flux = push(p.flux);
      const { ok: _ok, wavelength: _w, flux: _f, originalLength, ...meta } = p;
      entries.push({ path: e.path, name: e.name, grid, flux, length: p.flux.length, ...meta, ...(originalLength !== p.flux.length ? { originalLength } : {}) });
    }
    if (errors > 0) this.log.debug({ errors, spectra: entries.length - errors }, 'spectra request with unreadable items');
    return { body: encodeSpectra({ grids, spectra: entries }, arrays), spectra: entries.length - errors, errors };
  }
}
