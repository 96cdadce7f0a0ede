/** Initial codebooks: PCA plane (as the numpy reference), random in the data's box, random samples. */
import type { Grid } from './grid.js';
import { KernelPool, sharedF64 } from './pool.js';
import { Rng } from './rng.js';
import { symmetricEigen } from './eigen.js';

export type InitKind = 'pca' | 'random' | 'samples';

/** numpy.linspace(-1, 1, n): one point gives -1, like numpy. */
function linspace(n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = n > 1 ? -1 + (2 * i) / (n - 1) : -1;
  return out;
}

export function columnMeans(x: Float32Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j] /= Math.max(n, 1);
  return mean;
}

/**
 * The two leading principal axes, each scaled by the square root of its eigenvalue and
 * sign-fixed so that its largest-magnitude component is positive (the reference's convention).
 * Lanczos with full reorthogonalisation on the implicit covariance v -> Xc^T Xc v / (N - 1):
 * no D x D matrix is formed, and each step is one parallel pass over the data (the n x d
 * matrix the pool has bound as 'x').
 */
export async function principalAxes(pool: KernelPool, n: number, d: number, mean: Float64Array,
  signal?: AbortSignal): Promise<[Float64Array, Float64Array]> {
  const v = sharedF64(d);
  const z = Array.from({ length: pool.threads }, () => sharedF64(d));
  const sharedMean = sharedF64(d);
  sharedMean.set(mean);
  await pool.bind({ mean: sharedMean, v, z });
  const tasks = KernelPool.ranges(n, 512).map(([n0, n1]) => ({ op: 'covmv' as const, n0, n1, d }));
  const apply = async (q: Float64Array): Promise<Float64Array> => {
    v.set(q);
    for (const zi of z) zi.fill(0);
    await pool.run(tasks, signal);
    const out = new Float64Array(d);
    for (const zi of z) for (let j = 0; j < d; j++) out[j] += zi[j]!;
    const scale = 1 / Math.max(n - 1, 1);
    for (let j = 0; j < d; j++) out[j] *= scale;
    return out;
  };
  const maxSteps = Math.min(d, 120);
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  // a fixed, dense start vector: deterministic and not orthogonal to any axis in practice
  let q: Float64Array = new Float64Array(d);
  const rng = new Rng(12345);
  for (let j = 0; j < d; j++) q[j] = rng.next() - 0.5;
  normalise(q);
  let ritz: { values: Float64Array; vectors: Float64Array; m: number } | null = null;
  for (let step = 0; step < maxSteps; step++) {
    basis.push(q);
    const w = await apply(q);
    const a = dot(w, q);
    alpha.push(a);
    // full reorthogonalisation (twice is enough) keeps the basis orthogonal in floating point
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        const c = dot(w, b);
        for (let j = 0; j < d; j++) w[j] -= c * b[j]!;
      }
    }
    const bnorm = Math.sqrt(dot(w, w));
    const m = basis.length;
    const t = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      t[i * m + i] = alpha[i]!;
      if (i + 1 < m) t[i * m + i + 1] = t[(i + 1) * m + i] = beta[i]!;
    }
    const e = symmetricEigen(t, m);
    ritz = { values: e.values, vectors: e.vectors, m };
    const top = Math.abs(e.values[0]!) || 1;
    const converged = m >= Math.min(2, d) && [0, 1].every((i) => i >= m || Math.abs(bnorm * e.vectors[(m - 1) * m + i]!) <= 1e-10 * top);
    if (converged || bnorm <= 1e-12 * top || m === maxSteps) break;
    beta.push(bnorm);
    q = w;
    for (let j = 0; j < d; j++) q[j]! /= bnorm;
  }
  await pool.bind({ mean: null, v: null, z: null });
  const axes: Float64Array[] = [0, 1].map((i) => {
    const out = new Float64Array(d);
    if (!ritz || i >= ritz.m) return out;
    for (let b = 0; b < ritz.m; b++) {
      const c = ritz.vectors[b * ritz.m + i]!;
      const qb = basis[b]!;
      for (let j = 0; j < d; j++) out[j] += c * qb[j]!;
    }
    normalise(out);
    const scale = Math.sqrt(Math.max(ritz.values[i]!, 0));
    let big = 0;
    for (let j = 1; j < d; j++) if (Math.abs(out[j]!) > Math.abs(out[big]!)) big = j;
    const sign = out[big]! < 0 ? -1 : 1;
    for (let j = 0; j < d; j++) out[j] *= scale * sign;
    return out;
  });
  return [axes[0]!, axes[1]!];
}

/** W[i, j] = mean + a_i v_i + b_j v_j, the first axis along the longer side of the map. */
export function pcaCodebook(grid: Grid, mean: Float64Array, v1: Float64Array, v2: Float64Array): Float32Array {
  const d = mean.length;
  const [vi, vj] = grid.rows >= grid.cols ? [v1, v2] : [v2, v1];
  const a = linspace(grid.rows), b = linspace(grid.cols);
  const w = new Float32Array(grid.size * d);
  for (let i = 0; i < grid.rows; i++) {
    for (let j = 0; j < grid.cols; j++) {
      const o = (i * grid.cols + j) * d;
      for (let c = 0; c < d; c++) w[o + c] = mean[c]! + a[i]! * vi[c]! + b[j]! * vj[c]!;
    }
  }
  return w;
}

/** Uniform random weights inside the per-dimension range of the data. */
export function randomCodebook(x: Float32Array, n: number, d: number, k: number, rng: Rng): Float32Array {
  const lo = new Float64Array(d).fill(Infinity), hi = new Float64Array(d).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j]!;
      if (v < lo[j]!) lo[j] = v;
      if (v > hi[j]!) hi[j] = v;
    }
  }
  const w = new Float32Array(k * d);
  for (let u = 0; u < k; u++) for (let j = 0; j < d; j++) w[u * d + j] = lo[j]! + rng.next() * (hi[j]! - lo[j]!);
  return w;
}

/** Random distinct samples as weights; with more units than samples, samples repeat. */
export function sampleCodebook(x: Float32Array, n: number, d: number, k: number, rng: Rng): Float32Array {
  const w = new Float32Array(k * d);
  const perm = rng.permutation(n);
  for (let u = 0; u < k; u++) {
    const i = u < n ? perm[u]! : rng.int(n);
    w.set(x.subarray(i * d, (i + 1) * d), u * d);
  }
  return w;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j]! * b[j]!;
  return s;
}

function normalise(a: Float64Array): void {
  const n = Math.sqrt(dot(a, a));
  if (n > 0) for (let j = 0; j < a.length; j++) a[j]! /= n;
}
