/**
 * Binary table (XTENSION = 'BINTABLE') columns: TFORM parsing and column decoding, including
 * vector columns, TDIM, variable-length arrays (P and Q descriptors into the heap), TSCAL/TZERO
 * (with the unsigned-integer conventions astropy applies) and TNULL.
 */
import { FitsError } from '../errors.js';
import { readBigEndian, type ElementType, type NumericArray } from './endian.js';
import type { FitsHeader } from './header.js';

/** The meaning of one binary-table column, from its TTYPE/TFORM/TUNIT/... keywords. */
export interface FitsColumn {
  /** TTYPEn, or `col{n}` when absent. */
  readonly name: string;
  /** One-based column number n. */
  readonly number: number;
  /** TFORMn as written. */
  readonly format: string;
  /** Data type letter: L X B I J K A E D C M, or for variable-length arrays the element letter. */
  readonly type: string;
  /** Repeat count r (elements per row; bits for X; characters for A). */
  readonly repeat: number;
  /** 'P' or 'Q' for variable-length arrays. */
  readonly varlen?: 'P' | 'Q';
  readonly unit?: string;
  /** TUCDn, a common non-standard keyword that carries an IVOA UCD. */
  readonly ucd?: string;
  /** TDIMn axis lengths, fastest first. */
  readonly dim?: readonly number[];
  readonly scale: number;
  readonly zero: number;
  readonly nullValue?: number | bigint;
  readonly display?: string;
  /** Byte offset of the field within a row. */
  readonly offset: number;
  /** Bytes the field takes in a row. */
  readonly bytes: number;
}

/** Decoded values of a column. `width` is the number of elements per row. */
export type FitsColumnData =
  | { readonly kind: 'numeric'; readonly values: NumericArray; readonly width: number; readonly nulls?: Uint8Array }
  /** Complex values interleaved re, im; `width` counts complex numbers. */
  | { readonly kind: 'complex'; readonly values: Float32Array | Float64Array; readonly width: number }
  /** Strings; a TDIM like (10,4) gives `width` 4 strings of 10 characters per row. */
  | { readonly kind: 'string'; readonly values: string[]; readonly width: number }
  | { readonly kind: 'logical'; readonly values: (boolean | null)[]; readonly width: number }
  /** One 0/1 byte per bit. */
  | { readonly kind: 'bits'; readonly values: Uint8Array; readonly width: number }
  /** One array per row. */
  | { readonly kind: 'varlen'; readonly values: (NumericArray | string | (boolean | null)[])[]; readonly width: 0 };

const SIZES: Record<string, number> = { L: 1, X: 0, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16 };
const ETYPE: Record<string, ElementType> = { B: 'u8', I: 'i16', J: 'i32', K: 'i64', E: 'f32', D: 'f64', C: 'f32', M: 'f64' };

const TFORM_RE = /^(\d*)([LXBIJKAEDCMPQ])(.*)$/;

/** Parse TFORMn: repeat, type, and for P/Q the element type. */
export function parseTform(
  tform: string,
  where: { hdu: number; keyword: string },
): { repeat: number; type: string; varlen?: 'P' | 'Q'; bytes: number } {
  const m = TFORM_RE.exec(tform.trim().toUpperCase());
  if (!m) throw new FitsError(`cannot parse TFORM ${JSON.stringify(tform)}`, where);
  const repeat = m[1] === '' ? 1 : Number(m[1]);
  if (!Number.isSafeInteger(repeat)) throw new FitsError(`repeat count too large in ${tform}`, where);
  const letter = m[2];
  if (letter === 'P' || letter === 'Q') {
    const inner = /^([LXBIJKAEDCM])/.exec(m[3]);
    if (!inner) throw new FitsError(`variable-length array ${tform} has no element type`, where);
    if (repeat > 1) throw new FitsError(`variable-length array ${tform} with repeat > 1`, where);
    return { repeat, type: inner[1], varlen: letter, bytes: repeat * (letter === 'P' ? 8 : 16) };
  }
  const bytes = letter === 'X' ? Math.ceil(repeat / 8) : repeat * SIZES[letter];
  return { repeat, type: letter, bytes };
}

function parseTdim(s: string, where: { hdu: number; keyword: string }): number[] {
  const m = /^\s*\(([\d\s,]+)\)\s*$/.exec(s);
  if (!m) throw new FitsError(`cannot parse TDIM ${JSON.stringify(s)}`, where);
  return m[1].split(',').map((x) => Number(x.trim()));
}

/** Column definitions of a BINTABLE header; checks they fit NAXIS1. */
export function binaryColumns(header: FitsHeader, hdu: number): FitsColumn[] {
  const tfields = header.number('TFIELDS') ?? 0;
  const rowBytes = header.number('NAXIS1') ?? 0;
  const cols: FitsColumn[] = [];
  let offset = 0;
  for (let n = 1; n <= tfields; n++) {
    const tform = header.string(`TFORM${n}`);
    if (tform === undefined) throw new FitsError(`TFORM${n} missing`, { hdu, keyword: `TFORM${n}` });
    const f = parseTform(tform, { hdu, keyword: `TFORM${n}` });
    const tdim = header.string(`TDIM${n}`);
    const nullV = header.get(`TNULL${n}`);
    const unit = header.string(`TUNIT${n}`);
    const ucd = header.string(`TUCD${n}`);
    const disp = header.string(`TDISP${n}`);
    const name = header.string(`TTYPE${n}`);
    const col: FitsColumn = {
      name: name ?? `col${n}`,
      number: n,
      format: tform,
      type: f.type,
      repeat: f.repeat,
      ...(f.varlen ? { varlen: f.varlen } : {}),
      ...(unit ? { unit } : {}),
      ...(ucd ? { ucd } : {}),
      ...(tdim ? { dim: parseTdim(tdim, { hdu, keyword: `TDIM${n}` }) } : {}),
      scale: header.number(`TSCAL${n}`) ?? 1,
      zero: header.number(`TZERO${n}`) ?? 0,
      ...(typeof nullV === 'number' || typeof nullV === 'bigint' ? { nullValue: nullV } : {}),
      ...(disp ? { display: disp } : {}),
      offset,
      bytes: f.bytes,
    };
    cols.push(col);
    offset += f.bytes;
  }
  if (offset > rowBytes) {
    throw new FitsError(`columns need ${offset} bytes per row but NAXIS1 is ${rowBytes}`, { hdu, keyword: 'NAXIS1' });
  }
  return cols;
}

/** Where a table's bytes are, for decoding. */
export interface TableLayout {
  readonly bytes: Uint8Array;
  /** Offset of the first row. */
  readonly dataOffset: number;
  readonly rowBytes: number;
  readonly rows: number;
  /** Offset of the heap (THEAP from the data start). */
  readonly heapOffset: number;
  /** Bytes available for the heap. */
  readonly heapBytes: number;
  readonly hdu: number;
}

/** Gather the bytes of one column into a contiguous buffer (rows × field bytes). */
function gather(t: TableLayout, col: FitsColumn): Uint8Array {
  const out = new Uint8Array(t.rows * col.bytes);
  for (let r = 0, src = t.dataOffset + col.offset, dst = 0; r < t.rows; r++, src += t.rowBytes, dst += col.bytes) {
    out.set(t.bytes.subarray(src, src + col.bytes), dst);
  }
  return out;
}

function scaleNumeric(raw: NumericArray, col: FitsColumn): { values: NumericArray; nulls?: Uint8Array } {
  const { type, scale, zero } = col;
  let nulls: Uint8Array | undefined;
  if (col.nullValue !== undefined && (type === 'B' || type === 'I' || type === 'J' || type === 'K')) {
    const nv = col.nullValue;
    nulls = new Uint8Array(raw.length);
    let any = false;
    if (type === 'K') {
      const b = BigInt(nv);
      const r = raw as BigInt64Array;
      for (let i = 0; i < r.length; i++) if (r[i] === b) (nulls[i] = 1), (any = true);
    } else {
      const v = Number(nv);
      const r = raw as Uint8Array | Int16Array | Int32Array;
      for (let i = 0; i < r.length; i++) if (r[i] === v) (nulls[i] = 1), (any = true);
    }
    if (!any) nulls = undefined;
  }
  const withNulls = (values: NumericArray): { values: NumericArray; nulls?: Uint8Array } =>
    nulls ? { values, nulls } : { values };
  if (scale === 1 && zero === 0) return withNulls(raw);
  // The unsigned and signed-byte conventions keep integer types, as astropy does.
  if (scale === 1) {
    if (type === 'B' && zero === -128) return withNulls(Int8Array.from(raw as Uint8Array, (x) => x - 128));
    if (type === 'I' && zero === 32768) return withNulls(Uint16Array.from(raw as Int16Array, (x) => x + 32768));
    if (type === 'J' && zero === 2147483648) return withNulls(Uint32Array.from(raw as Int32Array, (x) => x + 2147483648));
    if (type === 'K' && zero === 9223372036854775808) {
      const out = new BigUint64Array((raw as BigInt64Array).buffer.slice(0));
      for (let i = 0; i < out.length; i++) out[i] ^= 0x8000000000000000n;
      return withNulls(out);
    }
  }
  if (type === 'E') {
    // float32 columns stay float32 in astropy; round each step to float32 to get the same bits.
    const r = raw as Float32Array;
    const out = new Float32Array(r.length);
    const sc = Math.fround(scale);
    const z = Math.fround(zero);
    for (let i = 0; i < r.length; i++) out[i] = Math.fround(Math.fround(r[i] * sc) + z);
    return withNulls(out);
  }
  const out = new Float64Array(raw.length);
  if (type === 'K') {
    const r = raw as BigInt64Array;
    for (let i = 0; i < r.length; i++) out[i] = Number(r[i]) * scale + zero;
  } else {
    const r = raw as Uint8Array | Int16Array | Int32Array | Float64Array;
    for (let i = 0; i < r.length; i++) out[i] = r[i] * scale + zero;
  }
  if (nulls) for (let i = 0; i < out.length; i++) if (nulls[i]) out[i] = NaN;
  return withNulls(out);
}

const latin1 = new TextDecoder('latin1');

function decodeString(bytes: Uint8Array): string {
  // A NUL ends the string; trailing blanks are not significant (as astropy strips them).
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  while (end > 0 && bytes[end - 1] === 32) end--;
  return latin1.decode(bytes.subarray(0, end));
}

function decodeLogical(b: number): boolean | null {
  return b === 84 ? true : b === 70 ? false : null;
}

function decodeElements(
  bytes: Uint8Array,
  offset: number,
  count: number,
  col: FitsColumn,
): { kind: FitsColumnData['kind']; values: NumericArray | string[] | (boolean | null)[] } {
  switch (col.type) {
    case 'L': {
      const v: (boolean | null)[] = new Array(count);
      for (let i = 0; i < count; i++) v[i] = decodeLogical(bytes[offset + i]);
      return { kind: 'logical', values: v };
    }
    case 'X': {
      const v = new Uint8Array(count);
      for (let i = 0; i < count; i++) v[i] = (bytes[offset + (i >> 3)] >> (7 - (i & 7))) & 1;
      return { kind: 'bits', values: v };
    }
    case 'C':
    case 'M':
      return { kind: 'complex', values: readBigEndian(bytes, offset, count * 2, ETYPE[col.type]) };
    default:
      return { kind: 'numeric', values: readBigEndian(bytes, offset, count, ETYPE[col.type]) };
  }
}

function decodeVarlen(t: TableLayout, col: FitsColumn): FitsColumnData {
  const out: (NumericArray | string | (boolean | null)[])[] = new Array(t.rows);
  const q = col.varlen === 'Q';
  const dv = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  const esize = col.type === 'X' ? 1 / 8 : SIZES[col.type];
  for (let r = 0; r < t.rows; r++) {
    const p = t.dataOffset + r * t.rowBytes + col.offset;
    const count = q ? Number(dv.getBigUint64(p)) : dv.getUint32(p);
    const off = q ? Number(dv.getBigUint64(p + 8)) : dv.getUint32(p + 4);
    const need = Math.ceil(count * esize);
    if (off + need > t.heapBytes) {
      throw new FitsError(`variable-length array points outside the heap (offset ${off}, ${need} bytes)`, {
        hdu: t.hdu,
        row: r,
        column: col.name,
      });
    }
    const at = t.heapOffset + off;
    if (col.type === 'A') {
      out[r] = decodeString(t.bytes.subarray(at, at + count));
      continue;
    }
    const e = decodeElements(t.bytes, at, count, col);
    if (e.kind === 'numeric') out[r] = scaleNumeric(e.values as NumericArray, col).values;
    else out[r] = e.values as NumericArray | (boolean | null)[];
  }
  return { kind: 'varlen', values: out, width: 0 };
}

/** Decode one column of a binary table. */
export function decodeBinaryColumn(t: TableLayout, col: FitsColumn): FitsColumnData {
  if (col.varlen) return decodeVarlen(t, col);
  const packed = gather(t, col);
  if (col.type === 'A') {
    const dims = col.dim && col.dim.length > 1 ? col.dim : undefined;
    const len = dims ? dims[0] : col.repeat;
    const per = len === 0 ? 0 : Math.floor(col.repeat / len);
    const values: string[] = new Array(t.rows * per);
    for (let r = 0, k = 0; r < t.rows; r++) {
      for (let s = 0; s < per; s++, k++) {
        const at = r * col.bytes + s * len;
        values[k] = decodeString(packed.subarray(at, at + len));
      }
    }
    return { kind: 'string', values, width: per };
  }
  if (col.type === 'X') {
    const values = new Uint8Array(t.rows * col.repeat);
    for (let r = 0, k = 0; r < t.rows; r++) {
      for (let i = 0; i < col.repeat; i++, k++) values[k] = (packed[r * col.bytes + (i >> 3)] >> (7 - (i & 7))) & 1;
    }
    return { kind: 'bits', values, width: col.repeat };
  }
  const e = decodeElements(packed, 0, t.rows * col.repeat, col);
  if (e.kind === 'numeric') {
    const s = scaleNumeric(e.values as NumericArray, col);
    return s.nulls
      ? { kind: 'numeric', values: s.values, width: col.repeat, nulls: s.nulls }
      : { kind: 'numeric', values: s.values, width: col.repeat };
  }
  if (e.kind === 'complex') return { kind: 'complex', values: e.values as Float32Array | Float64Array, width: col.repeat };
  return { kind: 'logical', values: e.values as (boolean | null)[], width: col.repeat };
}
