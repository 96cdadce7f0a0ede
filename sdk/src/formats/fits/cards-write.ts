/**
 * Formatting header cards: fixed-format values (right-justified in columns 11–30), strings
 * with '' escapes, CONTINUE for long strings, HIERARCH for long or lower-case keywords.
 */
import { FitsError } from '../errors.js';
import { CARD, type FitsValue } from './header.js';

/** A card to write. */
export interface CardInput {
  readonly keyword: string;
  readonly value?: FitsValue;
  readonly comment?: string;
}

function pad(s: string): string {
  return s.length >= CARD ? s.slice(0, CARD) : s + ' '.repeat(CARD - s.length);
}

function formatNumber(v: number, keyword: string): string {
  if (!Number.isFinite(v)) throw new FitsError(`cannot write ${v} in a header (FITS has no NaN or Infinity cards)`, { keyword });
  if (Number.isInteger(v) && Math.abs(v) < 1e16) {
    // Keep floats that happen to be integral recognisable as integers; FITS readers accept both.
    return String(v);
  }
  let s = String(v).toUpperCase();
  if (!s.includes('.') && !s.includes('E')) s += '.0';
  if (s.includes('E') && !s.includes('.')) s = s.replace('E', '.0E');
  if (s.length > 20) s = v.toExponential(12).toUpperCase();
  return s;
}

function formatValue(v: FitsValue, keyword: string): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return (v ? 'T' : 'F').padStart(20);
  if (typeof v === 'bigint') return String(v).padStart(20);
  if (typeof v === 'number') return formatNumber(v, keyword).padStart(20);
  if (typeof v === 'string') return `'${v.replace(/'/g, "''").padEnd(8)}'`;
  return `(${formatNumber(v.re, keyword)}, ${formatNumber(v.im, keyword)})`.padStart(20);
}

function checkAscii(s: string, keyword: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c > 126) throw new FitsError(`header text must be printable ASCII (character ${c})`, { keyword });
  }
}

/** Split a string so each quoted piece (with doubled quotes) fits a card. */
function splitLong(s: string, first: number, rest: number): string[] {
  const out: string[] = [];
  let i = 0;
  let room = first;
  while (i < s.length) {
    // Leave room for the '&' and never split a doubled quote.
    let take = 0;
    let used = 0;
    while (i + take < s.length) {
      const w = s[i + take] === "'" ? 2 : 1;
      if (used + w > room - 1) break;
      used += w;
      take++;
    }
    out.push(s.slice(i, i + take));
    i += take;
    room = rest;
  }
  return out.length ? out : [''];
}

/** Format one logical card as one or more 80-character card images. */
export function formatCard(c: CardInput): string[] {
  const kw = c.keyword;
  checkAscii(kw, kw);
  if (c.comment) checkAscii(c.comment, kw);
  if (typeof c.value === 'string') checkAscii(c.value, kw);
  const upper = kw.toUpperCase();
  if (c.value === undefined) {
    if (kw.length > 8) throw new FitsError('commentary keyword longer than 8 characters', { keyword: kw });
    const text = c.comment ?? '';
    const out: string[] = [];
    for (let i = 0; i === 0 || i < text.length; i += 72) out.push(pad(upper.padEnd(8) + text.slice(i, i + 72)));
    return out;
  }
  const hierarch = kw.length > 8 || !/^[A-Z0-9_-]*$/.test(kw);
  const prefix = hierarch ? `HIERARCH ${kw} = ` : `${upper.padEnd(8)}= `;
  const value = formatValue(c.value, kw);
  const comment = c.comment ? ` / ${c.comment}` : '';
  // A comment that does not fit is cut at the card's end; the value never is.
  if (prefix.length + value.length <= CARD) return [pad(prefix + value + comment)];
  if (typeof c.value !== 'string') throw new FitsError('card too long', { keyword: kw });
  // Long string: the OGIP CONTINUE convention.
  const pieces = splitLong(c.value, CARD - prefix.length - 2, CARD - 12);
  const cards: string[] = [];
  pieces.forEach((p, i) => {
    const last = i === pieces.length - 1;
    const q = `'${p.replace(/'/g, "''")}${last ? '' : '&'}'`;
    cards.push(pad((i === 0 ? prefix : 'CONTINUE  ') + q + (last ? comment : '')));
  });
  return cards;
}

export function endCard(): string {
  return pad('END');
}
