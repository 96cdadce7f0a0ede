import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needPeer, peers } from '../../../tests/support/peers.js';
import { readFits, writeFits, type FitsColumnData } from '../../src/formats/index.js';
import { enc, generate, python, readJson } from './support.js';

interface ImageExp {
  kind: 'image';
  hdu?: number;
  dtype: string;
  shape: number[];
  data: unknown[];
}
interface TableExp {
  kind: 'table';
  hdu: number;
  rows: number;
  columns: Record<string, { format: string; values: unknown[] }>;
}

const ARRAY_TYPE: Record<string, string> = {
  uint8: 'Uint8Array',
  int8: 'Int8Array',
  int16: 'Int16Array',
  uint16: 'Uint16Array',
  int32: 'Int32Array',
  uint32: 'Uint32Array',
  int64: 'BigInt64Array',
  uint64: 'BigUint64Array',
  float32: 'Float32Array',
  float64: 'Float64Array',
};

/** Our column values per row, in the generator's JSON encoding. */
function rowsOf(d: FitsColumnData, rows: number): unknown[] {
  const out: unknown[] = [];
  for (let r = 0; r < rows; r++) {
    if (d.kind === 'varlen') out.push(enc(d.values[r]));
    else if (d.kind === 'complex') {
      const v = Array.from(d.values.subarray(r * 2 * d.width, (r + 1) * 2 * d.width));
      const pairs = [];
      for (let i = 0; i < v.length; i += 2) pairs.push([v[i], v[i + 1]]);
      out.push(enc(d.width === 1 ? pairs[0] : pairs));
    } else if (d.kind === 'bits') out.push(Array.from(d.values.subarray(r * d.width, (r + 1) * d.width), (b) => b === 1));
    else if (d.width === 1) out.push(enc(d.values[r]));
    else out.push(enc(Array.from(d.values.slice(r * d.width, (r + 1) * d.width) as ArrayLike<unknown>)));
  }
  return out;
}

function flatten(v: unknown): unknown {
  return Array.isArray(v) ? v.flat(Infinity) : v;
}

describe.skipIf(!needPeer(peers.astropy(), 'FITS values match astropy'))('FITS reader agrees with astropy', () => {
  let dir = '';
  let cleanup = (): void => {};
  let expected: Record<string, ImageExp | TableExp | Record<string, unknown>> = {};
  beforeAll(() => {
    ({ dir, cleanup } = generate('gen_astropy.py'));
    expected = readJson(join(dir, 'expected.json'));
  });
  afterAll(() => cleanup());

  const images = [
    'img_8', 'img_16', 'img_32', 'img_64', 'img_m32', 'img_m64', 'img_u16', 'img_u32', 'img_u64', 'img_i8',
    'img_scaled_s16', 'img_scaled_s32', 'img_scaled_s8', 'img_blank_16', 'img_blank_32', 'img_ext3d',
  ];
  it.each(images)('image %s has astropy’s type, shape and exact values', (name) => {
    const e = expected[name] as ImageExp;
    const f = readFits(readFileSync(join(dir, `${name}.fits`)));
    const img = f.hdus[e.hdu ?? 0].image();
    expect(img.data.constructor.name).toBe(ARRAY_TYPE[e.dtype]);
    expect([...img.shape].reverse()).toEqual(e.shape);
    expect(enc(img.data)).toEqual(e.data);
  });

  it('reads a gzip-compressed file exactly like the plain one', () => {
    const plain = readFits(readFileSync(join(dir, 'img_ext3d.fits')));
    const gz = readFits(readFileSync(join(dir, 'img_ext3d.fits.gz')));
    expect(gz.hdus.map((h) => h.name)).toEqual(['PRIMARY', 'CUBE']);
    expect(gz.hdus[1].image().data).toEqual(plain.hdus[1].image().data);
  });

  it('parses header cards as astropy does: CONTINUE, HIERARCH, quotes, big ints, complex, commentary', () => {
    const e = expected.header as { values: Record<string, unknown>; cplx: number[]; history: string[]; comment: string[] };
    const h = readFits(readFileSync(join(dir, 'header.fits'))).hdus[0].header;
    for (const [k, v] of Object.entries(e.values)) expect(enc(h.get(k)), k).toEqual(v);
    expect(h.get('CPLX')).toEqual({ re: e.cplx[0], im: e.cplx[1] });
    expect(h.get('UNDEF')).toBeNull();
    expect(h.commentary('HISTORY')).toEqual(e.history);
    expect(h.commentary('COMMENT')).toEqual(e.comment);
  });

  for (const name of ['bintable', 'asciitable']) {
    it(`${name}: every column matches astropy exactly`, () => {
      const e = expected[name] as TableExp;
      const t = readFits(readFileSync(join(dir, `${name}.fits`))).hdus[e.hdu].table();
      expect(t.rows).toBe(e.rows);
      for (const [col, ce] of Object.entries(e.columns)) {
        const ours = rowsOf(t.column(col), t.rows);
        // astropy gives TDIM cells as nested arrays; we give them flat (first axis fastest).
        expect(ours.map(flatten), `${col} (${ce.format})`).toEqual(ce.values.map(flatten));
      }
    });
  }

  it('flags TNULL values in integer columns', () => {
    const t = readFits(readFileSync(join(dir, 'bintable.fits'))).hdus[1].table();
    const d = t.column('NULLJ');
    expect(d.kind === 'numeric' && Array.from(d.nulls ?? [])).toEqual([0, 1, 0, 0, 1, 0]);
    expect(t.cell(1, 'NULLJ')).toBeNull();
    expect(t.findColumn('E')?.unit).toBe('erg/s');
    expect(t.findColumn('TDIM')?.dim).toEqual([3, 2]);
  });

  it('writes images and tables that astropy reads back with the same values', () => {
    const img16 = Uint16Array.from({ length: 12 }, (_, i) => i * 5000);
    const imgF = Float64Array.from({ length: 6 }, (_, i) => i / 3);
    const bytes = writeFits([
      { kind: 'image', data: Float32Array.from([1.5, -2, NaN, 4]), header: [{ keyword: 'OBJECT', value: 'HD 1234' }, { keyword: 'HISTORY', comment: 'made by vocloud' }, { keyword: 'LONGKEYWORD', value: 'x'.repeat(100) }] },
      { kind: 'image', data: img16, shape: [4, 3], name: 'U16' },
      { kind: 'image', data: imgF, shape: [3, 2], name: 'F64' },
      {
        kind: 'bintable',
        name: 'SPEC',
        columns: [
          { name: 'WAVE', data: Float64Array.from([4000, 4001, 4002]), unit: 'Angstrom', ucd: 'em.wl' },
          { name: 'FLUX', data: Float32Array.from([1, 2, 3]) },
          { name: 'ID', data: BigInt64Array.from([1n, 2n ** 62n, -5n]) },
          { name: 'U', data: Uint32Array.from([0, 4000000000, 7]) },
          { name: 'NAME', data: ['a', 'bb', 'ccc'] },
          { name: 'OK', data: [true, false, null] },
          { name: 'VEC', data: Int16Array.from([1, 2, 3, 4, 5, 6]), width: 2 },
          { name: 'VAR', data: [Float64Array.from([1]), Float64Array.from([]), Float64Array.from([2, 3])] },
          { name: 'N', data: Int32Array.from([5, -1, 7]), nullValue: -1 },
        ],
      },
    ]);
    const path = join(dir, 'ours.fits');
    writeFileSync(path, bytes);
    const got = python<Record<string, unknown>>(
      `
import sys, json, numpy as np
from astropy.io import fits
h = fits.open(sys.argv[1])
def e(v):
    if isinstance(v, np.ndarray): return [e(x) for x in v.tolist()]
    if isinstance(v, float) and v != v: return 'NaN'
    if isinstance(v, (np.integer,)): return int(v)
    if isinstance(v, (np.floating,)): return e(float(v))
    if isinstance(v, (np.bool_,)): return bool(v)
    if isinstance(v, bytes): return v.decode()
    return v
d = h[3].data
out = {
  'obj': h[0].header['OBJECT'], 'hist': list(h[0].header['HISTORY']), 'long': h[0].header['LONGKEYWORD'],
  'img': e(h[0].data), 'u16': e(h[1].data), 'u16dtype': str(h[1].data.dtype), 'f64': e(h[2].data),
  'cols': {c.name: [e(x) for x in d[c.name]] for c in h[3].columns},
  'units': [c.unit for c in h[3].columns],
  'nullj': h[3].columns['N'].null,
}
print(json.dumps(out))
`,
      path,
    );
    expect(got.obj).toBe('HD 1234');
    expect(got.hist).toEqual(['made by vocloud']);
    expect(got.long).toBe('x'.repeat(100));
    expect(got.img).toEqual([1.5, -2, 'NaN', 4]);
    expect(got.u16dtype).toBe('uint16');
    expect((got.u16 as number[][]).flat()).toEqual(Array.from(img16));
    expect((got.f64 as number[][]).flat()).toEqual(Array.from(imgF));
    const cols = got.cols as Record<string, unknown[]>;
    expect(cols.WAVE).toEqual([4000, 4001, 4002]);
    expect(cols.FLUX).toEqual([1, 2, 3]);
    expect(cols.ID).toEqual([1, Number(2n ** 62n), -5]);
    expect(cols.U).toEqual([0, 4000000000, 7]);
    expect(cols.NAME).toEqual(['a', 'bb', 'ccc']);
    expect(cols.OK).toEqual([true, false, false]); // astropy reads an undefined logical as False
    expect(cols.VEC).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(cols.VAR).toEqual([[1], [], [2, 3]]);
    expect(got.nullj).toBe(-1);
    // and our own reader round-trips it
    const back = readFits(bytes);
    expect(back.hdus[3].table().cell(2, 'VAR')).toEqual(Float64Array.from([2, 3]));
    expect(back.hdus[3].table().cell(1, 'OK')).toBe(false);
    expect(back.hdus[3].table().cell(2, 'OK')).toBeNull();
  });
});
