import { KorelInputError } from './errors.js';
import { exact, integerField, isPowerOfTwo, realField, tokenLines } from './tokens.js';

/** One exposure of korel.dat: the header `t λ0 dv w N` and N intensities on a ln λ grid. */
export interface DatRecord {
  /** Time of the exposure (the unit of the orbital period, usually days: HJD − 2400000). */
  readonly t: number;
  /** Wavelength of the first bin (Å); the grid is λ_i = λ0 (1 + dv/c)^i. */
  readonly lambda0: number;
  /** Radial-velocity step of one bin (km/s). */
  readonly dv: number;
  /** Weight of the exposure in the fit. */
  readonly weight: number;
  readonly values: Float64Array;
  /** Line of the header in the file it came from (for messages), when known. */
  readonly line?: number;
}

export interface KorelDat {
  readonly records: readonly DatRecord[];
}

/**
 * Parse korel.dat. Each record is a header line `t λ0 dv w N` followed by N values in free
 * format over as many lines as needed. N must be a power of two (the FFT), and spectra of one
 * region (same λ0 and dv) must all have the same N.
 */
export function parseKorelDat(text: string, file = 'korel.dat'): KorelDat {
  const lines = tokenLines(text);
  if (lines.length === 0) throw new KorelInputError(file, null, 'the file is empty: expected spectra as `t λ0 dv w N` followed by N values');
  const records: DatRecord[] = [];
  const regionLength = new Map<string, { n: number; line: number }>();
  let i = 0;
  while (i < lines.length) {
    const head = lines[i]!;
    if (head.tokens.length !== 5) {
      throw new KorelInputError(
        file,
        head.line,
        `expected the header of spectrum ${records.length + 1} as 5 fields \`t λ0 dv w N\`, found ${head.tokens.length} field(s)`,
      );
    }
    const [tt, lt, dt, wt, nt] = head.tokens as [string, string, string, string, string];
    const t = realField(tt, 'time t', file, head.line);
    const lambda0 = realField(lt, 'λ0', file, head.line);
    const dv = realField(dt, 'dv', file, head.line);
    const weight = realField(wt, 'weight w', file, head.line);
    const n = integerField(nt, 'length N', file, head.line);
    if (!(lambda0 > 0)) throw new KorelInputError(file, head.line, `λ0 must be positive (got ${lambda0})`);
    if (!(dv > 0)) throw new KorelInputError(file, head.line, `dv (km/s per bin) must be positive (got ${dv})`);
    if (!(weight >= 0)) throw new KorelInputError(file, head.line, `weight w must not be negative (got ${weight})`);
    if (!isPowerOfTwo(n)) {
      const up = 2 ** Math.ceil(Math.log2(Math.max(2, n)));
      throw new KorelInputError(file, head.line, `length N = ${n} is not a power of two (needed by the FFT); resample the spectrum to e.g. ${up} bins`);
    }
    const key = `${lambda0} ${dv}`;
    const seen = regionLength.get(key);
    if (seen && seen.n !== n) {
      throw new KorelInputError(file, head.line, `inconsistent N: ${n} bins, but the spectrum at line ${seen.line} of the same region (λ0 = ${lambda0}, dv = ${dv}) has ${seen.n}`);
    }
    if (!seen) regionLength.set(key, { n, line: head.line });
    const values = new Float64Array(n);
    let filled = 0;
    i++;
    while (filled < n) {
      const row = lines[i];
      if (!row) {
        throw new KorelInputError(file, head.line, `the file ends after ${filled} of the N = ${n} values of the spectrum that starts here`);
      }
      if (row.tokens.length > n - filled) {
        throw new KorelInputError(
          file,
          row.line,
          `${row.tokens.length} values on this line but only ${n - filled} remain of the N = ${n} of the spectrum at line ${head.line} (is N right?)`,
        );
      }
      for (const tok of row.tokens) {
        values[filled] = realField(tok, `value ${filled + 1} of the spectrum at line ${head.line}`, file, row.line);
        filled++;
      }
      i++;
    }
    records.push({ t, lambda0, dv, weight, values, line: head.line });
  }
  return { records };
}

export interface WriteDatOptions {
  /** Fixed decimals for the intensities (KOREL writes 5); default: exact shortest form. */
  readonly decimals?: number;
  /** Values per line (KOREL writes 10). */
  readonly perLine?: number;
}

/** Write korel.dat (also the layout of korel.o-c). With default options parse(write(x)) == x exactly. */
export function writeKorelDat(dat: KorelDat, options: WriteDatOptions = {}): string {
  const perLine = options.perLine ?? 10;
  const fmt = options.decimals === undefined ? exact : (v: number) => v.toFixed(options.decimals);
  const out: string[] = [];
  for (const r of dat.records) {
    out.push(`${exact(r.t)} ${exact(r.lambda0)} ${exact(r.dv)} ${exact(r.weight)} ${r.values.length}`);
    for (let i = 0; i < r.values.length; i += perLine) {
      out.push(Array.from(r.values.subarray(i, i + perLine), fmt).join(' '));
    }
  }
  return `${out.join('\n')}\n`;
}
