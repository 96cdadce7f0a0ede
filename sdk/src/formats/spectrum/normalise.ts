/**
 * Flux normalisation. NaN pixels are ignored when computing the factors and stay NaN.
 * - 'l2': divide by the Euclidean norm (SOM inputs);
 * - 'max': divide by the maximum;
 * - 'minmax': map [min, max] to [0, 1];
 * - 'continuum': divide by a continuum fitted iteratively — a Legendre polynomial fitted by
 *   least squares, rejecting points more than `lowReject`σ below or `highReject`σ above the
 *   fit, repeated until nothing changes (the IRAF `continuum` approach).
 */
import { SpectrumError } from '../errors.js';
import type { Spectrum } from './model.js';

export type NormaliseKind = 'l2' | 'max' | 'minmax' | 'continuum';

export interface ContinuumOptions {
  /** Polynomial degree (default 3). */
  degree?: number;
  /** Rejection thresholds in standard deviations of the residuals (defaults 2 below, 3 above). */
  lowReject?: number;
  highReject?: number;
  /** Maximum rejection iterations (default 10). */
  iterations?: number;
}

function scaled(s: Spectrum, f: (v: number, i: number) => number, ef?: (e: number, i: number) => number): Spectrum {
  const n = s.flux.length;
  const flux = s.flux instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) flux[i] = f(s.flux[i], i);
  let error: Float32Array | Float64Array | undefined;
  if (s.error && ef) {
    error = s.error instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
    for (let i = 0; i < n; i++) error[i] = ef(s.error[i], i);
  }
  return { ...s, flux, ...(error ? { error } : {}), fluxUnit: '', meta: { ...s.meta } };
}

/** Legendre polynomials P0..Pd at x ∈ [−1, 1]. */
function legendre(x: number, d: number, out: Float64Array): void {
  out[0] = 1;
  if (d >= 1) out[1] = x;
  for (let k = 2; k <= d; k++) out[k] = ((2 * k - 1) * x * out[k - 1] - (k - 1) * out[k - 2]) / k;
}

/** Solve A x = b (A symmetric positive definite, small) by Gaussian elimination with pivoting. */
function solve(a: Float64Array[], b: Float64Array): Float64Array | undefined {
  const n = b.length;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    if (Math.abs(a[p][c]) < 1e-300) return undefined;
    [a[c], a[p]] = [a[p], a[c]];
    [b[c], b[p]] = [b[p], b[c]];
    for (let r = c + 1; r < n; r++) {
      const f = a[r][c] / a[c][c];
      for (let k = c; k < n; k++) a[r][k] -= f * a[c][k];
      b[r] -= f * b[c];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let v = b[r];
    for (let k = r + 1; k < n; k++) v -= a[r][k] * x[k];
    x[r] = v / a[r][r];
  }
  return x;
}

/** The fitted continuum of a spectrum (same length as flux). */
export function fitContinuum(s: Spectrum, opts: ContinuumOptions = {}): Float64Array {
  const degree = opts.degree ?? 3;
  const low = opts.lowReject ?? 2;
  const high = opts.highReject ?? 3;
  const iters = opts.iterations ?? 10;
  const w = s.wavelength;
  const n = w.length;
  if (n < degree + 1) throw new SpectrumError(`continuum fit of degree ${degree} needs at least ${degree + 1} points`);
  const a = w[0];
  const span = w[n - 1] - w[0] || 1;
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = (2 * (w[i] - a)) / span - 1;
  const keep = new Uint8Array(n);
  for (let i = 0; i < n; i++) keep[i] = Number.isFinite(s.flux[i]) ? 1 : 0;
  const p = new Float64Array(degree + 1);
  const cont = new Float64Array(n);
  for (let it = 0; it <= iters; it++) {
    const ata = Array.from({ length: degree + 1 }, () => new Float64Array(degree + 1));
    const atb = new Float64Array(degree + 1);
    let used = 0;
    for (let i = 0; i < n; i++) {
      if (!keep[i]) continue;
      used++;
      legendre(xs[i], degree, p);
      for (let r = 0; r <= degree; r++) {
        atb[r] += p[r] * s.flux[i];
        for (let c = 0; c <= degree; c++) ata[r][c] += p[r] * p[c];
      }
    }
    if (used < degree + 1) throw new SpectrumError('continuum fit rejected too many points');
    const coef = solve(ata, atb);
    if (!coef) throw new SpectrumError('continuum fit is singular');
    let ss = 0;
    for (let i = 0; i < n; i++) {
      legendre(xs[i], degree, p);
      let v = 0;
      for (let k = 0; k <= degree; k++) v += coef[k] * p[k];
      cont[i] = v;
      if (keep[i]) ss += (s.flux[i] - v) ** 2;
    }
    if (it === iters) break;
    const sigma = Math.sqrt(ss / Math.max(1, used - degree - 1));
    let changed = false;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(s.flux[i])) continue;
      const r = s.flux[i] - cont[i];
      const k = r >= -low * sigma && r <= high * sigma ? 1 : 0;
      if (k !== keep[i]) changed = true;
      keep[i] = k;
    }
    if (!changed) break;
  }
  return cont;
}

/** A normalised copy of the spectrum (`fluxUnit` becomes '' since the result is relative). */
export function normalise(s: Spectrum, kind: NormaliseKind, opts: ContinuumOptions = {}): Spectrum {
  const f = s.flux;
  if (kind === 'continuum') {
    const c = fitContinuum(s, opts);
    return scaled(s, (v, i) => v / c[i], (e, i) => e / Math.abs(c[i]));
  }
  let max = -Infinity;
  let min = Infinity;
  let sq = 0;
  for (let i = 0; i < f.length; i++) {
    const v = f[i];
    if (v !== v) continue;
    if (v > max) max = v;
    if (v < min) min = v;
    sq += v * v;
  }
  if (max === -Infinity) throw new SpectrumError('cannot normalise a spectrum with no finite flux');
  if (kind === 'l2') {
    const norm = Math.sqrt(sq);
    if (norm === 0) throw new SpectrumError('cannot L2-normalise an all-zero spectrum');
    return scaled(s, (v) => v / norm, (e) => e / norm);
  }
  if (kind === 'max') {
    if (max === 0) throw new SpectrumError('cannot max-normalise: the maximum flux is 0');
    return scaled(s, (v) => v / max, (e) => e / Math.abs(max));
  }
  if (kind === 'minmax') {
    const r = max - min;
    if (r === 0) throw new SpectrumError('cannot min–max normalise a constant spectrum');
    return scaled(s, (v) => (v - min) / r, (e) => e / r);
  }
  throw new SpectrumError(`unknown normalisation ${String(kind)}`);
}
