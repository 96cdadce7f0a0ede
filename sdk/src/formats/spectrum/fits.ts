/**
 * Finding a spectrum in a FITS file. Tables are tried first (columns chosen by utype, UCD,
 * unit and name), then images: a 1-D image with a linear or logarithmic spectral WCS
 * (CRVAL1/CDELT1 or CD1_1/CRPIX1, DC-FLAG, CTYPE1 '…-LOG'), IRAF band stacks, and row stacks
 * such as LAMOST's (flux, inverse variance, wavelength, masks) where the roles of the rows are
 * recognised from their values, not from their positions.
 */
import { SpectrumError } from '../errors.js';
import type { NumericArray } from '../fits/endian.js';
import type { FitsHeader } from '../fits/header.js';
import type { FitsFile, FitsHdu } from '../fits/read.js';
import { assemble, errorFrom, metaFromKeywords, normaliseAxis, toFloat64, toFluxArray } from './build.js';
import { chooseColumns, type ColumnInfo } from './columns.js';
import type { SpectralQuantity, Spectrum, SpectrumMeta, SpectrumSourceFormat } from './model.js';
import { quantityOfUnit } from './units.js';

export interface FitsSpectrumOptions {
  name?: string;
  /** Use this HDU instead of searching. */
  hdu?: number;
  /** Row of a table with one spectrum per row (default 0). */
  row?: number;
}

/** Keyword look-up that falls back to the primary header (archives put OBJECT, RA… there). */
function keywords(primary: FitsHeader, own: FitsHeader): { get(k: string): unknown } {
  return { get: (k) => own.get(k) ?? primary.get(k) };
}

function fromTable(file: FitsFile, hdu: FitsHdu, opts: FitsSpectrumOptions): Spectrum | undefined {
  const t = hdu.table();
  if (t.rows === 0) return undefined;
  const infos: ColumnInfo[] = t.columns.map((c) => ({
    name: c.name,
    ...(c.unit ? { unit: c.unit } : {}),
    ...(c.ucd ? { ucd: c.ucd } : {}),
  }));
  const choice = chooseColumns(infos);
  if (!choice) return undefined;
  const sCol = t.columns[choice.spectral.index];
  const fCol = t.columns[choice.flux.index];
  const eCol = choice.error ? t.columns[choice.error.index] : undefined;
  const sd = t.column(sCol.number - 1);
  const fd = t.column(fCol.number - 1);
  const numeric = (d: typeof sd, name: string): { values: NumericArray; width: number } => {
    if (d.kind === 'numeric') return d;
    if (d.kind === 'varlen') {
      const row = opts.row ?? 0;
      const v = d.values[row];
      if (typeof v === 'string' || Array.isArray(v)) throw new SpectrumError(`column ${name} is not numeric`);
      return { values: v as NumericArray, width: -1 };
    }
    throw new SpectrumError(`column ${name} is not numeric`);
  };
  const s = numeric(sd, sCol.name);
  const f = numeric(fd, fCol.name);
  // Either one spectrum per row in vector (or variable-length) cells, or one point per row.
  const vector = s.width !== 1;
  const row = opts.row ?? 0;
  if (vector && (row < 0 || row >= t.rows)) throw new SpectrumError(`row ${row} out of range (table has ${t.rows})`);
  const slice = (d: { values: NumericArray; width: number }): NumericArray =>
    d.width === 1 || d.width === -1 ? d.values : d.values.subarray(row * d.width, (row + 1) * d.width);
  const axisRaw = toFloat64(slice(s) as ArrayLike<number>);
  let flux = toFluxArray(slice(f));
  if (flux === f.values && f.width !== 1 && f.width !== -1) flux = flux.slice();
  let error: Float32Array | Float64Array | undefined;
  if (eCol && choice.error) {
    const ed = t.column(eCol.number - 1);
    if (ed.kind === 'numeric' || ed.kind === 'varlen') error = errorFrom(toFluxArray(slice(numeric(ed, eCol.name))), choice.error.kind);
  }
  const quantity: SpectralQuantity = quantityOfUnit(sCol.unit) ?? choice.spectral.quantity;
  const axis = normaliseAxis({
    values: axisRaw === s.values ? axisRaw.slice() : axisRaw,
    ...(sCol.unit ? { unit: sCol.unit } : {}),
    quantity,
    scale: choice.spectral.scale,
  });
  const primary = file.hdus[0].header;
  const kw = keywords(primary, hdu.header);
  const medium = choice.spectral.medium ?? (choice.spectral.scale === 'log10' && sCol.name.toLowerCase() === 'loglam' ? 'vacuum' : undefined);
  const meta: SpectrumMeta = {
    ...metaFromKeywords(kw),
    sourceFormat: vector ? 'fits-table-vector' : 'fits-table',
    spectralQuantity: quantity,
    hdu: hdu.index,
    ...(vector ? { row } : {}),
    columns: { spectral: sCol.name, flux: fCol.name, ...(eCol ? { error: eCol.name } : {}) },
    ...(medium ? { medium } : {}),
    ...(opts.name ? { name: opts.name } : {}),
  };
  const fluxUnit = fCol.unit ?? (kw.get('BUNIT') as string | undefined);
  return assemble(axis, flux, error, typeof fluxUnit === 'string' ? fluxUnit : undefined, meta);
}

interface Wcs {
  crval: number;
  cdelt: number;
  crpix: number;
  kind: 'linear' | 'log10' | 'ln' | 'wave-log';
  unit?: string;
  medium?: 'air' | 'vacuum';
}

/** The spectral WCS of axis 1, or undefined when the header has none. */
export function spectralWcs(h: FitsHeader, fallback?: FitsHeader): Wcs | undefined {
  const get = (k: string): number | undefined => h.number(k) ?? fallback?.number(k);
  const crval = get('CRVAL1');
  const cdelt = get('CDELT1') ?? get('CD1_1');
  if (crval === undefined || cdelt === undefined || cdelt === 0) return undefined;
  const crpix = get('CRPIX1') ?? 1;
  const ctype = (h.string('CTYPE1') ?? '').toUpperCase();
  const unit = h.string('CUNIT1');
  let kind: Wcs['kind'] = 'linear';
  const dcFlag = get('DC-FLAG');
  if (dcFlag === 1) kind = 'log10';
  else if (/-LOG$/.test(ctype) || /^(LOG|LOGLAM|LOG-LINEAR|LOGWAVE)/.test(ctype)) {
    // The standard '-LOG' algorithm has CRVAL in wavelength units; many writers instead store
    // log10 or ln of the wavelength in CRVAL1. Optical/IR log10(Å) lies in 2.5–6, ln(Å) in 6–14.
    if (crval > 2.5 && crval < 6) kind = 'log10';
    else if (crval >= 6 && crval < 14 && Math.abs(cdelt) < 0.01) kind = 'ln';
    else kind = 'wave-log';
  }
  const medium = ctype.startsWith('AWAV') ? 'air' : ctype.startsWith('WAVE') || ctype.startsWith('VWAV') ? 'vacuum' : undefined;
  return { crval, cdelt, crpix, kind, ...(unit ? { unit } : {}), ...(medium ? { medium } : {}) };
}

function wcsAxis(w: Wcs, n: number): Float64Array {
  const out = new Float64Array(n);
  if (w.kind === 'linear') {
    // The common case, kept branch-free: it runs once per pixel of every file read.
    const { crval, cdelt } = w;
    const p0 = 1 - w.crpix;
    for (let i = 0; i < n; i++) out[i] = crval + cdelt * (i + p0);
    return out;
  }
  for (let i = 0; i < n; i++) {
    const x = w.cdelt * (i + 1 - w.crpix);
    const v = w.crval + x;
    out[i] = w.kind === 'log10' ? 10 ** v : w.kind === 'ln' ? Math.exp(v) : w.crval * Math.exp(x / w.crval);
  }
  return out;
}

const FORMAT_OF: Record<Wcs['kind'], SpectrumSourceFormat> = {
  linear: 'fits-image-linear',
  log10: 'fits-image-log10',
  ln: 'fits-image-ln',
  'wave-log': 'fits-image-wave-log',
};

function isMonotonicPositive(a: ArrayLike<number>): boolean {
  if (a.length < 2 || !(a[0] > 0)) return false;
  for (let i = 1; i < a.length; i++) if (!(a[i] > a[i - 1])) return false;
  return true;
}

function isIntegerValued(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isInteger(a[i]) && !Number.isNaN(a[i])) return false;
  return true;
}

function isNonNegative(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] < 0) return false;
  return true;
}

function rowLabel(h: FitsHeader, r: number): string {
  // Some archives label rows or bands (IRAF BANDIDn, ROWn); LAMOST does not.
  return (h.string(`BANDID${r + 1}`) ?? h.string(`ROW${r + 1}`) ?? h.string(`ARRAY${r + 1}`) ?? '').toLowerCase();
}

function fromImage(file: FitsFile, hdu: FitsHdu, opts: FitsSpectrumOptions): Spectrum | undefined {
  const shape = hdu.shape;
  if (shape.length === 0 || shape[0] < 2) return undefined;
  const n = shape[0];
  const rows = shape.slice(1).reduce((a, b) => a * b, 1);
  if (rows > 64) return undefined; // a 2-D image, not a spectrum
  const primary = file.hdus[0].header;
  const h = hdu.header;
  const kw = keywords(primary, h);
  const img = hdu.image();
  const data = img.data;
  const row = (r: number): NumericArray => data.subarray(r * n, (r + 1) * n) as NumericArray;
  const asNumbers = (a: NumericArray): ArrayLike<number> =>
    a instanceof BigInt64Array || a instanceof BigUint64Array ? toFloat64(a) : (a as ArrayLike<number>);
  const wcs = spectralWcs(h, hdu.index === 0 ? undefined : primary);
  const baseMeta = {
    ...metaFromKeywords(kw),
    hdu: hdu.index,
    ...(opts.name ? { name: opts.name } : {}),
  };
  const bunit = kw.get('BUNIT');
  const fluxUnit = typeof bunit === 'string' ? bunit : undefined;
  // Rows whose values are a monotonic positive axis: a stored wavelength row (LAMOST).
  let waveRow = -1;
  if (rows > 1) {
    for (let r = 0; r < rows; r++) {
      const label = rowLabel(h, r);
      if (/wave|lambda/.test(label) || (!label && isMonotonicPositive(asNumbers(row(r))))) {
        waveRow = r;
        break;
      }
    }
  }
  const others = Array.from({ length: rows }, (_, r) => r).filter((r) => r !== waveRow);
  const labelled = (re: RegExp): number => others.find((r) => re.test(rowLabel(h, r))) ?? -1;
  let fluxRow = rows === 1 ? 0 : labelled(/^(flux|spectrum|spec|data)/);
  if (fluxRow < 0) fluxRow = others.find((r) => !isIntegerValued(asNumbers(row(r))) && !/sky|raw|mask|ivar|sigma|error/.test(rowLabel(h, r))) ?? others[0];
  let errRow = labelled(/sigma|error|err\b|uncert/);
  let errKind: 'sigma' | 'ivar' = 'sigma';
  if (errRow < 0) {
    errRow = labelled(/ivar|inverse/);
    if (errRow >= 0) errKind = 'ivar';
  }
  if (errRow < 0 && waveRow >= 0) {
    // LAMOST-style stacks carry the inverse variance: the non-negative, non-integer row after flux.
    errRow = others.find((r) => r !== fluxRow && !isIntegerValued(asNumbers(row(r))) && isNonNegative(asNumbers(row(r)))) ?? -1;
    errKind = 'ivar';
  }
  // A 1-D image's decoded pixels are already a fresh array of their own: no copy needed.
  const fluxRaw = toFluxArray(row(fluxRow));
  const flux = rows === 1 && fluxRaw.length === data.length ? fluxRaw : fluxRaw.slice();
  const error = errRow >= 0 ? errorFrom(toFluxArray(row(errRow)).slice(), errKind) : undefined;
  if (waveRow >= 0) {
    const q: SpectralQuantity = 'wavelength';
    const axis = normaliseAxis({ values: toFloat64(asNumbers(row(waveRow))).slice(), ...(wcs?.unit ? { unit: wcs.unit } : {}), quantity: q, scale: 'linear' });
    return assemble(axis, flux, error, fluxUnit, {
      ...baseMeta,
      sourceFormat: 'fits-image-rows',
      spectralQuantity: q,
      ...(wcs?.medium ? { medium: wcs.medium } : {}),
      columns: { spectral: `row ${waveRow + 1}`, flux: `row ${fluxRow + 1}`, ...(errRow >= 0 ? { error: `row ${errRow + 1}` } : {}) },
    });
  }
  if (!wcs) return undefined;
  const quantity = quantityOfUnit(wcs.unit) ?? 'wavelength';
  const axis = normaliseAxis({ values: wcsAxis(wcs, n), ...(wcs.unit ? { unit: wcs.unit } : {}), quantity, scale: 'linear' });
  return assemble(axis, flux, error, fluxUnit, {
    ...baseMeta,
    sourceFormat: FORMAT_OF[wcs.kind],
    spectralQuantity: quantity,
    ...(wcs.medium ? { medium: wcs.medium } : {}),
    ...(rows > 1 ? { columns: { spectral: 'WCS', flux: `row ${fluxRow + 1}`, ...(errRow >= 0 ? { error: `row ${errRow + 1}` } : {}) } } : {}),
  });
}

/** The spectrum in a FITS file: the first table HDU with recognisable columns, else an image. */
export function spectrumFromFits(file: FitsFile, opts: FitsSpectrumOptions = {}): Spectrum {
  const hdus = opts.hdu !== undefined ? [file.hdus[opts.hdu]] : file.hdus;
  if (hdus[0] === undefined) throw new SpectrumError(`no HDU ${opts.hdu} (the file has ${file.hdus.length})`);
  for (const h of hdus) {
    if (h.type === 'bintable' || h.type === 'table') {
      const s = fromTable(file, h, opts);
      if (s) return s;
    }
  }
  for (const h of hdus) {
    if (h.type === 'image' && h.hasImage) {
      const s = fromImage(file, h, opts);
      if (s) return s;
    }
  }
  throw new SpectrumError(
    'no spectrum found: no table with a spectral and a flux column, and no 1-D image with a spectral WCS (CRVAL1 and CDELT1 or CD1_1)',
  );
}
