import { KorelInputError } from './errors.js';

/** One non-blank line of a KOREL text file, split into its whitespace/comma separated fields. */
export interface TokenLine {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly tokens: readonly string[];
}

/**
 * Split a text file into non-blank lines of tokens. KOREL reads its files with Fortran
 * list-directed input, where blanks and commas both separate values and blank lines carry none.
 */
export function tokenLines(text: string): TokenLine[] {
  const out: TokenLine[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const tokens = lines[i]!.split(/[\s,]+/).filter((t) => t.length > 0);
    if (tokens.length > 0) out.push({ line: i + 1, tokens });
  }
  return out;
}

// Fortran writes double precision exponents with D (1.5D-03); accept them like Fortran does.
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eEdD][+-]?\d+)?$/;

/** Parse a real number field; NaN, Infinity and anything that is not plain decimal notation fail. */
export function realField(token: string, what: string, file: string, line: number): number {
  if (!NUMBER.test(token)) {
    const hint = /nan|inf/i.test(token) ? ' (NaN and infinite values are not allowed)' : '';
    throw new KorelInputError(file, line, `${what}: '${clip(token)}' is not a number${hint}`);
  }
  const v = Number(token.replace(/[dD]/, 'e'));
  if (!Number.isFinite(v)) throw new KorelInputError(file, line, `${what}: '${clip(token)}' is out of range`);
  return v;
}

/** Parse an integer field (no decimal point, as Fortran's list-directed integer input wants). */
export function integerField(token: string, what: string, file: string, line: number): number {
  if (!/^[+-]?\d+$/.test(token)) {
    throw new KorelInputError(file, line, `${what}: '${clip(token)}' is not an integer`);
  }
  return Number(token);
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 2 && (n & (n - 1)) === 0;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** The shortest decimal text that reads back as exactly the same double. */
export function exact(v: number): string {
  return Object.is(v, -0) ? '0' : String(v);
}
