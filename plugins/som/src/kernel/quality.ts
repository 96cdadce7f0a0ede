/** Map quality and pictures of it: topographic error, U-matrix, hit counts. */
import type { Grid } from './grid.js';

/** Fraction of samples whose second-best unit is not an immediate neighbour of the best. */
export function topographicError(grid: Grid, bmu: Int32Array, second: Int32Array): number {
  if (bmu.length === 0) return 0;
  const nb = grid.neighbours();
  let errors = 0;
  for (let i = 0; i < bmu.length; i++) {
    const s = second[i]!;
    if (s >= 0 && !nb[bmu[i]!]!.includes(s)) errors++;
  }
  return errors / bmu.length;
}

export function hitCounts(k: number, bmu: Int32Array): Int32Array {
  const h = new Int32Array(k);
  for (let i = 0; i < bmu.length; i++) h[bmu[i]!]++;
  return h;
}

/** Mean distance from each unit's weight vector to those of its immediate neighbours. */
export function uMatrix(grid: Grid, w: Float32Array, d: number, distance: 'euclidean' | 'cosine'): Float64Array {
  const nb = grid.neighbours();
  const u = new Float64Array(grid.size);
  const norms = new Float64Array(grid.size);
  for (let k = 0; k < grid.size; k++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += w[k * d + j]! ** 2;
    norms[k] = Math.sqrt(s);
  }
  for (let k = 0; k < grid.size; k++) {
    const list = nb[k]!;
    if (list.length === 0) continue;
    let total = 0;
    for (const l of list) {
      let s = 0;
      if (distance === 'euclidean') {
        for (let j = 0; j < d; j++) s += (w[k * d + j]! - w[l * d + j]!) ** 2;
        total += Math.sqrt(s);
      } else {
        for (let j = 0; j < d; j++) s += w[k * d + j]! * w[l * d + j]!;
        const n = norms[k]! * norms[l]!;
        total += n > 0 ? 1 - s / n : 1;
      }
    }
    u[k] = total / list.length;
  }
  return u;
}
