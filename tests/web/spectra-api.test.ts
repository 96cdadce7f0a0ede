import { readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, startServer, type TestServer } from '../support/server.js';
import { addUser, basic } from '../support/auth.js';
import { decodeSpectra } from '../../web/src/plot/wire.js';
import { spectrumFits, syntheticFlux } from './support/fits.js';

/*
 * POST /api/spectra, the plotter's data source: files and folders in, one binary Float32
 * answer out, decoded here with the web UI's own decoder. Bad files are per-item errors.
 */

let s: TestServer;
let alice: Record<string, string>;
let bob: Record<string, string>;

async function upload(h: Record<string, string>, dir: string, files: [string, string | Uint8Array][]) {
  const form = new FormData();
  for (const [name, content] of files) form.append('file', new Blob([content]), name);
  const r = await fetch(`${s.url}/api/files/upload?dir=${encodeURIComponent(dir)}`, { method: 'POST', headers: h, body: form });
  expect(r.status, await r.clone().text()).toBe(201);
}

async function spectra(h: Record<string, string>, body: unknown) {
  const r = await fetch(`${s.url}/api/spectra`, { method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, type: r.headers.get('content-type'), buffer: await r.arrayBuffer() };
}

beforeAll(async () => {
  s = await startServer({ overrides: { auth: { anonymous: false } } });
  const a = await addUser(s, 'alice');
  const b = await addUser(s, 'bob');
  alice = basic(a.username, a.password);
  bob = basic(b.username, b.password);
  const calspec = await readFile(resolve(REPO, '..', 'shared', 'data', 'real', 'calspec-grw70d5824-bintable.fits'));
  await upload(alice, '~', [
    ['night1/a.fits', spectrumFits(1)],
    ['night1/b.fits', spectrumFits(2)],
    ['night1/c.fits', spectrumFits(3)],
    ['night1/c.fits.provenance.json', '{"source":"http://example.org/c.fits"}'],
    ['night1/notes.bin', new Uint8Array([0, 1, 2, 3, 0, 0, 7])],
    ['other-grid.fits', spectrumFits(4, 300, 5000, 1)],
    ['calspec.fits', new Uint8Array(calspec)],
  ]);
  await upload(bob, '~', [['secret.fits', spectrumFits(9)]]);
});
afterAll(async () => s?.stop());

describe('POST /api/spectra', () => {
  it('expands a folder, shares one wavelength grid, and keeps the flux values exactly as float32', async () => {
    const r = await spectra(alice, { paths: ['~/night1'] });
    expect(r.status).toBe(200);
    expect(r.type).toContain('application/vnd.vocloud.spectra');
    const d = decodeSpectra(r.buffer);
    expect(d.spectra.map((x) => x.info.name)).toEqual(['a.fits', 'b.fits', 'c.fits']);
    // the sidecar is skipped; the binary file is an error of its own
    expect(d.errors).toHaveLength(1);
    expect(d.errors[0]!.path).toBe('~/night1/notes.bin');
    expect(d.errors[0]!.error).toMatch(/notes\.bin/);
    expect(d.grids).toBe(1);
    const b = d.spectra[1]!;
    expect(b.info.object).toBe('star 2');
    expect(b.info.wavelengthUnit).toBe('Angstrom');
    expect(b.wavelength[0]).toBeCloseTo(6400, 3);
    expect(b.wavelength[499]).toBeCloseTo(6400 + 499 * 0.25, 3);
    expect(Array.from(b.flux)).toEqual(Array.from(syntheticFlux(2, 500)));
    // one grid + three flux arrays, and a header: far below a JSON encoding of the numbers
    expect(r.buffer.byteLength).toBeLessThan(4 * 500 * 4 + 4096);
  });

  it('answers per-item errors for missing and foreign files without failing the request', async () => {
    const r = await spectra(alice, { paths: ['~/other-grid.fits', '~/nope.fits', 'JOBS/nonexistent/results/x.fits', '~/calspec.fits'] });
    expect(r.status).toBe(200);
    const d = decodeSpectra(r.buffer);
    expect(d.spectra.map((x) => x.info.name)).toEqual(['other-grid.fits', 'calspec.fits']);
    expect(d.grids).toBe(2);
    expect(d.errors.map((e) => e.path)).toEqual(['~/nope.fits', 'JOBS/nonexistent/results/x.fits']);
    expect(d.errors[0]!.error).toMatch(/does not exist/);
    // a real HST table spectrum keeps its length and a positive flux
    const cal = d.spectra[1]!;
    expect(cal.info.length).toBe(3991);
    expect(cal.info.sourceFormat).toBe('fits-table');
    // bob cannot read alice's files: his ~ is his own home
    const other = decodeSpectra((await spectra(bob, { paths: ['~/night1/a.fits', '~/secret.fits'] })).buffer);
    expect(other.spectra.map((x) => x.info.name)).toEqual(['secret.fits']);
    expect(other.errors[0]!.error).toMatch(/does not exist/);
  });

  it('decimates long spectra to about maxPoints, keeping each bucket’s extremes', async () => {
    const full = decodeSpectra((await spectra(alice, { paths: ['~/night1/a.fits'] })).buffer).spectra[0]!;
    const r = decodeSpectra((await spectra(alice, { paths: ['~/night1/a.fits'], maxPoints: 100 })).buffer).spectra[0]!;
    expect(r.info.length).toBeLessThanOrEqual(100);
    expect(r.info.originalLength).toBe(500);
    expect(Math.min(...r.flux)).toBe(Math.min(...full.flux));
    expect(Math.max(...r.flux)).toBe(Math.max(...full.flux));
    for (let i = 1; i < r.wavelength.length; i++) expect(r.wavelength[i]!).toBeGreaterThan(r.wavelength[i - 1]!);
  });

  it('reads a large request in worker threads with the same result, and no symbolic link leads out of storage', async () => {
    // 40 files of 2000 points are far above the size parsed on the event loop
    await upload(
      alice,
      '~/big',
      Array.from({ length: 40 }, (_, i) => [`s${String(i).padStart(2, '0')}.fits`, spectrumFits(i, 2000)] as [string, Uint8Array]),
    );
    const outside = resolve(REPO, '..', 'shared', 'data', 'real', 'calspec-grw70d5824-bintable.fits');
    await symlink(outside, join(s.dataDir, 'storage', 'home', 'alice', 'big', 'zz-link.fits'));
    const d = decodeSpectra((await spectra(alice, { paths: ['~/big'] })).buffer);
    expect(d.spectra).toHaveLength(40);
    expect(d.grids).toBe(1);
    expect(Array.from(d.spectra[17]!.flux)).toEqual(Array.from(syntheticFlux(17, 2000)));
    expect(d.errors).toEqual([{ path: '~/big/zz-link.fits', error: expect.stringMatching(/outside the storage area/) }]);
    // alone (read on the event loop through the backend) it is refused as well
    const one = decodeSpectra((await spectra(alice, { paths: ['~/big/zz-link.fits'] })).buffer);
    expect(one.spectra).toHaveLength(0);
    expect(one.errors[0]!.error).toMatch(/outside the storage area/);
  });

  it('refuses malformed requests and anonymous callers with clear errors', async () => {
    const empty = await spectra(alice, { paths: [] });
    expect(empty.status).toBe(400);
    const text = new TextDecoder().decode(empty.buffer);
    expect(text).toMatch(/paths/);
    expect((await spectra({}, { paths: ['~/a.fits'] })).status).toBe(401);
  });
});
