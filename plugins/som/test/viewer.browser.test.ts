// The result page in a real browser (Debian's chromium through playwright-core): it renders the
// map offline, a click on a neuron plots its reference vector and lists its spectra, and the
// arrow keys move to a neighbour. Every request the page makes must stay on file:/data:.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { somWorker } from '@vocloud/plugin-som';
import { runWorkerForTest } from '@vocloud/sdk/testing';
import { needPeer, peers } from '../../../tests/support/peers.js';

const plugin = somWorker();

const ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

function toy(n: number, d: number): Float32Array {
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = 1 + (i % 3 === 0 ? -0.5 : 0.8) * Math.exp(-((j - d / 2 - (i % 3)) ** 2) / 10) + 0.01 * Math.sin(i + j);
  return x;
}

describe.skipIf(!needPeer(peers.chromium(), 'SOM viewer in Chromium'))('the SOM result page in Chromium', () => {
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    const x = toy(120, 40);
    const meta = { n: 120, d: 40, wavelength_start: 6540, wavelength_step: 0.5 };
    const out = await runWorkerForTest(plugin, { rows: 4, cols: 5, epochs: 4, topology: 'hexagonal', toroidal: true, viewerSpectra: 2 },
      { files: { data: { content: new Uint8Array(x.buffer), name: 't.f32' }, meta: { content: JSON.stringify(meta), name: 't.json' } } });
    expect(out.phase, out.error).toBe('COMPLETED');
    const html = out.results.find((r) => r.name === 'index.html')!.path;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
    page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(pathToFileURL(html).href);
    await page.waitForFunction(() => (window as unknown as { somViewer?: unknown }).somViewer !== undefined);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('loads without errors and without any request beyond the file itself', () => {
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
  });

  it('plots a clicked neuron: its reference vector, its spectra and their list', async () => {
    const target = await page.evaluate(() => {
      const v = (window as unknown as { somViewer: { data: { hits: number[] }; toPixel(k: number): [number, number] } }).somViewer;
      // the busiest neuron is preselected: click another one that has spectra
      const order = v.data.hits.map((h, k) => [h, k] as const).sort((a, b) => b[0] - a[0]);
      const k = order[1]![1];
      return { k, hits: v.data.hits[k]!, at: v.toPixel(k) };
    });
    const box = (await page.locator('#map').boundingBox())!;
    await page.mouse.click(box.x + target.at[0], box.y + target.at[1]);
    await expect.poll(() => page.locator('#unit-title').textContent()).toContain(`neuron ${target.k} `);
    expect(await page.locator('#members tbody tr').count()).toBe(target.hits);
    // uPlot draws one series per line: the reference vector plus up to 2 embedded spectra
    const series = await page.locator('.u-legend .u-series').count();
    expect(series).toBe(1 + 1 + Math.min(2, target.hits));
    expect(await page.locator('#members tbody tr td:nth-child(5)', { hasText: 'yes' }).count()).toBe(Math.min(2, target.hits));
    // hovering shows counts
    await page.mouse.move(box.x + target.at[0], box.y + target.at[1]);
    await expect.poll(() => page.locator('#tooltip').textContent()).toContain(`hits: ${target.hits}`);
  });

  it('moves to the neighbour with the arrow keys, wrapping on a torus', async () => {
    await page.evaluate(() => (window as unknown as { somViewer: { select(k: number): void } }).somViewer.select(0));
    await page.locator('#map').focus();
    await page.keyboard.press('ArrowLeft');
    expect(await page.evaluate(() => (window as unknown as { somViewer: { selected: number } }).somViewer.selected)).toBe(4);
    // from (0,4) down into the shifted odd row: (1,3) and (1,4) both touch; the left one is taken
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => (window as unknown as { somViewer: { selected: number } }).somViewer.selected)).toBe(8);
    expect(await page.locator('#unit-title').textContent()).toContain('neuron 8 (row 1, col 3)');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    // up from row 0 wraps to the last row (3) on the torus
    expect(await page.evaluate(() => (window as unknown as { somViewer: { selected: number } }).somViewer.selected)).toBeGreaterThanOrEqual(15);
  });

  it('recolours by class-free modes and exports the map as PNG', async () => {
    await page.selectOption('#colour-mode', 'hits');
    expect(await page.locator('#legend').textContent()).toContain('spectra (log scale)');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
    expect(download.suggestedFilename()).toBe('som-map-hits.png');
    expect(errors).toEqual([]);
  });
});
