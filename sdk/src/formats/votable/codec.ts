/**
 * Per-FIELD value codecs: parse TABLEDATA text, decode and encode BINARY/BINARY2 bytes, and
 * format TABLEDATA text, for every datatype and arraysize form (scalar, `n`, `n*`, `*`, `NxM`,
 * `NxM*`). Built once per field so the row loops do no datatype dispatch.
 */
import { VoTableError } from '../errors.js';
import type { VoDatatype, VoField, VoValue } from './model.js';

/** A parsed arraysize: fixed dims (product `fixed`), and whether the last dimension varies. */
export interface ArraySize {
  scalar: boolean;
  dims: number[];
  /** Elements per slab (product of the fixed dimensions; for `n*` it is 1). */
  fixed: number;
  variable: boolean;
  /** Upper bound of a variable last dimension (`n*`), when given. */
  max?: number;
}

export function parseArraySize(s: string | undefined, datatype: VoDatatype, field: string): ArraySize {
  if (s === undefined || s.trim() === '') return { scalar: true, dims: [], fixed: 1, variable: false };
  const parts = s.trim().split('x');
  const dims: number[] = [];
  let variable = false;
  let max: number | undefined;
  parts.forEach((p, i) => {
    const m = /^(\d*)(\*?)$/.exec(p.trim());
    if (!m || (m[1] === '' && m[2] === '') || (m[2] === '*' && i !== parts.length - 1)) {
      throw new VoTableError(`bad arraysize ${JSON.stringify(s)}`, { field });
    }
    if (m[2] === '*') {
      variable = true;
      if (m[1] !== '') max = Number(m[1]);
    } else dims.push(Number(m[1]));
  });
  const fixed = dims.reduce((a, b) => a * b, 1);
  // A numeric arraysize of exactly "1" is a scalar in practice (astropy reads it so).
  if (!variable && dims.length === 1 && dims[0] === 1 && datatype !== 'char' && datatype !== 'unicodeChar') {
    return { scalar: true, dims: [], fixed: 1, variable: false };
  }
  return max !== undefined ? { scalar: false, dims, fixed, variable, max } : { scalar: false, dims, fixed, variable };
}

/** Output of a binary decode step. */
export interface Cursor {
  pos: number;
  value: VoValue;
}

export interface Codec {
  readonly field: VoField;
  readonly size: ArraySize;
  /** TABLEDATA text (already entity-decoded) to a value; '' is null for non-char types. */
  parseText(text: string): VoValue;
  /** Decode one value at c.pos; returns false (c unchanged) when fewer bytes than needed are available. */
  decode(b: Uint8Array, dv: DataView, end: number, c: Cursor): boolean;
  /** TABLEDATA text for a value (null → ''). */
  formatText(v: VoValue): string;
  /** Binary encoding of a value (null → the VALUES null, NaN, or zeros, as BINARY requires). */
  encode(v: VoValue, out: ByteSink): void;
}

/** A growable byte buffer for the binary writer. */
export class ByteSink {
  buf = new Uint8Array(1 << 16);
  dv = new DataView(this.buf.buffer);
  length = 0;
  ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.length));
    this.buf = nb;
    this.dv = new DataView(nb.buffer);
  }
  /** Take the bytes written so far and start over. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.length);
    this.length = 0;
    return out;
  }
}

const ELEM: Record<VoDatatype, number> = {
  boolean: 1, bit: 0, unsignedByte: 1, short: 2, int: 4, long: 8, char: 1, unicodeChar: 2, float: 4, double: 8, floatComplex: 8, doubleComplex: 16,
};

function parseBool(t: string): boolean | null {
  switch (t) {
    case 'T': case 't': case 'true': case 'TRUE': case 'True': case '1':
      return true;
    case 'F': case 'f': case 'false': case 'FALSE': case 'False': case '0':
      return false;
    default:
      return null;
  }
}

function parseFloatText(t: string): number {
  const s = t.trim();
  if (s === '') return NaN;
  const n = Number(s);
  if (!Number.isNaN(n)) return n;
  const l = s.toLowerCase();
  if (l === 'nan') return NaN;
  if (l === '+inf' || l === 'inf' || l === 'infinity' || l === '+infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  throw new Error(`not a number: ${JSON.stringify(s.slice(0, 40))}`);
}

function parseIntText(t: string): number {
  const s = t.trim();
  const n = /^[+-]?0x/i.test(s) ? (s.startsWith('-') ? -parseInt(s.slice(3), 16) : parseInt(s.replace(/^\+/, '').slice(2), 16)) : Number(s);
  if (!Number.isInteger(n)) throw new Error(`not an integer: ${JSON.stringify(s.slice(0, 40))}`);
  return n;
}

function parseLongText(t: string): number | bigint {
  const s = t.trim();
  if (/^[+-]?\d+$/.test(s)) {
    const n = Number(s);
    return Number.isSafeInteger(n) ? n : BigInt(s);
  }
  if (/^[+-]?0x[0-9a-f]+$/i.test(s)) {
    const neg = s.startsWith('-');
    const b = BigInt(s.replace(/^[+-]/, ''));
    const v = neg ? -b : BigInt.asIntN(64, b);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  throw new Error(`not an integer: ${JSON.stringify(s.slice(0, 40))}`);
}

/** Shortest decimal that reads back as the same float32. */
export function formatFloat32(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  const f = Math.fround(v);
  for (let p = 6; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return String(Number(s));
  }
  return String(f);
}

function formatFloat64(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  return String(v);
}

type TypedCtor = Float64ArrayConstructor | Float32ArrayConstructor | Int32ArrayConstructor | Int16ArrayConstructor | Uint8ArrayConstructor;

const ARRAY_OF: Partial<Record<VoDatatype, TypedCtor>> = {
  unsignedByte: Uint8Array,
  short: Int16Array,
  int: Int32Array,
  float: Float32Array,
  double: Float64Array,
  floatComplex: Float32Array,
  doubleComplex: Float64Array,
};

/** Build the codec of a FIELD (or PARAM). */
export function makeCodec(field: VoField): Codec {
  const dt = field.datatype;
  const size = parseArraySize(field.arraysize, dt, field.name);
  const nullText = field.values?.null;
  const nullNum = nullText !== undefined && dt !== 'char' && dt !== 'unicodeChar' ? (() => {
    try {
      return dt === 'long' ? parseLongText(nullText) : dt === 'float' || dt === 'double' ? parseFloatText(nullText) : parseIntText(nullText);
    } catch {
      return undefined;
    }
  })() : undefined;
  const isChar = dt === 'char' || dt === 'unicodeChar';
  const complex = dt === 'floatComplex' || dt === 'doubleComplex';
  const esize = ELEM[dt];
  const per = complex ? 2 : 1;

  // ---- scalar element readers (big-endian) ----
  const readNum = (dv: DataView, p: number): number => {
    switch (dt) {
      case 'unsignedByte': return dv.getUint8(p);
      case 'short': return dv.getInt16(p);
      case 'int': return dv.getInt32(p);
      case 'float': case 'floatComplex': return dv.getFloat32(p);
      default: return dv.getFloat64(p);
    }
  };
  const writeNum = (out: ByteSink, v: number): void => {
    const dv = out.dv;
    const p = out.length;
    switch (dt) {
      case 'unsignedByte': dv.setUint8(p, v); break;
      case 'short': dv.setInt16(p, v); break;
      case 'int': dv.setInt32(p, v); break;
      case 'float': case 'floatComplex': dv.setFloat32(p, v); break;
      default: dv.setFloat64(p, v);
    }
    out.length += esize / per;
  };

  const numNull = (n: number | bigint): boolean => nullNum !== undefined && n === nullNum;

  // ---- text parsing ----
  const parseText = (text: string): VoValue => {
    if (isChar) {
      if (!size.scalar && size.dims.length > 1 || (size.dims.length === 1 && size.variable)) {
        // Multi-dimensional char: strings of dims[0] characters.
        const w = size.dims[0];
        if (w > 0 && (size.dims.length > 1 || size.variable)) {
          const out: string[] = [];
          for (let i = 0; i < text.length; i += w) out.push(text.slice(i, i + w).replace(/[\0 ]+$/, ''));
          return out;
        }
      }
      return text;
    }
    const t = text.trim();
    // An empty cell is null, except for a variable-length array, where it is an empty array.
    if (t === '' && (size.scalar || !size.variable)) return null;
    if (size.scalar) {
      if (dt === 'boolean') return parseBool(t);
      if (dt === 'bit') return t === '1' ? 1 : 0;
      if (complex) {
        const parts = t.split(/\s+/);
        const a = new (ARRAY_OF[dt] as TypedCtor)(2);
        a[0] = parseFloatText(parts[0]);
        a[1] = parseFloatText(parts[1] ?? 'NaN');
        return a;
      }
      if (dt === 'long') {
        const v = parseLongText(t);
        return numNull(v) ? null : v;
      }
      const v = dt === 'float' || dt === 'double' ? parseFloatText(t) : parseIntText(t);
      if (numNull(v)) return null;
      return dt === 'float' ? Math.fround(v) : v;
    }
    if (t === '') {
      if (dt === 'boolean') return [];
      return dt === 'long' ? new BigInt64Array(0) : new (ARRAY_OF[dt] ?? Uint8Array)(0);
    }
    if (dt === 'bit') {
      const bits = t.replace(/\s+/g, '');
      const a = new Uint8Array(bits.length);
      for (let i = 0; i < bits.length; i++) a[i] = bits[i] === '1' ? 1 : 0;
      return a;
    }
    const toks = t.split(/\s+/);
    if (dt === 'boolean') return toks.map(parseBool);
    if (dt === 'long') {
      const a = new BigInt64Array(toks.length);
      for (let i = 0; i < toks.length; i++) a[i] = BigInt(parseLongText(toks[i]));
      return a;
    }
    const a = new (ARRAY_OF[dt] as TypedCtor)(toks.length);
    if (dt === 'float' || dt === 'double' || complex) for (let i = 0; i < toks.length; i++) a[i] = parseFloatText(toks[i]);
    else for (let i = 0; i < toks.length; i++) a[i] = parseIntText(toks[i]);
    return a;
  };

  // ---- binary decoding ----
  const latin1 = new TextDecoder('latin1');
  const decodeChars = (b: Uint8Array, p: number, n: number): string => {
    if (dt === 'char') {
      let e = b.indexOf(0, p);
      if (e < 0 || e > p + n) e = p + n;
      return latin1.decode(b.subarray(p, e));
    }
    let s = '';
    for (let i = 0; i < n; i++) {
      const c = (b[p + 2 * i] << 8) | b[p + 2 * i + 1];
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    return s;
  };

  const decodeElements = (b: Uint8Array, dv: DataView, p: number, count: number): VoValue => {
    if (isChar) {
      const s = decodeChars(b, p, count);
      const w = size.dims[0];
      if ((size.dims.length > 1 || (size.variable && size.dims.length >= 1)) && w > 0) {
        const out: string[] = [];
        for (let i = 0; i < count; i += w) out.push(decodeChars(b, p + i * (esize), w));
        return out;
      }
      return s;
    }
    if (dt === 'bit') {
      const a = new Uint8Array(count);
      for (let i = 0; i < count; i++) a[i] = (b[p + (i >> 3)] >> (7 - (i & 7))) & 1;
      return a;
    }
    if (dt === 'boolean') {
      const a: (boolean | null)[] = new Array(count);
      for (let i = 0; i < count; i++) a[i] = parseBool(String.fromCharCode(b[p + i]));
      return a;
    }
    if (dt === 'long') {
      const a = new BigInt64Array(count);
      for (let i = 0; i < count; i++) a[i] = dv.getBigInt64(p + 8 * i);
      return a;
    }
    const n = count * per;
    const a = new (ARRAY_OF[dt] as TypedCtor)(n);
    const step = esize / per;
    for (let i = 0; i < n; i++) a[i] = readNum(dv, p + step * i);
    return a;
  };

  const bytesFor = (count: number): number => (dt === 'bit' ? Math.ceil(count / 8) : count * esize);

  const decode = (b: Uint8Array, dv: DataView, end: number, c: Cursor): boolean => {
    let p = c.pos;
    if (size.scalar) {
      if (isChar) {
        if (p + esize > end) return false;
        c.value = decodeChars(b, p, 1);
        c.pos = p + esize;
        return true;
      }
      const n = dt === 'bit' ? 1 : esize;
      if (p + n > end) return false;
      switch (dt) {
        case 'boolean': c.value = parseBool(String.fromCharCode(b[p])); break;
        // The standard puts a scalar bit in the most significant bit; astropy 5 reads and writes
        // 0x08. Any set bit counts as 1 so both read right.
        case 'bit': c.value = b[p] !== 0 ? 1 : 0; break;
        case 'long': {
          const v = dv.getBigInt64(p);
          const vn = v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
          c.value = numNull(vn) ? null : vn;
          break;
        }
        case 'floatComplex': case 'doubleComplex': c.value = decodeElements(b, dv, p, 1); break;
        default: {
          const v = readNum(dv, p);
          c.value = numNull(v) ? null : v;
        }
      }
      c.pos = p + n;
      return true;
    }
    let count = size.fixed;
    if (size.variable) {
      if (p + 4 > end) return false;
      const slabs = dv.getUint32(p);
      p += 4;
      count = slabs * size.fixed;
    }
    const nb = bytesFor(count);
    if (p + nb > end) return false;
    c.value = decodeElements(b, dv, p, count);
    c.pos = p + nb;
    return true;
  };

  // ---- text formatting ----
  const fmtNum = (v: number | bigint): string =>
    typeof v === 'bigint' ? String(v) : dt === 'float' || dt === 'floatComplex' ? formatFloat32(v) : dt === 'double' || dt === 'doubleComplex' ? formatFloat64(v) : String(v);
  const formatText = (v: VoValue): string => {
    if (v === null || v === undefined) return isChar ? '' : nullText ?? '';
    if (typeof v === 'string') return v;
    if (typeof v === 'boolean') return v ? 'T' : 'F';
    if (typeof v === 'number' || typeof v === 'bigint') return fmtNum(v);
    if (Array.isArray(v)) {
      if (isChar) {
        const w = size.dims[0] ?? 0;
        return (v as string[]).map((s) => (w ? s.padEnd(w) : s)).join('');
      }
      return (v as (boolean | null)[]).map((x) => (x === null ? '?' : x ? 'T' : 'F')).join(' ');
    }
    const parts: string[] = [];
    if (dt === 'bit') for (const x of v as Uint8Array) parts.push(x ? '1' : '0');
    else {
      const a = v as ArrayLike<number | bigint>;
      for (let i = 0; i < a.length; i++) parts.push(fmtNum(a[i]));
    }
    return parts.join(' ');
  };

  // ---- binary encoding ----
  const encodeElements = (v: VoValue, count: number, out: ByteSink): void => {
    out.ensure(bytesFor(count) + 8);
    const p0 = out.length;
    if (isChar) {
      const s = Array.isArray(v) ? (v as string[]).map((x) => x.padEnd(size.dims[0] ?? 0, '\0')).join('') : typeof v === 'string' ? v : '';
      for (let i = 0; i < count; i++) {
        const ch = i < s.length ? s.charCodeAt(i) : 0;
        if (dt === 'char') out.buf[p0 + i] = ch > 255 ? 63 : ch;
        else out.dv.setUint16(p0 + 2 * i, ch);
      }
      out.length = p0 + count * esize;
      return;
    }
    if (dt === 'bit') {
      const a = v as Uint8Array | null;
      const nb = Math.ceil(count / 8);
      out.buf.fill(0, p0, p0 + nb);
      if (a) for (let i = 0; i < count; i++) if (a[i]) out.buf[p0 + (i >> 3)] |= 1 << (7 - (i & 7));
      out.length = p0 + nb;
      return;
    }
    if (dt === 'boolean') {
      const a = (v ?? []) as (boolean | null)[];
      for (let i = 0; i < count; i++) out.buf[p0 + i] = a[i] === true ? 84 : a[i] === false ? 70 : 63;
      out.length = p0 + count;
      return;
    }
    if (dt === 'long') {
      const a = v as BigInt64Array | null;
      for (let i = 0; i < count; i++) out.dv.setBigInt64(p0 + 8 * i, a ? a[i] : 0n);
      out.length = p0 + 8 * count;
      return;
    }
    const a = v as ArrayLike<number> | null;
    const fill = dt === 'float' || dt === 'double' || complex ? NaN : 0;
    for (let i = 0; i < count * per; i++) writeNum(out, a && i < a.length ? a[i] : fill);
  };

  const encode = (v: VoValue, out: ByteSink): void => {
    if (size.scalar) {
      out.ensure(16);
      if (isChar) return encodeElements(v, 1, out);
      if (dt === 'boolean') {
        out.buf[out.length++] = v === true ? 84 : v === false ? 70 : 63;
        return;
      }
      if (dt === 'bit') {
        // 0x88: the standard's bit (0x80) plus the one astropy 5 tests (0x08), so both read 1.
        out.buf[out.length++] = v === 1 || v === true ? 0x88 : 0;
        return;
      }
      if (complex) return encodeElements(v, 1, out);
      if (dt === 'long') {
        const x = v === null ? (nullNum ?? 0) : (v as number | bigint);
        out.dv.setBigInt64(out.length, BigInt(x));
        out.length += 8;
        return;
      }
      const x = v === null ? (typeof nullNum === 'number' ? nullNum : dt === 'float' || dt === 'double' ? NaN : 0) : Number(v);
      writeNum(out, x);
      return;
    }
    let count = size.fixed;
    if (size.variable) {
      const len = v === null ? 0 : typeof v === 'string' ? v.length : Array.isArray(v) ? (isChar ? (v as string[]).length * (size.dims[0] ?? 1) : v.length) : (v as ArrayLike<unknown>).length / per;
      const slabs = Math.ceil(len / size.fixed);
      out.ensure(4);
      out.dv.setUint32(out.length, slabs);
      out.length += 4;
      count = slabs * size.fixed;
    }
    encodeElements(v, count, out);
  };

  return { field, size, parseText, decode, formatText, encode };
}
