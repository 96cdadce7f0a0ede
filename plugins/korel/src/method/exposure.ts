import type { RegionData } from './disentangle.js';
import { inverseReal, type HalfSpectrum } from './fourier.js';
import { nelderMead } from './nelder-mead.js';

/**
 * Per-exposure quantities once the component spectra are known: the model of one exposure, its
 * residual (O−C) spectrum, and the radial velocities that fit that exposure alone best.
 */

/** Model transform of exposure i of the region, modes ≥ firstMode: Σ_c a_c e^{−2πik v_c/(dv n)} X_c(k). */
function modelMode(region: RegionData, spectra: readonly HalfSpectrum[], amp: ArrayLike<number>, vel: ArrayLike<number>, k: number, out: { re: number; im: number }): void {
  const scale = (-2 * Math.PI) / region.n / region.dv;
  let mr = 0;
  let mi = 0;
  for (let c = 0; c < spectra.length; c++) {
    const th = scale * vel[c]! * k;
    const pr = Math.cos(th), pi = Math.sin(th);
    const X = spectra[c]!;
    mr += amp[c]! * (pr * X.re[k]! - pi * X.im[k]!);
    mi += amp[c]! * (pr * X.im[k]! + pi * X.re[k]!);
  }
  out.re = mr;
  out.im = mi;
}

/** Weighted-by-mode squared residual of exposure i for velocities vel (km/s), in data units. */
export function exposureCost(region: RegionData, i: number, spectra: readonly HalfSpectrum[], amp: ArrayLike<number>, vel: ArrayLike<number>, firstMode: number): number {
  const row = i * region.modes;
  const half = region.n / 2;
  const nc = spectra.length;
  const scale = (-2 * Math.PI) / region.n / region.dv;
  // Phases advance by complex multiplication, re-seeded exactly every 64 modes (as in the fit).
  const pr = new Float64Array(nc), pi = new Float64Array(nc), sr = new Float64Array(nc), si = new Float64Array(nc);
  for (let c = 0; c < nc; c++) {
    sr[c] = Math.cos(scale * vel[c]!);
    si[c] = Math.sin(scale * vel[c]!);
  }
  const k0 = Math.max(1, firstMode);
  let s = 0;
  for (let k = k0; k < region.modes; k++) {
    let rr = region.re[row + k]!;
    let ri = region.im[row + k]!;
    for (let c = 0; c < nc; c++) {
      if ((k - k0) % 64 === 0) {
        pr[c] = Math.cos(scale * vel[c]! * k);
        pi[c] = Math.sin(scale * vel[c]! * k);
      }
      const X = spectra[c]!;
      const a = amp[c]!;
      rr -= a * (pr[c]! * X.re[k]! - pi[c]! * X.im[k]!);
      ri -= a * (pr[c]! * X.im[k]! + pi[c]! * X.re[k]!);
      const x = pr[c]! * sr[c]! - pi[c]! * si[c]!;
      pi[c] = pr[c]! * si[c]! + pi[c]! * sr[c]!;
      pr[c] = x;
    }
    s += (k === half ? 1 : 2) * (rr * rr + ri * ri);
  }
  return s / region.n;
}

/**
 * O−C spectrum of exposure i: the mean-subtracted data minus the model (modes 0..ifil are not
 * modelled, so they stay in the residual). With `frameVelocity` the residual is shifted into
 * that rest frame (KOREL's kpr/10 option), exactly rather than by whole bins.
 */
export function residualSpectrum(
  region: RegionData,
  i: number,
  spectra: readonly HalfSpectrum[],
  amp: ArrayLike<number>,
  vel: ArrayLike<number>,
  firstMode: number,
  frameVelocity: number | null,
): Float64Array {
  const M = region.modes;
  const re = new Float64Array(M);
  const im = new Float64Array(M);
  const row = i * M;
  const m = { re: 0, im: 0 };
  for (let k = 1; k < M; k++) {
    re[k] = region.re[row + k]!;
    im[k] = region.im[row + k]!;
    if (k >= firstMode) {
      modelMode(region, spectra, amp, vel, k, m);
      re[k] -= m.re;
      im[k] -= m.im;
    }
    if (frameVelocity !== null) {
      // the shift applies to the real observer-frame residual, whose Nyquist term is real
      if (k === M - 1) im[k] = 0;
      const th = ((2 * Math.PI) / region.n / region.dv) * frameVelocity * k;
      const pr = Math.cos(th), pi = Math.sin(th);
      const x = re[k]! * pr - im[k]! * pi;
      im[k] = re[k]! * pi + im[k]! * pr;
      re[k] = x;
    }
  }
  return inverseReal(re, im, region.n);
}

/**
 * Radial velocities of all components that fit exposure i alone best, the component spectra
 * fixed (KOREL's final step, which gives the RV table and O−C of korel.res). Starts from v0.
 */
export async function fitExposureVelocities(region: RegionData, i: number, spectra: readonly HalfSpectrum[], amp: ArrayLike<number>, v0: Float64Array, firstMode: number, pause?: () => Promise<void> | void): Promise<Float64Array> {
  const n = v0.length;
  const steps = new Float64Array(n).fill(region.dv);
  const xtol = new Float64Array(n).fill(1e-5 * region.dv);
  // A noise-free exposure fits to a cost of ~0, where only an absolute tolerance can stop.
  const row = i * region.modes;
  let energy = 0;
  for (let k = 1; k < region.modes; k++) energy += region.re[row + k]! ** 2 + region.im[row + k]! ** 2;
  const fatol = (1e-20 * energy) / region.n;
  const r = await nelderMead((v) => exposureCost(region, i, spectra, amp, v, firstMode), v0, { steps, xtol, ftol: 1e-12, fatol, maxEvaluations: 400 * n, ...(pause ? { pause } : {}) });
  return r.x;
}
