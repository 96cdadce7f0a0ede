import { realpath } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Logger } from 'pino';
import type { PathActor } from '../files/areas.js';
import type { StorageOps, UserEntry } from '../files/storage-ops.js';
import { encodeSpectra, type WireError, type WireSpectrum } from './wire.js';
import { parseSpectra, type ParsedSpectrum, type ParseTask } from './parse-task.js';
import { isSidecar } from '../files/sidecars.js';

/** Bounds of one request, so a plot of a huge folder cannot exhaust the server. */
export const SPECTRA_LIMITS = {
  /** Files per request after folders are expanded. */
  maxFiles: 10_000,
  /** A larger file is an item error (readSpectrum holds the whole file). */
  maxFileBytes: 256 * 1024 * 1024,
  /** Float32 values in one answer (256 MB). */
  maxValues: 64 * 1024 * 1024,
  /** Files read at the same time when they are not on local storage. */
  readConcurrency: 8,
  /** Files per worker-thread task. */
  batch: 50,
  /** Below this many bytes in total the files are parsed on the event loop (a thread costs more). */
  inlineBytes: 256 * 1024,
} as const;

interface Item {
  readonly path: string;
  readonly name: string;
  readonly size: number;
}

type Outcome = { readonly parsed: ParsedSpectrum } | WireError;

/** Names a folder expansion leaves out: hidden files and the import provenance sidecars. */
function skippedInFolder(name: string): boolean {
  return name.startsWith('.') || isSidecar(name);
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

/** 64-bit FNV-style key over the float bits, to find identical wavelength grids. */
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
 * wire format (wire.ts). Paths are resolved (and rights checked) on the event loop; reading and
 * parsing run in a small worker-thread pool of its own — on local storage the threads read the
 * files themselves — so a plot of thousands of files does not stall other requests. Unreadable
 * files become per-item errors.
 */
export class SpectraReader {
  private pool: Piscina | null = null;
  private realRoot: Promise<string | null> | null = null;

  constructor(
    private readonly ops: StorageOps,
    private readonly storageRoot: string,
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

  private root(): Promise<string | null> {
    this.realRoot ??= realpath(this.storageRoot).catch(() => null);
    return this.realRoot;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.destroy();
  }

  /** Every file below a folder, from listings (which carry type and size), sorted by name. */
  private async walk(actor: PathActor, dir: string, budget: number, out: UserEntry[]): Promise<void> {
    for (let offset = 0; out.length < budget; offset += 1000) {
      const page = await this.ops.list(actor, dir, { offset, limit: 1000, sortBy: 'name', order: 'asc' });
      for (const e of page.entries) {
        if (out.length >= budget) return;
        if (skippedInFolder(e.name)) continue;
        if (e.type === 'directory') await this.walk(actor, e.path, budget, out);
        else out.push(e);
      }
      if (offset + 1000 >= page.total) return;
    }
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
        const inside: UserEntry[] = [];
        await this.walk(actor, entry.path, SPECTRA_LIMITS.maxFiles - files + 1, inside);
        for (const f of inside) {
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

  /** One batch: resolve (rights), then read and parse — in a thread, or here when it is tiny. */
  private async runBatch(actor: PathActor, batch: readonly Item[], inline: boolean, options: { maxPoints: number; signal: AbortSignal }, outcomes: Map<Item, Outcome>): Promise<void> {
    const root = await this.root();
    const files: ParseTask['files'][number][] = [];
    const sent: Item[] = [];
    const remote: Item[] = [];
    for (const item of batch) {
      if (item.size > SPECTRA_LIMITS.maxFileBytes) {
        outcomes.set(item, { path: item.path, error: `${item.name}: larger than ${SPECTRA_LIMITS.maxFileBytes / 1024 / 1024} MB; too large to plot` });
        continue;
      }
      try {
        const local = root ? this.ops.localPath(await this.ops.resolve(actor, item.path, 'read')) : null;
        if (local && !inline) {
          files.push({ name: item.name, local });
          sent.push(item);
        } else remote.push(item);
      } catch (err) {
        outcomes.set(item, { path: item.path, error: `${item.name}: ${messageOf(err)}` });
      }
    }
    // Other backends (and tiny requests): the bytes are read here, a few files at a time.
    let next = 0;
    const reader = async () => {
      while (next < remote.length && !options.signal.aborted) {
        const item = remote[next++]!;
        try {
          files.push({ name: item.name, bytes: await readAll(this.ops, actor, item, options.signal) });
          sent.push(item);
        } catch (err) {
          outcomes.set(item, { path: item.path, error: `${item.name}: ${messageOf(err)}` });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SPECTRA_LIMITS.readConcurrency, remote.length) }, reader));
    if (options.signal.aborted || files.length === 0) return;
    const task: ParseTask = { files, maxPoints: options.maxPoints, maxBytes: SPECTRA_LIMITS.maxFileBytes, ...(root ? { root } : {}) };
    const parsed = inline ? parseSpectra(task) : ((await this.threads().run(task, { signal: options.signal })) as ParsedSpectrum[]);
    sent.forEach((item, k) => outcomes.set(item, { parsed: parsed[k]! }));
  }

  async read(actor: PathActor, paths: readonly string[], options: { maxPoints: number; signal: AbortSignal }): Promise<{ body: Buffer; spectra: number; errors: number }> {
    const expanded = await this.expand(actor, paths);
    const items = expanded.filter((e): e is Item => !('error' in e));
    const inline = items.reduce((n, i) => n + i.size, 0) <= SPECTRA_LIMITS.inlineBytes;

    // Batches go to the threads a few at a time, so only a few are in memory at once.
    const outcomes = new Map<Item, Outcome>();
    const batches: Item[][] = [];
    for (let i = 0; i < items.length; i += SPECTRA_LIMITS.batch) batches.push(items.slice(i, i + SPECTRA_LIMITS.batch));
    const inFlight = inline ? 1 : Math.min(4, availableParallelism()) + 1;
    let nextBatch = 0;
    await Promise.all(
      Array.from({ length: Math.min(inFlight, batches.length) }, async () => {
        while (nextBatch < batches.length && !options.signal.aborted) await this.runBatch(actor, batches[nextBatch++]!, inline, options, outcomes);
      }),
    );
    if (options.signal.aborted) throw new Error('the request was cancelled');
    return this.assemble(expanded, outcomes);
  }

  /** The answer in request order; identical wavelength grids are sent once. */
  private assemble(expanded: readonly (Item | WireError)[], outcomes: Map<Item, Outcome>): { body: Buffer; spectra: number; errors: number } {
    const arrays: Float32Array[] = [];
    const grids: { offset: number; length: number }[] = [];
    const gridIndex = new Map<string, number[]>();
    const gridArrays: Float32Array[] = [];
    const entries: (WireSpectrum | WireError)[] = [];
    let values = 0;
    let errors = 0;
    const fail = (e: WireError) => {
      entries.push(e);
      errors++;
    };
    const push = (a: Float32Array) => {
      const offset = values;
      arrays.push(a);
      values += a.length;
      return offset;
    };
    for (const e of expanded) {
      if ('error' in e) {
        fail(e);
        continue;
      }
      const o = outcomes.get(e) ?? { path: e.path, error: `${e.name}: not read` };
      if ('error' in o) {
        fail(o);
        continue;
      }
      const p = o.parsed;
      if (!p.ok) {
        fail({ path: e.path, error: p.error });
        continue;
      }
      const key = gridKey(p.wavelength);
      const candidates = gridIndex.get(key) ?? [];
      let grid = candidates.find((g) => sameFloats(gridArrays[g]!, p.wavelength));
      const extra = (grid === undefined ? p.wavelength.length : 0) + p.flux.length;
      if (values + extra > SPECTRA_LIMITS.maxValues) {
        fail({ path: e.path, error: `${e.name}: not sent: the answer would exceed ${SPECTRA_LIMITS.maxValues} values; plot fewer spectra or ask for fewer points (maxPoints)` });
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
