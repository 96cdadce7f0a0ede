// Plot benchmark (npm run bench:plot). Prints a table; never pass/fail.
// Time from the data request to the first paint of the plotter in headless Chromium, for
// 1,000 spectra × 2,000 points read from storage by POST /api/spectra (binary Float32), and the
// bytes transferred. Two workloads: one instrument (every spectrum on the same wavelength grid,
// which the wire format sends once) and shifted grids (every spectrum has its own grid).
// The server runs in a process of its own, as in production; the browser is Debian's Chromium.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { writeFits } from '@vocloud/sdk/formats';

const N = Number(process.env.BENCH_SPECTRA ?? 1000);
const POINTS = Number(process.env.BENCH_POINTS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_MS = 500;
const PASSWORD = 'bench-admin-not-secret';
const ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
const auth = { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` };

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A CCD700-like spectrum: continuum, an absorption line, noise; linear WCS. */
function spectrum(i, shifted, r) {
  const flux = new Float32Array(POINTS);
  const line = 800 + (i % 400);
  for (let k = 0; k < POINTS; k++) flux[k] = 1 + 0.1 * Math.sin(k / 300) + 0.03 * (r() - 0.5) - 0.5 * Math.exp(-0.5 * ((k - line) / 6) ** 2);
  const crval = shifted ? 6250 + i * 0.013 : 6250;
  return writeFits([{ kind: 'image', data: flux, header: { CRVAL1: crval, CDELT1: 0.2563, CRPIX1: 1, CTYPE1: 'WAVE', CUNIT1: 'Angstrom', OBJECT: `star ${i}` } }]);
}

async function upload(base, dir, files) {
  for (let i = 0; i < files.length; i += 250) {
    const form = new FormData();
    for (const [name, bytes] of files.slice(i, i + 250)) form.append('file', new Blob([bytes]), name);
    const res = await fetch(`${base}/api/files/upload?dir=${encodeURIComponent(dir)}`, { method: 'POST', headers: auth, body: form });
    if (res.status !== 201) throw new Error(`upload: HTTP ${res.status} ${await res.text()}`);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x, d = 0) => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(d));

const dataDir = mkdtempSync(join(tmpdir(), 'vocloud-bench-plot-'));
const server = fork(new URL('./server.mjs', import.meta.url).pathname, [JSON.stringify({ dataDir, adminPassword: PASSWORD })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const base = await new Promise((resolve, reject) => {
  server.once('message', (m) => resolve(m.url));
  server.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
});
let browser;
try {
  console.log(`bench:plot — ${N} spectra × ${POINTS} points, ${RUNS} runs each; ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const r = rng(7);
  const t0 = performance.now();
  await upload(base, '~/bench/same-grid', Array.from({ length: N }, (_, i) => [`s${String(i).padStart(4, '0')}.fits`, spectrum(i, false, r)]));
  await upload(base, '~/bench/shifted', Array.from({ length: N }, (_, i) => [`s${String(i).padStart(4, '0')}.fits`, spectrum(i, true, r)]));
  console.log(`uploaded ${2 * N} FITS files in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${base}/signin`);
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL('**/jobs');

  const rows = [];
  for (const [label, dir] of [['same grid', '~/bench/same-grid'], ['shifted grids', '~/bench/shifted']]) {
    const samples = [];
    for (let run = 0; run < RUNS + 1; run++) {
      await page.goto(`${base}/plot?path=${encodeURIComponent(dir)}`);
      await page.waitForFunction(() => window.__vocloudPlot?.paintedAt !== undefined, null, { timeout: 60_000 });
      const m = await page.evaluate(() => {
        const p = window.__vocloudPlot;
        const res = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/api/spectra')).pop();
        return {
          total: p.paintedAt - p.requestedAt,
          bytes: p.bytes,
          spectra: p.spectra,
          server: res ? res.responseStart - res.requestStart : NaN,
          transfer: res ? res.responseEnd - res.responseStart : NaN,
          decode: p.decodedAt - p.receivedAt,
          render: p.chartAt - p.decodedAt,
          draw: p.drawnAt - p.chartAt,
          paint: p.paintedAt - p.drawnAt,
        };
      });
      if (m.spectra !== N) throw new Error(`${label}: ${m.spectra} spectra plotted, expected ${N}`);
      samples.push(m);
    }
    // the first run warms the server's thread pool and the browser's caches; it is shown apart
    const [cold, ...warm] = samples;
    rows.push({ label, cold, warm });
  }
  const jsonBytes = N * POINTS * 2 * 9; // "6250.2563," ≈ 9–10 bytes per number in JSON
  const ref = median(rows[0].warm.map((s) => s.total));
  console.log('');
  console.log('| workload | first paint, median (ms) | min | max | first run | vs 500 ms target | vs same grid | server | transfer | decode | page | uPlot draw | raster | bytes | bytes/point | JSON estimate |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const { label, cold, warm } of rows) {
    const t = warm.map((s) => s.total);
    const med = median(t);
    const m = (k) => fmt(median(warm.map((s) => s[k])));
    console.log(`| ${label} | ${fmt(med)} | ${fmt(Math.min(...t))} | ${fmt(Math.max(...t))} | ${fmt(cold.total)} | ${(med / TARGET_MS).toFixed(2)}× | ${(med / ref).toFixed(2)}× | ${m('server')} | ${m('transfer')} | ${m('decode')} | ${m('render')} | ${m('draw')} | ${m('paint')} | ${(warm[0].bytes / 1e6).toFixed(2)} MB | ${(warm[0].bytes / (N * POINTS)).toFixed(2)} | ${(jsonBytes / 1e6).toFixed(0)} MB |`);
  }
  console.log('');
  console.log('first paint: performance.now() at the fetch of POST /api/spectra → the animation frame after uPlot first drew. Phases (ms, medians): server = request → first byte (listing, reading and parsing the files); transfer = first → last byte; decode = the binary answer to arrays; page = React renders the page until the chart starts; uPlot draw = paths built and stroked; raster = until the next frame.');
  if (errors.length) console.log(`browser errors: ${errors.join('; ')}`);
} finally {
  await browser?.close();
  server.send('stop');
  await new Promise((r) => server.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
