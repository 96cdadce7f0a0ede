/** Spectrum files (FITS, VOTable, CSV with a wavelength column) through the sdk's readers. */
import { InputError, type Dataset } from './dataset.js';
import { entryBytes, type Entry } from './entries.js';
import { cutSpectrum, gaussianSmooth, linearGrid, normalise, packSpectra, readSpectrum, type Spectrum } from '@vocloud/sdk/formats';
import type { Preprocessing } from './preprocess.js';

const FITS = /\.(fits?|fit|fts)(\.gz)?$/i;
const VOTABLE = /\.(vot|votable|xml)$/i;

export function isSpectrumFile(name: string): boolean {
  return FITS.test(name) || VOTABLE.test(name);
}

/** One spectrum; the sdk reader tells FITS, VOTable and text apart by content. */
async function readOne(e: Entry): Promise<Spectrum> {
  try {
    return readSpectrum(await entryBytes(e), { name: e.name });
  } catch (err) {
    const m = (err as Error).message;
    throw new InputError(m.includes(e.name) ? m : `${e.name}: ${m}`);
  }
}

function sameGrid(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  const tol = 1e-9 * Math.max(Math.abs(a[0] ?? 0), Math.abs(a[a.length - 1] ?? 0), 1);
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > tol) return false;
  return true;
}

/**
 * Read every spectrum, cut, normalise and smooth it, and pack all onto one grid: the given
 * number of points over the range all spectra cover, or their shared grid when they have one.
 */
export async function readSpectra(entries: readonly Entry[], prep: Preprocessing, notes: string[]): Promise<Dataset> {
  const list: Spectrum[] = [];
  const sorted = [...entries].sort((a, b) => a.name.localeCompare(b.name));
  for (const e of sorted) {
    let s = await readOne(e);
    if (prep.wavelengthMin !== undefined || prep.wavelengthMax !== undefined) {
      s = cutSpectrum(s, prep.wavelengthMin ?? -Infinity, prep.wavelengthMax ?? Infinity);
      if (s.flux.length === 0) throw new InputError(`${e.name}: nothing left after the wavelength cut ${prep.wavelengthMin ?? '…'}–${prep.wavelengthMax ?? '…'}`);
    }
    if (prep.normalise !== 'none') s = normalise(s, prep.normalise);
    if (prep.smooth > 0) s = gaussianSmooth(s, prep.smooth);
    list.push(s);
  }
  const names = sorted.map((e) => e.name);
  let grid: Float64Array;
  if (prep.gridPoints) {
    const lo = Math.max(...list.map((s) => s.wavelength[0]!));
    const hi = Math.min(...list.map((s) => s.wavelength[s.wavelength.length - 1]!));
    if (!(hi > lo)) throw new InputError(`the spectra have no wavelength range in common (${lo.toFixed(2)} > ${hi.toFixed(2)}); cut them to a shared range`);
    grid = linearGrid(lo, hi, prep.gridPoints);
    notes.push(`resampled ${list.length} spectra onto ${prep.gridPoints} points, ${lo.toFixed(3)}–${hi.toFixed(3)}`);
  } else {
    grid = list[0]!.wavelength;
    const other = list.findIndex((s) => !sameGrid(s.wavelength, grid));
    if (other >= 0) {
      throw new InputError(
        `spectra differ in their wavelength grids (${names[0]}: ${grid.length} points, ${names[other]}: ${list[other]!.wavelength.length} points); ` +
          'set gridPoints to resample them onto a common grid',
      );
    }
  }
  const packed = packSpectra(list, grid, { shared: true });
  return {
    x: packed.data, n: packed.rows, d: packed.cols, names, classes: null,
    wavelength: Float64Array.from(grid), wavelengthUnit: list[0]!.wavelengthUnit, preprocessed: true,
  };
}
