// SAMP in a real browser against astropy's Web Profile hub: vocloud registers (the hub's consent
// dialog accepts), sends a spectrum and a table from the file manager as signed URLs that a
// desktop tool can fetch without a session, and receives a table into storage and a spectrum
// into the plotter.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { REPO, startServer, type TestServer } from '../support/server.js';
import { addUser, basic } from '../support/auth.js';
import { needPeer, peers } from '../support/peers.js';
import { launch, screenshotFailures, suitePage, type WatchedPage } from './support/browser.js';
import { spectrumFits } from './support/fits.js';
import { SampPeer } from './support/samp-peer.js';

const VOTABLE = resolve(REPO, '..', 'shared', 'data', 'real', 'ssap-sdss-dr6-result.vot.xml');

/** The Web Profile port is fixed by the standard: another hub on it would make the test meaningless. */
function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer();
    s.once('error', () => done(false));
    s.listen(port, '127.0.0.1', () => s.close(() => done(true)));
  });
}

describe.skipIf(!needPeer(peers.chromium(), 'SAMP in Chromium') || !needPeer(peers.astropy(), 'SAMP with astropy’s hub'))('SAMP with a Web Profile hub', () => {
  let s: TestServer;
  let browser: Browser;
  let w: WatchedPage;
  let samp: SampPeer;
  let dir: string;
  let alice: Record<string, string>;
  const fits = spectrumFits(5, 400);

  beforeAll(async () => {
    if (!(await portFree(21012))) throw new Error('port 21012 (SAMP Web Profile) is taken: stop the SAMP hub running on this machine and run the test again');
    dir = mkdtempSync(join(tmpdir(), 'vocloud-samp-'));
    writeFileSync(join(dir, 'received-spectrum.fits'), fits);
    writeFileSync(join(dir, 'sdss.vot'), readFileSync(VOTABLE));
    samp = await SampPeer.start();
    s = await startServer();
    const a = await addUser(s, 'alice');
    alice = basic(a.username, a.password);
    const form = new FormData();
    form.append('file', new Blob([fits]), 'spectrum.fits');
    form.append('file', new Blob([readFileSync(VOTABLE)]), 'table.vot');
    const up = await fetch(`${s.url}/api/files/upload?dir=${encodeURIComponent('~/out')}`, { method: 'POST', headers: alice, body: form });
    expect(up.status, await up.clone().text()).toBe(201);
    browser = await launch();
    w = await suitePage(browser, { base: s.url, user: a });
  });
  screenshotFailures('samp', () => [w]);
  afterAll(async () => {
    await browser?.close();
    await samp?.stop();
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the hub, registers through its consent dialog and lists the other tools', async () => {
    const page = w.page;
    await page.getByRole('link', { name: 'SAMP' }).click();
    // no probe until asked (a missing hub would be a console error on every visit)
    await page.locator('[data-samp-state=unknown]').waitFor();
    await page.getByRole('button', { name: 'Look for a hub' }).click();
    await page.locator('[data-samp-state=hub-found]').waitFor();
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.locator('[data-samp-state=connected]').waitFor();
    const consent = await samp.next((e) => e.event === 'consent');
    expect(consent.name).toBe('vocloud');
    expect(consent.origin).toBe(s.url);
    await page.getByText('topcat-standin').waitFor();
    expect(await page.locator('.peers li', { hasText: 'topcat-standin' }).textContent()).toContain('spectrum.load.ssa-generic');
    samp.send({ cmd: 'clients' });
    const clients = await samp.next((e) => e.event === 'clients');
    expect((clients.clients as { name: string }[]).map((c) => c.name)).toContain('vocloud');
    await w.shot('samp-connected');
  });

  it('sends a spectrum and a table from the file manager as signed URLs the tool can fetch', async () => {
    const page = w.page;
    await page.goto(`${s.url}/files?path=${encodeURIComponent('~/out')}`);
    await page.getByLabel('Select spectrum.fits').check();
    await page.getByRole('button', { name: 'Send via SAMP' }).click();
    const got = await samp.next((e) => e.event === 'received');
    expect(got.mtype).toBe('spectrum.load.ssa-generic');
    const params = got.params as { url: string; name: string; meta: Record<string, string> };
    expect(params.name).toBe('spectrum.fits');
    expect(params.meta['Access.Format']).toBe('application/fits');
    expect(params.url).toContain('/api/files/signed/');
    const fetched = await samp.next((e) => e.event === 'fetched');
    expect(fetched.size).toBe(fits.length);
    expect(fetched.head).toBe('SIMPLE  = ');
    await page.getByText(/Sent 1 file\(s\) to topcat-standin/).waitFor();
    await page.getByLabel('Select spectrum.fits').uncheck();
    await page.getByLabel('Select table.vot').check();
    await page.getByRole('button', { name: 'Send via SAMP' }).click();
    const table = await samp.next((e) => e.event === 'received');
    expect(table.mtype).toBe('table.load.votable');
    expect((await samp.next((e) => e.event === 'fetched')).size).toBe(readFileSync(VOTABLE).length);
  });

  it('receives a table into ~/samp and a spectrum into the plotter', async () => {
    const page = w.page;
    samp.send({ cmd: 'serve', dir });
    const base = String((await samp.next((e) => e.event === 'serving')).url);
    await page.getByRole('link', { name: 'SAMP' }).click();
    await page.getByLabel('save it in ~/samp').check();
    samp.send({ cmd: 'send', to: 'vocloud', mtype: 'table.load.votable', params: { url: `${base}sdss.vot`, 'table-id': 't1', name: 'sdss.vot' } });
    await page.locator('li[data-received="sdss.vot"][data-state=saved]').waitFor();
    const saved = await fetch(`${s.url}/api/files/download?path=${encodeURIComponent('~/samp/sdss.vot')}`, { headers: alice });
    expect(saved.status).toBe(200);
    expect(Buffer.from(await saved.arrayBuffer()).equals(readFileSync(VOTABLE))).toBe(true);
    await w.shot('samp-received');

    await page.getByLabel('plot it at once').check();
    samp.send({
      cmd: 'send',
      to: 'vocloud',
      mtype: 'spectrum.load.ssa-generic',
      params: { url: `${base}received-spectrum.fits`, name: 'received-spectrum.fits', meta: {} },
    });
    await page.waitForURL(/\/plot$/);
    await expect.poll(() => page.getByTestId('plot-summary').textContent()).toContain('1 spectrum');
    expect(await page.locator('ul.legend').textContent()).toContain('received-spectrum.fits');
    await w.shot('samp-plot');
  });

  it('had no console errors', () => {
    expect(w.errors).toEqual([]);
  });
});
