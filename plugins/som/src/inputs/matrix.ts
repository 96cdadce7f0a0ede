/** Ready-made matrices: raw float32 with a JSON meta (the benchmark generator's format) and CSV. */
import { open } from 'node:fs/promises';
import { InputError, sharedFloat32 } from './dataset.js';
import type { Entry } from './entries.js';
import { entryBytes } from './entries.js';

/** The JSON meta of a .f32 matrix; only n and d are required. */
export interface MatrixMeta {
  n: number;
  d: number;
  wavelength_start?: number;
  wavelength_step?: number;
  wavelength_unit?: string;
  classes?: string[];
  names?: string[];
}

export function parseMeta(text: string, where: string): MatrixMeta {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${where}: not valid JSON (${(err as Error).message})`);
  }
  const o = m as Partial<MatrixMeta>;
  if (typeof o !== 'object' || o === null || !Number.isInteger(o.n) || !Number.isInteger(o.d) || o.n! < 0 || o.d! < 1) {
    throw new InputError(`${where}: the meta must give whole numbers "n" (rows) and "d" (values per row)`);
  }
  return o as MatrixMeta;
}

/** Read a little-endian float32 matrix straight into shared memory. */
export async function readF32(e: Entry, meta: MatrixMeta): Promise<Float32Array> {
  const want = meta.n * meta.d * 4;
  if (e.size !== want) {
    throw new InputError(`${e.name}: ${e.size} bytes, but the meta says ${meta.n} x ${meta.d} float32 values = ${want} bytes`);
  }
  const x = sharedFloat32(meta.n * meta.d);
  const bytes = new Uint8Array(x.buffer);
  if (e.bytes) {
    bytes.set(e.bytes);
  } else {
    const fh = await open(e.path!, 'r');
    try {
      let off = 0;
      while (off < want) {
        const { bytesRead } = await fh.read(bytes, off, Math.min(1 << 26, want - off), off);
        if (bytesRead === 0) throw new InputError(`${e.name}: the file ended after ${off} bytes`);
        off += bytesRead;
      }
    } finally {
      await fh.close();
    }
  }
  // typed arrays use the machine's byte order; the format is little-endian
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 0) {
    const v = new DataView(x.buffer);
    for (let i = 0; i < x.length; i++) x[i] = v.getFloat32(i * 4, true);
  }
  return x;
}

export interface CsvMatrix {
  x: Float32Array;
  n: number;
  d: number;
  names: string[] | null;
  classes: (string | null)[] | null;
  /** Numeric column headers, taken as the spectral axis. */
  wavelength: Float64Array | null;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(nan|inf|infinity)$/i;

export function splitLine(line: string, delimiter: string | null): string[] {
  const cells = delimiter === null ? line.trim().split(/\s+/) : line.split(delimiter);
  return cells.map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
}

export function detectDelimiter(line: string): string | null {
  for (const d of [',', '\t', ';']) if (line.includes(d)) return d;
  return null;
}

function toNumber(cell: string): number {
  const lower = cell.toLowerCase();
  if (lower === 'nan') return NaN;
  if (/^[+-]?inf(inity)?$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
  return Number(cell);
}

/**
 * One spectrum per row. A first row with non-numeric cells is a header; a header whose value
 * columns are numbers gives the wavelength grid. A non-numeric first column holds names; a column
 * headed class, label or type holds classes.
 */
export async function readCsvMatrix(e: Entry): Promise<CsvMatrix> {
  const text = new TextDecoder().decode(await entryBytes(e));
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  if (lines.length === 0) throw new InputError(`${e.name}: the CSV file is empty`);
  const delimiter = detectDelimiter(lines[0]!);
  const first = splitLine(lines[0]!, delimiter);
  const second = lines.length > 1 ? splitLine(lines[1]!, delimiter) : first;
  // a header has a text cell above a number, or names its columns like one
  const hasHeader = first.some((c, i) => !NUMBER.test(c) && NUMBER.test(second[i] ?? '')) ||
    first.some((c) => /^(name|id|object|spectrum|class|label|type)$/i.test(c));
  const header = hasHeader ? first : null;
  const body = hasHeader ? lines.slice(1) : lines;
  if (body.length === 0) throw new InputError(`${e.name}: the CSV file has a header but no rows`);
  const sample = splitLine(body[0]!, delimiter);
  let classCol = header ? header.findIndex((h) => /^(class|label|type)$/i.test(h)) : -1;
  const nameCol = !NUMBER.test(sample[0] ?? '') && classCol !== 0 ? 0 : -1;
  if (classCol < 0 && header === null && sample.length > 2 && !NUMBER.test(sample[sample.length - 1]!) && nameCol === 0) {
    classCol = sample.length - 1;
  }
  const valueCols = sample.map((_, i) => i).filter((i) => i !== nameCol && i !== classCol);
  const d = valueCols.length;
  if (d === 0) throw new InputError(`${e.name}: no numeric columns`);
  const n = body.length;
  const x = sharedFloat32(n * d);
  const names: string[] = [];
  const classes: (string | null)[] = [];
  body.forEach((line, r) => {
    const cells = splitLine(line, delimiter);
    if (cells.length !== sample.length) {
      throw new InputError(
        `${e.name}: line ${r + 1 + (hasHeader ? 1 : 0)} has ${cells.length} cells, the first row ${sample.length}: ` +
          'every spectrum of a CSV matrix must have the same number of values (resample them first, or upload them as separate spectra with gridPoints)',
      );
    }
    valueCols.forEach((c, j) => {
      const v = toNumber(cells[c]!);
      if (Number.isNaN(v) && !/^[+-]?nan$/i.test(cells[c]!)) {
        throw new InputError(`${e.name}: line ${r + 1 + (hasHeader ? 1 : 0)}, column ${c + 1}: '${cells[c]}' is not a number`);
      }
      x[r * d + j] = v;
    });
    if (nameCol >= 0) names.push(cells[nameCol]!);
    if (classCol >= 0) classes.push(cells[classCol] || null);
  });
  let wavelength: Float64Array | null = null;
  if (header && valueCols.every((c) => NUMBER.test(header[c]!))) {
    wavelength = Float64Array.from(valueCols.map((c) => Number(header[c])));
  }
  return { x, n, d, names: nameCol >= 0 ? names : null, classes: classCol >= 0 ? classes : null, wavelength };
}
