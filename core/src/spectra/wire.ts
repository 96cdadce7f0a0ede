/**
 * The binary answer of POST /api/spectra (media type `application/vnd.vocloud.spectra`), built
 * for the web plotter: a browser maps it onto Float32Arrays without parsing numbers.
 *
 * ```
 * bytes 0..3   "VCSP"
 * bytes 4..7   uint32 LE: length H of the JSON header in bytes (a multiple of 4)
 * bytes 8..    the header, UTF-8 JSON padded with spaces to H bytes (SpectraHeader)
 * then         float32 LE values; every array starts at a 4-byte boundary and is addressed by
 *              its offset in float32 elements from the start of this block
 * ```
 *
 * Wavelength grids are stored once and shared: spectra from one instrument usually have the
 * same grid, which halves the bytes of a typical request.
 */

export const MAGIC = 'VCSP';
export const MEDIA_TYPE = 'application/vnd.vocloud.spectra';
export const WIRE_VERSION = 1;

export type { SpectraHeader, WireError, WireMeta, WireSpectrum } from './wire-types.js';
import type { SpectraHeader } from './wire-types.js';

/** Concatenate the header and the arrays into one buffer. */
export function encodeSpectra(header: Omit<SpectraHeader, 'version' | 'values'>, arrays: readonly Float32Array[]): Buffer {
  const values = arrays.reduce((n, a) => n + a.length, 0);
  let json = Buffer.from(JSON.stringify({ version: WIRE_VERSION, ...header, values } satisfies SpectraHeader), 'utf8');
  const pad = (4 - (json.length % 4)) % 4;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const out = Buffer.allocUnsafe(8 + json.length + values * 4);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(json.length, 4);
  json.copy(out, 8);
  let at = 8 + json.length;
  for (const a of arrays) {
    // Node runs on little-endian machines only; the bytes of a Float32Array are already LE.
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  return out;
}
