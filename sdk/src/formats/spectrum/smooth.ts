/**
 * Gaussian smoothing. σ is in pixels by default, or in wavelength units with
 * `{ unit: 'wavelength' }` (correct for non-uniform grids: weights come from actual distances).
 * NaN pixels get no weight; kernels are truncated at 4σ and renormalised at the edges.
 */
import { SpectrumError } from '../errors.js';
import type { Spectrum } from './model.js';

export interface SmoothOptions {
  unit?: 'pixel' | 'wavelength';
}

export function gaussianSmooth(s: Spectrum, sigma: number, opts: SmoothOptions = {}): Spectrum {
  if (!(sigma > 0)) throw new SpectrumError(`smoothing sigma must be > 0, got ${sigma}`);
  const n = s.flux.length;
  const f = s.flux;
  const out = f instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  if (opts.unit === 'wavelength') {
    const w = s.wavelength;
    const reach = 4 * sigma;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      while (w[lo] < w[i] - reach) lo++;
      while (hi < n && w[hi] <= w[i] + reach) hi++;
      let sum = 0;
      let ws = 0;
      for (let k = lo; k < hi; k++) {
        const v = f[k];
        if (v !== v) continue;
        const d = (w[k] - w[i]) / sigma;
        const g = Math.exp(-0.5 * d * d);
        sum += g * v;
        ws += g;
      }
      out[i] = ws > 0 ? sum / ws : NaN;
    }
  } else {
    const r = Math.ceil(4 * sigma);
    const k = new Float64Array(2 * r + 1);
    for (let j = -r; j <= r; j++) k[j + r] = Math.exp(-0.5 * (j / sigma) ** 2);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      let ws = 0;
      const a = Math.max(0, i - r);
      const b = Math.min(n - 1, i + r);
      for (let m = a; m <= b; m++) {
        const v = f[m];
        if (v !== v) continue;
        const g = k[m - i + r];
        sum += g * v;
        ws += g;
      }
      out[i] = ws > 0 ? sum / ws : NaN;
    }
  }
  return { ...s, flux: out, meta: { ...s.meta } };
}
