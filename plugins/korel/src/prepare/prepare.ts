import { readFits, readSpectrum, resampleFluxConserving, logGrid, normalise, FormatError, type Spectrum } from '@vocloud/sdk/formats';
import { KorelInputError } from '../formats/errors.js';
import type { DatRecord, KorelDat } from '../formats/korel-dat.js';
import { isPowerOfTwo } from '../formats/tokens.js';
import { C_KMS } from '../method/orbit.js';

/**
 * "prepare": korel.dat from a set of spectra (FITS, or anything '@vocloud/sdk/formats' reads),
 * each resampled onto one power-of-two grid uniform in ln λ over a chosen range, with the time
 * of the exposure from its header.
 */
export interface PrepareOptions {
  /** Range in Å; the grid runs from lambdaMin to lambdaMax inclusive. */
  readonly lambdaMin: number;
  readonly lambdaMax: number;
  /** Bins of the grid: a power of two (the FFT). */
  readonly bins: number;
  /** Header keyword with the time; default: the first of HJD, BJD, JD, MJD-OBS, then the reader's MJD. */
  readonly timeKeyword?: string;
  /** Subtracted from every time (e.g. 2400000 for KOREL's usual HJD − 2400000). */
  readonly timeOffset?: number;
  /** Fit and divide a continuum (σ-clipped Legendre) before resampling. */
  readonly normalise?: boolean;
}

export interface PreparedSpectrum {
  readonly name: string;
  readonly t: number;
  readonly timeFrom: string;
  readonly coverage: readonly [number, number];
}

export interface Prepared {
  readonly dat: KorelDat;
  readonly dv: number;
  readonly spectra: readonly PreparedSpectrum[];
}

const TIME_KEYS = ['HJD', 'BJD', 'JD', 'MJD-OBS'];

export interface SpectrumFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export function checkPrepareOptions(o: PrepareOptions): void {
  if (!(o.lambdaMin > 0 && o.lambdaMax > o.lambdaMin)) throw new KorelInputError('parameters', null, `the range lambdaMin..lambdaMax (${o.lambdaMin}..${o.lambdaMax} Å) must be positive and increasing`);
  if (!isPowerOfTwo(o.bins)) throw new KorelInputError('parameters', null, `bins = ${o.bins} must be a power of two (the FFT), e.g. ${2 ** Math.round(Math.log2(Math.max(2, o.bins)))}`);
}

/** Read, time-stamp and resample every spectrum; the records come out sorted by time. */
export function prepareKorelDat(files: readonly SpectrumFile[], o: PrepareOptions): Prepared {
  checkPrepareOptions(o);
  if (files.length === 0) throw new KorelInputError('spectra', null, 'no spectra were given');
  const grid = logGrid(o.lambdaMin, o.lambdaMax, o.bins);
  // KOREL rebuilds the grid as λ0 (1 + dv/c)^i: the same geometric grid.
  const dv = C_KMS * (Math.pow(o.lambdaMax / o.lambdaMin, 1 / (o.bins - 1)) - 1);
  const rows: { record: DatRecord; info: PreparedSpectrum }[] = files.map((f) => {
    let s: Spectrum;
    try {
      s = readSpectrum(f.bytes, { name: f.name });
    } catch (err) {
      throw new KorelInputError(f.name, null, `not a spectrum the formats readers know (${(err as Error).message})`);
    }
    if (s.meta.spectralQuantity !== 'wavelength') throw new KorelInputError(f.name, null, `its spectral axis is ${s.meta.spectralQuantity}, not wavelength`);
    const lo = s.wavelength[0]!;
    const hi = s.wavelength[s.wavelength.length - 1]!;
    if (lo > o.lambdaMin || hi < o.lambdaMax) {
      throw new KorelInputError(f.name, null, `covers ${lo.toFixed(2)}–${hi.toFixed(2)} Å, which does not include the chosen range ${o.lambdaMin}–${o.lambdaMax} Å`);
    }
    const { t, from } = timeOf(f, s, o);
    let spec = s;
    try {
      if (o.normalise) spec = normalise(spec, 'continuum');
      spec = resampleFluxConserving(spec, grid);
    } catch (err) {
      if (err instanceof FormatError) throw new KorelInputError(f.name, null, err.message);
      throw err;
    }
    const values = Float64Array.from(spec.flux);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new KorelInputError(f.name, null, `no finite flux near ${grid[bad]!.toFixed(3)} Å after resampling (a gap or NaN in the spectrum)`);
    return { record: { t, lambda0: o.lambdaMin, dv, weight: 1, values }, info: { name: f.name, t, timeFrom: from, coverage: [lo, hi] as const } };
  });
  rows.sort((a, b) => a.record.t - b.record.t);
  return { dat: { records: rows.map((r) => r.record) }, dv, spectra: rows.map((r) => r.info) };
}

function timeOf(f: SpectrumFile, s: Spectrum, o: PrepareOptions): { t: number; from: string } {
  const offset = o.timeOffset ?? 0;
  const keys = o.timeKeyword ? [o.timeKeyword.toUpperCase()] : TIME_KEYS;
  if (s.meta.sourceFormat.startsWith('fits')) {
    const header = readFits(f.bytes, { maxHdus: (s.meta.hdu ?? 0) + 1 }).hdus[s.meta.hdu ?? 0]?.header;
    for (const k of keys) {
      const v = header?.number(k) ?? header?.number(k.replace('-', '_'));
      if (v !== undefined && Number.isFinite(v)) return { t: v - offset, from: k };
    }
    // the primary header often has the date when the spectrum is in an extension
    const primary = s.meta.hdu ? readFits(f.bytes, { maxHdus: 1 }).hdus[0]?.header : undefined;
    for (const k of keys) {
      const v = primary?.number(k);
      if (v !== undefined && Number.isFinite(v)) return { t: v - offset, from: `${k} (primary header)` };
    }
  }
  if (!o.timeKeyword && s.meta.mjd !== undefined) return { t: s.meta.mjd - offset, from: 'MJD' };
  throw new KorelInputError(f.name, null, `no time of observation: none of ${keys.join(', ')} is in its header${o.timeKeyword ? '' : ' and the reader found no MJD'}; set timeKeyword`);
}
