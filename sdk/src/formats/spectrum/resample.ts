/**
 * Resampling onto a new wavelength grid.
 * - `resampleLinear`: linear interpolation of flux (and error) at the grid points; points
 *   outside the spectrum get `fill` (NaN by default). Fast: one merge pass.
 * - `resampleFluxConserving`: each new pixel is the overlap-weighted mean of the old pixels it
 *   covers (pixel edges halfway between centres), so integrated flux is preserved; errors
 *   propagate as sqrt(Σ (wᵢσᵢ)²)/Σwᵢ. New pixels not fully covered get `fill`.
 */
import { SpectrumError } from '../errors.js';
import { checkAscending } from './grid.js';
import type { Spectrum } from './model.js';

export interface ResampleOptions {
  /** Value for grid points outside the spectrum (default NaN). */
  fill?: number;
}

function like(a: Float32Array | Float64Array, n: number): Float32Array | Float64Array {
  return a instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

/** Linear interpolation of `y(x)` at ascending `grid` into `out`. */
export function interpolateInto(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  grid: ArrayLike<number>,
  out: { [i: number]: number },
  fill: number,
  outOffset = 0,
): void {
  const n = x.length;
  const m = grid.length;
  if (n === 0) {
    for (let j = 0; j < m; j++) out[outOffset + j] = fill;
    return;
  }
  const x0 = x[0];
  const xn = x[n - 1];
  let i = 0;
  for (let j = 0; j < m; j++) {
    const g = grid[j];
    if (g < x0 || g > xn || g !== g) {
      out[outOffset + j] = fill;
      continue;
    }
    while (i < n - 2 && x[i + 1] < g) i++;
    const xa = x[i];
    const xb = x[i + 1];
    if (n === 1 || g === xa) {
      out[outOffset + j] = y[i];
      continue;
    }
    const t = (g - xa) / (xb - xa);
    out[outOffset + j] = y[i] + t * (y[i + 1] - y[i]);
  }
}

export function resampleLinear(s: Spectrum, grid: Float64Array, opts: ResampleOptions = {}): Spectrum {
  checkAscending(grid, 'grid');
  const fill = opts.fill ?? NaN;
  const flux = like(s.flux, grid.length);
  interpolateInto(s.wavelength, s.flux, grid, flux, fill);
  let error: Float32Array | Float64Array | undefined;
  if (s.error) {
    error = like(s.error, grid.length);
    interpolateInto(s.wavelength, s.error, grid, error, fill);
  }
  return { ...s, wavelength: grid, flux, ...(error ? { error } : {}), meta: { ...s.meta } };
}

/** Pixel edges: halfway between centres, the outer ones mirrored. */
export function edgesOf(c: ArrayLike<number>): Float64Array {
  const n = c.length;
  const e = new Float64Array(n + 1);
  if (n === 1) {
    e[0] = c[0] - 0.5;
    e[1] = c[0] + 0.5;
    return e;
  }
  e[0] = c[0] - (c[1] - c[0]) / 2;
  for (let i = 1; i < n; i++) e[i] = (c[i - 1] + c[i]) / 2;
  e[n] = c[n - 1] + (c[n - 1] - c[n - 2]) / 2;
  return e;
}

export function resampleFluxConserving(s: Spectrum, grid: Float64Array, opts: ResampleOptions = {}): Spectrum {
  checkAscending(grid, 'grid');
  checkAscending(s.wavelength, 'spectrum wavelength');
  if (s.wavelength.length === 0) throw new SpectrumError('cannot resample an empty spectrum');
  const fill = opts.fill ?? NaN;
  const oldE = edgesOf(s.wavelength);
  const newE = edgesOf(grid);
  const m = grid.length;
  const flux = like(s.flux, m);
  const error = s.error ? like(s.error, m) : undefined;
  const n = s.wavelength.length;
  let i = 0;
  for (let j = 0; j < m; j++) {
    const lo = newE[j];
    const hi = newE[j + 1];
    if (lo < oldE[0] || hi > oldE[n]) {
      flux[j] = fill;
      if (error) error[j] = fill;
      continue;
    }
    while (i < n - 1 && oldE[i + 1] <= lo) i++;
    let sum = 0;
    let wsum = 0;
    let esum = 0;
    for (let k = i; k < n && oldE[k] < hi; k++) {
      const w = Math.min(hi, oldE[k + 1]) - Math.max(lo, oldE[k]);
      if (w <= 0) continue;
      sum += w * s.flux[k];
      wsum += w;
      if (error && s.error) esum += (w * s.error[k]) ** 2;
    }
    flux[j] = wsum > 0 ? sum / wsum : fill;
    if (error) error[j] = wsum > 0 ? Math.sqrt(esum) / wsum : fill;
  }
  return { ...s, wavelength: grid, flux, ...(error ? { error } : {}), meta: { ...s.meta } };
}
