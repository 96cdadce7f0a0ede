/**
 * Air ↔ vacuum wavelength conversion (Angstrom) with the refractive index of air of
 * Morton (2000, ApJS 130, 403), eq. 8, as the IAU and SDSS use; its inverse is the
 * Piskunov fit used by VALD, which inverts Morton to ~1e-5 Å. Below 2000 Å wavelengths are
 * conventionally vacuum in both systems and are returned unchanged.
 */
import type { Spectrum } from './model.js';

function vacToAirOne(v: number): number {
  if (v < 2000) return v;
  const s2 = (1e4 / v) ** 2;
  const n = 1 + 0.0000834254 + 0.02406147 / (130 - s2) + 0.00015998 / (38.9 - s2);
  return v / n;
}

function airToVacOne(a: number): number {
  if (a < 2000) return a;
  const s2 = (1e4 / a) ** 2;
  const n = 1 + 0.00008336624212083 + 0.02408926869968 / (130.1065924522 - s2) + 0.0001599740894897 / (38.92568793293 - s2);
  return a * n;
}

function convert(w: ArrayLike<number>, f: (x: number) => number): Float64Array {
  const out = new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) out[i] = f(w[i]);
  return out;
}

function isSpectrum(x: unknown): x is Spectrum {
  return typeof x === 'object' && x !== null && 'wavelength' in x && 'flux' in x;
}

/** Vacuum → air; for a Spectrum, returns a copy with converted wavelengths and `meta.medium = 'air'`. */
export function vacuumToAir(w: Spectrum): Spectrum;
export function vacuumToAir(w: ArrayLike<number>): Float64Array;
export function vacuumToAir(w: Spectrum | ArrayLike<number>): Spectrum | Float64Array {
  if (isSpectrum(w)) return { ...w, wavelength: convert(w.wavelength, vacToAirOne), meta: { ...w.meta, medium: 'air' } };
  return convert(w, vacToAirOne);
}

/** Air → vacuum; for a Spectrum, returns a copy with converted wavelengths and `meta.medium = 'vacuum'`. */
export function airToVacuum(w: Spectrum): Spectrum;
export function airToVacuum(w: ArrayLike<number>): Float64Array;
export function airToVacuum(w: Spectrum | ArrayLike<number>): Spectrum | Float64Array {
  if (isSpectrum(w)) return { ...w, wavelength: convert(w.wavelength, airToVacOne), meta: { ...w.meta, medium: 'vacuum' } };
  return convert(w, airToVacOne);
}
