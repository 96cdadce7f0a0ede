import { KorelInputError } from './errors.js';
import { exact, integerField, realField, tokenLines } from './tokens.js';

/** A template (known spectrum) of one star in one region, from korel.tmp. */
export interface TmpRecord {
  readonly lambda0: number;
  readonly dv: number;
  /** Star 1..5 whose spectrum this is. */
  readonly star: number;
  readonly values: Float64Array;
  readonly line?: number;
}

export interface KorelTmp {
  readonly records: readonly TmpRecord[];
}

/** Bins of the korel.dat region a template belongs to; undefined when no region matches. */
export type RegionLength = (lambda0: number, dv: number) => number | undefined;

/**
 * Parse korel.tmp: records of a header `λ0 dv star` followed by the template's N values
 * (KOREL writes one per line; any layout is read), N being the length of the korel.dat region
 * with the same λ0 and dv. A header with a zero field ends the file, as in KOREL.
 */
export function parseKorelTmp(text: string, regionLength: RegionLength, file = 'korel.tmp'): KorelTmp {
  const lines = tokenLines(text);
  const records: TmpRecord[] = [];
  let i = 0;
  while (i < lines.length) {
    const head = lines[i++]!;
    if (head.tokens.length !== 3) {
      throw new KorelInputError(file, head.line, `expected the header of template ${records.length + 1} as 3 fields \`λ0 dv star\`, found ${head.tokens.length} field(s)`);
    }
    const lambda0 = realField(head.tokens[0]!, 'λ0', file, head.line);
    const dv = realField(head.tokens[1]!, 'dv', file, head.line);
    const star = integerField(head.tokens[2]!, 'star', file, head.line);
    if (lambda0 === 0 || dv === 0 || star === 0) break;
    if (star < 1 || star > 5) throw new KorelInputError(file, head.line, `star must be 1..5 (got ${star})`);
    const n = regionLength(lambda0, dv);
    if (n === undefined) {
      throw new KorelInputError(file, head.line, `no region of korel.dat has λ0 = ${lambda0} and dv = ${dv}; a template must use the λ0 and dv of the spectra it belongs to`);
    }
    const values = new Float64Array(n);
    let filled = 0;
    while (filled < n) {
      const row = lines[i];
      if (!row) throw new KorelInputError(file, head.line, `the file ends after ${filled} of the ${n} values of the template that starts here (its region has N = ${n})`);
      if (row.tokens.length > n - filled) {
        throw new KorelInputError(file, row.line, `${row.tokens.length} values on this line but only ${n - filled} remain of the ${n} of the template at line ${head.line}`);
      }
      for (const tok of row.tokens) {
        values[filled] = realField(tok, `value ${filled + 1} of the template at line ${head.line}`, file, row.line);
        filled++;
      }
      i++;
    }
    if (records.some((r) => r.star === star && r.lambda0 === lambda0 && r.dv === dv)) {
      throw new KorelInputError(file, head.line, `a second template for star ${star} in the region λ0 = ${lambda0}, dv = ${dv}`);
    }
    records.push({ lambda0, dv, star, values, line: head.line });
  }
  return { records };
}

/** Write korel.tmp in KOREL's layout (one value per line); parsing it back gives the same numbers. */
export function writeKorelTmp(tmp: KorelTmp): string {
  const out: string[] = [];
  for (const r of tmp.records) {
    out.push(`${exact(r.lambda0)} ${exact(r.dv)} ${r.star}`);
    for (const v of r.values) out.push(exact(v));
  }
  return `${out.join('\n')}\n`;
}
