import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needPeer, peers } from '../../../tests/support/peers.js';
import {
  VoTableError,
  allTables,
  queryStatus,
  readVoTable,
  streamVoTable,
  writeVoTable,
  type VoField,
  type VoValue,
} from '../../src/formats/index.js';
import { REAL, SCHEMAS, enc, generate, python, readJson } from './support.js';

interface VotExp {
  rows: number;
  columns: Record<string, { values: unknown[] }>;
}

/** Our cell in the generator's encoding: complex as [re, im], arrays flat. */
function cell(v: VoValue, datatype: string): unknown {
  if ((datatype === 'floatComplex' || datatype === 'doubleComplex') && ArrayBuffer.isView(v)) {
    const a = Array.from(v as Float64Array);
    return enc(a);
  }
  if (datatype === 'bit' && typeof v === 'number') return v === 1;
  if (datatype === 'bit' && v instanceof Uint8Array) return Array.from(v, (b) => b === 1);
  return enc(v);
}

const flat = (x: unknown): unknown => (Array.isArray(x) ? x.flat(Infinity) : x);

describe.skipIf(!needPeer(peers.astropy(), 'VOTable values match astropy'))('VOTable reader agrees with astropy', () => {
  let dir = '';
  let cleanup = (): void => {};
  let expected: Record<string, VotExp> = {};
  beforeAll(() => {
    ({ dir, cleanup } = generate('gen_astropy.py'));
    expected = readJson(join(dir, 'expected.json'));
  });
  afterAll(() => cleanup());

  it.each(['tabledata', 'binary', 'binary2', 'var_tabledata', 'var_binary2'])('%s: every cell equals astropy’s', (fmt) => {
    const e = expected[`vot_${fmt}`];
    const doc = readVoTable(readFileSync(join(dir, `vot_${fmt}.xml`)));
    const t = allTables(doc)[0];
    expect(t.rows.length).toBe(e.rows);
    for (const [name, ce] of Object.entries(e.columns)) {
      const i = t.fields.findIndex((f) => f.name === name);
      expect(i, name).toBeGreaterThanOrEqual(0);
      // A float null is NaN for us (documented) and masked for astropy: compare them as equal.
      const nanIsNull = (x: unknown): unknown => (x === 'NaN' ? null : x);
      const ours = t.rows.map((r) => nanIsNull(cell(r[i], t.fields[i].datatype)));
      ce.values = ce.values.map(nanIsNull);
      expect(ours.map(flat), `${name} ${t.fields[i].datatype} ${t.fields[i].arraysize ?? ''}`).toEqual(ce.values.map(flat));
    }
  });

  it('streams the same rows as the whole-document reader, in small chunks', async () => {
    const bytes = readFileSync(join(dir, 'vot_binary2.xml'));
    const whole = allTables(readVoTable(bytes))[0].rows;
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
    const rows: VoValue[][] = [];
    for await (const ev of streamVoTable(Readable.from(chunks), { batchSize: 2 })) if (ev.kind === 'rows') rows.push(...ev.rows);
    expect(rows).toEqual(whole);
  });

  it('writes VOTables (TABLEDATA, BINARY, BINARY2) that astropy reads back with the same values', () => {
    const fields: VoField[] = [
      { name: 'wave', datatype: 'double', unit: 'Angstrom', ucd: 'em.wl' },
      { name: 'flux', datatype: 'float', ucd: 'phot.flux.density' },
      { name: 'n', datatype: 'int', values: { null: '-1' } },
      { name: 'big', datatype: 'long' },
      { name: 'name', datatype: 'char', arraysize: '*' },
      { name: 'flag', datatype: 'boolean' },
      { name: 'vec', datatype: 'double', arraysize: '3' },
      { name: 'var', datatype: 'float', arraysize: '*' },
      { name: 'u', datatype: 'unicodeChar', arraysize: '*' },
    ];
    const rows: VoValue[][] = [
      [4000.5, 1.25, 7, 2n ** 60n, 'alpha & <b>', true, Float64Array.from([1, 2, 3]), Float32Array.from([0.5]), 'žluťoučký'],
      [4001.5, NaN, null, -3, '', false, Float64Array.from([4, 5, 6]), Float32Array.from([]), ''],
      [4002.5, 3.5, 9, 0, 'x', null, Float64Array.from([7, 8, 9]), Float32Array.from([1, 2, 3]), 'ok'],
    ];
    for (const format of ['TABLEDATA', 'BINARY', 'BINARY2'] as const) {
      const xml = writeVoTable({ name: 'spec', fields, rows }, { format });
      const path = join(dir, `ours_${format}.xml`);
      writeFileSync(path, xml);
      const got = python<Record<string, unknown[]>>(
        `
import sys, json, numpy as np
from astropy.io.votable import parse
t = parse(sys.argv[1]).get_first_table().array
def e(v, m):
    if np.ndim(m) == 0 and m: return None
    v = np.ma.getdata(v)
    if isinstance(v, np.ndarray) and v.ndim > 0: return [None if x != x else x for x in v.tolist()]
    if isinstance(v, np.ndarray): v = v[()]
    if isinstance(v, (np.floating, float)): return None if v != v else float(v)
    if isinstance(v, (np.integer,)): return int(v)
    if isinstance(v, (np.bool_,)): return bool(v)
    return v
print(json.dumps({n: [e(t[n][i], np.ma.getmaskarray(t[n])[i]) for i in range(len(t))] for n in t.dtype.names}))
`,
        path,
      );
      expect(got.wave, format).toEqual([4000.5, 4001.5, 4002.5]);
      expect(got.flux, format).toEqual([1.25, null, 3.5]);
      expect(got.n, format).toEqual([7, null, 9]);
      expect(got.big, format).toEqual([Number(2n ** 60n), -3, 0]);
      expect(got.name, format).toEqual(['alpha & <b>', '', 'x']);
      expect(got.flag, format).toEqual([true, false, null]);
      expect(got.vec, format).toEqual([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
      expect(got.var, format).toEqual([[0.5], [], [1, 2, 3]]);
      expect(got.u, format).toEqual(['žluťoučký', '', 'ok']);
      // and our reader round-trips it
      const back = allTables(readVoTable(xml))[0].rows;
      expect(back[0][3]).toBe(2n ** 60n);
      expect(back[2][7]).toEqual(Float32Array.from([1, 2, 3]));
    }
  });
});

describe('VOTable reader on real documents', () => {
  it('reads the SSAP response: 35 records, QUERY_STATUS OK, SSA utypes on FIELDs', () => {
    const doc = readVoTable(readFileSync(join(REAL, 'ssap-sdss-dr6-result.vot.xml')));
    const t = allTables(doc)[0];
    expect(t.rows.length).toBe(35);
    expect(queryStatus(doc)?.value).toBe('OK');
    expect(t.fields.some((f) => /Access\.Reference/i.test(f.utype ?? ''))).toBe(true);
  });

  it('reads DataLink service descriptors: meta resources with PARAMs and GROUPs', () => {
    const doc = readVoTable(readFileSync(join(REAL, 'datalink-ssa.vot.xml')));
    const meta = doc.resources.filter((r) => r.type === 'meta');
    expect(meta.length).toBe(2);
    expect(meta[0].params.some((p) => p.name === 'accessURL')).toBe(true);
    const g = meta[0].groups[0];
    expect(g.name).toBe('inputParams');
    expect(g.items.length).toBeGreaterThan(0);
    expect(queryStatus(doc)?.value).toBe('OVERFLOW');
  });

  it('never resolves external entities (XXE) and says why it refuses', () => {
    const xxe = `<?xml version="1.0"?>
<!DOCTYPE VOTABLE [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<VOTABLE version="1.4"><RESOURCE><TABLE><FIELD name="a" datatype="char" arraysize="*"/>
<DATA><TABLEDATA><TR><TD>&xxe;</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`;
    expect(() => readVoTable(xxe)).toThrow(VoTableError);
    expect(() => readVoTable(xxe)).toThrow(/entities/);
    // An undeclared entity without a DOCTYPE is a well-formedness error, not a lookup.
    const bare = xxe.replace(/<!DOCTYPE[^\]]*\]>/, '');
    expect(() => readVoTable(bare)).toThrow(VoTableError);
  });

  it('reports bad cells with table, row and field', () => {
    const bad = `<VOTABLE version="1.4"><RESOURCE><TABLE><FIELD name="n" datatype="int"/>
<DATA><TABLEDATA><TR><TD>1</TD></TR><TR><TD>x1</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`;
    try {
      readVoTable(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(VoTableError);
      expect((e as VoTableError).location).toMatchObject({ table: 0, row: 1, field: 'n' });
    }
  });
});

describe.skipIf(!needPeer(peers.xmllint(), 'VOTable writer output validates against VOTable 1.4 XSD'))('VOTable writer and the schema', () => {
  it.each(['TABLEDATA', 'BINARY', 'BINARY2'] as const)('%s output validates against VOTable.xsd, including a re-written DataLink document', (format) => {
    const dir = mkdtempSync(join(tmpdir(), 'vocloud-vot-'));
    const docs = [
      writeVoTable(
        {
          name: 't',
          description: 'all types',
          fields: [
            { name: 'a', datatype: 'double', unit: 'Angstrom' },
            { name: 'b', datatype: 'char', arraysize: '*' },
            { name: 'c', datatype: 'int', arraysize: '2x*' },
            { name: 'd', datatype: 'bit', arraysize: '5' },
            { name: 'e', datatype: 'floatComplex' },
          ],
          params: [{ name: 'p', datatype: 'char', arraysize: '*', value: 'x<y' }],
          infos: [{ name: 'QUERY_STATUS', value: 'OK' }],
          rows: [[1, 'q"&', Int32Array.from([1, 2, 3, 4]), Uint8Array.from([1, 0, 1, 0, 1]), Float32Array.from([1, 2])]],
        },
        { format },
      ),
      writeVoTable(readVoTable(readFileSync(join(REAL, 'datalink-ssa.vot.xml'))), { format }),
      writeVoTable(readVoTable(readFileSync(join(REAL, 'ssap-sdss-dr6-result.vot.xml'))), { format }),
    ];
    docs.forEach((xml, i) => {
      const path = join(dir, `doc${i}.xml`);
      writeFileSync(path, xml);
      const r = spawnSync('xmllint', ['--nonet', '--noout', '--schema', join(SCHEMAS, 'VOTable.xsd'), path], {
        encoding: 'utf8',
        env: { ...process.env, XML_CATALOG_FILES: join(SCHEMAS, 'catalog.xml') },
      });
      expect(r.stderr, `doc${i}`).toContain('validates');
      expect(r.status, r.stderr).toBe(0);
    });
    rmSync(dir, { recursive: true, force: true });
  });
});
