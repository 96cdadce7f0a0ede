import { BadRequestError } from './errors.js';

/** UWS/DALI timestamps: ISO 8601 in UTC with a trailing Z. Milliseconds are kept. */
export function isoTime(d: Date): string {
  return d.toISOString();
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parse a client's ISO 8601 time. Accepts a date, minutes or seconds with any number of
 * fraction digits (pyvo sends microseconds), `Z` or an offset; no zone means UTC (DALI).
 */
export function parseIsoTime(value: string, what: string): Date {
  const m = ISO.exec(value.trim());
  if (!m) throw new BadRequestError(`${what}: '${value.slice(0, 60)}' is not an ISO 8601 time (e.g. 2026-11-25T18:00:00Z)`);
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) {
    throw new BadRequestError(`${what}: '${value.slice(0, 60)}' is not a valid date and time`);
  }
  let offset = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  return new Date(base - offset);
}
