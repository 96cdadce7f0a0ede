/**
 * Writing FITS files: image HDUs from typed arrays and binary tables from columns. The
 * structural keywords are generated here; caller cards add metadata (OBJECT, WCS, units…).
 */
import { FitsError } from '../errors.js';
import { endCard, formatCard, type CardInput } from './cards-write.js';
import { writeBigEndian, type NumericArray } from './endian.js';
import { BLOCK, type FitsValue } from './header.js';

/** Extra header cards: a list (keeps order, allows COMMENT/HISTORY) or a keyword → value object. */
export type HeaderInput = readonly CardInput[] | Readonly<Record<string, FitsValue>>;

/** An image HDU to write. The data type picks BITPIX (Uint16/Uint32/Int8 use the BZERO convention). */
export interface ImageHduInput {
  readonly kind: 'image';
  readonly data: NumericArray;
  /** Axis lengths, NAXIS1 first; defaults to `[data.length]`. */
  readonly shape?: readonly number[];
  readonly name?: string;
  readonly header?: HeaderInput;
}

/** A binary-table column to write. */
export interface ColumnInput {
  readonly name: string;
  /**
   * Values: a typed array (rows × width), strings (one per row), booleans (null = undefined
   * logical), or one typed array per row for a variable-length column.
   */
  readonly data: NumericArray | readonly string[] | readonly (boolean | null)[] | readonly NumericArray[];
  /** Elements per row for vector columns (default 1). */
  readonly width?: number;
  /** TDIM axis lengths for multi-dimensional cells. */
  readonly dim?: readonly number[];
  readonly unit?: string;
  readonly ucd?: string;
  /** TNULL for integer columns. */
  readonly nullValue?: number | bigint;
}

export interface TableHduInput {
  readonly kind: 'bintable';
  readonly columns: readonly ColumnInput[];
  readonly name?: string;
  readonly header?: HeaderInput;
}

export type HduInput = ImageHduInput | TableHduInput;

const STRUCTURAL = /^(SIMPLE|XTENSION|BITPIX|NAXIS\d*|EXTEND|PCOUNT|GCOUNT|TFIELDS|END|T(FORM|TYPE|UNIT|DIM|NULL|SCAL|ZERO|BCOL|UCD)\d+|THEAP|BSCALE|BZERO|EXTNAME)$/;

function userCards(h: HeaderInput | undefined): CardInput[] {
  if (!h) return [];
  const list: CardInput[] = Array.isArray(h)
    ? [...(h as readonly CardInput[])]
    : Object.entries(h as Record<string, FitsValue>).map(([keyword, value]) => ({ keyword, value }));
  return list.filter((c) => !STRUCTURAL.test(c.keyword.toUpperCase()));
}

interface ImageType {
  bitpix: number;
  bzero?: number;
}

function imageType(d: NumericArray): ImageType {
  if (d instanceof Uint8Array) return { bitpix: 8 };
  if (d instanceof Int8Array) return { bitpix: 8, bzero: -128 };
  if (d instanceof Int16Array) return { bitpix: 16 };
  if (d instanceof Uint16Array) return { bitpix: 16, bzero: 32768 };
  if (d instanceof Int32Array) return { bitpix: 32 };
  if (d instanceof Uint32Array) return { bitpix: 32, bzero: 2147483648 };
  if (d instanceof BigInt64Array) return { bitpix: 64 };
  if (d instanceof BigUint64Array) return { bitpix: 64, bzero: 9223372036854775808 };
  if (d instanceof Float32Array) return { bitpix: -32 };
  if (d instanceof Float64Array) return { bitpix: -64 };
  throw new FitsError('unsupported image array type');
}

/** Store unsigned data as the signed type FITS has, offset by −BZERO. */
function toStored(d: NumericArray): NumericArray {
  if (d instanceof Int8Array) return Uint8Array.from(d, (x) => x + 128);
  if (d instanceof Uint16Array) return Int16Array.from(d, (x) => x - 32768);
  if (d instanceof Uint32Array) return Int32Array.from(d, (x) => x - 2147483648);
  if (d instanceof BigUint64Array) {
    const o = new BigInt64Array(d.length);
    for (let i = 0; i < d.length; i++) o[i] = BigInt.asIntN(64, d[i] ^ 0x8000000000000000n);
    return o;
  }
  return d;
}

function headerBytes(cards: CardInput[]): Uint8Array {
  const lines = cards.flatMap(formatCard);
  lines.push(endCard());
  const text = lines.join('');
  const size = Math.ceil(text.length / BLOCK) * BLOCK;
  const out = new Uint8Array(size).fill(32);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function padded(data: Uint8Array, fill = 0): Uint8Array {
  const size = Math.ceil(data.length / BLOCK) * BLOCK;
  if (size === data.length) return data;
  const out = new Uint8Array(size).fill(fill);
  out.set(data);
  return out;
}

function imageHdu(h: ImageHduInput, primary: boolean, extend: boolean): Uint8Array[] {
  const data = h.data.length > 0 ? h.data : undefined;
  const t = imageType(h.data);
  const shape = data ? (h.shape ?? [data.length]) : [];
  if (data && shape.reduce((a, b) => a * b, 1) !== data.length) {
    throw new FitsError(`image shape ${shape.join('×')} does not match ${data.length} values`);
  }
  const cards: CardInput[] = [
    primary ? { keyword: 'SIMPLE', value: true, comment: 'conforms to FITS standard' } : { keyword: 'XTENSION', value: 'IMAGE', comment: 'image extension' },
    { keyword: 'BITPIX', value: t.bitpix },
    { keyword: 'NAXIS', value: shape.length },
    ...shape.map((n, i) => ({ keyword: `NAXIS${i + 1}`, value: n })),
  ];
  if (primary && extend) cards.push({ keyword: 'EXTEND', value: true });
  if (!primary) cards.push({ keyword: 'PCOUNT', value: 0 }, { keyword: 'GCOUNT', value: 1 });
  if (t.bzero !== undefined) cards.push({ keyword: 'BSCALE', value: 1 }, { keyword: 'BZERO', value: t.bzero });
  if (h.name) cards.push({ keyword: 'EXTNAME', value: h.name });
  cards.push(...userCards(h.header));
  const parts = [headerBytes(cards)];
  if (data) {
    const stored = toStored(data);
    const raw = new Uint8Array(stored.byteLength);
    writeBigEndian(raw, 0, stored);
    parts.push(padded(raw));
  }
  return parts;
}

interface ColumnPlan {
  tform: string;
  bytes: number;
  width: number;
  zero?: number;
  write: (row: Uint8Array, at: number, r: number, heap: HeapWriter) => void;
}

class HeapWriter {
  chunks: Uint8Array[] = [];
  size = 0;
  add(b: Uint8Array): number {
    const at = this.size;
    this.chunks.push(b);
    this.size += b.length;
    return at;
  }
}

const TFORM_OF: [new (...a: never[]) => NumericArray, string, number, number?][] = [
  [Uint8Array, 'B', 1],
  [Int8Array, 'B', 1, -128],
  [Int16Array, 'I', 2],
  [Uint16Array, 'I', 2, 32768],
  [Int32Array, 'J', 4],
  [Uint32Array, 'J', 4, 2147483648],
  [BigInt64Array, 'K', 8],
  [BigUint64Array, 'K', 8, 9223372036854775808],
  [Float32Array, 'E', 4],
  [Float64Array, 'D', 8],
];

function numericKind(d: NumericArray): { letter: string; size: number; zero?: number } {
  for (const [ctor, letter, size, zero] of TFORM_OF) if (d instanceof ctor) return zero === undefined ? { letter, size } : { letter, size, zero };
  throw new FitsError('unsupported column array type');
}

function isNumericArray(x: unknown): x is NumericArray {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

function planColumn(c: ColumnInput, rows: number): ColumnPlan {
  const d = c.data;
  if (isNumericArray(d)) {
    const width = c.width ?? 1;
    if (d.length !== rows * width) throw new FitsError(`column ${c.name} has ${d.length} values, expected ${rows}×${width}`);
    const k = numericKind(d);
    const stored = toStored(d);
    const bytes = new Uint8Array(stored.byteLength);
    writeBigEndian(bytes, 0, stored);
    const fb = width * k.size;
    return {
      tform: `${width}${k.letter}`,
      bytes: fb,
      width,
      ...(k.zero !== undefined ? { zero: k.zero } : {}),
      write: (row, at, r) => row.set(bytes.subarray(r * fb, (r + 1) * fb), at),
    };
  }
  const arr = d as readonly unknown[];
  if (arr.length !== rows) throw new FitsError(`column ${c.name} has ${arr.length} rows, expected ${rows}`);
  const first = arr.find((x) => x !== null && x !== undefined);
  if (typeof first === 'string' || (first === undefined && arr.length === 0)) {
    const strs = arr as readonly string[];
    const w = Math.max(1, ...strs.map((s) => s.length));
    return {
      tform: `${w}A`,
      bytes: w,
      width: 1,
      write: (row, at, r) => {
        const s = strs[r] ?? '';
        for (let i = 0; i < s.length; i++) {
          const ch = s.charCodeAt(i);
          if (ch > 255) throw new FitsError(`column ${c.name} row ${r}: character outside Latin-1`);
          row[at + i] = ch;
        }
      },
    };
  }
  if (typeof first === 'boolean' || first === undefined) {
    const bools = arr as readonly (boolean | null)[];
    return { tform: '1L', bytes: 1, width: 1, write: (row, at, r) => void (row[at] = bools[r] === true ? 84 : bools[r] === false ? 70 : 0) };
  }
  if (isNumericArray(first)) {
    const vl = arr as readonly NumericArray[];
    const k = numericKind(first);
    return {
      tform: `1P${k.letter}(${Math.max(0, ...vl.map((v) => v.length))})`,
      bytes: 8,
      width: 1,
      ...(k.zero !== undefined ? { zero: k.zero } : {}),
      write: (row, at, r, heap) => {
        const v = toStored(vl[r]);
        const b = new Uint8Array(v.byteLength);
        writeBigEndian(b, 0, v);
        const off = heap.add(b);
        const dv = new DataView(row.buffer, row.byteOffset);
        dv.setUint32(at, v.length);
        dv.setUint32(at + 4, off);
      },
    };
  }
  throw new FitsError(`column ${c.name}: unsupported values`);
}

function tableHdu(h: TableHduInput): Uint8Array[] {
  const rows = (() => {
    const c = h.columns[0];
    if (!c) return 0;
    return isNumericArray(c.data) ? c.data.length / (c.width ?? 1) : c.data.length;
  })();
  const plans = h.columns.map((c) => planColumn(c, rows));
  const rowBytes = plans.reduce((a, p) => a + p.bytes, 0);
  const main = new Uint8Array(rowBytes * rows);
  const heap = new HeapWriter();
  for (let r = 0; r < rows; r++) {
    let at = r * rowBytes;
    for (const p of plans) {
      p.write(main, at, r, heap);
      at += p.bytes;
    }
  }
  const cards: CardInput[] = [
    { keyword: 'XTENSION', value: 'BINTABLE', comment: 'binary table extension' },
    { keyword: 'BITPIX', value: 8 },
    { keyword: 'NAXIS', value: 2 },
    { keyword: 'NAXIS1', value: rowBytes },
    { keyword: 'NAXIS2', value: rows },
    { keyword: 'PCOUNT', value: heap.size },
    { keyword: 'GCOUNT', value: 1 },
    { keyword: 'TFIELDS', value: plans.length },
  ];
  h.columns.forEach((c, i) => {
    const n = i + 1;
    const p = plans[i];
    cards.push({ keyword: `TTYPE${n}`, value: c.name }, { keyword: `TFORM${n}`, value: p.tform });
    if (c.unit) cards.push({ keyword: `TUNIT${n}`, value: c.unit });
    if (c.ucd) cards.push({ keyword: `TUCD${n}`, value: c.ucd });
    if (c.dim) cards.push({ keyword: `TDIM${n}`, value: `(${c.dim.join(',')})` });
    if (c.nullValue !== undefined) cards.push({ keyword: `TNULL${n}`, value: c.nullValue });
    if (p.zero !== undefined) cards.push({ keyword: `TSCAL${n}`, value: 1 }, { keyword: `TZERO${n}`, value: p.zero });
  });
  if (h.name) cards.push({ keyword: 'EXTNAME', value: h.name });
  cards.push(...userCards(h.header));
  const data = new Uint8Array(main.length + heap.size);
  data.set(main);
  let at = main.length;
  for (const ch of heap.chunks) {
    data.set(ch, at);
    at += ch.length;
  }
  return [headerBytes(cards), padded(data)];
}

/**
 * Write HDUs to a FITS file. When the first HDU is a table, an empty primary HDU is added
 * before it (FITS requires the primary HDU to be an image).
 */
export function writeFits(hdus: readonly HduInput[]): Uint8Array {
  const list = [...hdus];
  if (list.length === 0 || list[0].kind !== 'image') list.unshift({ kind: 'image', data: new Uint8Array(0) });
  const parts: Uint8Array[] = [];
  list.forEach((h, i) => {
    if (h.kind === 'image') parts.push(...imageHdu(h, i === 0, list.length > 1));
    else parts.push(...tableHdu(h));
  });
  const total = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
