import { ServiceError } from '../uws/errors.js';

/** 416: a Range header that does not fit the file. */
export class RangeNotSatisfiableError extends ServiceError {
  constructor(
    readonly size: number,
    message: string,
  ) {
    super(416, message);
  }
}

export interface ByteRange {
  readonly start: number;
  /** Inclusive. */
  readonly end: number;
}

/**
 * The part of a file of `size` bytes that a GET asks for, by RFC 9110 §14: null to send all
 * of it. One range is served (what download tools and resumed transfers ask for); a header
 * this server does not act on is ignored, as the RFC lets a server do, so the client gets the
 * whole file rather than an error: another unit than bytes (which it must ignore), several
 * ranges, a malformed or invalid one (`bytes=5-2`), or an `If-Range` that does not match the
 * file's ETag or `Last-Modified` (the file changed since the client's first part: a part of
 * the new one would corrupt its copy). Only a valid range that lies outside the file is
 * refused, with 416.
 */
export function parseRange(header: string | undefined, size: number, validator: { ifRange?: string; modified?: Date; etag?: string } = {}): ByteRange | null {
  if (!header) return null;
  if (validator.ifRange !== undefined && !sameVersion(validator.ifRange, validator)) return null;
  const m = /^bytes=[ \t]*(\d*)[ \t]*-[ \t]*(\d*)[ \t]*$/i.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw new RangeNotSatisfiableError(size, `range ${header.slice(0, 60)} asks for none of the file (${size} bytes)`);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? Infinity : Number(m[2]);
  if (last < start) return null; // invalid (RFC 9110 §14.1.1): ignored
  if (start >= size) throw new RangeNotSatisfiableError(size, `range ${header.slice(0, 60)} starts after the end of the file (${size} bytes)`);
  return { start, end: Math.min(last, size - 1) };
}

/**
 * If-Range names the version the client has: an entity tag, compared strongly (a weak one
 * never matches, RFC 9110 §13.1.5), or a date, which must be the Last-Modified second.
 */
function sameVersion(ifRange: string, file: { modified?: Date; etag?: string }): boolean {
  const value = ifRange.trim();
  if (value.startsWith('"')) return file.etag !== undefined && value === file.etag;
  if (value.startsWith('W/')) return false;
  const when = Date.parse(value);
  return file.modified !== undefined && Number.isFinite(when) && Math.floor(file.modified.getTime() / 1000) === when / 1000;
}
