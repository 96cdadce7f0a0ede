/**
 * ASCII table (XTENSION = 'TABLE') columns: TBCOLn positions and Aw / Iw / Fw.d / Ew.d / Dw.d
 * formats. Numbers come back as Float64Array (Int32Array for Iw with w ≤ 9, as astropy);
 * fields equal to TNULLn or blank become NaN (or 0 in integer columns) and are flagged in `nulls`.
 */
import { FitsError } from '../errors.js';
import type { FitsColumn, FitsColumnData } from './bintable.js';
import type { FitsHeader } from './header.js';
import { parseNumberToken } from './header.js';

/** ASCII columns use the same description as binary ones; `offset` is TBCOLn − 1, `bytes` the width. */
export function asciiColumns(header: FitsHeader, hdu: number): FitsColumn[] {
  const tfields = header.number('TFIELDS') ?? 0;
  const rowBytes = header.number('NAXIS1') ?? 0;
  const cols: FitsColumn[] = [];
  for (let n = 1; n <= tfields; n++) {
    const tform = header.string(`TFORM${n}`);
    const tbcol = header.number(`TBCOL${n}`);
    if (tform === undefined) throw new FitsError(`TFORM${n} missing`, { hdu, keyword: `TFORM${n}` });
    if (tbcol === undefined) throw new FitsError(`TBCOL${n} missing`, { hdu, keyword: `TBCOL${n}` });
    const m = /^([AIFED])(\d+)(?:\.(\d+))?$/.exec(tform.trim().toUpperCase());
    if (!m) throw new FitsError(`cannot parse ASCII TFORM ${JSON.stringify(tform)}`, { hdu, keyword: `TFORM${n}` });
    const width = Number(m[2]);
    if (tbcol < 1 || tbcol - 1 + width > rowBytes) {
      throw new FitsError(`column ${n} (TBCOL ${tbcol}, width ${width}) lies outside NAXIS1 = ${rowBytes}`, {
        hdu,
        keyword: `TBCOL${n}`,
      });
    }
    const unit = header.string(`TUNIT${n}`);
    const ucd = header.string(`TUCD${n}`);
    const nullV = header.string(`TNULL${n}`);
    cols.push({
      name: header.string(`TTYPE${n}`) ?? `col${n}`,
      number: n,
      format: tform,
      type: m[1],
      repeat: 1,
      ...(unit ? { unit } : {}),
      ...(ucd ? { ucd } : {}),
      scale: header.number(`TSCAL${n}`) ?? 1,
      zero: header.number(`TZERO${n}`) ?? 0,
      ...(nullV !== undefined ? { nullValue: nullV as unknown as number } : {}),
      offset: tbcol - 1,
      bytes: width,
    });
  }
  return cols;
}

const latin1 = new TextDecoder('latin1');

export function decodeAsciiColumn(
  bytes: Uint8Array,
  dataOffset: number,
  rowBytes: number,
  rows: number,
  col: FitsColumn,
  hdu: number,
): FitsColumnData {
  const field = (r: number): string => {
    const at = dataOffset + r * rowBytes + col.offset;
    return latin1.decode(bytes.subarray(at, at + col.bytes));
  };
  if (col.type === 'A') {
    const values: string[] = new Array(rows);
    for (let r = 0; r < rows; r++) values[r] = field(r).replace(/ +$/, '');
    return { kind: 'string', values, width: 1 };
  }
  const nullText = col.nullValue === undefined ? undefined : String(col.nullValue).trim();
  const integer = col.type === 'I' && col.scale === 1 && col.zero === 0;
  const values = integer && col.bytes <= 9 ? new Int32Array(rows) : new Float64Array(rows);
  let nulls: Uint8Array | undefined;
  for (let r = 0; r < rows; r++) {
    const text = field(r).trim();
    if (text === '' || text === nullText) {
      nulls ??= new Uint8Array(rows);
      nulls[r] = 1;
      values[r] = integer && col.bytes <= 9 ? 0 : NaN;
      continue;
    }
    const v = parseNumberToken(text);
    if (v === undefined) throw new FitsError(`cannot parse ${JSON.stringify(text)} as a number`, { hdu, row: r, column: col.name });
    values[r] = Number(v) * col.scale + col.zero;
  }
  return nulls ? { kind: 'numeric', values, width: 1, nulls } : { kind: 'numeric', values, width: 1 };
}
