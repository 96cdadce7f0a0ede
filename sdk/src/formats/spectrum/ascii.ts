/**
 * Two-or-more-column text spectra (CSV, TSV, whitespace tables): comment lines (#, %, !, ;)
 * are skipped, the delimiter is detected, a header line names the columns when present (and
 * then columns are chosen by name like any table), otherwise the columns are wavelength, flux
 * and optionally error in that order — the only convention a bare text table has.
 */
import { SpectrumError } from '../errors.js';
import { assemble, errorFrom, normaliseAxis } from './build.js';
import { chooseColumns } from './columns.js';
import type { Spectrum } from './model.js';
import { quantityOfUnit } from './units.js';

function splitter(line: string): (l: string) => string[] {
  if (line.includes(',')) return (l) => l.split(',').map((x) => x.trim());
  if (line.includes('\t')) return (l) => l.split('\t').map((x) => x.trim());
  if (line.includes(';')) return (l) => l.split(';').map((x) => x.trim());
  return (l) => l.trim().split(/\s+/);
}

/** Column name and optional unit from a header cell like `wavelength [nm]` or `flux(erg/s/cm2/A)`. */
function nameAndUnit(cell: string): { name: string; unit?: string } {
  const m = /^(.*?)\s*[[(]([^\])]*)[\])]\s*$/.exec(cell);
  const clean = (s: string): string => s.replace(/^["']|["']$/g, '').trim();
  return m ? { name: clean(m[1]), unit: m[2].trim() } : { name: clean(cell) };
}

export function spectrumFromText(text: string, opts: { name?: string } = {}): Spectrum {
  const lines = text.split(/\r?\n/);
  let split: ((l: string) => string[]) | undefined;
  let header: string[] | undefined;
  const cols: number[][] = [];
  let lineNo = 0;
  let lastComment: string | undefined;
  for (const raw of lines) {
    lineNo++;
    const l = raw.trim();
    if (l === '') continue;
    if (/^[#%!;]/.test(l) || l.startsWith('//')) {
      lastComment = l.replace(/^(#|%|!|;|\/\/)+/, '').trim();
      continue;
    }
    split ??= splitter(l);
    const cells = split(l);
    const nums = cells.map((c) => (c === '' ? NaN : Number(c)));
    if (nums.some((x, i) => Number.isNaN(x) && !/^(nan|null|-|)$/i.test(cells[i]))) {
      if (cols.length === 0 && !header) {
        header = cells;
        continue;
      }
      throw new SpectrumError(`text table line ${lineNo}: cannot parse ${JSON.stringify(l.slice(0, 60))} as numbers`);
    }
    if (cols.length === 0) {
      for (let i = 0; i < nums.length; i++) cols.push([]);
      // A commented line just above the data, with as many words as columns, is a header too.
      if (!header && lastComment) {
        const words = split(lastComment);
        if (words.length === nums.length && words.every((w) => Number.isNaN(Number(w)))) header = words;
      }
    }
    if (nums.length < cols.length) throw new SpectrumError(`text table line ${lineNo}: expected ${cols.length} columns, found ${nums.length}`);
    for (let i = 0; i < cols.length; i++) cols[i].push(nums[i]);
  }
  if (cols.length < 2 || cols[0].length === 0) throw new SpectrumError('text table: need at least two numeric columns and one row');
  let si = 0;
  let fi = 1;
  let ei: number | undefined = cols.length >= 3 ? 2 : undefined;
  let errKind: 'sigma' | 'ivar' | 'variance' = 'sigma';
  let scale: 'linear' | 'log10' | 'ln' = 'linear';
  const infos = (header ?? []).slice(0, cols.length).map(nameAndUnit);
  if (header) {
    const c = chooseColumns(infos);
    if (!c) throw new SpectrumError(`text table: columns ${header.join(', ')} do not name a spectral axis and a flux`);
    si = c.spectral.index;
    fi = c.flux.index;
    ei = c.error?.index;
    errKind = c.error?.kind ?? 'sigma';
    scale = c.spectral.scale;
  }
  const sUnit = infos[si]?.unit;
  const quantity = quantityOfUnit(sUnit) ?? 'wavelength';
  const axis = normaliseAxis({ values: Float64Array.from(cols[si]), ...(sUnit ? { unit: sUnit } : {}), quantity, scale });
  const error = ei !== undefined ? errorFrom(Float64Array.from(cols[ei]), errKind) : undefined;
  const name = (i: number): string => infos[i]?.name ?? `column ${i + 1}`;
  return assemble(axis, Float64Array.from(cols[fi]), error, infos[fi]?.unit, {
    sourceFormat: 'ascii',
    spectralQuantity: quantity,
    columns: { spectral: name(si), flux: name(fi), ...(ei !== undefined ? { error: name(ei) } : {}) },
    ...(opts.name ? { name: opts.name } : {}),
  });
}
