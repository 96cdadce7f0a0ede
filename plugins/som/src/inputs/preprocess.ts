/** Preprocessing of a ready matrix (cut by wavelength, normalise, smooth) and the NaN policy. */
import { InputError, sharedFloat32, type Dataset } from './dataset.js';
import { gaussianSmooth, normalise, type Spectrum } from '@vocloud/sdk/formats';
import type { LoadReport } from './load.js';

export interface Preprocessing {
  readonly wavelengthMin?: number;
  readonly wavelengthMax?: number;
  readonly gridPoints?: number;
  readonly normalise: 'none' | 'l2' | 'max' | 'minmax' | 'continuum';
  readonly smooth: number;
  readonly nan: 'error' | 'drop';
}

/** Keep only the columns inside the wavelength range. */
function cutColumns(ds: Dataset, min: number, max: number): Dataset {
  if (!ds.wavelength) throw new InputError('a wavelength cut needs a wavelength grid: give wavelength_start/step in the meta, or numeric CSV column headers');
  const keep: number[] = [];
  ds.wavelength.forEach((w, j) => { if (w >= min && w <= max) keep.push(j); });
  if (keep.length === 0) throw new InputError(`no wavelengths left after the cut ${min}–${max} (the data cover ${ds.wavelength[0]}–${ds.wavelength[ds.d - 1]})`);
  const x = sharedFloat32(ds.n * keep.length);
  for (let i = 0; i < ds.n; i++) for (let j = 0; j < keep.length; j++) x[i * keep.length + j] = ds.x[i * ds.d + keep[j]!]!;
  return { ...ds, x, d: keep.length, wavelength: Float64Array.from(keep, (j) => ds.wavelength![j]!) };
}

/** Run each row through the sdk's spectrum operations. */
function perRow(ds: Dataset, op: (s: Spectrum) => Spectrum): Dataset {
  const wavelength = ds.wavelength ?? Float64Array.from({ length: ds.d }, (_, j) => j);
  const x = sharedFloat32(ds.n * ds.d);
  for (let i = 0; i < ds.n; i++) {
    const s = op({
      wavelength, flux: ds.x.subarray(i * ds.d, (i + 1) * ds.d), wavelengthUnit: ds.wavelengthUnit, fluxUnit: '',
      meta: { name: ds.names[i]!, sourceFormat: 'ascii', spectralQuantity: ds.wavelength ? 'wavelength' : 'pixel' },
    });
    x.set(s.flux, i * ds.d);
  }
  return { ...ds, x };
}

function dropRows(ds: Dataset, keep: number[]): Dataset {
  const x = sharedFloat32(keep.length * ds.d);
  keep.forEach((i, r) => x.set(ds.x.subarray(i * ds.d, (i + 1) * ds.d), r * ds.d));
  return { ...ds, x, n: keep.length, names: keep.map((i) => ds.names[i]!), classes: ds.classes ? keep.map((i) => ds.classes![i]!) : null };
}

export function preprocess(input: Dataset, prep: Preprocessing, notes: string[]): LoadReport {
  let ds = input;
  if (!ds.preprocessed) {
    if (prep.wavelengthMin !== undefined || prep.wavelengthMax !== undefined) {
      ds = cutColumns(ds, prep.wavelengthMin ?? -Infinity, prep.wavelengthMax ?? Infinity);
      notes.push(`cut to ${ds.d} values`);
    }
    const kind = prep.normalise;
    if (kind !== 'none') ds = perRow(ds, (s) => normalise(s, kind));
    if (prep.smooth > 0) ds = perRow(ds, (s) => gaussianSmooth(s, prep.smooth));
  }
  const bad: number[] = [];
  for (let i = 0; i < ds.n; i++) {
    for (let j = 0; j < ds.d; j++) {
      if (!Number.isFinite(ds.x[i * ds.d + j]!)) {
        bad.push(i);
        break;
      }
    }
  }
  const dropped: string[] = [];
  if (bad.length) {
    const list = bad.slice(0, 5).map((i) => ds.names[i]).join(', ') + (bad.length > 5 ? `, … (${bad.length} in all)` : '');
    if (prep.nan === 'error') {
      throw new InputError(`${bad.length} spectra contain NaN or infinite values: ${list}. Cut the wavelength range to where all spectra have data, or set nan=drop to leave them out`);
    }
    const badSet = new Set(bad);
    for (const i of bad) dropped.push(ds.names[i]!);
    ds = dropRows(ds, Array.from({ length: ds.n }, (_, i) => i).filter((i) => !badSet.has(i)));
    notes.push(`left out ${bad.length} spectra with NaN or infinite values: ${list}`);
  }
  if (ds.n === 0) throw new InputError('no spectra left to train on');
  return { dataset: ds, dropped, notes };
}
