// The astronomer's journey in a real browser (Debian's Chromium through playwright-core): sign in
// → upload a folder of FITS files → plot them → run a SOM job from the generated form → watch it
// live → open the result viewer and click a neuron → download the results; plus "run again" and
// a job list that follows a running job without polling. Screenshots go to test-output/web/.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unzipSync, zipSync } from 'fflate';
import type { Browser } from 'playwright-core';
import { startServer, TEST_PLUGIN, type TestServer } from '../support/server.js';
import { addUser, basic } from '../support/auth.js';
import { needPeer, peers } from '../support/peers.js';
import { launch, screenshotFailures, signIn, suitePage, type WatchedPage } from './support/browser.js';
import { spectrumFits } from './support/fits.js';

const SPECTRA = 12;
const POINTS = 500;

describe.skipIf(!needPeer(peers.chromium(), 'web UI journey in Chromium'))('the web UI journey', () => {
  let s: TestServer;
  let browser: Browser;
  let w: WatchedPage;
  let dir: string;
  let alice: { username: string; password: string };
  let somJob = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vocloud-web-'));
    mkdirSync(join(dir, 'night1'));
    const zip: Record<string, Uint8Array> = {};
    for (let i = 0; i < SPECTRA; i++) {
      const bytes = spectrumFits(i, POINTS);
      writeFileSync(join(dir, 'night1', `star${String(i).padStart(2, '0')}.fits`), bytes);
      zip[`star${i}.fits`] = bytes;
    }
    writeFileSync(join(dir, 'spectra.zip'), zipSync(zip));
    s = await startServer({ plugins: [{ package: TEST_PLUGIN }, { package: '@vocloud/plugin-som' }] });
    alice = await addUser(s, 'alice');
    browser = await launch();
    w = await suitePage(browser);
  });
  screenshotFailures('journey', () => [w]);
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in on the sign-in page and lands on an empty job list', async () => {
    await w.page.goto(`${s.url}/signin`);
    await w.shot('signin');
    await signIn(w.page, s.url, alice.username, alice.password);
    await expect.poll(() => w.page.getByText('You have no jobs yet.').isVisible()).toBe(true);
    expect(await w.page.getByRole('link', { name: alice.username }).isVisible()).toBe(true);
    await w.shot('jobs-empty');
  });

  it('uploads a folder of FITS files and a zip, with progress shown and the folder kept', async () => {
    const page = w.page;
    await page.getByRole('link', { name: 'Files', exact: true }).click();
    await page.waitForURL(/\/files/);
    await expect.poll(() => page.getByText('This folder is empty.').isVisible()).toBe(true);
    await page.locator('[data-testid=upload-folder]').setInputFiles(join(dir, 'night1'));
    await page.locator('[data-upload-state=done]').first().waitFor();
    await page.locator('[data-testid=upload-files]').setInputFiles(join(dir, 'spectra.zip'));
    await expect.poll(() => page.locator('[data-upload-state=done]').count()).toBe(2);
    await page.locator('tr[data-path="~/night1"]').waitFor();
    await page.locator('tr[data-path="~/spectra.zip"]').waitFor();
    expect(await page.locator('.upload').first().getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    await w.shot('files-uploaded');
    // the folder keeps its files
    await page.getByRole('button', { name: 'night1/' }).click();
    await expect.poll(() => page.locator('tbody tr[data-path]').count()).toBe(SPECTRA);
    // a file's content view shows its FITS header
    await page.getByRole('button', { name: 'star03.fits' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('OBJECT').first().waitFor();
    expect(await dialog.getByText('star 3', { exact: true }).count()).toBeGreaterThan(0);
    await w.shot('file-view');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('group', { name: 'Storage areas' }).getByRole('button', { name: 'My files' }).click();
    await page.locator('tr[data-path="~/night1"]').waitFor();
  });

  it('plots the selected folder: hover read-out, toggles, normalisation, zoom, CSV and PNG export', async () => {
    const page = w.page;
    await page.getByLabel('Select night1').check();
    await page.getByRole('button', { name: 'Plot selected spectra' }).click();
    await page.waitForURL(/\/plot\?path=/);
    await expect.poll(() => page.getByTestId('plot-summary').textContent(), { timeout: 30_000 }).toContain(`${SPECTRA} spectra`);
    await page.waitForFunction(() => window.__vocloudPlot?.paintedAt !== undefined);
    // few spectra: the legend is shown, one checkbox per spectrum
    const legend = page.locator('ul.legend input[type=checkbox]');
    expect(await legend.count()).toBe(SPECTRA);
    // hover: the read-out names the nearest spectrum and its wavelength and flux
    const over = page.locator('.u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.5);
    for (let y = 0.05; y < 1 && !(await page.getByTestId('hover-readout').isVisible()); y += 0.05)
      await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * y);
    expect(await page.getByTestId('hover-readout').textContent()).toMatch(/star\d\d\.fits.*Wavelength 64\d\d.*flux \d/);
    await w.shot('plot');
    // hide one spectrum: the CSV has the others only
    await legend.first().uncheck();
    const csv = async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
      return readFileSync((await download.path())!, 'utf8')
        .trim()
        .split('\n');
    };
    const all = await csv();
    expect(all[0]).toBe('name,wavelength [Angstrom],flux [erg/s/cm2/A]');
    expect(all.length).toBe(1 + (SPECTRA - 1) * POINTS);
    expect(all.some((l) => l.startsWith('star00.fits'))).toBe(false);
    // normalise to the maximum: every flux is at most 1
    await page.getByLabel('Normalise').selectOption('max');
    const normalised = await csv();
    expect(normalised[0]).toBe('name,wavelength [Angstrom],flux');
    expect(Math.max(...normalised.slice(1).map((l) => Number(l.split(',')[2])))).toBeCloseTo(1, 5);
    // zoom in: the export covers the shown range only
    await page.getByRole('button', { name: 'Zoom in' }).click();
    const zoomed = await csv();
    expect(zoomed.length).toBeLessThan(normalised.length * 0.6);
    await page.getByRole('button', { name: 'Reset zoom' }).click();
    expect((await csv()).length).toBe(normalised.length);
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export PNG' }).click()]);
    expect(
      readFileSync((await png.path())!)
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  });

  it('creates a SOM job from the generated form, keeping the JSON editor in sync, and saves and runs it', async () => {
    const page = w.page;
    await page.getByRole('link', { name: 'New job', exact: true }).first().click();
    await page.getByRole('link', { name: 'Self-Organizing Map' }).click();
    await page.waitForURL(/\/new\/som$/);
    // enums are selects, numbers carry their bounds
    await page.locator('[data-field=topology] select').waitFor();
    expect(await page.locator('[data-field=topology] select option').allTextContents()).toEqual(['rectangular', 'hexagonal']);
    expect(await page.locator('[data-field=rows] input').getAttribute('max')).toBe('200');
    // the input file comes from storage through the picker
    await page.locator('[data-field=data]').getByRole('button', { name: 'From my files…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'spectra.zip' }).click();
    expect(await page.locator('[data-field=data] .file-choice').textContent()).toContain('~/spectra.zip');
    // inline validation: an out-of-range value is named before anything is sent
    await page.locator('[data-field=rows] input').fill('0');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    expect(await page.locator('[data-field=rows] .field-error').textContent()).toBe('At least 1.');
    // JSON editor → form
    await page.getByRole('button', { name: 'Show advanced JSON editor' }).click();
    const editor = page.locator('#params-json');
    const json = JSON.parse(await editor.inputValue()) as Record<string, unknown>;
    await editor.fill(JSON.stringify({ ...json, rows: 3, cols: 3, epochs: 4 }, null, 2));
    await expect.poll(() => page.locator('[data-field=rows] input').inputValue()).toBe('3');
    expect(await page.locator('[data-field=epochs] input').inputValue()).toBe('4');
    // form → JSON editor
    await page.locator('[data-field=viewerSpectra] input').fill('2');
    await expect.poll(async () => JSON.parse(await editor.inputValue()).viewerSpectra).toBe(2);
    // an unknown key in the JSON is refused with a message
    await editor.fill('{"nosuch": 1}');
    await page.getByText('Unknown parameter "nosuch"').waitFor();
    await editor.fill(JSON.stringify({ ...json, rows: 3, cols: 3, epochs: 4, viewerSpectra: 2 }, null, 2));
    await page.getByLabel('Label (run id)').fill('first map');
    await w.shot('som-form');
    await page.getByRole('button', { name: 'Save and run' }).click();
    await page.waitForURL(/\/jobs\/som\/[^/]+$/);
    somJob = page.url().split('/').pop()!;
    expect(somJob).toBeTruthy();
  });

  it('follows the job live to COMPLETED, shows the result viewer, and a clicked neuron is plotted', async () => {
    const page = w.page;
    const before = w.requests.length;
    await page.locator('h1 .phase-completed').waitFor({ timeout: 60_000 });
    // the page learnt of the phase changes from the event stream: a few reloads of the job, no polling
    const jobGets = w.requests.slice(before).filter((r) => r.startsWith('GET') && r.includes(`/uws/som/${somJob}`) && !r.includes('/results/'));
    expect(jobGets.length).toBeLessThanOrEqual(6);
    expect(await page.getByRole('tree').getByRole('link', { name: 'index.html' }).count()).toBe(1);
    expect(await page.locator('.gallery img').count()).toBeGreaterThan(0); // umatrix.png, hits.png inline
    await page.locator('iframe[title="Result viewer"]').waitFor();
    const frame = await (async () => {
      for (let i = 0; i < 100; i++) {
        const f = page.frames().find((x) => x.url().endsWith('/results/index.html'));
        if (f && (await f.evaluate(() => (window as unknown as { somViewer?: unknown }).somViewer !== undefined).catch(() => false))) return f;
        await page.waitForTimeout(100);
      }
      throw new Error('the result viewer did not load');
    })();
    const target = await frame.evaluate(() => {
      const v = (window as unknown as { somViewer: { data: { hits: number[] }; toPixel(k: number): [number, number] } }).somViewer;
      const k = v.data.hits.findIndex((h, i) => h > 0 && i !== v.data.hits.indexOf(Math.max(...v.data.hits)));
      return { k: k < 0 ? 0 : k, at: v.toPixel(k < 0 ? 0 : k) };
    });
    // an off-screen cross-origin frame is not rendered (Chromium throttles it): bring it into view
    await page.locator('iframe[title="Result viewer"]').scrollIntoViewIfNeeded();
    await frame.locator('#map').click({ position: { x: target.at[0], y: target.at[1] } });
    await expect.poll(() => frame.locator('#unit-title').textContent()).toContain(`neuron ${target.k} `);
    await w.shot('job-completed-viewer');
  });

  it('downloads the results as one zip, and "run again" opens the form pre-filled as a copy', async () => {
    const page = w.page;
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download all (zip)' }).click()]);
    const files = Object.keys(unzipSync(new Uint8Array(readFileSync((await download.path())!))));
    expect(files).toEqual(expect.arrayContaining(['results/index.html', 'results/codebook.fits', 'results/bmu.csv']));
    await page.getByRole('link', { name: 'Run again' }).click();
    await page.waitForURL(/\/new\/som\?from=/);
    await expect.poll(() => page.getByLabel('Label (run id)').inputValue()).toBe('first map (copy)');
    expect(await page.locator('[data-field=rows] input').inputValue()).toBe('3');
    expect(await page.locator('[data-field=data] .file-choice').textContent()).toContain('from the earlier job');
    await w.shot('run-again');
  });

  it('the job list follows a running job by server events: it appears, shows progress and completes without a reload', async () => {
    const page = w.page;
    await page.goto(`${s.url}/jobs`);
    await page.locator(`tr[data-job="${somJob}"]`).waitFor();
    const before = w.requests.length;
    const res = await fetch(`${s.url}/uws/wait`, {
      method: 'POST',
      headers: { ...basic(alice.username, alice.password), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'ms=2500&RUNID=waiting+job&PHASE=RUN',
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    const id = res.headers.get('location')!.split('/').pop()!;
    const row = page.locator(`tr[data-job="${id}"]`);
    await row.locator('.phase-executing').waitFor({ timeout: 20_000 });
    await row.getByRole('progressbar').waitFor();
    await w.shot('jobs-live-progress');
    await row.locator('.phase-completed').waitFor({ timeout: 20_000 });
    // reloads came from events (a handful), not from a timer
    const lists = w.requests.slice(before).filter((r) => r.includes('/api/jobs?'));
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.length).toBeLessThanOrEqual(8);
    await w.shot('jobs-list');
  });

  it('manages files: drop to upload, rename, move, zip the selection, delete after confirming', async () => {
    const page = w.page;
    await page.goto(`${s.url}/files`);
    await page.locator('tr[data-path="~/night1"]').waitFor();
    // a drop of a file (a synthetic drop: the browser's own drag source is not scriptable)
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['dropped bytes'], 'dropped.txt', { type: 'text/plain' }));
      const target = document.querySelector('section.files')!;
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await page.locator('tr[data-path="~/dropped.txt"]').waitFor();
    // rename
    await page.getByLabel('Select dropped.txt').check();
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('dialog').getByLabel('New name').fill('notes.txt');
    await page.getByRole('dialog').getByRole('button', { name: 'OK' }).click();
    await page.locator('tr[data-path="~/notes.txt"]').waitFor();
    // move into the folder
    await page.getByLabel('Select notes.txt').check();
    await page.getByRole('button', { name: 'Move' }).click();
    const picker = page.getByRole('dialog');
    await picker.getByRole('button', { name: 'night1/' }).click();
    await picker.getByRole('button', { name: 'Choose this folder (~/night1)' }).click();
    await expect.poll(() => page.locator('tr[data-path="~/notes.txt"]').count()).toBe(0);
    // the selection as one zip
    await page.getByLabel('Select night1').check();
    const [zip] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download zip' }).click()]);
    const names = Object.keys(unzipSync(new Uint8Array(readFileSync((await zip.path())!))));
    expect(names).toHaveLength(SPECTRA + 1);
    expect(names).toContain('night1/notes.txt');
    // delete asks first; cancelling keeps everything
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect(await page.locator('tr[data-path="~/night1"]').count()).toBe(1);
    await page.getByRole('button', { name: 'Delete' }).click();
    expect(await page.getByRole('dialog').textContent()).toContain('folders with everything in them');
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.locator('tr[data-path="~/night1"]').count()).toBe(0);
    await w.shot('files-after');
  });

  it('had no console errors on any page', () => {
    expect(w.errors).toEqual([]);
  });
});
