/** Neighbourhood functions h(map distance, radius) and the K x K matrices built from them. */
import type { Grid } from './grid.js';

export type NeighbourhoodKind = 'gaussian' | 'bubble' | 'mexican-hat';

/** The kinds by the number the kernels use for them. */
export const NEIGHBOURHOOD_KINDS: readonly NeighbourhoodKind[] = ['gaussian', 'bubble', 'mexican-hat'];

/** h for a squared map distance d2 and radius sigma. */
export function neighbourhood(kind: NeighbourhoodKind, d2: number, sigma: number): number {
  const s2 = sigma * sigma;
  switch (kind) {
    case 'gaussian':
      return Math.exp(-d2 / (2 * s2));
    case 'bubble':
      // every unit within the radius counts fully (the BMU itself always does)
      return d2 <= s2 + 1e-12 ? 1 : 0;
    case 'mexican-hat':
      // Ricker wavelet: 1 at the centre, negative ring around sqrt(2) sigma
      return (1 - d2 / s2) * Math.exp(-d2 / (2 * s2));
  }
}

/** H[k, l] = h(|r_k - r_l|^2, sigma) for all units. */
export function neighbourhoodMatrix(grid: Grid, d2: Float64Array, kind: NeighbourhoodKind, sigma: number): Float64Array {
  const k = grid.size;
  const h = new Float64Array(k * k);
  for (let i = 0; i < k * k; i++) h[i] = neighbourhood(kind, d2[i]!, sigma);
  return h;
}

/**
 * A Gaussian on a rectangular grid factorises over the axes (exp(-(di^2 + dj^2)/2s^2) =
 * exp(-di^2/2s^2) exp(-dj^2/2s^2)), with or without wrap-around. Returns the two axis matrices,
 * or null when the neighbourhood does not factorise.
 */
export function separableFactors(grid: Grid, kind: NeighbourhoodKind, sigma: number): { hx: Float64Array; hy: Float64Array } | null {
  if (kind !== 'gaussian' || grid.topology !== 'rectangular') return null;
  const axis = (n: number): Float64Array => {
    const m = new Float64Array(n * n);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        let d = Math.abs(a - b);
        if (grid.toroidal) d = Math.min(d, n - d);
        m[a * n + b] = Math.exp(-(d * d) / (2 * sigma * sigma));
      }
    }
    return m;
  };
  return { hx: axis(grid.rows), hy: axis(grid.cols) };
}
