// End to end through a real vocloud server: spectra uploaded into the user's storage with
// PUT /api/files/content, a som job created over UWS naming them as vocloud:/~/… paths, the
// job's results read back over HTTP. Also what core checks at creation for these parameters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFits } from '@vocloud/sdk/formats';
import { startServer, type TestServer } from '../../../tests/support/server.js';
import { addUser, adminHeaders, basic } from '../../../tests/support/auth.js';
import { formBody, jobFromXml, type Form } from '../../../tests/support/uws.js';

let s: TestServer;
let alice: Record<string, string>;

/** A 1-D FITS spectrum on 6500 + 0.5 i Å: a dip (shape 0) or a peak (shape 1). */
function spectrum(shape: number, seed: number): Uint8Array {
  const flux = new Float32Array(64);
  for (let i = 0; i < flux.length; i++) {
    const g = Math.exp(-0.5 * ((i - 32) / 4) ** 2);
    flux[i] = (shape === 0 ? 1 - 0.5 * g : 1 + g) + 0.003 * Math.sin(seed * 2.3 + i);
  }
  return writeFits([{ kind: 'image', data: flux, header: { CRVAL1: 6500, CDELT1: 0.5, CRPIX1: 1, CTYPE1: 'WAVE', CUNIT1: 'Angstrom' } }]);
}

async function put(headers: Record<string, string>, path: string, body: Uint8Array | string): Promise<void> {
  const r = await fetch(`${s.url}/api/files/content?path=${encodeURIComponent(path)}`, { method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  if (r.status !== 201) throw new Error(`PUT ${path}: HTTP ${r.status} ${await r.text()}`);
}

/** POST to /uws/som; returns the HTTP status and, for a created job, its URL. */
async function create(form: Form): Promise<{ status: number; url: string | null; text: string }> {
  const r = await fetch(`${s.url}/uws/som`, { method: 'POST', headers: alice, body: formBody(form), redirect: 'manual' });
  return { status: r.status, url: r.headers.get('location'), text: await r.text() };
}

async function finished(url: string) {
  for (let i = 0; i < 30; i++) {
    const job = jobFromXml(await (await fetch(`${url}?WAIT=10`, { headers: alice })).text());
    if (!['PENDING', 'QUEUED', 'EXECUTING'].includes(job.phase)) return job;
  }
  throw new Error(`job ${url} did not finish`);
}

beforeAll(async () => {
  s = await startServer({ plugins: [{ package: '@vocloud/plugin-som' }], overrides: { auth: { anonymous: false } } });
  const a = await addUser(s, 'alice');
  alice = basic(a.username, a.password);
  for (let i = 0; i < 8; i++) await put(alice, `~/obs/night${i % 2}/s${i}.fits`, spectrum(i % 2, i));
  await put(alice, '~/obs/log.txt', 'not a spectrum');
  await put(alice, '~/labels.csv', Array.from({ length: 8 }, (_, i) => `s${i},${i % 2 ? 'emission' : 'absorption'}`).join('\n'));
  // shared data, written by the admin, read by alice
  await put(adminHeaders(), 'DATA/reference/peak.fits', spectrum(1, 42));
}, 120_000);
afterAll(async () => s?.stop());

describe('som on storage inputs through a real server', () => {
  it('runs on a folder of ~ and a file of DATA, with labels from ~, and names every spectrum by its path', async () => {
    const job = await create({
      dataPaths: ['vocloud:/~/obs', 'vocloud:/DATA/reference/peak.fits'], include: '*.fits', labelsPath: 'vocloud:/~/labels.csv',
      rows: 2, cols: 1, epochs: 4, PHASE: 'RUN',
    });
    expect(job.status, job.text).toBe(303);
    const done = await finished(job.url!);
    expect(done.phase, done.errorSummary?.message).toBe('COMPLETED');
    expect(done.parameters.filter((p) => p.id === 'dataPaths').map((p) => p.value)).toEqual(['vocloud:/~/obs', 'vocloud:/DATA/reference/peak.fits']);
    const csvHref = done.results.find((r) => r.id === 'bmu.csv')!.href;
    const rows = (await (await fetch(csvHref, { headers: alice })).text()).trim().split('\n').slice(1).map((l) => l.split(','));
    // sorted by name ('~' sorts before letters)
    expect(rows.map((r) => r[1])).toEqual([
      ...[0, 2, 4, 6].map((i) => `~/obs/night0/s${i}.fits`),
      ...[1, 3, 5, 7].map((i) => `~/obs/night1/s${i}.fits`),
      'DATA/reference/peak.fits',
    ]);
    expect(rows.slice(0, 8).map((r) => r[2])).toEqual(['absorption', 'absorption', 'absorption', 'absorption', 'emission', 'emission', 'emission', 'emission']);
    // dips on one neuron, peaks (with the DATA one) on the other
    expect(new Set(rows.slice(0, 4).map((r) => r[3])).size).toBe(1);
    expect(new Set(rows.slice(4).map((r) => r[3])).size).toBe(1);
    expect(rows[0]![3]).not.toBe(rows[8]![3]);
  });

  it('a JSON array of paths works as well as repeated parameters', async () => {
    const job = await create({ dataPaths: JSON.stringify(['~/obs/night0', '~/obs/night1/s1.fits']), rows: 1, cols: 2, epochs: 2, PHASE: 'RUN' });
    expect(job.status, job.text).toBe(303);
    const done = await finished(job.url!);
    expect(done.phase, done.errorSummary?.message).toBe('COMPLETED');
    const csv = await (await fetch(done.results.find((r) => r.id === 'bmu.csv')!.href, { headers: alice })).text();
    expect(csv.trim().split('\n')).toHaveLength(1 + 5);
  });

  it('refuses at creation a path that does not exist, a folder for labels, and a path outside the areas', async () => {
    const missing = await create({ dataPaths: 'vocloud:/~/nope' });
    expect(missing.status).toBe(400);
    expect(missing.text).toMatch(/parameter 'dataPaths': vocloud:\/~\/nope does not exist/);
    const folder = await create({ dataPaths: 'vocloud:/~/obs', labelsPath: 'vocloud:/~/obs' });
    expect(folder.status).toBe(400);
    expect(folder.text).toMatch(/parameter 'labelsPath': ~\/obs is a folder; a file is needed/);
    const outside = await create({ dataPaths: '/etc/passwd' });
    expect(outside.status).toBe(400);
    expect(outside.text).toMatch(/dataPaths/);
  });

  it('ends in ERROR naming a file that cannot be read (a link out of the storage area)', async () => {
    await put(alice, '~/linked/s0.fits', spectrum(0, 0));
    await symlink('/etc/passwd', join(s.dataDir, 'storage', 'home', 'alice', 'linked', 's1.fits'));
    const job = await create({ dataPaths: 'vocloud:/~/linked', PHASE: 'RUN' });
    expect(job.status, job.text).toBe(303);
    const done = await finished(job.url!);
    expect(done.phase).toBe('ERROR');
    // core refuses the link while listing the folder; its message names the file
    expect(done.errorSummary?.message).toMatch(/^cannot read ~\/linked: .*linked\/s1\.fits.*leads outside the storage area/);
  });

  it("ends in ERROR naming the folder when its files are not there when the job runs", async () => {
    await fetch(`${s.url}/api/files/mkdir`, { method: 'POST', headers: { ...alice, 'content-type': 'application/json' }, body: JSON.stringify({ path: '~/empty' }) });
    const job = await create({ dataPaths: 'vocloud:/~/empty', PHASE: 'RUN' });
    expect(job.status, job.text).toBe(303);
    const done = await finished(job.url!);
    expect(done.phase).toBe('ERROR');
    expect(done.errorSummary?.message).toBe('~/empty is an empty folder');
  });
});
