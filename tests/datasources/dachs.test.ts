import { spawnSync } from 'node:child_process';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readVoTable, spectrumFromVoTable, writeFits } from '@vocloud/sdk/formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';
import { addUser, basic } from '../support/auth.js';
import { needPeer, peers } from '../support/peers.js';
import { syntheticFlux } from '../web/support/fits.js';
import { validateXml } from '../support/uws.js';
import { ImportClient } from './support/client.js';
import { dachsPeer, startDachs, type DachsPeer } from './support/dachs-peer.js';

/*
 * The SSAP, DataLink and SODA imports against a real GAVO DaCHS 2.7 on loopback (the stretch
 * goal of the data-source issue): DaCHS publishes six FITS spectra of the test's own through
 * the RD in support/dachs/q.rd; vocloud queries, previews and imports them through its UWS
 * job list /uws/ssap, as a user would. What the fake VO server of ssap.test.ts replays, DaCHS
 * computes here: the cone search, the parameter checks, the DataLink documents and the cutouts.
 */

const POINTS = 400;
const START = 6400; // Å, plus i for spectrum i
const STEP = 0.5;
const at = (i: number) => ({ ra: 120 + i * 0.01, dec: 30 - i * 0.01 });
function spectrum(i: number): Uint8Array {
  return writeFits([
    {
      kind: 'image',
      data: syntheticFlux(i, POINTS),
      header: {
        CRVAL1: START + i, CDELT1: STEP, CRPIX1: 1, CTYPE1: 'WAVE', CUNIT1: 'Angstrom', BUNIT: 'erg/s/cm2/A',
        OBJECT: `HD ${1000 + i}`, RA: at(i).ra, DEC: at(i).dec, 'DATE-OBS': `2015-03-0${i + 1}T21:00:00`, EXPTIME: 600 + i,
      },
    },
  ]);
}
const SPECTRA = new Map(Array.from({ length: 6 }, (_, i) => [`spec${i}.fits`, spectrum(i)] as const));
const PLUGIN = { package: '@vocloud/plugin-datasources', options: { allowPrivateNetworks: true, retries: 1, retryDelay: 0.05 } };

function distanceDeg(a: { ra: number; dec: number }, b: { ra: number; dec: number }): number {
  const r = Math.PI / 180;
  const h = Math.sin(((b.dec - a.dec) * r) / 2) ** 2 + Math.cos(a.dec * r) * Math.cos(b.dec * r) * Math.sin(((b.ra - a.ra) * r) / 2) ** 2;
  return (2 * Math.asin(Math.sqrt(h))) / r;
}

let dachs: DachsPeer;
let s: TestServer;
let c: ImportClient;

describe.skipIf(!needPeer(dachsPeer(), 'SSAP, DataLink and SODA imports from a real GAVO DaCHS'))('GAVO DaCHS as the SSAP, DataLink and SODA service', () => {
  beforeAll(async () => {
    dachs = await startDachs(SPECTRA);
    s = await startServer({ plugins: [PLUGIN], overrides: { auth: { anonymous: false } } });
    const a = await addUser(s, 'alice', 'user', { storageQuota: 20_000_000 });
    c = new ImportClient(s.url, basic(a.username, a.password));
  }, 180_000);
  afterAll(async () => {
    await s?.stop();
    await dachs?.stop();
  });

  it('the preview finds what DaCHS holds around POS, with access reference, format, size, title and publisher DID', async () => {
    const centre = at(2);
    const p = (await c.preview('ssap', { service: dachs.ssap, pos: `${centre.ra},${centre.dec}`, size: 0.02 })).body.preview;
    expect(p.status).toEqual({ value: 'OK' });
    expect(p.columns).toMatchObject({ accessUrl: 'accref', format: 'mime', title: 'ssa_dstitle', publisherDid: 'ssa_pubDID', size: 'accsize' });
    // DaCHS 2.7 matches positions within SIZE of POS (it takes SIZE as the cone's radius)
    const expected = [...SPECTRA.keys()].filter((_, i) => distanceDeg(centre, at(i)) <= 0.02);
    expect(expected).toEqual(['spec1.fits', 'spec2.fits', 'spec3.fits']);
    const byName = new Map<string, any>(p.rows.map((r: any) => [r.accessUrl.split('/').pop(), r]));
    expect([...byName.keys()].sort()).toEqual(expected);
    expect(byName.get('spec2.fits')).toMatchObject({
      accessUrl: `${dachs.url}/getproduct/vcspec/data/spec2.fits`,
      format: 'image/fits',
      size: SPECTRA.get('spec2.fits')!.length,
      title: 'HD 1002 2015-03-03T21:00:00',
      publisherDid: `ivo://${dachs.authority}/~?vcspec/data/spec2.fits`,
    });
    const narrow = (await c.preview('ssap', { service: dachs.ssap, pos: `${centre.ra},${centre.dec}`, size: 0.005 })).body.preview;
    expect(narrow.rows.map((r: any) => r.publisherDid)).toEqual([`ivo://${dachs.authority}/~?vcspec/data/spec2.fits`]);
  });

  it('FORMAT=METADATA lists the standard parameters and DaCHS\'s own, with their options', async () => {
    const inputs = (await c.preview('ssap', { service: dachs.ssap, show: 'metadata' })).body.preview.inputs as any[];
    const named = new Map(inputs.map((i) => [i.name, i]));
    for (const n of ['POS', 'SIZE', 'BAND', 'TIME', 'FORMAT', 'TARGETNAME', 'COLLECTION']) expect(named.get(n), n).toMatchObject({ standard: true });
    expect(named.get('POS')).toMatchObject({ unit: 'deg' });
    expect(named.get('BAND')).toMatchObject({ unit: 'm' });
    expect(named.get('SNR')).toMatchObject({ standard: false });
    expect(named.get('FLUXCALIB').options).toEqual(['ABSOLUTE', 'CALIBRATED', 'RELATIVE', 'NORMALIZED', 'UNCALIBRATED', 'ANY']);
  });

  it('an import brings every spectrum byte for byte, each with a sidecar naming DaCHS\'s publisher DID', async () => {
    const { url, job, rows } = await c.run('ssap', { service: dachs.ssap, target: '~/dachs' });
    expect(job.phase).toBe('COMPLETED');
    expect(rows.map((r) => r.state)).toEqual(Array(6).fill('done'));
    expect(rows.map((r) => r.file).sort()).toEqual([...SPECTRA.keys()].map((n) => `~/dachs/${n}`));
    for (const [name, bytes] of SPECTRA) expect(Buffer.compare(await c.download(`~/dachs/${name}`), Buffer.from(bytes)), name).toBe(0);
    const prov = JSON.parse((await c.download('~/dachs/spec4.fits.provenance.json')).toString());
    expect(prov).toMatchObject({
      source: `${dachs.url}/getproduct/vcspec/data/spec4.fits`,
      publisherDid: `ivo://${dachs.authority}/~?vcspec/data/spec4.fits`,
      query: `${dachs.ssap}?REQUEST=queryData`,
      format: 'image/fits',
      job: { type: 'ssap' },
    });
    if (peers.xmllint().available) expect(validateXml(await c.result(url, 'manifest.vot'), 'VOTable.xsd')).toMatchObject({ ok: true });
  });

  it('TARGETNAME is answered by DaCHS: only that star is imported', async () => {
    const { job, rows } = await c.run('ssap', { service: dachs.ssap, targetName: 'HD 1004', target: '~/one' });
    expect(job.phase).toBe('COMPLETED');
    expect(rows).toMatchObject([{ state: 'done', file: '~/one/spec4.fits' }]);
  });

  it('a value DaCHS refuses ends in its QUERY_STATUS=ERROR message: a 400 for the preview, ERROR for the job', async () => {
    const bad = await c.preview('ssap', { service: dachs.ssap, params: { SNR: 'abc' } });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/QUERY_STATUS=ERROR.*'abc' is not a valid value for range within SNR/);
    const { job } = await c.run('ssap', { service: dachs.ssap, params: JSON.stringify({ SNR: 'abc' }), target: '~/bad' });
    expect(job.phase).toBe('ERROR');
    expect(job.errorSummary?.message).toMatch(/QUERY_STATUS=ERROR.*not a valid value for range within SNR/);
  });

  it('a spectrum gone from DaCHS fails its own row with the 404; the others are imported', async () => {
    renameSync(join(dachs.dataDir, 'spec5.fits'), join(dachs.dataDir, 'spec5.fits.away'));
    try {
      const { job, rows } = await c.run('ssap', { service: dachs.ssap, target: '~/gone' });
      expect(job.phase).toBe('COMPLETED');
      const byFile = new Map(rows.map((r) => [r.url.split('/').pop(), r]));
      expect(byFile.get('spec5.fits')).toMatchObject({ state: 'failed', error: expect.stringMatching(/404/) });
      expect(rows.filter((r) => r.state === 'done')).toHaveLength(5);
      expect((await c.list('~/gone')).filter((n) => !n.endsWith('.provenance.json')).sort()).toEqual(['spec0.fits', 'spec1.fits', 'spec2.fits', 'spec3.fits', 'spec4.fits']);
    } finally {
      renameSync(join(dachs.dataDir, 'spec5.fits.away'), join(dachs.dataDir, 'spec5.fits'));
    }
  });

  it('the links preview reads DaCHS\'s DataLink document: #this, #preview and its SODA service with the dataset\'s BAND bounds', async () => {
    const p = (await c.preview('ssap', { service: dachs.ssap, show: 'links', targetName: 'HD 1000' })).body.preview;
    const l = p.links[0];
    const links = new URL(l.links);
    expect(`${links.origin}${links.pathname}`).toBe(`${dachs.url}/vcspec/q/sdl/dlmeta`);
    expect(links.searchParams.get('ID')).toBe(`ivo://${dachs.authority}/~?vcspec/data/spec0.fits`);
    expect(l.this).toEqual([{ url: `${dachs.url}/getproduct/vcspec/data/spec0.fits`, contentType: 'image/fits', size: SPECTRA.get('spec0.fits')!.length }]);
    expect(l.preview.map((x: any) => x.url)).toEqual([`${dachs.url}/getproduct/vcspec/data/spec0.fits?preview=True`]);
    const soda = l.services.find((x: any) => x.standardId === 'ivo://ivoa.net/std/SODA#sync-1.0');
    expect(soda.accessUrl).toBe(`${dachs.url}/vcspec/q/sdl/dlget`);
    expect(soda.inputs.find((i: any) => i.name === 'ID').value).toBe(`ivo://${dachs.authority}/~?vcspec/data/spec0.fits`);
    // 6400 Å to 6400 + 399 × 0.5 Å, in metres
    const band = soda.inputs.find((i: any) => i.name === 'BAND');
    expect(band).toMatchObject({ unit: 'm', xtype: 'interval' });
    expect(Number(band.min)).toBeCloseTo(START * 1e-10, 15);
    expect(Number(band.max)).toBeCloseTo((START + (POINTS - 1) * STEP) * 1e-10, 15);
  });

  it('fetch=preview: DaCHS cannot draw a preview of a 1D spectrum (HTTP 500, retried); the job says so, nothing is stored', async () => {
    const { job, rows } = await c.run('ssap', { service: dachs.ssap, targetName: 'HD 1003', fetch: 'preview', target: '~/previews' });
    expect(job.phase).toBe('ERROR');
    expect(job.errorSummary?.message).toMatch(
      /none of the 1 file\(s\) could be imported.*HTTP 500 .*spec3\.fits\?preview=True: Not an image \(preview generation failed.*\(after 2 attempts\)\. See the manifest/,
    );
    expect(rows).toMatchObject([{ url: `${dachs.url}/getproduct/vcspec/data/spec3.fits?preview=True`, state: 'failed', file: '' }]);
    expect(await c.list('~/previews')).toEqual([]);
  });

  it.skipIf(!needPeer(peers.astropy(), 'astropy reads a DaCHS SODA cutout'))('fetch=cutout: DaCHS cuts the spectrum to BAND; astropy finds exactly the original points inside it', async () => {
    const { job, rows } = await c.run('ssap', { service: dachs.ssap, targetName: 'HD 1000', fetch: 'cutout', cutoutBand: '6.45e-7 6.5e-7', target: '~/cut' });
    expect(job.phase).toBe('COMPLETED');
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.state).toBe('done');
    const prov = JSON.parse((await c.download(`${row.file}.provenance.json`)).toString());
    expect(prov.cutout).toEqual({ BAND: '6.45e-7 6.5e-7', ID: `ivo://${dachs.authority}/~?vcspec/data/spec0.fits` });
    const dir = mkdtempSync(join(tmpdir(), 'ds-dachs-cut-'));
    writeFileSync(join(dir, 'cut.vot'), await c.download(row.file));
    writeFileSync(join(dir, 'full.fits'), SPECTRA.get('spec0.fits')!);
    const py = spawnSync('/usr/bin/python3', ['-c', `
import warnings
warnings.simplefilter('ignore')
import numpy as np
from astropy.io import fits
from astropy.io.votable import parse_single_table
t = parse_single_table('${dir}/cut.vot').array
h = fits.open('${dir}/full.fits')[0]
angstrom = h.header['CRVAL1'] + np.arange(h.header['NAXIS1']) * h.header['CDELT1']
inside = (angstrom >= 6450) & (angstrom <= 6500)
# the SDM spectrum keeps the file's unit, Angstrom (the RD's ssa_spectralunit)
print(len(t), inside.sum(), np.allclose(t['spectral'], angstrom[inside]), np.allclose(t['flux'], h.data[inside], rtol=1e-6))
`], { encoding: 'utf8' });
    expect(py.stderr).toBe('');
    expect(py.stdout.trim()).toBe('101 101 True True');
  });

  it('datasets DaCHS makes on request (its SSAP+DataLink template): each is its SDM VOTable, named for that format, from where getproduct redirected', async () => {
    const p = (await c.preview('ssap', { service: dachs.ssapDatalink, targetName: 'HD 1003' })).body.preview;
    // the row names a .fits URL and declares a VOTable, with DaCHS's size estimate
    expect(p.rows).toMatchObject([{ accessUrl: `${dachs.url}/getproduct/vcspecdl/data/spec3.fits`, format: 'application/x-votable+xml', size: 20000 }]);
    const { job, rows } = await c.run('ssap', { service: dachs.ssapDatalink, target: '~/made' });
    expect(job.phase).toBe('COMPLETED');
    expect(rows.map((r) => r.state)).toEqual(Array(6).fill('done'));
    expect(rows.map((r) => r.file).sort()).toEqual([...SPECTRA.keys()].map((n) => `~/made/${n.replace(/\.fits$/, '.vot.xml')}`));
    const did = `ivo://${dachs.authority}/~?vcspecdl/data/spec3.fits`;
    const prov = JSON.parse((await c.download('~/made/spec3.vot.xml.provenance.json')).toString());
    expect(prov).toMatchObject({ source: `${dachs.url}/getproduct/vcspecdl/data/spec3.fits`, publisherDid: did, format: 'application/x-votable+xml' });
    expect(prov.contentType).toMatch(/^application\/x-votable\+xml/);
    const from = new URL(prov.retrievedFrom);
    expect([`${from.origin}${from.pathname}`, from.searchParams.get('ID')]).toEqual([`${dachs.url}/vcspecdl/dl/sdl/dlget`, did]);
    const bytes = await c.download('~/made/spec3.vot.xml');
    expect(bytes.length).toBe(Number(rows.find((r) => r.file === '~/made/spec3.vot.xml')!.size));
    const spectrum = spectrumFromVoTable(readVoTable(bytes));
    expect(spectrum.wavelengthUnit).toBe('Angstrom');
    expect(spectrum.wavelength.length).toBe(POINTS);
    expect(spectrum.wavelength[0]).toBeCloseTo(START + 3, 6);
    expect(spectrum.wavelength[POINTS - 1]).toBeCloseTo(START + 3 + (POINTS - 1) * STEP, 6);
    const flux = syntheticFlux(3, POINTS);
    expect(Array.from(spectrum.flux, (f, k) => Math.abs(f - flux[k]!) <= 1e-6 * Math.abs(flux[k]!)).every(Boolean)).toBe(true);
  });

  it('a band outside the dataset\'s range is refused before DaCHS is asked', async () => {
    const { job } = await c.run('ssap', { service: dachs.ssap, targetName: 'HD 1000', fetch: 'cutout', cutoutBand: '1e-6 2e-6', target: '~/cut' });
    expect(job.phase).toBe('ERROR');
    expect(job.errorSummary?.message).toMatch(/outside this dataset's spectral range/);
  });
});
