import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';
import { addUser, basic } from '../support/auth.js';
import { formBody, validateXml } from '../support/uws.js';
import { ImportClient, manifestRows } from './support/client.js';
import { needPeer, peers } from '../support/peers.js';
import { CALSPEC, PNG, startVoPeer, type VoPeer } from './support/vo-peer.js';

/*
 * SSAP, DataLink and SODA imports through a real vocloud server (UWS job lists /uws/ssap and
 * /uws/votable, the preview endpoint, the file API), against a loopback HTTP server that
 * answers with the real SDSS DR6 and DaCHS responses; astropy checks what was imported.
 */

let s: TestServer;
let vo: VoPeer;
let alice: Record<string, string>;

const PLUGIN = { package: '@vocloud/plugin-datasources', options: { allowPrivateNetworks: true, retries: 1, retryDelay: 0.05, timeouts: { connect: 5, response: 10, idle: 10, item: 60 } } };

beforeAll(async () => {
  vo = await startVoPeer();
  s = await startServer({ plugins: [PLUGIN], overrides: { auth: { anonymous: false } } });
  const a = await addUser(s, 'alice', 'user', { storageQuota: 20_000_000 });
  alice = basic(a.username, a.password);
  c = new ImportClient(s.url, alice);
});
afterAll(async () => {
  await s?.stop();
  await vo?.close();
});

let c: ImportClient;
const preview = (type: string, parameters: Record<string, unknown>) => c.preview(type, parameters);
const runJob = (type: string, form: Record<string, string | number | (string | number)[]> | FormData) => c.run(type, form);
const result = (url: string, name: string) => c.result(url, name);
const csv = manifestRows;
const download = (path: string) => c.download(path);
const list = (path: string) => c.list(path);

function distanceDeg(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const r = Math.PI / 180;
  const a = Math.sin(((dec2 - dec1) * r) / 2) ** 2 + Math.cos(dec1 * r) * Math.cos(dec2 * r) * Math.sin(((ra2 - ra1) * r) / 2) ** 2;
  return (2 * Math.asin(Math.sqrt(a))) / r;
}

describe('SSAP preview', () => {
  it('returns the rows as JSON, found by POS and SIZE; a smaller region finds fewer', async () => {
    const wide = await preview('ssap', { service: `${vo.url}/ssap`, pos: '180.0,1.0', size: 0.6 });
    expect(wide.status).toBe(200);
    const p = wide.body.preview;
    expect(p.status).toEqual({ value: 'OK' });
    expect(p.columns).toMatchObject({ accessUrl: 'AcRef', format: 'Format', title: 'Title', publisherDid: 'PublisherDID' });
    expect(p.rows.length).toBe(p.total);
    expect(p.rows[0]).toMatchObject({ index: 0, format: 'application/x-votable+xml', publisherDid: expect.stringMatching(/^ivo:\/\/jhu\/sdss\/dr6/) });
    expect(p.rows[0].accessUrl.startsWith(`${vo.url}/ivoa-dal/JhuSsapServlet?REQUEST=getData`)).toBe(true);
    const narrow = (await preview('ssap', { service: `${vo.url}/ssap`, pos: '180.0,1.0', size: 0.3 })).body.preview;
    expect(narrow.total).toBeGreaterThan(0);
    expect(narrow.total).toBeLessThan(p.total);
    for (const r of narrow.rows) {
      const [ra, dec] = r.values.TargetPos as number[];
      expect(distanceDeg(180, 1, ra!, dec!)).toBeLessThanOrEqual(0.15);
    }
    const sent = vo.requests.get('/ssap')!.at(-1)!;
    expect(Object.fromEntries(sent)).toEqual({ REQUEST: 'queryData', POS: '180,1', SIZE: '0.3' });
  });

  it('surfaces QUERY_STATUS=OVERFLOW with the rows it got', async () => {
    const p = (await preview('ssap', { service: `${vo.url}/ssap`, maxrec: 3 })).body.preview;
    expect(p.status).toEqual({ value: 'OVERFLOW', message: 'Result truncated at MAXREC=3' });
    expect(p.note).toMatch(/only part of the matches \(3 rows\).*raise MAXREC/);
    expect(p.rows).toHaveLength(3);
  });

  it('QUERY_STATUS=ERROR and a malformed VOTable are 400s with the reason', async () => {
    const err = await preview('ssap', { service: `${vo.url}/ssap`, targetName: 'fail' });
    expect(err.status).toBe(400);
    expect(err.text).toMatch(/QUERY_STATUS=ERROR: Cannot resolve target name fail/);
    const broken = await preview('ssap', { service: `${vo.url}/ssap-broken` });
    expect(broken.status).toBe(400);
    expect(broken.text).toMatch(/not a valid VOTable/);
    const bad = await preview('ssap', { service: `${vo.url}/ssap`, pos: '1000,1' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/pos: ra 1000 is outside/);
  });

  it('FORMAT=METADATA lists the parameters the service declares', async () => {
    const p = (await preview('ssap', { service: `${vo.url}/ssap`, show: 'metadata' })).body.preview;
    expect(p.inputs.map((i: any) => i.name)).toEqual(['POS', 'SIZE', 'MAXREC', 'REDSHIFT', 'SPECCLASS']);
    expect(p.inputs.find((i: any) => i.name === 'SPECCLASS')).toMatchObject({ standard: false, options: ['GALAXY', 'QSO', 'STAR'] });
    expect(Object.fromEntries(vo.requests.get('/ssap')!.at(-1)!)).toEqual({ REQUEST: 'queryData', FORMAT: 'METADATA' });
  });
});

describe('SSAP import', () => {
  it('imports the selected rows with sidecars and a manifest; declared parameters reach the service', async () => {
    const { url, job } = await runJob('ssap', { service: `${vo.url}/ssap`, pos: '180.0,1.0', size: 0.6, rows: [0, 1, 2], target: '~/sdss', params: JSON.stringify({ SPECCLASS: 'GALAXY' }) });
    expect(job.phase).toBe('COMPLETED');
    expect(job.results.map((r) => r.id).sort()).toEqual(['manifest.csv', 'manifest.vot']);
    expect(vo.requests.get('/ssap')!.at(-1)!.get('SPECCLASS')).toBe('GALAXY');
    const rows = csv(await result(url, 'manifest.csv'));
    expect(rows.map((r) => r.state)).toEqual(['done', 'done', 'done']);
    // the SDSS result lists each object twice (two plates): the second copy is numbered
    const files = rows.map((r) => r.file).sort();
    expect(files.slice(0, 2)).toEqual(['~/sdss/SDSS J115923.80+005905.16 GALAXY (1).vot.xml', '~/sdss/SDSS J115923.80+005905.16 GALAXY.vot.xml']);
    expect(files[2]).toMatch(/^~\/sdss\/SDSS J\d{6}\.\d\d[+-]\d{6}\.\d\d \w+\.vot\.xml$/);
    const names = await list('~/sdss');
    expect(names.filter((n) => n.endsWith('.provenance.json'))).toHaveLength(3);
    const prov = JSON.parse((await download(`${rows[0]!.file}.provenance.json`)).toString());
    expect(prov).toMatchObject({
      source: expect.stringMatching(/JhuSsapServlet\?REQUEST=getData/),
      publisherDid: expect.stringMatching(/^ivo:\/\/jhu\/sdss\/dr6\/spec\/2\.5#/),
      query: expect.stringMatching(/\/ssap\?REQUEST=queryData&POS=180%2C1&SIZE=0\.6/),
      format: 'application/x-votable+xml',
      job: { type: 'ssap' },
    });
    expect(new Date(prov.retrieved).getTime()).toBeGreaterThan(Date.now() - 120_000);
    const manifestVot = await result(url, 'manifest.vot');
    if (peers.xmllint().available) expect(validateXml(manifestVot, 'VOTable.xsd')).toMatchObject({ ok: true });
    expect(manifestVot).toContain('<FIELD name="url"');
  });

  it.skipIf(!needPeer(peers.astropy(), 'astropy reads an imported SSAP spectrum'))('the imported spectrum is a VOTable astropy reads with the CALSPEC values', async () => {
    const { url } = await runJob('ssap', { service: `${vo.url}/ssap`, rows: [5], target: '~/one' });
    const file = csv(await result(url, 'manifest.csv'))[0]!.file;
    const dir = mkdtempSync(join(tmpdir(), 'ds-astropy-'));
    writeFileSync(join(dir, 's.vot'), await download(file));
    writeFileSync(join(dir, 'c.fits'), CALSPEC);
    const py = spawnSync('/usr/bin/python3', ['-c', `
import warnings
warnings.simplefilter('ignore')
from astropy.io.votable import parse_single_table
from astropy.io import fits
import numpy as np
t = parse_single_table('${dir}/s.vot').array
c = fits.open('${dir}/c.fits')[1].data
print(len(t), np.allclose(t['WAVELENGTH'], c['WAVELENGTH']), np.allclose(t['FLUX'], c['FLUX'], rtol=1e-6))
`], { encoding: 'utf8' });
    expect(py.stderr).toBe('');
    expect(py.stdout.trim()).toBe('3991 True True');
  });

  it('QUERY_STATUS=ERROR ends the job in ERROR with the service message; OVERFLOW completes with a note', async () => {
    const err = await runJob('ssap', { service: `${vo.url}/ssap`, targetName: 'fail' });
    expect(err.job.phase).toBe('ERROR');
    expect(err.job.errorSummary?.message).toMatch(/QUERY_STATUS=ERROR: Cannot resolve target name fail/);
    const over = await runJob('ssap', { service: `${vo.url}/ssap`, maxrec: 2, target: '~/over' });
    expect(over.job.phase).toBe('COMPLETED');
    expect(await result(over.url, 'manifest.vot')).toMatch(/QUERY_STATUS=OVERFLOW/);
  });
});

describe('DataLink and SODA', () => {
  it('fetch=dataset takes the access reference; fetch=preview the preview', async () => {
    const data = await runJob('ssap', { service: `${vo.url}/dachs/ssap`, target: '~/heros' });
    expect(data.job.phase).toBe('COMPLETED');
    const d = csv(await result(data.url, 'manifest.csv'));
    expect(d).toMatchObject([{ state: 'done', file: '~/heros/f0011.mt', size: String(CALSPEC.length) }]);
    expect(await download('~/heros/f0011.mt')).toEqual(CALSPEC);
    const pre = await runJob('ssap', { service: `${vo.url}/dachs/ssap`, target: '~/heros', fetch: 'preview' });
    const p = csv(await result(pre.url, 'manifest.csv'));
    expect(p).toMatchObject([{ state: 'done', size: String(PNG.length) }]);
    expect(await download(p[0]!.file)).toEqual(PNG);
  });

  it('the links preview shows #this, #preview and the SODA form from the DataLink service', async () => {
    const p = (await preview('ssap', { service: `${vo.url}/dachs/ssap`, show: 'links', rows: [0] })).body.preview;
    expect(p.services.map((x: any) => x.standardId)).toEqual(['ivo://ivoa.net/std/SODA#sync-1.0', 'ivo://ivoa.net/std/DataLink#links-1.0']);
    const l = p.links[0];
    expect(l.this).toEqual([{ url: `${vo.url}/getproduct/flashheros/data/ca90/f0011.mt`, contentType: 'image/fits', size: CALSPEC.length }]);
    expect(l.preview[0].contentType).toBe('image/png');
    expect(l.all.find((x: any) => x.semantics === '#progenitor').error).toMatch(/NotFoundFault/);
    expect(l.services[0].inputs.find((i: any) => i.name === 'BAND')).toMatchObject({ unit: 'm', min: '4.01049e-07', max: '6.79232e-07' });
  });

  it.skipIf(!needPeer(peers.astropy(), 'astropy checks a SODA cutout'))('fetch=cutout sends BAND in SODA syntax and stores the real cut spectrum', async () => {
    const { url, job } = await runJob('ssap', { service: `${vo.url}/dachs/ssap`, target: '~/cut', fetch: 'cutout', cutoutBand: '4.5e-7 5.5e-7' });
    expect(job.phase).toBe('COMPLETED');
    const row = csv(await result(url, 'manifest.csv'))[0]!;
    expect(row).toMatchObject({ state: 'done', file: '~/cut/f0011-cutout.mt' });
    expect(vo.requests.get('/flashheros/q/sdl/dlget')!.at(-1)!.get('BAND')).toBe('4.5e-7 5.5e-7');
    const prov = JSON.parse((await download(`${row.file}.provenance.json`)).toString());
    expect(prov.cutout).toEqual({ BAND: '4.5e-7 5.5e-7', ID: 'ivo://org.gavo.dc/~?flashheros/data/ca90/f0011.mt' });
    const dir = mkdtempSync(join(tmpdir(), 'ds-soda-'));
    writeFileSync(join(dir, 'cut.fits'), await download(row.file));
    writeFileSync(join(dir, 'c.fits'), CALSPEC);
    const py = spawnSync('/usr/bin/python3', ['-c', `
from astropy.io import fits
w = fits.open('${dir}/cut.fits')[1].data['WAVELENGTH']
c = fits.open('${dir}/c.fits')[1].data['WAVELENGTH']
print(len(w), ((c >= 4500) & (c <= 5500)).sum(), w.min() >= 4500, w.max() <= 5500)
`], { encoding: 'utf8' });
    const [n, expected, lo, hi] = py.stdout.trim().split(' ');
    expect(Number(n)).toBeGreaterThan(10);
    expect(n).toBe(expected);
    expect([lo, hi]).toEqual(['True', 'True']);
  });

  it('a band the service does not cover fails the row with the reason', async () => {
    const { job } = await runJob('ssap', { service: `${vo.url}/dachs/ssap`, target: '~/cut', fetch: 'cutout', cutoutBand: '1e-6 2e-6' });
    expect(job.phase).toBe('ERROR');
    expect(job.errorSummary?.message).toMatch(/outside this dataset's spectral range/);
  });
});

describe('VOTable upload', () => {
  it.skipIf(!needPeer(peers.astropy(), 'astropy writes a BINARY2 VOTable like TOPCAT'))('a BINARY2 table whose access references are DataLink documents: #this is followed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ds-vot-'));
    const file = join(dir, 't.vot');
    const links = `${vo.url}/dachs/links?ID=${encodeURIComponent('ivo://org.gavo.dc/~?flashheros/data/ca90/f0011.mt')}`;
    const py = spawnSync('/usr/bin/python3', ['-c', `
from astropy.table import Table
from astropy.io.votable import from_table
t = Table({'obs_id': ['heros-1', 'bad'], 'link': ['${links}', '${vo.url}/nothing-here'], 'fmt': ['application/x-votable+xml;content=datalink', 'image/fits']})
v = from_table(t)
f = v.get_first_table()
f.get_field_by_id('link').ucd = 'meta.ref.url'
f.get_field_by_id('fmt').ucd = 'meta.code.mime'
v.to_xml('${file}', tabledata_format='binary2')
`], { encoding: 'utf8' });
    expect(py.stderr).toBe('');
    const p = (await (async () => {
      // the preview reads a table in the user's files: upload it there first
      const form = new FormData();
      form.append('file', new Blob([readFileSync(file)]), 't.vot');
      await fetch(`${s.url}/api/files/upload?dir=${encodeURIComponent('~/tables')}`, { method: 'POST', headers: alice, body: form });
      return preview('votable', { tablePath: 'vocloud:/~/tables/t.vot' });
    })()).body.preview;
    expect(p.columns).toMatchObject({ accessUrl: 'link', format: 'fmt' });
    expect(p.total).toBe(2);
    const form = new FormData();
    form.append('table', new Blob([readFileSync(file)]), 't.vot');
    form.append('target', '~/fromtable');
    const { url, job } = await runJob('votable', form);
    expect(job.phase).toBe('COMPLETED');
    const rows = csv(await result(url, 'manifest.csv'));
    const done = rows.find((r) => r.state === 'done')!;
    expect(done.file).toBe('~/fromtable/f0011.mt');
    expect(rows.find((r) => r.url.includes('#progenitor') || r.error.includes('NotFoundFault'))).toBeUndefined();
    expect(rows.find((r) => r.url.endsWith('/nothing-here'))).toMatchObject({ state: 'failed', error: expect.stringMatching(/HTTP 404/) });
    const prov = JSON.parse((await download('~/fromtable/f0011.mt.provenance.json')).toString());
    expect(prov.datalink).toEqual({ semantics: '#this', links: links });
  });

  it('a column that does not exist is refused with the candidates named', async () => {
    const form = new FormData();
    form.append('table', new Blob([await download('~/sdss/' + (await list('~/sdss')).find((n) => n.endsWith('.vot.xml')))]), 'spec.vot');
    form.append('column', 'nope');
    const { job } = await runJob('votable', form);
    expect(job.phase).toBe('ERROR');
    expect(job.errorSummary?.message).toMatch(/no column 'nope'/);
  });
});

describe('credentials', () => {
  it('a protected service is queried with HTTP Basic; the password is never shown back', async () => {
    const denied = await preview('ssap', { service: `${vo.url}/protected/ssap` });
    expect(denied.status).toBe(400);
    expect(denied.text).toMatch(/HTTP 401/);
    const ok = await preview('ssap', { service: `${vo.url}/protected/ssap`, username: 'astro', password: 's3cret-pw' });
    expect(ok.status).toBe(200);
    expect(ok.body.preview.total).toBe(35);
    const res = await fetch(`${s.url}/uws/ssap`, { method: 'POST', headers: alice, body: formBody({ service: `${vo.url}/protected/ssap`, username: 'astro', password: 's3cret-pw' }), redirect: 'manual' });
    const xml = await (await fetch(res.headers.get('location')!, { headers: alice })).text();
    expect(xml).toContain('astro');
    expect(xml).not.toContain('s3cret-pw');
  });
});
