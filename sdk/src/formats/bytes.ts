/**
 * Input normalisation shared by every reader: any byte container to a Uint8Array, and gzip
 * detection. gzip is inflated with fflate because it is synchronous (so `readFits` and
 * `readSpectrum` can stay synchronous for worker threads and the browser alike), has no
 * dependencies and works unchanged in Node and browsers; DecompressionStream is async only.
 */
import { gunzipSync } from 'fflate';
import { FormatError } from './errors.js';

/** Anything the readers accept as file contents. */
export type BytesLike = Uint8Array | ArrayBuffer | ArrayBufferView;

export function toBytes(input: BytesLike): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  throw new FormatError('expected bytes (Uint8Array, ArrayBuffer or a typed array)');
}

export function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** Inflate gzip data (all members); a corrupt or truncated stream is a FormatError. */
export function gunzip(b: Uint8Array, what: string): Uint8Array {
  try {
    return gunzipSync(b);
  } catch (e) {
    throw new FormatError(`${what}: gzip data is corrupt or truncated (${(e as Error).message})`);
  }
}

/** The bytes, inflated when they are gzip-compressed. */
export function maybeGunzip(b: Uint8Array, what: string): Uint8Array {
  return isGzip(b) ? gunzip(b, what) : b;
}
