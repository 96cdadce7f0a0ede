/**
 * The WebAssembly SIMD kernel (assembly/kernel.ts, built by build:assets with AssemblyScript):
 * the BMU search only, about 10x faster than the JavaScript loops. Each thread has its own
 * instance and linear memory; a task copies its rows and the packed weights in (cheap next to
 * the K x D work per row) and the results out. The other operations are the JavaScript ones.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ComputeBackend } from './backend.js';
import { jsBackend } from './js-backend.js';

const WASM_PATH = fileURLToPath(new URL('../wasm/som_kernel.wasm', import.meta.url));
const NR = 8;
const MR = 4;

// The few WebAssembly names used here (the package compiles without the DOM library).
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface Exports {
  memory: { buffer: ArrayBuffer };
  reserve(bytes: number): number;
  bmu(x: number, rows: number, d: number, wp: number, w2: number, k: number, scratch: number, outBmu: number, outScore: number, outSecond: number): void;
}

let instance: Exports | null | undefined;
let loadError = '';

function load(): Exports | null {
  if (instance !== undefined) return instance;
  try {
    if (!existsSync(WASM_PATH)) throw new Error(`${WASM_PATH} was not built`);
    const module = new WA.Module(readFileSync(WASM_PATH));
    instance = new WA.Instance(module, { env: { abort: () => { throw new Error('wasm kernel aborted'); } } }).exports as unknown as Exports;
  } catch (err) {
    loadError = (err as Error).message;
    instance = null;
  }
  return instance;
}

export function wasmUnavailableReason(): string {
  load();
  return loadError;
}

/** The wasm backend, or null when the module is missing or this runtime lacks WebAssembly SIMD. */
export function wasmBackend(): ComputeBackend | null {
  const w = load();
  if (!w) return null;
  const panels = (k: number): number => Math.ceil(k / NR);
  return {
    ...jsBackend,
    name: 'wasm',
    label: 'wasm-simd128',
    packedLength: (k, d) => panels(k) * NR * d,
    packWeights(wt, k, d, out) {
      for (let p = 0; p < panels(k); p++) {
        for (let j = 0; j < NR; j++) {
          const unit = p * NR + j;
          const base = p * d * NR + j;
          if (unit < k) for (let c = 0; c < d; c++) out[base + c * NR] = wt[unit * d + c]!;
          else for (let c = 0; c < d; c++) out[base + c * NR] = 0;
        }
      }
    },
    bmu(x, n0, n1, d, packed, w2, k, bmu, score, second) {
      const rows = n1 - n0;
      if (rows <= 0) return;
      const kpad = panels(k) * NR;
      const sizes = [kpad * d, k, rows * d, MR * kpad, rows, rows, rows].map((n) => (n * 4 + 15) & ~15);
      const base = w.reserve(sizes.reduce((a, b) => a + b, 0));
      const at: number[] = [];
      sizes.reduce((off, s) => (at.push(off), off + s), base);
      const [wp, pw2, px, scratch, pb, ps, p2] = at as [number, number, number, number, number, number, number];
      const buf = w.memory.buffer;
      new Float32Array(buf, wp, kpad * d).set(packed.subarray(0, kpad * d));
      new Float32Array(buf, pw2, k).set(w2.subarray(0, k));
      new Float32Array(buf, px, rows * d).set(x.subarray(n0 * d, n1 * d));
      w.bmu(px, rows, d, wp, pw2, k, scratch, pb, ps, p2);
      bmu.set(new Int32Array(buf, pb, rows), n0);
      if (score) score.set(new Float32Array(buf, ps, rows), n0);
      if (second) second.set(new Int32Array(buf, p2, rows), n0);
    },
  };
}
