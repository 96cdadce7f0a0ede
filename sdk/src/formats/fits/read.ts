/**
 * Reading a FITS file held in memory: the HDU list is found by parsing headers only; the data
 * of an HDU is decoded when asked for (`image()`, `table()`), so getting one header or one HDU
 * of a large file costs no more than that.
 */
import { maybeGunzip, toBytes, type BytesLike } from '../bytes.js';
import { FitsError } from '../errors.js';
import { asciiColumns, decodeAsciiColumn } from './asciitable.js';
import { binaryColumns, decodeBinaryColumn, type FitsColumn, type FitsColumnData } from './bintable.js';
import { BLOCK, parseHeader, type FitsHeader } from './header.js';
import { decodeImage, imageScaling, type FitsImage } from './image.js';
import type { NumericArray } from './endian.js';

const LATIN1 = new TextDecoder('latin1');

export type FitsHduType = 'image' | 'bintable' | 'table' | 'unknown';

/** One cell of a table: a number, bigint, string, boolean, null, or an array for vector cells. */
export type FitsCell = number | bigint | string | boolean | null | NumericArray | string[] | (boolean | null)[];

/** A table HDU's columns, decoded one column at a time on demand and cached. */
export class FitsTable {
  readonly columns: readonly FitsColumn[];
  readonly rows: number;
  private readonly cache = new Map<number, FitsColumnData>();

  constructor(
    columns: FitsColumn[],
    rows: number,
    private readonly decode: (c: FitsColumn) => FitsColumnData,
  ) {
    this.columns = columns;
    this.rows = rows;
  }

  /** The column with this name (case-insensitive, as FITS tools match TTYPE) or index. */
  findColumn(nameOrIndex: string | number): FitsColumn | undefined {
    if (typeof nameOrIndex === 'number') return this.columns[nameOrIndex];
    const lower = nameOrIndex.toLowerCase();
    return this.columns.find((c) => c.name === nameOrIndex) ?? this.columns.find((c) => c.name.toLowerCase() === lower);
  }

  /** Decoded values of a column; throws a FitsError naming the column when absent. */
  column(nameOrIndex: string | number): FitsColumnData {
    const col = this.findColumn(nameOrIndex);
    if (!col) throw new FitsError(`no column ${JSON.stringify(nameOrIndex)}`);
    let d = this.cache.get(col.number);
    if (!d) {
      d = this.decode(col);
      this.cache.set(col.number, d);
    }
    return d;
  }

  /** One cell: scalars for width-1 columns, arrays for vector and variable-length columns. */
  cell(row: number, nameOrIndex: string | number): FitsCell {
    const d = this.column(nameOrIndex);
    if (row < 0 || row >= this.rows) throw new FitsError(`row ${row} out of range (0..${this.rows - 1})`);
    if (d.kind === 'varlen') return d.values[row];
    if (d.kind === 'complex') return d.values.slice(row * d.width * 2, (row + 1) * d.width * 2);
    if (d.width === 1) {
      if (d.kind === 'numeric' && d.nulls?.[row]) return null;
      return d.values[row];
    }
    if (d.kind === 'numeric' || d.kind === 'bits') return d.values.slice(row * d.width, (row + 1) * d.width);
    return d.values.slice(row * d.width, (row + 1) * d.width) as string[] | (boolean | null)[];
  }

  /** Rows as objects keyed by column name (convenient for small tables). */
  *records(): Generator<Record<string, FitsCell>> {
    for (let r = 0; r < this.rows; r++) {
      const o: Record<string, FitsCell> = {};
      for (const c of this.columns) o[c.name] = this.cell(r, c.number - 1);
      yield o;
    }
  }
}

/** One header-data unit. */
export class FitsHdu {
  private imageCache?: FitsImage;
  private tableCache?: FitsTable;

  constructor(
    /** Zero-based position in the file. */
    readonly index: number,
    readonly header: FitsHeader,
    readonly type: FitsHduType,
    /** Byte offset of the header in the file. */
    readonly headerOffset: number,
    /** Byte offset of the data. */
    readonly dataOffset: number,
    /** Data bytes, without padding (includes the heap for tables). */
    readonly dataLength: number,
    private readonly bytes: Uint8Array,
  ) {}

  /** EXTNAME, or PRIMARY for the first HDU without one. */
  get name(): string {
    return this.header.string('EXTNAME') ?? (this.index === 0 ? 'PRIMARY' : '');
  }

  /** Axis lengths (NAXIS1 first). */
  get shape(): number[] {
    const n = this.header.number('NAXIS') ?? 0;
    const s: number[] = [];
    for (let i = 1; i <= n; i++) s.push(this.header.number(`NAXIS${i}`) ?? 0);
    return s;
  }

  /** True for image HDUs (primary or IMAGE extension) that have pixels. */
  get hasImage(): boolean {
    return this.type === 'image' && this.dataLength > 0;
  }

  /** The pixels of an image HDU, decoded on first call. */
  image(): FitsImage {
    if (this.type !== 'image') throw new FitsError(`HDU is a ${this.type}, not an image`, { hdu: this.index });
    if (!this.imageCache) {
      const bitpix = this.header.number('BITPIX') ?? 0;
      const shape = this.shape;
      const count = shape.length === 0 ? 0 : shape.reduce((a, b) => a * b, 1);
      const data = decodeImage(this.bytes, this.dataOffset, count, bitpix, imageScaling(this.header, this.index), this.index);
      this.imageCache = { bitpix, shape, data };
    }
    return this.imageCache;
  }

  /** The table of a BINTABLE or TABLE HDU; columns are decoded when first asked for. */
  table(): FitsTable {
    if (this.type !== 'bintable' && this.type !== 'table') {
      throw new FitsError(`HDU is a ${this.type}, not a table`, { hdu: this.index });
    }
    if (!this.tableCache) {
      const h = this.header;
      const rowBytes = h.number('NAXIS1') ?? 0;
      const rows = h.number('NAXIS2') ?? 0;
      const hdu = this.index;
      if (this.type === 'table') {
        const cols = asciiColumns(h, hdu);
        this.tableCache = new FitsTable(cols, rows, (c) =>
          decodeAsciiColumn(this.bytes, this.dataOffset, rowBytes, rows, c, hdu),
        );
      } else {
        const cols = binaryColumns(h, hdu);
        const theap = h.number('THEAP') ?? rowBytes * rows;
        const layout = {
          bytes: this.bytes,
          dataOffset: this.dataOffset,
          rowBytes,
          rows,
          heapOffset: this.dataOffset + theap,
          heapBytes: Math.max(0, this.dataLength - theap),
          hdu,
        };
        this.tableCache = new FitsTable(cols, rows, (c) => decodeBinaryColumn(layout, c));
      }
    }
    return this.tableCache;
  }
}

/** A FITS file: its HDUs in order. */
export interface FitsFile {
  readonly hdus: readonly FitsHdu[];
  /** Set when bytes after the last HDU were ignored (not a valid extension). */
  readonly trailingBytes?: number;
}

function requireInt(h: FitsHeader, key: string, hdu: number, min = 0): number {
  const v = h.get(key);
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    throw new FitsError(`${key} must be an integer ≥ ${min}, found ${JSON.stringify(String(v))}`, { hdu, keyword: key });
  }
  return n;
}

/** Size in bytes of the data of an HDU, from its mandatory keywords (standard §4.4.1). */
export function dataSize(h: FitsHeader, hdu: number): number {
  const bitpix = requireInt(h, 'BITPIX', hdu, -64);
  if (![8, 16, 32, 64, -32, -64].includes(bitpix)) {
    throw new FitsError(`BITPIX must be 8, 16, 32, 64, -32 or -64, found ${bitpix}`, { hdu, keyword: 'BITPIX' });
  }
  const naxis = requireInt(h, 'NAXIS', hdu);
  if (naxis > 999) throw new FitsError(`NAXIS ${naxis} > 999`, { hdu, keyword: 'NAXIS' });
  if (naxis === 0) return 0;
  let n = 1;
  // Random groups (NAXIS1 = 0 with GROUPS = T): NAXIS1 does not count.
  const groups = h.boolean('GROUPS') === true && h.number('NAXIS1') === 0;
  for (let i = groups ? 2 : 1; i <= naxis; i++) n *= requireInt(h, `NAXIS${i}`, hdu);
  const pcount = h.has('PCOUNT') ? requireInt(h, 'PCOUNT', hdu) : 0;
  const gcount = h.has('GCOUNT') ? requireInt(h, 'GCOUNT', hdu) : 1;
  const size = (Math.abs(bitpix) / 8) * gcount * (pcount + n);
  if (!Number.isSafeInteger(size)) throw new FitsError('data size too large', { hdu, keyword: 'NAXIS' });
  return size;
}

function hduType(h: FitsHeader, index: number): FitsHduType {
  if (index === 0) return 'image';
  const x = (h.string('XTENSION') ?? '').trim().toUpperCase();
  if (x === 'IMAGE' || x === 'IUEIMAGE') return 'image';
  if (x === 'BINTABLE' || x === 'A3DTABLE') return 'bintable';
  if (x === 'TABLE') return 'table';
  return 'unknown';
}

/** Options of `readFits`. */
export interface ReadFitsOptions {
  /** Stop after this many HDUs (e.g. 1 to read only the primary header). */
  readonly maxHdus?: number;
}

/**
 * Read a FITS file (plain or gzip-compressed) from memory. Headers are parsed now; data is
 * decoded lazily. Throws FitsError for non-FITS, truncated or malformed files.
 */
export function readFits(input: BytesLike, options: ReadFitsOptions = {}): FitsFile {
  const bytes = maybeGunzip(toBytes(input), 'FITS');
  if (bytes.length < BLOCK || LATIN1.decode(bytes.subarray(0, 9)) !== 'SIMPLE  =') {
    throw new FitsError(
      bytes.length < 80 ? 'not a FITS file (too short)' : 'not a FITS file (does not start with SIMPLE =)',
      { hdu: 0, card: 0 },
    );
  }
  const hdus: FitsHdu[] = [];
  let pos = 0;
  const max = options.maxHdus ?? Infinity;
  while (pos < bytes.length && hdus.length < max) {
    const index = hdus.length;
    if (index > 0) {
      // Anything after the last HDU that is not an extension header is ignored, as astropy does.
      const start = LATIN1.decode(bytes.subarray(pos, pos + 10));
      if (start !== 'XTENSION= ') return { hdus, trailingBytes: bytes.length - pos };
    }
    const { header, end } = parseHeader(bytes, pos, index);
    if (index === 0 && header.get('SIMPLE') !== true) {
      throw new FitsError('SIMPLE is not T: the file does not conform to the FITS standard', { hdu: 0, keyword: 'SIMPLE' });
    }
    const size = dataSize(header, index);
    if (end + size > bytes.length) {
      throw new FitsError(`file is truncated: data needs ${size} bytes, ${Math.max(0, bytes.length - end)} present`, {
        hdu: index,
      });
    }
    hdus.push(new FitsHdu(index, header, hduType(header, index), pos, end, size, bytes));
    pos = end + Math.ceil(size / BLOCK) * BLOCK;
  }
  return { hdus };
}
