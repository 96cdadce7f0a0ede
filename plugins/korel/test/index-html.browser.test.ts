// index.html in a real browser (Debian's chromium through playwright-core), with every network
// request refused: the page must be self-contained and draw each figure with uPlot.
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { runWorkerForTest, type TestRunOutcome } from '@vocloud/sdk/testing';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needPeer, peers } from '../../../tests/support/peers.js';
import { korelWorker } from '../src/index.js';
import { writeKorelDat } from '../src/formats/korel-dat.js';
import { starSpectrum, synthesize, times } from './support/synthetic.js';

const ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

describe.skipIf(!needPeer(peers.chromium(), 'KOREL index.html in Chromium'))('the KOREL result page in Chromium', () => {
  let browser: Browser;
  let out: TestRunOutcome;
  beforeAll(async () => {
    const N = 256;
    const s = synthesize({
      regions: [{ n: N, dv: 4, lambda0: 6500, stars: [starSpectrum(N, [{ center: 90, sigma: 3, depth: 0.3 }], 0.7), starSpectrum(N, [{ center: 120, sigma: 3, depth: 0.3 }], 0.3)] }],
      times: times(12, 20),
      orbits: { 0: { P: 3.5, T0: 0.3, e: 0.2, omega: 60, K1: 80, q: 2 / 3 } },
      noise: 0.002,
    });
    const par = '1 1 0 0 0 12 0 0 0\no 0 1 0 1 1 3.5 0.01\no 0 2 0 1 1 0.3 0.05\no 0 3 0 1 1 0.2 0.05\no 0 4 0 1 1 60 10\no 0 5 1 1 1 75 10\no 0 6 1 1 1 0.7 0.05\no 0 0\n';
    out = await runWorkerForTest(korelWorker, {}, { files: { dat: { content: writeKorelDat({ records: s.records }) }, parFile: { content: par } } });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('draws every figure offline, with no errors and no request leaving the file', async () => {
    expect(out.phase).toBe('COMPLETED');
    const html = out.results.find((r) => r.name === 'index.html')!;
    const svgs = out.results.filter((r) => r.name.endsWith('.svg')).length;
    const page = await browser.newPage();
    const errors: string[] = [];
    const external: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      external.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(html.path).href);
    await page.waitForSelector('.uplot canvas');
    expect(await page.locator('.uplot').count()).toBe(svgs);
    expect(await page.locator('.uplot canvas').count()).toBe(svgs);
    expect(await page.locator('h1').textContent()).toBe('KOREL: Fourier disentangling');
    expect(external).toEqual([]);
    expect(errors).toEqual([]);
    // the figures carry the fitted curve and the exposures
    const series = await page.evaluate('FIGURES.map((f) => [f.id, f.series.length])');
    expect(series).toContainEqual(['rv', 4]);
    expect((await readFile(html.path, 'utf8')).includes('<script src=')).toBe(false);
    await page.close();
  });
});
