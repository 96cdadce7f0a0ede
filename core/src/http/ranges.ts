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

/**
 * Parse an HTTP Range header for a file of `size` bytes. One range only (what download tools
 * and resumable transfers use); null when there is no header (send everything).
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) throw new RangeNotSatisfiableError(size, `unsupported Range '${header.slice(0, 60)}' (use one range: bytes=start-end)`);
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) throw new RangeNotSatisfiableError(size, `range ${header.slice(0, 60)} is outside the file (${size} bytes)`);
  return { start, end };
}
