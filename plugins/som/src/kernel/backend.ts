/**
 * The compute backends behind the worker pool: the native kernel (C++, AVX-512 / AVX2 / portable,
 * built by `build:assets` when a C++ compiler is present) and a portable JavaScript kernel that
 * always works. Both expose the same operations on typed arrays (usually over SharedArrayBuffers).
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsBackend } from './js-backend.js';
import { wasmBackend, wasmUnavailableReason } from './wasm-backend.js';

export type BackendName = 'native' | 'wasm' | 'js';

export interface ComputeBackend {
  readonly name: BackendName;
  /** 'native-avx512', 'native-avx2', 'native-portable', 'wasm-simd128' or 'js'. */
  readonly label: string;
  /** Length of the packed weight buffer for K units of dimension D. */
  packedLength(k: number, d: number): number;
  /** Lay the K x D weights out the way `bmu` reads them. */
  packWeights(w: Float32Array, k: number, d: number, out: Float32Array): void;
  /** For rows [n0, n1): best unit, its score |w|^2 - 2 x.w and (if asked) the second-best unit. */
  bmu(x: Float32Array, n0: number, n1: number, d: number, packed: Float32Array, w2: Float32Array, k: number,
    bmu: Int32Array, score: Float32Array | null, second: Int32Array | null): void;
  /** S[bmu[i], j] += x[i, j] for all n rows and the columns [j0, j1) (threads split columns). */
  accumulate(x: Float32Array, n: number, d: number, j0: number, j1: number, bmu: Int32Array, s: Float64Array, k: number): void;
  /** out[k] = sum_l H[k, l] S[l] for units [k0, k1). */
  neighbourProduct(h: Float64Array, s: Float64Array, k: number, d: number, k0: number, k1: number, out: Float64Array): void;
  /** W[u, j] = src[u, j] / den[u] for columns [j0, j1) where den[u] > 1e-30 (others keep theirs). */
  updateWeights(src: Float64Array, den: Float64Array, k: number, d: number, j0: number, j1: number, w: Float32Array): void;
  /**
   * Kohonen steps for the samples order[0..]: c = BMU of x, then w_u += alpha[t] h(d2[c, u], sigma[t]) (x - w_u)
   * for every unit with |alpha h| >= 1e-7; w2 (|w_u|^2, float64) is kept up to date. kind: 0 Gaussian,
   * 1 bubble, 2 Mexican hat. With cosine the BMU is the largest x.w/|w| (x already unit length).
   */
  onlineSteps(x: Float32Array, d: number, order: Int32Array, w: Float32Array, w2: Float64Array, k: number, d2: Float64Array,
    kind: number, cosine: boolean, sigma: Float64Array, alpha: Float64Array): void;
  /** out = (Hx (x) Hy) S for columns [j0, j1); tmp is K x (j1 - j0) scratch; out may be S. */
  separableProduct(hx: Float64Array, hy: Float64Array, s: Float64Array, nx: number, ny: number, d: number,
    j0: number, j1: number, tmp: Float64Array, out: Float64Array): void;
}

interface NativeModule {
  packWeights(w: Float32Array, k: number, d: number, out: Float32Array): void;
  bmu(...args: unknown[]): void;
  accumulate(...args: unknown[]): void;
  neighbourProduct(...args: unknown[]): void;
  separableProduct(...args: unknown[]): void;
  updateWeights(...args: unknown[]): void;
  onlineSteps(...args: unknown[]): void;
  info(): { isa: string; panel: number; mr: number };
  setIsa(isa: string): void;
}

const NATIVE_PATH = fileURLToPath(new URL('../native/som_kernel.node', import.meta.url));
let nativeModule: NativeModule | null | undefined;
let nativeError = '';

/** The native module, or null (with the reason in `nativeUnavailableReason()`). */
function loadNative(): NativeModule | null {
  if (nativeModule !== undefined) return nativeModule;
  if (!existsSync(NATIVE_PATH)) {
    nativeError = `${NATIVE_PATH} was not built (no C++ compiler during build:assets?)`;
    nativeModule = null;
    return null;
  }
  try {
    nativeModule = createRequire(import.meta.url)(NATIVE_PATH) as NativeModule;
    const isa = process.env.VOCLOUD_SOM_ISA;
    if (isa) nativeModule.setIsa(isa);
  } catch (err) {
    nativeError = (err as Error).message;
    nativeModule = null;
  }
  return nativeModule;
}

export function nativeUnavailableReason(): string {
  loadNative();
  return nativeError;
}

function nativeBackend(m: NativeModule): ComputeBackend {
  const { panel, isa } = m.info();
  return {
    name: 'native',
    label: `native-${isa}`,
    packedLength: (k, d) => Math.ceil(k / panel) * panel * d,
    packWeights: (w, k, d, out) => m.packWeights(w, k, d, out),
    bmu: (...a) => m.bmu(...a),
    accumulate: (...a) => m.accumulate(...a),
    neighbourProduct: (...a) => m.neighbourProduct(...a),
    separableProduct: (...a) => m.separableProduct(...a),
    updateWeights: (...a) => m.updateWeights(...a),
    onlineSteps: (...a) => m.onlineSteps(...a),
  };
}

/**
 * The backend to use. 'auto' takes the first that loads of native, wasm, js;
 * VOCLOUD_SOM_BACKEND=native|wasm|js overrides 'auto' (benchmarks and tests use it). Asking for
 * one that is not available throws, with the reason.
 */
export function selectBackend(want: BackendName | 'auto' = 'auto'): ComputeBackend {
  const env = process.env.VOCLOUD_SOM_BACKEND;
  const choice = want === 'auto' && (env === 'js' || env === 'native' || env === 'wasm') ? env : want;
  if (choice === 'js') return jsBackend;
  if (choice === 'native' || choice === 'auto') {
    const m = loadNative();
    if (m) return nativeBackend(m);
    if (choice === 'native') throw new Error(`the native SOM kernel is not available: ${nativeError}`);
  }
  const w = wasmBackend();
  if (w) return w;
  if (choice === 'wasm') throw new Error(`the WebAssembly SOM kernel is not available: ${wasmUnavailableReason()}`);
  return jsBackend;
}
