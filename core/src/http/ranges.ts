import type { FastifyReply, FastifyRequest } from 'fastify';
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
 * file's `Last-Modified` (the file changed since the client's first part: a part of the new
 * one would corrupt its copy; vocloud sends no ETags, so an entity tag never matches). Only a
 * valid range that lies outside the file is refused, with 416.
 */
export function parseRange(header: string | undefined, size: number, validator: { ifRange?: string; modified?: Date } = {}): ByteRange | null {
  if (!header) return null;
  if (validator.ifRange !== undefined && !sameDate(validator.ifRange, validator.modified)) return null;
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

/** An If-Range date matches only the exact second of the file's Last-Modified. */
function sameDate(ifRange: string, modified: Date | undefined): boolean {
  const when = Date.parse(ifRange);
  return modified !== undefined && !/^(W\/)?"/.test(ifRange.trim()) && Number.isFinite(when) && Math.floor(modified.getTime() / 1000) === when / 1000;
}

/**
 * Sets a file download's status and length headers for the Range the request asks for, and
 * returns the part to send (null: all). A range outside the file is a 416 whose
 * Content-Range gives the file's size, as RFC 9110 asks.
 */
export function replyRange(request: FastifyRequest, reply: FastifyReply, size: number, modified?: Date): ByteRange | null {
  const ifRange = request.headers['if-range'];
  let range: ByteRange | null;
  try {
    range = parseRange(request.headers.range, size, { ifRange: Array.isArray(ifRange) ? ifRange[0] : ifRange, modified });
  } catch (err) {
    if (err instanceof RangeNotSatisfiableError) reply.header('Content-Range', `bytes */${size}`);
    throw err;
  }
  reply.header('Accept-Ranges', 'bytes');
  if (modified) reply.header('Last-Modified', modified.toUTCString());
  if (!range) {
    reply.header('Content-Length', String(size));
    return null;
  }
  reply.code(206).header('Content-Range', `bytes ${range.start}-${range.end}/${size}`).header('Content-Length', String(range.end - range.start + 1));
  return range;
}
