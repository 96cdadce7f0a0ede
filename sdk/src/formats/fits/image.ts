/**
 * Image HDU data: raw big-endian pixels to physical values, following the FITS standard and
 * astropy's choices so both give the same arrays:
 * - no BSCALE/BZERO/BLANK: the stored type (BITPIX 8 → Uint8Array, 16 → Int16Array, …);
 * - the unsigned conventions (BITPIX 8 with BZERO −128, 16/32/64 with BZERO 2^15/2^31/2^63):
 *   Int8Array, Uint16Array, Uint32Array, BigUint64Array;
 * - other scaling or a BLANK: Float32Array for BITPIX 8/16/−32, Float64Array for 32/64/−64;
 *   BLANK pixels of integer images become NaN.
 */
import { FitsError } from '../errors.js';
import { readBigEndian, type ElementType, type NumericArray } from './endian.js';
import type { FitsHeader } from './header.js';

export const BITPIX_TYPES: Record<number, ElementType> = { 8: 'u8', 16: 'i16', 32: 'i32', 64: 'i64', [-32]: 'f32', [-64]: 'f64' };

/** Pixels of an image HDU. */
export interface FitsImage {
  readonly bitpix: number;
  /** Axis lengths in FITS order: NAXIS1 (fastest varying) first. */
  readonly shape: readonly number[];
  /** Physical pixel values, row-major with NAXIS1 fastest. */
  readonly data: NumericArray;
}

/** Scaling read from an image header, validated. */
export interface ImageScaling {
  readonly bscale: number;
  readonly bzero: number;
  readonly blank?: number | bigint;
}

export function imageScaling(header: FitsHeader, hdu: number): ImageScaling {
  const num = (k: string, dflt: number): number => {
    const v = header.get(k);
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    throw new FitsError(`${k} must be a number`, { hdu, keyword: k });
  };
  const blankV = header.get('BLANK');
  const blank = typeof blankV === 'number' || typeof blankV === 'bigint' ? blankV : undefined;
  return { bscale: num('BSCALE', 1), bzero: num('BZERO', 0), ...(blank !== undefined ? { blank } : {}) };
}

function unsignedView(raw: NumericArray, bitpix: number, s: ImageScaling): NumericArray | undefined {
  if (s.bscale !== 1 || s.blank !== undefined) return undefined;
  if (bitpix === 8 && s.bzero === -128) {
    const u = raw as Uint8Array;
    const out = new Int8Array(u.length);
    for (let i = 0; i < u.length; i++) out[i] = u[i] - 128;
    return out;
  }
  if (bitpix === 16 && s.bzero === 32768) {
    const r = raw as Int16Array;
    const out = new Uint16Array(r.length);
    for (let i = 0; i < r.length; i++) out[i] = r[i] + 32768;
    return out;
  }
  if (bitpix === 32 && s.bzero === 2147483648) {
    const r = raw as Int32Array;
    const out = new Uint32Array(r.length);
    for (let i = 0; i < r.length; i++) out[i] = r[i] + 2147483648;
    return out;
  }
  if (bitpix === 64 && s.bzero === 9223372036854775808) {
    const r = raw as BigInt64Array;
    // Flipping the sign bit is exactly adding 2^63 modulo 2^64.
    const out = new BigUint64Array(r.buffer.slice(0));
    for (let i = 0; i < out.length; i++) out[i] ^= 0x8000000000000000n;
    return out;
  }
  return undefined;
}

/** Decode `count` pixels at `offset` of `bytes` into physical values. */
export function decodeImage(
  bytes: Uint8Array,
  offset: number,
  count: number,
  bitpix: number,
  s: ImageScaling,
  hdu: number,
): NumericArray {
  const type = BITPIX_TYPES[bitpix];
  if (!type) throw new FitsError(`unsupported BITPIX ${bitpix}`, { hdu, keyword: 'BITPIX' });
  const raw = readBigEndian(bytes, offset, count, type);
  const identity = s.bscale === 1 && s.bzero === 0;
  if (identity && (s.blank === undefined || bitpix < 0)) return raw;
  const u = unsignedView(raw, bitpix, s);
  if (u) return u;
  if (bitpix === 8 || bitpix === 16 || bitpix === -32) {
    // astropy computes these in float32; rounding each step to float32 gives the same bits.
    const out = new Float32Array(count);
    const sc = Math.fround(s.bscale);
    const z = Math.fround(s.bzero);
    const blank = s.blank === undefined || bitpix < 0 ? undefined : Number(s.blank);
    const r = raw as Uint8Array | Int16Array | Float32Array;
    for (let i = 0; i < count; i++) {
      const v = r[i];
      out[i] = v === blank ? NaN : Math.fround(Math.fround(v * sc) + z);
    }
    return out;
  }
  const out = new Float64Array(count);
  const sc = s.bscale;
  const z = s.bzero;
  if (bitpix === 64) {
    const r = raw as BigInt64Array;
    const blank = s.blank === undefined ? undefined : BigInt(s.blank);
    for (let i = 0; i < count; i++) out[i] = r[i] === blank ? NaN : Number(r[i]) * sc + z;
  } else if (bitpix === 32) {
    const r = raw as Int32Array;
    const blank = s.blank === undefined ? undefined : Number(s.blank);
    for (let i = 0; i < count; i++) out[i] = r[i] === blank ? NaN : r[i] * sc + z;
  } else {
    // Float data: BLANK does not apply (NaN marks undefined pixels).
    const r = raw as Float32Array | Float64Array;
    for (let i = 0; i < count; i++) out[i] = r[i] * sc + z;
  }
  return out;
}
