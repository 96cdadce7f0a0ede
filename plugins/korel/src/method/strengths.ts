import type { RegionData } from './disentangle.js';
import type { HalfSpectrum } from './fourier.js';

/**
 * Line-strength factors a_c of the components whose strengths are solved (`solved`), per
 * exposure, for given component spectra and velocities: a small real least-squares problem
 * per exposure, min Σ_k c_k |F(k) − Σ_c a_c e^{iθ_c k} X_c(k)|², with the other components at
 * their current strengths on the right-hand side. Writes the new factors into amp.
 * Returns how many factors came out non-positive (they are set to a tiny positive value).
 */
export function solveStrengths(
  region: RegionData,
  spectra: readonly HalfSpectrum[],
  vel: readonly Float64Array[],
  amp: Float64Array[],
  solved: readonly number[],
  firstMode: number,
): number {
  const nc = spectra.length;
  const ns = solved.length;
  const M = region.modes;
  const half = region.n / 2;
  const scale = (-2 * Math.PI) / region.n / region.dv;
  const qr = new Float64Array(nc);
  const qi = new Float64Array(nc);
  let nonPositive = 0;
  for (let i = 0; i < region.exposures.length; i++) {
    const e = region.exposures[i]!;
    const G = new Float64Array(ns * ns);
    const h = new Float64Array(ns);
    const row = i * M;
    for (let k = Math.max(1, firstMode); k < M; k++) {
      const ck = k === half ? 1 : 2;
      for (let c = 0; c < nc; c++) {
        const th = scale * vel[c]![e]! * k;
        const pr = Math.cos(th), pi = Math.sin(th);
        qr[c] = pr * spectra[c]!.re[k]! - pi * spectra[c]!.im[k]!;
        qi[c] = pr * spectra[c]!.im[k]! + pi * spectra[c]!.re[k]!;
      }
      let fr = region.re[row + k]!;
      let fi = region.im[row + k]!;
      for (let c = 0; c < nc; c++) {
        if (solved.includes(c)) continue;
        fr -= amp[c]![e]! * qr[c]!;
        fi -= amp[c]![e]! * qi[c]!;
      }
      for (let a = 0; a < ns; a++) {
        const ca = solved[a]!;
        h[a] += ck * (qr[ca]! * fr + qi[ca]! * fi);
        for (let b = 0; b < ns; b++) {
          const cb = solved[b]!;
          G[a * ns + b] += ck * (qr[ca]! * qr[cb]! + qi[ca]! * qi[cb]!);
        }
      }
    }
    const x = solveReal(ns, G, h);
    for (let a = 0; a < ns; a++) {
      let v = x ? x[a]! : amp[solved[a]!]![e]!;
      if (!(v > 0)) {
        nonPositive++;
        v = Math.exp(-9.9999); // KOREL's floor for a vanishing strength
      }
      amp[solved[a]!]![e] = v;
    }
  }
  return nonPositive;
}

/** Gaussian elimination with partial pivoting; null when singular. */
export function solveReal(n: number, A: Float64Array, b: Float64Array): Float64Array | null {
  const a = Float64Array.from(A);
  const x = Float64Array.from(b);
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(a[i * n + i]!));
  if (!(scale > 0)) return null;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]!) > Math.abs(a[p * n + c]!)) p = r;
    if (!(Math.abs(a[p * n + c]!) > 1e-13 * scale)) return null;
    if (p !== c) {
      for (let k = 0; k < n; k++) [a[p * n + k], a[c * n + k]] = [a[c * n + k]!, a[p * n + k]!];
      [x[p], x[c]] = [x[c]!, x[p]!];
    }
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c]! / a[c * n + c]!;
      for (let k = c; k < n; k++) a[r * n + k] -= f * a[c * n + k]!;
      x[r] -= f * x[c]!;
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r]!;
    for (let k = r + 1; k < n; k++) s -= a[r * n + k]! * x[k]!;
    x[r] = s / a[r * n + r]!;
  }
  return x;
}
