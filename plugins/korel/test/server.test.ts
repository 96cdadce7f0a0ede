// End to end through a real vocloud server, as the quick start runs it (anonymous use on):
// FITS spectra uploaded into storage with PUT /api/files/content, korel-prepare on that folder,
// then korel on the korel.dat it wrote (JOBS/{id}/results/korel.dat) and a korel.par in ~.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../../tests/support/server.js';
import { createJob, post, waitFinal } from '../../../tests/support/uws.js';
import { fitsSpectrum, fittedK, PREPARED_PAR } from './support/fits-spectra.js';
import { times } from './support/synthetic.js';

let s: TestServer;
const ts = times(16, 20, 21);

async function put(path: string, body: Uint8Array | string): Promise<void> {
  const r = await fetch(`${s.url}/api/files/content?path=${encodeURIComponent(path)}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  if (r.status !== 201) throw new Error(`PUT ${path}: HTTP ${r.status} ${await r.text()}`);
}
const resultText = async (job: Awaited<ReturnType<typeof waitFinal>>, id: string) => (await fetch(job.results.find((r) => r.id === id)!.href)).text();

beforeAll(async () => {
  // the config's options reach the plugin: korel-prepare gets a shorter default duration
  s = await startServer({ plugins: [{ package: '@vocloud/plugin-korel', options: { limits: { 'korel-prepare': { defaultExecutionDuration: 300, maxExecutionDuration: 600 } } } }] });
  for (const [i, t] of ts.entries()) await put(`~/hd/night${i % 2}/s${String(i).padStart(2, '0')}.fits`, fitsSpectrum(t, i));
  await put('~/hd/observing-log.txt', 'clear sky');
  await put('~/binary/korel.par', PREPARED_PAR);
}, 120_000);
afterAll(async () => s?.stop());

describe('korel-prepare and korel on storage inputs through a real server', () => {
  it("prepares korel.dat from a storage folder, then fits the orbit from that job's result and a korel.par in ~", async () => {
    const prepUrl = await createJob(s.url, 'korel-prepare', {
      spectraPath: 'vocloud:/~/hd', include: '*.fits', lambdaMin: 6450, lambdaMax: 6550, bins: 1024, timeOffset: 2450000, PHASE: 'RUN',
    });
    const prep = await waitFinal(prepUrl);
    expect(prep.phase, prep.errorSummary?.message).toBe('COMPLETED');
    expect(prep.executionDuration).toBe(300);
    expect(await resultText(prep, 'prepare.txt')).toMatch(/16 spectra on 1024 bins[\s\S]*~\/hd\/night0\/s00\.fits/);

    const fitUrl = await createJob(s.url, 'korel', { datPath: `vocloud:/JOBS/${prep.jobId}/results/korel.dat`, parPath: 'vocloud:/~/binary/korel.par', plots: 'false', PHASE: 'RUN' });
    const fit = await waitFinal(fitUrl);
    expect(fit.phase, fit.errorSummary?.message).toBe('COMPLETED');
    const res = await resultText(fit, 'korel.res');
    expect(res).toContain(`input: JOBS/${prep.jobId}/results/korel.dat (16 spectra), ~/binary/korel.par (1 run(s))`);
    const { K1, K2 } = fittedK(res);
    expect(Math.abs(K1 - 80)).toBeLessThan(0.5);
    expect(Math.abs(K2 - 120)).toBeLessThan(0.5);
  }, 60_000);

  it('refuses at creation a folder where korel.dat must be a file, and a path that does not exist', async () => {
    const folder = await post(`${s.url}/uws/korel`, { datPath: 'vocloud:/~/hd', parPath: 'vocloud:/~/binary/korel.par' });
    expect(folder.status).toBe(400);
    expect(await folder.text()).toMatch(/parameter 'datPath': ~\/hd is a folder; a file is needed/);
    const missing = await post(`${s.url}/uws/korel-prepare`, { spectraPath: 'vocloud:/~/nothing', lambdaMin: 6450, lambdaMax: 6550 });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toMatch(/parameter 'spectraPath': vocloud:\/~\/nothing does not exist/);
  });

  it('ends in ERROR with the message when the folder holds nothing the pattern takes', async () => {
    const url = await createJob(s.url, 'korel-prepare', { spectraPath: 'vocloud:/~/hd', include: '*.fit', lambdaMin: 6450, lambdaMax: 6550, PHASE: 'RUN' });
    const job = await waitFinal(url);
    expect(job.phase).toBe('ERROR');
    expect(job.errorSummary?.message).toMatch(/^none of the 17 files in ~\/hd matches the include pattern/);
  });
});
