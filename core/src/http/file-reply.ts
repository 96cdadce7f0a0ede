import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseRange, RangeNotSatisfiableError, type ByteRange } from './ranges.js';

/** The answer for a GET of a file: a part of it (a range), all of it (null), or nothing (304). */
export type FilePart = ByteRange | null | 'not-modified';

/**
 * A file's entity tag: its modification time and size (as nginx makes them). A file is only
 * ever replaced whole, by a rename, which gives it a new time.
 */
export function etagOf(size: number, modified: Date): string {
  return `"${modified.getTime().toString(16)}-${size.toString(16)}"`;
}

/**
 * Sets the headers of a file download and says what to send. Validators (ETag,
 * Last-Modified) let clients re-fetch only what changed: If-None-Match and If-Modified-Since
 * answer 304 (RFC 9110 §13.1.2–13.1.3), so `wget -N`, `curl -z` and browsers keep their
 * copies of results and files. Then the Range, checked by If-Range (ranges.ts); a range
 * outside the file is a 416 whose Content-Range gives the file's size.
 */
export function replyFile(request: FastifyRequest, reply: FastifyReply, file: { size: number; modified?: Date }): FilePart {
  const { size, modified } = file;
  const etag = modified ? etagOf(size, modified) : undefined;
  if (etag) reply.header('ETag', etag);
  if (modified) reply.header('Last-Modified', modified.toUTCString());
  // Kept by the user's browser only, and asked about each time (a 304 when unchanged): without
  // this a browser may reuse a copy for a tenth of the file's age, unasked, after it changed.
  reply.header('Accept-Ranges', 'bytes').header('Cache-Control', 'private, no-cache');
  if (notModified(request, etag, modified)) {
    reply.code(304);
    return 'not-modified';
  }
  let range: ByteRange | null;
  try {
    range = parseRange(request.headers.range, size, { ifRange: first(request.headers['if-range']), modified, etag });
  } catch (err) {
    if (err instanceof RangeNotSatisfiableError) reply.header('Content-Range', `bytes */${size}`);
    throw err;
  }
  if (!range) {
    reply.header('Content-Length', String(size));
    return null;
  }
  reply.code(206).header('Content-Range', `bytes ${range.start}-${range.end}/${size}`).header('Content-Length', String(range.end - range.start + 1));
  return range;
}

/** If-None-Match (weak comparison, `*` for any) wins over If-Modified-Since, as RFC 9110 says. */
function notModified(request: FastifyRequest, etag: string | undefined, modified: Date | undefined): boolean {
  const noneMatch = first(request.headers['if-none-match']);
  if (noneMatch !== undefined) {
    if (!etag) return false;
    const bare = (tag: string) => tag.trim().replace(/^W\//, '');
    return noneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
  }
  const since = Date.parse(first(request.headers['if-modified-since']) ?? '');
  return modified !== undefined && Number.isFinite(since) && Math.floor(modified.getTime() / 1000) * 1000 <= since;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
