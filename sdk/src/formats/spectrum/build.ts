/**
 * Turning recognised arrays into a Spectrum: scale (log10/ln) and unit conversion of the axis,
 * uncertainty conversion, ascending order, and common metadata from FITS-style keywords.
 */
import { SpectrumError } from '../errors.js';
import type { NumericArray } from '../fits/endian.js';
import type { ErrorKind, SpectralScale } from './columns.js';
import type { SpectralQuantity, Spectrum, SpectrumMeta } from './model.js';
import { angstromFactor } from './units.js';

export function toFloat64(a: ArrayLike<number | bigint>): Float64Array {
  if (a instanceof Float64Array) return a;
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Number(a[i]);
  return out;
}

/** Flux keeps float32 when stored as float32 (half the memory for large collections). */
export function toFluxArray(a: NumericArray | ArrayLike<number>): Float32Array | Float64Array {
  if (a instanceof Float32Array || a instanceof Float64Array) return a;
  return toFloat64(a as ArrayLike<number | bigint>);
}

export function errorFrom(a: Float32Array | Float64Array, kind: ErrorKind): Float32Array | Float64Array {
  if (kind === 'sigma') return a;
  const out = a instanceof Float32Array ? new Float32Array(a.length) : new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    out[i] = kind === 'ivar' ? (v > 0 ? 1 / Math.sqrt(v) : NaN) : v >= 0 ? Math.sqrt(v) : NaN;
  }
  return out;
}

export interface AxisInput {
  values: Float64Array;
  unit?: string;
  quantity: SpectralQuantity;
  scale: SpectralScale;
}

/** Apply the scale and convert wavelengths to Angstrom; returns the unit it ends up in. */
export function normaliseAxis(a: AxisInput): { values: Float64Array; unit: string } {
  let v = a.values;
  if (a.scale !== 'linear') {
    v = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) v[i] = a.scale === 'log10' ? 10 ** a.values[i] : Math.exp(a.values[i]);
  }
  if (a.quantity !== 'wavelength') return { values: v, unit: a.unit ?? '' };
  const f = angstromFactor(a.unit) ?? 1;
  if (f !== 1) {
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = v[i] * f;
    v = out;
  }
  return { values: v, unit: 'Angstrom' };
}

/** Put the axis in ascending order (reversing a descending one, sorting anything else). */
export function ascending(s: Spectrum): Spectrum {
  const w = s.wavelength;
  const n = w.length;
  let up = true;
  let down = true;
  for (let i = 1; i < n && (up || down); i++) {
    if (w[i] < w[i - 1]) up = false;
    if (w[i] > w[i - 1]) down = false;
  }
  if (up) return s;
  const order = Array.from({ length: n }, (_, i) => i);
  if (down) order.reverse();
  else order.sort((a, b) => w[a] - w[b]);
  const pick = <T extends Float32Array | Float64Array>(a: T): T => {
    const o = new (a.constructor as new (n: number) => T)(n);
    for (let i = 0; i < n; i++) o[i] = a[order[i]];
    return o;
  };
  return { ...s, wavelength: pick(w), flux: pick(s.flux), ...(s.error ? { error: pick(s.error) } : {}) };
}

export function assemble(
  axis: { values: Float64Array; unit: string },
  flux: Float32Array | Float64Array,
  error: Float32Array | Float64Array | undefined,
  fluxUnit: string | undefined,
  meta: SpectrumMeta,
): Spectrum {
  if (axis.values.length !== flux.length) {
    throw new SpectrumError(`spectral axis has ${axis.values.length} values but flux has ${flux.length}`);
  }
  if (axis.values.length === 0) throw new SpectrumError('the spectrum has no points');
  return ascending({
    wavelength: axis.values,
    flux,
    ...(error && error.length === flux.length ? { error } : {}),
    wavelengthUnit: axis.unit,
    fluxUnit: fluxUnit ?? '',
    meta,
  });
}

/** Parse sexagesimal or decimal angles; `hours` for RA strings written as h:m:s. */
export function parseAngle(v: unknown, hours: boolean): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s === '') return undefined;
  const parts = s.split(/[:\sdhms°'"]+/).filter(Boolean);
  if (parts.length === 1) {
    const n = Number(parts[0]);
    return Number.isFinite(n) ? n : undefined;
  }
  const nums = parts.map(Number);
  if (nums.some((x) => !Number.isFinite(x))) return undefined;
  const neg = s.startsWith('-');
  const mag = Math.abs(nums[0]) + (nums[1] ?? 0) / 60 + (nums[2] ?? 0) / 3600;
  const val = neg ? -mag : mag;
  return hours ? val * 15 : val;
}

/** Anything with keyword look-up: a FITS header or a map of VOTable PARAMs. */
export interface KeywordSource {
  get(key: string): unknown;
}

function first(src: KeywordSource, keys: string[]): unknown {
  for (const k of keys) {
    const v = src.get(k);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

/** Object, position, time and instrument from the usual FITS keywords of many archives. */
export function metaFromKeywords(src: KeywordSource): Partial<SpectrumMeta> {
  const m: Partial<SpectrumMeta> = {};
  const obj = first(src, ['OBJECT', 'OBJNAME', 'TARGNAME', 'TARGETID', 'DESIGNATION', 'OBJID']);
  if (obj !== undefined) m.object = String(obj).trim();
  const raV = first(src, ['RA', 'RA_OBJ', 'OBJRA', 'PLUG_RA', 'RA_TARG', 'CRVAL_RA', 'TELRA']);
  const decV = first(src, ['DEC', 'DEC_OBJ', 'OBJDEC', 'PLUG_DEC', 'DEC_TARG', 'TELDEC']);
  const ra = parseAngle(raV, typeof raV === 'string' && raV.includes(':'));
  const dec = parseAngle(decV, false);
  if (ra !== undefined) m.ra = ra;
  if (dec !== undefined) m.dec = dec;
  const date = first(src, ['DATE-OBS', 'DATE_OBS', 'DATE-BEG']);
  if (typeof date === 'string') {
    const ut = first(src, ['UT', 'TIME-OBS', 'UTSTART', 'UT-START']);
    m.dateObs = !date.includes('T') && typeof ut === 'string' && /^\d/.test(ut) ? `${date}T${ut.trim()}` : date;
  }
  const mjd = first(src, ['MJD-OBS', 'MJD', 'MJD_OBS']);
  if (typeof mjd === 'number') m.mjd = mjd;
  const tel = first(src, ['TELESCOP']);
  if (typeof tel === 'string') m.telescope = tel.trim();
  const ins = first(src, ['INSTRUME']);
  if (typeof ins === 'string') m.instrument = ins.trim();
  const z = first(src, ['Z', 'REDSHIFT']);
  if (typeof z === 'number' && Number.isFinite(z)) m.redshift = z;
  return m;
}
