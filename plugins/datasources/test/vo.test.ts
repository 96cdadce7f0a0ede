import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readVoTable } from '@vocloud/sdk/formats';
import { buildQueryUrl, describeMetadata } from '../src/vo/ssap-query.js';
import { columnMap } from '../src/vo/columns.js';
import { describeTable, resultsTable, datasetRow } from '../src/vo/table.js';
import { serviceDescriptors, isSoda, isLinksService } from '../src/vo/descriptors.js';
import { parseCutout, sodaUrl } from '../src/vo/soda.js';

const REAL = resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'real');
const sdss = readVoTable(readFileSync(resolve(REAL, 'ssap-sdss-dr6-result.vot.xml')));
const dachs = readVoTable(readFileSync(resolve(REAL, 'datalink-ssa.vot.xml')));

describe('SSAP query builder', () => {
  it('writes the standard parameters and the declared ones', () => {
    const url = new URL(buildQueryUrl({
      service: 'http://example.org/ssap?VERSION=1.1', pos: '180.0 1.0', size: 0.2, band: '4e-7/7e-7', time: '2001-01-01/2002-01-01',
      targetName: 'M 31', format: 'votable', maxrec: 50, collection: 'ivo://jhu/sdss/dr6', params: { REDSHIFT: '0.1/0.2' },
    }));
    const q = Object.fromEntries(url.searchParams);
    expect(q).toEqual({
      VERSION: '1.1', REQUEST: 'queryData', POS: '180,1', SIZE: '0.2', BAND: '4e-7/7e-7', TIME: '2001-01-01/2002-01-01',
      TARGETNAME: 'M 31', FORMAT: 'votable', MAXREC: '50', COLLECTION: 'ivo://jhu/sdss/dr6', REDSHIFT: '0.1/0.2',
    });
  });

  it('refuses bad values with the parameter named', () => {
    const base = { service: 'http://example.org/ssap' };
    expect(() => buildQueryUrl({ ...base, pos: '400,0' })).toThrow(/pos: ra 400/);
    expect(() => buildQueryUrl({ ...base, pos: 'M31' })).toThrow(/pos: give "ra,dec"/);
    expect(() => buildQueryUrl({ ...base, band: '7e-7/4e-7' })).toThrow(/band: the lower bound/);
    expect(() => buildQueryUrl({ ...base, time: 'yesterday' })).toThrow(/time: give an ISO 8601/);
    expect(() => buildQueryUrl({ ...base, format: 'bogus format' })).toThrow(/format:/);
    expect(() => buildQueryUrl({ ...base, params: { pos: '1,2' } })).toThrow(/params: POS has a parameter of its own/);
    expect(() => buildQueryUrl({ service: 'file:///etc/passwd' })).toThrow(/http/);
    expect(() => buildQueryUrl({ ...base, size: 1 })).toThrow(/give pos as well/);
  });

  it('reads FORMAT=METADATA input parameters', () => {
    const doc = readVoTable(`<?xml version="1.0"?><VOTABLE version="1.3"><RESOURCE type="results"><INFO name="QUERY_STATUS" value="OK"/>
      <PARAM name="INPUT:POS" datatype="char" arraysize="*" value="" ucd="pos.eq"><DESCRIPTION>Position</DESCRIPTION></PARAM>
      <PARAM name="INPUT:REDSHIFT" datatype="char" arraysize="*" value=""><DESCRIPTION>Redshift range</DESCRIPTION></PARAM>
      <PARAM name="INPUT:FLUXCALIB" datatype="char" arraysize="*" value=""><VALUES><OPTION value="ABSOLUTE"/><OPTION value="RELATIVE"/></VALUES></PARAM>
      <TABLE><FIELD name="accref" datatype="char" arraysize="*" utype="ssa:Access.Reference"/></TABLE></RESOURCE></VOTABLE>`);
    const m = describeMetadata(doc);
    expect(m.inputs.map((i) => i.name)).toEqual(['POS', 'REDSHIFT', 'FLUXCALIB']);
    expect(m.inputs[0]).toMatchObject({ standard: true, description: 'Position' });
    expect(m.inputs[2]).toMatchObject({ standard: false, options: ['ABSOLUTE', 'RELATIVE'] });
    expect(m.outputs).toEqual([{ name: 'accref', datatype: 'char', utype: 'ssa:Access.Reference' }]);
  });
});

describe('SSAP responses: columns by utype, then UCD, then name', () => {
  it('finds the roles in the real SDSS response (utypes; PublisherDID has a meta.ref.url UCD)', () => {
    const t = resultsTable(sdss)!;
    const names = Object.fromEntries(Object.entries(columnMap(t.fields)).map(([k, i]) => [k, i >= 0 ? t.fields[i]!.name : null]));
    expect(names).toEqual({ accessUrl: 'AcRef', format: 'Format', title: 'Title', publisherDid: 'PublisherDID', size: null, preview: null });
    const table = describeTable(sdss, t);
    expect(table.status).toEqual({ value: 'OK' });
    const row = datasetRow(table, t.rows[0]!, 0);
    expect(row.accessUrl).toMatch(/^http:\/\/vaosa-vm1\.aoc\.nrao\.edu\/.*REQUEST=getData/);
    expect(row.publisherDid).toBe('ivo://jhu/sdss/dr6/spec/2.5#80442261170552832');
  });

  it('finds the roles in the real DaCHS response, and its OVERFLOW status', () => {
    const t = resultsTable(dachs)!;
    const table = describeTable(dachs, t);
    const r = datasetRow(table, t.rows[0]!, 0);
    expect(r).toMatchObject({ accessUrl: 'http://dc.zah.uni-heidelberg.de/getproduct/flashheros/data/ca90/f0011.mt', format: 'image/fits', size: 100800, publisherDid: 'ivo://org.gavo.dc/~?flashheros/data/ca90/f0011.mt' });
    expect(r.preview).toMatch(/preview=True$/);
    expect(table.status?.value).toBe('OVERFLOW');
    expect(table.status?.message).toMatch(/Increase MAXREC/);
  });

  it('falls back to UCD and then to names', () => {
    const byUcd = readVoTable(`<VOTABLE><RESOURCE><TABLE><FIELD name="x" datatype="char" arraysize="*" ucd="meta.ref.url"/><FIELD name="access_url" datatype="char" arraysize="*"/><DATA><TABLEDATA><TR><TD>http://a/1</TD><TD>http://b/2</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`);
    expect(columnMap(resultsTable(byUcd)!.fields).accessUrl).toBe(0);
    const byName = readVoTable(`<VOTABLE><RESOURCE><TABLE><FIELD name="x" datatype="char" arraysize="*"/><FIELD name="access_url" datatype="char" arraysize="*"/></TABLE></RESOURCE></VOTABLE>`);
    expect(columnMap(resultsTable(byName)!.fields).accessUrl).toBe(1);
  });

  it('reads sizes in the unit of their column: ObsCore access_estsize in kbyte, other units not trusted', () => {
    const table = (unit: string) => {
      const doc = readVoTable(`<VOTABLE><RESOURCE type="results"><TABLE><FIELD name="access_url" datatype="char" arraysize="*"/><FIELD name="access_estsize" datatype="long" unit="${unit}"/><DATA><TABLEDATA><TR><TD>http://a/1</TD><TD>120</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`);
      const t = describeTable(doc, resultsTable(doc));
      return datasetRow(t, resultsTable(doc)!.rows[0]!, 0).size;
    };
    expect(table('kbyte')).toBe(120_000);
    expect(table('byte')).toBe(120);
    expect(table('MiB')).toBe(120 * 2 ** 20);
    expect(table('s')).toBeUndefined();
  });
});

describe('DataLink service descriptors and SODA', () => {
  const descriptors = serviceDescriptors(dachs);
  const soda = descriptors.find(isSoda)!;

  it('reads both descriptors of the real response', () => {
    expect(descriptors).toHaveLength(2);
    expect(soda.accessUrl).toBe('http://dc.zah.uni-heidelberg.de/flashheros/q/sdl/dlget');
    expect(soda.inputs.map((i) => i.name)).toEqual(['ID', 'FLUXCALIB', 'BAND', 'FORMAT']);
    expect(soda.inputs[2]).toMatchObject({ min: '4.01049e-07', max: '6.79232e-07', unit: 'm', xtype: 'interval' });
    expect(descriptors.find(isLinksService)!.accessUrl).toBe('http://example.com/datalink');
  });

  it('writes SODA cutouts in SODA syntax with the ID from the row', () => {
    const t = resultsTable(dachs)!;
    const row = datasetRow(describeTable(dachs, t), t.rows[0]!, 0);
    const cut = parseCutout({ band: '4.5e-7   5.5e-7', extra: { FORMAT: 'application/fits' } })!;
    const { url } = sodaUrl(soda, (ref) => row.cell(ref), cut);
    const q = new URL(url).searchParams;
    expect(q.get('ID')).toBe('ivo://org.gavo.dc/~?flashheros/data/ca90/f0011.mt');
    expect(q.get('BAND')).toBe('4.5e-7 5.5e-7');
    expect(q.get('FORMAT')).toBe('application/fits');
  });

  it('refuses what the service does not declare, bad syntax, and bands outside the data', () => {
    const t = resultsTable(dachs)!;
    const row = datasetRow(describeTable(dachs, t), t.rows[0]!, 0);
    expect(() => sodaUrl(soda, (r) => row.cell(r), parseCutout({ circle: '10 20 0.1' })!)).toThrow(/does not accept CIRCLE/);
    expect(() => sodaUrl(soda, (r) => row.cell(r), parseCutout({ band: '1e-6 2e-6' })!)).toThrow(/outside this dataset's spectral range/);
    expect(() => sodaUrl(soda, (r) => row.cell(r), parseCutout({ extra: { FORMAT: 'image/gif' } })!)).toThrow(/accepts FORMAT =/);
    expect(() => parseCutout({ band: '5e-7' })).toThrow(/two numbers/);
    expect(() => parseCutout({ band: '6e-7 5e-7' })).toThrow(/lower bound/);
    expect(() => parseCutout({ pos: 'BOX 1 2 3' })).toThrow(/CIRCLE, RANGE or POLYGON/);
    expect(parseCutout({ pos: 'circle 10 20 0.5', time: '50000 -Inf'.replace('-Inf', '+Inf') })).toEqual(new Map([['POS', 'CIRCLE 10 20 0.5'], ['TIME', '50000 +Inf']]));
  });
});
