/**
 * Finding a spectrum in a VOTable: the first table whose FIELDs carry a spectral axis and a
 * flux by Spectrum/SSA data-model utypes, UCDs, units or names. Either one point per row, or
 * one spectrum per row in array cells. Metadata comes from PARAMs (by utype/UCD, then name)
 * and from the table and resource INFOs.
 */
import { SpectrumError } from '../errors.js';
import { allResources, type VoParam, type VoTable, type VoTableDocument, type VoValue } from '../votable/model.js';
import { makeCodec } from '../votable/codec.js';
import { assemble, errorFrom, normaliseAxis, parseAngle } from './build.js';
import { chooseColumns } from './columns.js';
import type { Spectrum, SpectrumMeta } from './model.js';
import { quantityOfUnit } from './units.js';

function columnValues(t: VoTable, i: number, row: number | undefined): Float64Array {
  if (row !== undefined) {
    const v = t.rows[row]?.[i];
    if (v === null || v === undefined) return new Float64Array(0);
    if (typeof v === 'number') return Float64Array.of(v);
    if (ArrayBuffer.isView(v) && !(v instanceof BigInt64Array)) return Float64Array.from(v as ArrayLike<number>);
    throw new SpectrumError(`field ${t.fields[i].name} is not numeric`);
  }
  const out = new Float64Array(t.rows.length);
  t.rows.forEach((r, k) => {
    const v: VoValue = r[i];
    out[k] = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : NaN;
  });
  return out;
}

function paramValue(p: VoParam): unknown {
  try {
    return makeCodec(p).parseText(p.value);
  } catch {
    return p.value;
  }
}

function metaFromParams(params: VoParam[]): Partial<SpectrumMeta> {
  const m: Partial<SpectrumMeta> = {};
  const find = (utype: RegExp, ucd: RegExp, name: RegExp): unknown => {
    const p =
      params.find((x) => utype.test((x.utype ?? '').toLowerCase())) ??
      params.find((x) => ucd.test((x.ucd ?? '').toLowerCase())) ??
      params.find((x) => name.test(x.name.toLowerCase()));
    return p ? paramValue(p) : undefined;
  };
  const obj = find(/target\.name$/, /^meta\.id;src|^meta\.main;meta\.id/, /^(object|target|targetname|target_name|objname)$/);
  if (typeof obj === 'string' && obj) m.object = obj;
  const pos = find(/char\.spatialaxis\.coverage\.location\.value$|target\.pos$/, /^pos\.eq$/, /^(pos|position)$/);
  if (pos && ArrayBuffer.isView(pos) && (pos as Float64Array).length >= 2) {
    m.ra = (pos as Float64Array)[0];
    m.dec = (pos as Float64Array)[1];
  }
  const ra = find(/^$x/, /^pos\.eq\.ra/, /^(ra|ra_obj|ra_targ)$/);
  const dec = find(/^$x/, /^pos\.eq\.dec/, /^(dec|dec_obj|dec_targ)$/);
  if (m.ra === undefined && parseAngle(ra, typeof ra === 'string' && ra.includes(':')) !== undefined) m.ra = parseAngle(ra, typeof ra === 'string' && ra.includes(':'));
  if (m.dec === undefined && parseAngle(dec, false) !== undefined) m.dec = parseAngle(dec, false);
  const date = find(/char\.timeaxis\.coverage\.location\.value$|dataid\.date$/, /^time\.epoch|^time\.start/, /^(date-obs|date_obs|dateobs|mjd|mjd-obs)$/);
  if (typeof date === 'number') m.mjd = date;
  else if (typeof date === 'string' && date) m.dateObs = date;
  const z = find(/derived\.redshift\.value$/, /^src\.redshift$/, /^(z|redshift)$/);
  if (typeof z === 'number' && Number.isFinite(z)) m.redshift = z;
  return m;
}

function fromTable(doc: VoTableDocument, t: VoTable, opts: { name?: string; row?: number }): Spectrum | undefined {
  const choice = chooseColumns(t.fields);
  if (!choice || t.rows.length === 0) return undefined;
  const sf = t.fields[choice.spectral.index];
  const ff = t.fields[choice.flux.index];
  const ef = choice.error ? t.fields[choice.error.index] : undefined;
  const vector = !!sf.arraysize && sf.arraysize !== '1';
  const row = vector ? (opts.row ?? 0) : undefined;
  if (row !== undefined && (row < 0 || row >= t.rows.length)) throw new SpectrumError(`row ${row} out of range (table has ${t.rows.length})`);
  const quantity = quantityOfUnit(sf.unit) ?? choice.spectral.quantity;
  const axis = normaliseAxis({ values: columnValues(t, choice.spectral.index, row), ...(sf.unit ? { unit: sf.unit } : {}), quantity, scale: choice.spectral.scale });
  const flux = columnValues(t, choice.flux.index, row);
  const error = ef && choice.error ? errorFrom(columnValues(t, choice.error.index, row), choice.error.kind) : undefined;
  const resource = allResources(doc).find((r) => r.tables.includes(t));
  const params = [...t.params, ...(resource?.params ?? []), ...doc.params];
  const medium = choice.spectral.medium;
  return assemble(axis, flux, error, ff.unit, {
    ...metaFromParams(params),
    sourceFormat: 'votable',
    spectralQuantity: quantity,
    columns: { spectral: sf.name, flux: ff.name, ...(ef ? { error: ef.name } : {}) },
    ...(row !== undefined ? { row } : {}),
    ...(medium ? { medium } : {}),
    ...(opts.name ? { name: opts.name } : {}),
  });
}

export function spectrumFromVoTable(doc: VoTableDocument, opts: { name?: string; row?: number } = {}): Spectrum {
  for (const r of allResources(doc)) {
    if (r.type === 'meta') continue;
    for (const t of r.tables) {
      const s = fromTable(doc, t, opts);
      if (s) return s;
    }
  }
  throw new SpectrumError('no spectrum found in the VOTable: no table has FIELDs for a spectral axis and a flux (by utype, UCD, unit or name)');
}
