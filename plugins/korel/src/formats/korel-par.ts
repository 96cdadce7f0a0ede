import { KorelInputError } from './errors.js';
import type { KorelPar, ParLine, ParLineType, ParRun } from './korel-par-schema.js';
import { exact, integerField, realField, tokenLines } from './tokens.js';

export type { KorelPar, ParLine, ParRun, ParLineType } from './korel-par-schema.js';

const LINE_TYPES: readonly ParLineType[] = ['o', 's', 'v', 'w', 'e'];

/** Line numbers of a parsed korel.par, for messages about its content: [run][line]. */
export interface ParSourceLines {
  readonly header: number[];
  readonly lines: number[][];
}

export interface ParsedPar {
  readonly par: KorelPar;
  readonly source: ParSourceLines;
}

/**
 * Parse korel.par: runs of a header line `key1..key5 k0 ifil kr kpr` followed by element lines
 * `c j1 j2 k1 le ld value step`, each run ended by a line whose j1 and j2 are both 0. Text after
 * the eighth field (KOREL's own output writes `= PERIOD(0)` there) is kept as a comment.
 */
export function parseKorelPar(text: string, file = 'korel.par'): ParsedPar {
  const lines = tokenLines(text);
  if (lines.length === 0) throw new KorelInputError(file, null, 'the file is empty: expected a header line `key1 key2 key3 key4 key5 k0 ifil kr kpr`');
  const runs: ParRun[] = [];
  const source: ParSourceLines = { header: [], lines: [] };
  let i = 0;
  while (i < lines.length) {
    const head = lines[i++]!;
    if (head.tokens.length < 9) {
      throw new KorelInputError(file, head.line, `expected the header line \`key1 key2 key3 key4 key5 k0 ifil kr kpr\` (9 integers), found ${head.tokens.length} field(s)`);
    }
    if (/^[a-z]$/i.test(head.tokens[0]!)) {
      throw new KorelInputError(file, head.line, `expected a header line of 9 integers, found an element line ('${head.tokens[0]}'); did the previous run miss its end line (j1 = j2 = 0)?`);
    }
    const names = ['key1', 'key2', 'key3', 'key4', 'key5', 'k0', 'ifil', 'kr', 'kpr'];
    const v = names.map((n, k) => integerField(head.tokens[k]!, n, file, head.line));
    const run: ParRun = { keys: v.slice(0, 5), k0: v[5]!, ifil: v[6]!, kr: v[7]!, kpr: v[8]!, lines: [] };
    const lineNumbers: number[] = [];
    let ended = false;
    while (i < lines.length) {
      const row = lines[i++]!;
      const c = row.tokens[0]!;
      if (!/^[a-zA-Z]$/.test(c)) {
        throw new KorelInputError(file, row.line, `expected an element line starting with one of ${LINE_TYPES.join(', ')}, found '${c.slice(0, 20)}'`);
      }
      const type = c.toLowerCase() as ParLineType;
      const nums = row.tokens.slice(1);
      if (nums.length < 2) throw new KorelInputError(file, row.line, `an element line needs at least j1 and j2 after the letter, found ${nums.length} field(s)`);
      const j1 = integerField(nums[0]!, 'j1', file, row.line);
      const j2 = integerField(nums[1]!, 'j2', file, row.line);
      // j1 = j2 = 0 ends the run; the end line may be short ("o 0 0").
      if (j1 === 0 && j2 === 0) {
        ended = true;
        break;
      }
      if (!LINE_TYPES.includes(type)) {
        throw new KorelInputError(file, row.line, `unknown line type '${c}': korel.par lines are o (orbital element), s (line strength), v (radial velocity), w (weight) or e (error map)`);
      }
      if (nums.length < 7) throw new KorelInputError(file, row.line, `an '${type}' line needs 7 fields after the letter (j1 j2 k1 le ld value step), found ${nums.length}`);
      const line: ParLine = {
        type,
        j1,
        j2,
        k1: integerField(nums[2]!, 'k1', file, row.line),
        le: integerField(nums[3]!, 'le', file, row.line),
        ld: integerField(nums[4]!, 'ld', file, row.line),
        value: realField(nums[5]!, 'value', file, row.line),
        step: realField(nums[6]!, 'step', file, row.line),
      };
      if (nums.length > 7) line.comment = nums.slice(7).join(' ').slice(0, 200);
      run.lines.push(line);
      lineNumbers.push(row.line);
    }
    if (!ended) throw new KorelInputError(file, null, `the run whose header is at line ${head.line} has no end line (an element line with j1 = j2 = 0, e.g. \`o 0 0 0 0 0 0 0\`)`);
    runs.push(run);
    source.header.push(head.line);
    source.lines.push(lineNumbers);
  }
  return { par: { runs }, source };
}

/** Write korel.par; parseKorelPar(writeKorelPar(p)).par equals p. */
export function writeKorelPar(par: KorelPar): string {
  const out: string[] = [];
  for (const run of par.runs) {
    out.push([...run.keys, run.k0, run.ifil, run.kr, run.kpr].map((n) => String(n).padStart(4)).join(''));
    for (const l of run.lines) {
      const ints = [l.j1, l.j2, l.k1, l.le, l.ld].map((n) => String(n).padStart(3)).join('');
      out.push(`${l.type}${ints} ${exact(l.value).padStart(16)} ${exact(l.step).padStart(12)}${l.comment ? ` ${l.comment}` : ''}`);
    }
    out.push('o  0  0  0  0  0                0            0');
  }
  return `${out.join('\n')}\n`;
}

/** Source lines for a korel.par that came as JSON (the job parameter): positions in the list. */
export function jsonParSource(par: KorelPar): ParSourceLines {
  let n = 0;
  const header: number[] = [];
  const lines: number[][] = [];
  for (const run of par.runs) {
    header.push(++n);
    lines.push(run.lines.map(() => ++n));
    n++;
  }
  return { header, lines };
}
