/** Spectral-axis units: what kind of quantity a unit string is, and the factor to Angstrom. */
import type { SpectralQuantity } from './model.js';

const TO_ANGSTROM: Record<string, number> = {
  angstrom: 1,
  angstroms: 1,
  angstroem: 1,
  a: 1,
  aa: 1,
  å: 1,
  '0.1nm': 1,
  nm: 10,
  nanometer: 10,
  nanometers: 10,
  um: 1e4,
  µm: 1e4,
  μm: 1e4,
  micron: 1e4,
  microns: 1e4,
  mm: 1e7,
  cm: 1e8,
  m: 1e10,
  meter: 1e10,
  pm: 0.01,
};

function norm(unit: string): string {
  return unit.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\s+/g, '');
}

/** Factor that converts this wavelength unit to Angstrom, or undefined when it is not one. */
export function angstromFactor(unit: string | undefined): number | undefined {
  if (!unit) return undefined;
  return TO_ANGSTROM[norm(unit)];
}

/** What kind of spectral quantity a unit measures, or undefined when unknown. */
export function quantityOfUnit(unit: string | undefined): SpectralQuantity | undefined {
  if (!unit) return undefined;
  const u = norm(unit);
  if (TO_ANGSTROM[u] !== undefined) return 'wavelength';
  if (/^(hz|khz|mhz|ghz|thz)$/.test(u)) return 'frequency';
  if (/^(km\/s|m\/s|kms-1|km\.s-1|ms-1|m\.s-1|cm\/s)$/.test(u)) return 'velocity';
  if (/^(ev|kev|mev|j|erg)$/.test(u)) return 'energy';
  if (/^(pix|pixel|pixels)$/.test(u)) return 'pixel';
  return undefined;
}
