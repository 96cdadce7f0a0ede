/**
 * FITS header cards: parsing (fixed and free format, CONTINUE long strings, HIERARCH, commentary
 * cards) and a read-only view with typed getters. Writing cards lives in cards-write.ts.
 */
import { FitsError } from '../errors.js';

/** A complex header value, e.g. `(1.0, 2.0)`. */
export interface FitsComplex {
  readonly re: number;
  readonly im: number;
}

/**
 * A header value. Integers that do not fit a double exactly are bigint; `null` is an undefined
 * value (a card with `=` and nothing after it).
 */
export type FitsValue = string | number | bigint | boolean | null | FitsComplex;

/** One logical card. A CONTINUE chain is folded into the card that starts it. */
export interface FitsCard {
  /** Upper-case keyword; for HIERARCH cards the part after `HIERARCH ` (e.g. `ESO DET CHIP`). */
  readonly keyword: string;
  /** The value; absent on commentary cards (COMMENT, HISTORY, blank keyword) and bare keywords. */
  readonly value?: FitsValue;
  /** The comment after `/`, or the text of a commentary card. */
  readonly comment?: string;
  /** True when the keyword was written with the HIERARCH convention. */
  readonly hierarch?: boolean;
}

const COMMENTARY = new Set(['COMMENT', 'HISTORY', '']);
export const CARD = 80;
export const BLOCK = 2880;

const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([EeDd][+-]?\d+)?$/;

/** Parse a number token the way FITS writes them (D exponents allowed, big integers as bigint). */
export function parseNumberToken(tok: string): number | bigint | undefined {
  if (INT_RE.test(tok)) {
    const n = Number(tok);
    return Number.isSafeInteger(n) ? n : BigInt(tok);
  }
  if (FLOAT_RE.test(tok)) return Number(tok.replace(/[Dd]/, 'E'));
  return undefined;
}

interface ParsedValue {
  value?: FitsValue;
  comment?: string;
  /** Set when the value field could not be understood; the raw text is kept as a string. */
  bad?: string;
}

/** Parse the value field of a card (the text after `= `). */
function parseValueField(text: string): ParsedValue {
  let i = 0;
  while (i < text.length && text[i] === ' ') i++;
  if (text[i] === "'") {
    let s = '';
    let j = i + 1;
    for (;;) {
      if (j >= text.length) return { value: s.replace(/ +$/, ''), bad: 'unterminated string' };
      const c = text[j];
      if (c === "'") {
        if (text[j + 1] === "'") {
          s += "'";
          j += 2;
          continue;
        }
        j++;
        break;
      }
      s += c;
      j++;
    }
    // Trailing spaces in a FITS string are not significant; leading ones are.
    const value = s.replace(/ +$/, '');
    const rest = text.slice(j);
    const slash = rest.indexOf('/');
    const comment = slash >= 0 ? rest.slice(slash + 1).trim() : undefined;
    return comment ? { value, comment } : { value };
  }
  const slash = text.indexOf('/', i);
  const tok = (slash >= 0 ? text.slice(i, slash) : text.slice(i)).trim();
  const comment = slash >= 0 ? text.slice(slash + 1).trim() : undefined;
  const withComment = (p: ParsedValue): ParsedValue => (comment ? { ...p, comment } : p);
  if (tok === '') return withComment({ value: null });
  if (tok === 'T') return withComment({ value: true });
  if (tok === 'F') return withComment({ value: false });
  if (tok.startsWith('(') && tok.endsWith(')')) {
    const parts = tok.slice(1, -1).split(',').map((p) => p.trim());
    const re = parts.length === 2 ? parseNumberToken(parts[0]) : undefined;
    const im = parts.length === 2 ? parseNumberToken(parts[1]) : undefined;
    if (re !== undefined && im !== undefined) return withComment({ value: { re: Number(re), im: Number(im) } });
  }
  const n = parseNumberToken(tok);
  if (n !== undefined) return withComment({ value: n });
  return withComment({ value: tok, bad: `cannot parse value ${JSON.stringify(tok)}` });
}

/** A problem found in a card that did not stop the read (the value is kept as text). */
export interface HeaderWarning {
  readonly card: number;
  readonly keyword: string;
  readonly message: string;
}

/**
 * The header of one HDU. Keyword look-up returns the first occurrence (as astropy does);
 * commentary cards are kept in order in `cards`.
 */
export class FitsHeader {
  readonly cards: readonly FitsCard[];
  readonly warnings: readonly HeaderWarning[];
  private readonly index = new Map<string, FitsCard>();

  constructor(cards: readonly FitsCard[], warnings: readonly HeaderWarning[] = []) {
    this.cards = cards;
    this.warnings = warnings;
    for (const c of cards) {
      if (c.value !== undefined && !this.index.has(c.keyword)) this.index.set(c.keyword, c);
    }
  }

  has(keyword: string): boolean {
    return this.index.has(keyword.toUpperCase());
  }

  /** The value of a keyword, or undefined when absent. */
  get(keyword: string): FitsValue | undefined {
    return this.index.get(keyword.toUpperCase())?.value;
  }

  /** The comment of a valued keyword. */
  comment(keyword: string): string | undefined {
    return this.index.get(keyword.toUpperCase())?.comment;
  }

  /** A numeric value (integers, bigints and floats; numeric strings are not converted). */
  number(keyword: string): number | undefined {
    const v = this.get(keyword);
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    return undefined;
  }

  /** A string value, trailing blanks removed. */
  string(keyword: string): string | undefined {
    const v = this.get(keyword);
    return typeof v === 'string' ? v : undefined;
  }

  boolean(keyword: string): boolean | undefined {
    const v = this.get(keyword);
    return typeof v === 'boolean' ? v : undefined;
  }

  /** Texts of the commentary cards with this keyword (COMMENT, HISTORY, or '' for blank). */
  commentary(keyword: 'COMMENT' | 'HISTORY' | ''): string[] {
    return this.cards.filter((c) => c.keyword === keyword && c.value === undefined).map((c) => c.comment ?? '');
  }

  /** All valued keywords in order, first occurrence only. */
  keys(): string[] {
    return [...this.index.keys()];
  }

  /** A plain object of keyword → value (first occurrence), handy for JSON and display. */
  toObject(): Record<string, FitsValue> {
    const o: Record<string, FitsValue> = {};
    for (const [k, c] of this.index) o[k] = c.value as FitsValue;
    return o;
  }
}

const decoder = new TextDecoder('latin1');
const NON_ASCII = /[^\x20-\x7e]/;

/**
 * Read header cards starting at `offset` until END. Returns the header and the offset of the
 * first byte after the header's last block.
 */
export function parseHeader(bytes: Uint8Array, offset: number, hdu: number): { header: FitsHeader; end: number } {
  const cards: FitsCard[] = [];
  const warnings: HeaderWarning[] = [];
  let pos = offset;
  let cardNo = 0;
  // A string ending in '&' may be continued; the '&' is kept when no CONTINUE card follows.
  let pendingString: { card: FitsCard; text: string; continued: boolean } | undefined;
  const flush = (): void => {
    if (!pendingString) return;
    const { card, text, continued } = pendingString;
    cards.push({ ...card, value: continued ? text : `${text}&` });
    pendingString = undefined;
  };
  // Decode a whole block at a time: one TextDecoder call per 36 cards instead of one per card.
  let block = '';
  let blockStart = -1;
  for (;;) {
    if (pos + CARD > bytes.length) {
      throw new FitsError(
        pos === offset ? 'file ends where a header should start' : 'file ends inside a header (no END card)',
        { hdu, card: cardNo },
      );
    }
    const bs = offset + Math.floor((pos - offset) / BLOCK) * BLOCK;
    if (bs !== blockStart) {
      blockStart = bs;
      block = decoder.decode(bytes.subarray(bs, Math.min(bytes.length, bs + BLOCK)));
    }
    const line = block.slice(pos - bs, pos - bs + CARD);
    pos += CARD;
    // Characters outside printable ASCII are not allowed in headers; non-FITS data usually has them.
    const bad = NON_ASCII.exec(line);
    if (bad) {
      throw new FitsError(`header card contains a non-ASCII or control character (byte ${bad[0].charCodeAt(0)})`, {
        hdu,
        card: cardNo,
      });
    }
    const kw = line.slice(0, 8).trimEnd();
    if (kw === 'END' && line.slice(8).trim() === '') {
      flush();
      break;
    }
    if (kw === 'CONTINUE' && pendingString) {
      const p = parseValueField(line.slice(8));
      let s = typeof p.value === 'string' ? p.value : '';
      const more = s.endsWith('&');
      if (more) s = s.slice(0, -1);
      pendingString.text += s;
      pendingString.continued = true;
      if (p.comment) pendingString.card = { ...pendingString.card, comment: `${pendingString.card.comment ?? ''}${p.comment}` };
      if (!more) flush();
      cardNo++;
      continue;
    }
    flush();
    if (kw === 'HIERARCH') {
      const eq = line.indexOf('=', 8);
      if (eq < 0) {
        cards.push({ keyword: line.slice(9).trim().toUpperCase(), hierarch: true });
      } else {
        const keyword = line.slice(9, eq).trim().toUpperCase();
        const p = parseValueField(line.slice(eq + 1));
        if (p.bad) warnings.push({ card: cardNo, keyword, message: p.bad });
        cards.push({ keyword, value: p.value ?? null, ...(p.comment ? { comment: p.comment } : {}), hierarch: true });
      }
      cardNo++;
      continue;
    }
    if (line.slice(8, 10) === '= ' && !COMMENTARY.has(kw)) {
      const p = parseValueField(line.slice(10));
      if (p.bad) warnings.push({ card: cardNo, keyword: kw, message: p.bad });
      const card: FitsCard = { keyword: kw, value: p.value ?? null, ...(p.comment ? { comment: p.comment } : {}) };
      if (typeof p.value === 'string' && p.value.endsWith('&') && !p.bad) {
        pendingString = { card, text: p.value.slice(0, -1), continued: false };
      } else {
        cards.push(card);
      }
    } else {
      cards.push({ keyword: kw, comment: line.slice(8).trimEnd() });
    }
    cardNo++;
  }
  const used = pos - offset;
  const end = offset + Math.ceil(used / BLOCK) * BLOCK;
  return { header: new FitsHeader(cards, warnings), end };
}
