/**
 * Decoder of the binary spectra answer of POST /api/spectra (core/src/spectra/wire.ts):
 * "VCSP", uint32 LE header length, JSON header, then float32 LE arrays. The arrays become
 * Float32Array views on the received buffer — nothing is copied or parsed number by number.
 */

import type { SpectraHeader, WireError, WireSpectrum } from '../../../core/src/spectra/wire-types';

/** What the server says of each spectrum, and of each path it could not read (type-only import). */
export type SpectrumInfo = WireSpectrum;
export type SpectrumError = WireError;
export type WireHeader = SpectraHeader;

/** One decoded spectrum: views on the shared buffer (grids are shared between spectra). */
export interface DecodedSpectrum {
  readonly info: SpectrumInfo;
  readonly wavelength: Float32Array;
  readonly flux: Float32Array;
}

export interface DecodedSpectra {
  readonly spectra: DecodedSpectrum[];
  readonly errors: SpectrumError[];
  /** Distinct wavelength grids in the answer. */
  readonly grids: number;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class WireFormatError extends Error {}

function floats(buffer: ArrayBuffer, byteOffset: number, length: number): Float32Array {
  if (LITTLE_ENDIAN) return new Float32Array(buffer, byteOffset, length);
  // big-endian hosts are rare; read value by value
  const view = new DataView(buffer, byteOffset, length * 4);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export function decodeSpectra(buffer: ArrayBuffer): DecodedSpectra {
  if (buffer.byteLength < 8) throw new WireFormatError('the spectra answer is truncated');
  const head = new Uint8Array(buffer, 0, 4);
  if (String.fromCharCode(...head) !== 'VCSP') throw new WireFormatError('not a vocloud spectra answer (no VCSP marker)');
  const headerLength = new DataView(buffer).getUint32(4, true);
  if (8 + headerLength > buffer.byteLength || headerLength % 4 !== 0) throw new WireFormatError('the spectra header is truncated');
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, headerLength))) as WireHeader;
  if (header.version !== 1) throw new WireFormatError(`spectra answer version ${header.version} is not supported; reload the page`);
  const dataStart = 8 + headerLength;
  if (dataStart + header.values * 4 > buffer.byteLength) throw new WireFormatError('the spectra data are truncated');
  const grids = header.grids.map((g) => floats(buffer, dataStart + g.offset * 4, g.length));
  const spectra: DecodedSpectrum[] = [];
  const errors: SpectrumError[] = [];
  for (const s of header.spectra) {
    if ('error' in s) {
      errors.push(s);
      continue;
    }
    const wavelength = grids[s.grid];
    if (!wavelength || wavelength.length !== s.length) throw new WireFormatError(`${s.name}: its wavelength grid is missing`);
    spectra.push({ info: s, wavelength, flux: floats(buffer, dataStart + s.flux * 4, s.length) });
  }
  return { spectra, errors, grids: grids.length };
}
