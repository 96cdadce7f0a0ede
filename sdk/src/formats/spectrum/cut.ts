/** Cutting a spectrum to a wavelength range. */
import { SpectrumError } from '../errors.js';
import type { Spectrum } from './model.js';

/** Index of the first element ≥ x in an ascending array. */
export function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The points with min ≤ wavelength ≤ max (copies, so the original can be released). */
export function cutSpectrum(s: Spectrum, min: number, max: number): Spectrum {
  if (!(max >= min)) throw new SpectrumError(`cut range ${min}..${max} is empty`);
  const a = lowerBound(s.wavelength, min);
  let b = lowerBound(s.wavelength, max);
  while (b < s.wavelength.length && s.wavelength[b] === max) b++;
  return {
    ...s,
    wavelength: s.wavelength.slice(a, b),
    flux: s.flux.slice(a, b),
    ...(s.error ? { error: s.error.slice(a, b) } : {}),
    meta: { ...s.meta },
  };
}
