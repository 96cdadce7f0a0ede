// The SSAP import page in a real browser against the loopback stand-in of an SSAP service
// (tests/datasources/support/vo-peer.ts, built from real SDSS DR6 responses): query by position
// and radius, preview rows, import the selected ones, and find them with their provenance.
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.js';
import { addUser, basic } from '../support/auth.js';
import { needPeer, peers } from '../support/peers.js';
import { startVoPeer, type VoPeer } from '../datasources/support/vo-peer.js';
import { launch, screenshotFailures, suitePage, type WatchedPage } from './support/browser.js';

const PLUGIN = { package: '@vocloud/plugin-datasources', options: { allowPrivateNetworks: true, retries: 1, retryDelay: 0.05 } };

describe.skipIf(!needPeer(peers.chromium(), 'SSAP import page in Chromium'))('the SSAP import page', () => {
  let s: TestServer;
  let vo: VoPeer;
  let browser: Browser;
  let w: WatchedPage;
  let alice: Record<string, string>;

  beforeAll(async () => {
    vo = await startVoPeer();
    s = await startServer({ plugins: [PLUGIN] });
    const a = await addUser(s, 'alice');
    alice = basic(a.username, a.password);
    browser = await launch();
    w = await suitePage(browser, { base: s.url, user: a });
  });
  screenshotFailures('ssap', () => [w]);
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
    await vo?.close();
  });

  it('queries by position and radius and previews the rows the service found', async () => {
    const page = w.page;
    await page.getByRole('link', { name: 'Import', exact: true }).click();
    await page.getByRole('combobox', { name: 'Service', exact: true }).selectOption('');
    await page.getByLabel('Service URL').fill(`${vo.url}/ssap?`);
    await page.getByLabel('position and radius').check();
    await page.getByLabel('RA (deg)').fill('180');
    await page.getByLabel('Dec (deg)').fill('1');
    await page.getByLabel('Radius (arcmin)').fill('18');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('.preview-table').waitFor();
    // the stand-in saw the SSAP parameters: POS in degrees, SIZE as a diameter in degrees
    const q = vo.requests.get('/ssap')!.at(-1)!;
    expect(q.get('POS')).toBe('180,1');
    expect(Number(q.get('SIZE'))).toBeCloseTo(0.6, 10);
    expect(q.get('MAXREC')).toBe('100');
    const rows = await page.locator('.preview-table tbody tr').count();
    expect(rows).toBeGreaterThan(3);
    expect(await page.getByRole('heading', { level: 3 }).first().textContent()).toContain(`${rows} spectra found`);
    await w.shot('import-ssap-preview');
  });

  it('imports the two selected rows into the chosen folder, with provenance, and lists the import in the history', async () => {
    const page = w.page;
    await page.getByLabel('Select every row shown').uncheck();
    await page.getByLabel('Select row 0', { exact: true }).check();
    await page.getByLabel('Select row 2', { exact: true }).check();
    await page.getByLabel('Import into folder').fill('~/sdss');
    await page.getByRole('button', { name: 'Import 2 selected' }).click();
    await page.waitForURL(/\/jobs\/ssap\//);
    await page.locator('h1 .phase-completed').waitFor({ timeout: 60_000 });
    expect(await page.getByRole('tree').textContent()).toContain('manifest.csv');
    // the files, each with its provenance sidecar
    const list = (await (await fetch(`${s.url}/api/files?path=${encodeURIComponent('~/sdss')}`, { headers: alice })).json()) as { entries: { name: string }[] };
    const data = list.entries.filter((e) => !e.name.endsWith('.provenance.json'));
    expect(data).toHaveLength(2);
    expect(list.entries).toHaveLength(4);
    await page.goto(`${s.url}/files?path=${encodeURIComponent('~/sdss')}`);
    await expect.poll(() => page.locator('tbody tr[data-path]').count()).toBe(2);
    expect(await page.locator('.badge', { hasText: 'provenance' }).count()).toBe(2);
    await page.getByRole('button', { name: data[0]!.name }).click();
    const provenance = page.getByRole('region', { name: 'Provenance' });
    await provenance.waitFor();
    expect(await provenance.textContent()).toMatch(new RegExp(`Query.*${vo.url.replace(/[.:/]/g, '.')}/ssap`));
    expect(await provenance.textContent()).toContain('SHA-256');
    await w.shot('import-provenance');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    // renamed in the file manager, a file keeps its provenance (the server moves the sidecar)
    const renamed = `renamed-${data[0]!.name}`;
    await page.getByLabel(`Select ${data[0]!.name}`, { exact: true }).check();
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('New name').fill(renamed);
    await page.getByRole('dialog').getByRole('button', { name: 'OK', exact: true }).click();
    await page.locator(`tbody tr[data-path="~/sdss/${renamed}"] .badge`, { hasText: 'provenance' }).waitFor();
    const after = (await (await fetch(`${s.url}/api/files?path=${encodeURIComponent('~/sdss')}`, { headers: alice })).json()) as { entries: { name: string }[] };
    expect(after.entries.map((e) => e.name)).toEqual(expect.arrayContaining([renamed, `${renamed}.provenance.json`]));
    expect(after.entries).toHaveLength(4);
    // the sidecars are left out by the server; the checkbox asks for them
    await page.getByLabel('show provenance files').check();
    await expect.poll(() => page.locator('tbody tr[data-path]').count()).toBe(4);
    await page.getByLabel('show provenance files').uncheck();
    await expect.poll(() => page.locator('tbody tr[data-path]').count()).toBe(2);
    // a zip of the selected file carries its provenance too
    await page.getByLabel(`Select ${renamed}`, { exact: true }).check();
    const zipHref = await page.getByRole('link', { name: 'Download zip' }).getAttribute('href');
    const zip = await fetch(new URL(zipHref!, s.url), { headers: alice });
    expect(Object.keys(unzipSync(new Uint8Array(await zip.arrayBuffer()))).sort()).toEqual([renamed, `${renamed}.provenance.json`]);
    await page.getByLabel(`Select ${renamed}`, { exact: true }).uncheck();
    // the imported spectra (VOTables) plot
    await page.getByLabel('Select everything in this folder page').check();
    await page.getByRole('button', { name: 'Plot selected spectra' }).click();
    await expect.poll(() => page.getByTestId('plot-summary').textContent(), { timeout: 30_000 }).toContain('2 spectra');
    await page.goto(`${s.url}/import/history`);
    await page.getByRole('link', { name: /SSAP 180,1 \(2 rows\)/ }).waitFor();
  });

  it('had no console errors', () => {
    expect(w.errors).toEqual([]);
  });
});
