// Formats benchmark (npm run bench:formats). Prints a table; never pass/fail.
// 1. Read 1,000 CCD700-like FITS files (1,997 float32 pixels, linear WCS) and resample each onto
//    one grid: @vocloud/sdk/formats vs astropy + numpy in the same run.
// 2. Parse a ~100 MB BINARY2 VOTable in a fresh process, streaming: time and peak memory.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linearGrid, packSpectra, readSpectrum, resampleLinear, writeFits } from '@vocloud/sdk/formats';
// '@vocloud/sdk/formats/node' until sdk/package.json exports that entry; the built file is the same.
const NODE_ENTRY = new URL('../../sdk/dist/formats/node.js', import.meta.url).href;
const { writeVoTableFile } = await import(NODE_ENTRY);

const N = Number(process.env.BENCH_FILES ?? 1000);
const PIX = 1997;
const VOT_MB = Number(process.env.BENCH_VOT_MB ?? 100);
const PY = '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'vocloud-bench-formats-'));

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

try {
  // ---- workload: CCD700-like files with slightly different wavelength ranges ----
  const r = rng(42);
  const files = [];
  for (let i = 0; i < N; i++) {
    const flux = new Float32Array(PIX);
    for (let k = 0; k < PIX; k++) flux[k] = 1 + 0.05 * (r() - 0.5) - 0.5 * Math.exp(-0.5 * ((k - 1000) / 8) ** 2);
    const path = join(dir, `ccd700_${String(i).padStart(4, '0')}.fits`);
    writeFileSync(path, writeFits([{ kind: 'image', data: flux, header: [
      { keyword: 'CRVAL1', value: 6250 + r() * 5 }, { keyword: 'CDELT1', value: 0.2563 }, { keyword: 'CRPIX1', value: 1 },
      { keyword: 'CTYPE1', value: 'WAVELENGTH' }, { keyword: 'BUNIT', value: 'counts' }, { keyword: 'OBJECT', value: `star ${i}` },
      { keyword: 'DATE-OBS', value: '2010-01-01T00:00:00' }, { keyword: 'RA', value: '05:34:31.94' }, { keyword: 'DEC', value: '+22:00:52.2' },
    ] }]));
    files.push(path);
  }
  const list = join(dir, 'files.txt');
  writeFileSync(list, files.join('\n'));
  const grid = linearGrid(6260, 6750, 1900);

  // ---- ours: read + recognise + resample + pack (best of 3 runs, warm file cache) ----
  let best = Infinity;
  let checksum = 0;
  for (let run = 0; run < 3; run++) {
    const t0 = performance.now();
    const spectra = [];
    for (const f of files) spectra.push(readSpectrum(readFileSync(f)));
    const packed = packSpectra(spectra, grid);
    const t = performance.now() - t0;
    best = Math.min(best, t);
    checksum = packed.data[123] + packed.data[packed.data.length - 7];
  }
  // the per-spectrum API path too (resampleLinear returns a Spectrum)
  const t1 = performance.now();
  for (const f of files) resampleLinear(readSpectrum(readFileSync(f)), grid);
  const perSpectrum = performance.now() - t1;

  // ---- astropy + numpy, same files, same grid, timed inside Python (best of 3) ----
  const py = spawnSync(PY, ['-c', `
import sys, time, json, numpy as np
from astropy.io import fits
try:
    from threadpoolctl import threadpool_info
    blas = ';'.join(f"{i.get('internal_api')} {i.get('version')}" for i in threadpool_info()) or 'none'
except Exception as e:
    blas = 'unknown'
files = open(sys.argv[1]).read().split('\\n')
grid = np.linspace(6260, 6750, 1900)
best = 1e9
for run in range(3):
    t0 = time.perf_counter()
    out = np.empty((len(files), grid.size), np.float32)
    for i, f in enumerate(files):
        with fits.open(f, memmap=False) as h:
            hd = h[0].header
            flux = h[0].data
            w = hd['CRVAL1'] + hd['CDELT1'] * (np.arange(flux.size) + 1 - hd.get('CRPIX1', 1))
            out[i] = np.interp(grid, w, flux, left=np.nan, right=np.nan)
    best = min(best, time.perf_counter() - t0)
print(json.dumps({'ms': best * 1000, 'check': float(out[0, 123] + out.ravel()[-7]), 'blas': blas}))
`, list], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const astropy = py.status === 0 ? JSON.parse(py.stdout) : undefined;

  // ---- 100 MB BINARY2 VOTable ----
  const vot = join(dir, 'big.vot.xml');
  const rowBytes = 1 + 8 + 8 + 8 + 4 + 4 * 8; // null flags + id, ra, dec, mag, 8 floats
  const rows = Math.round((VOT_MB * 1e6 * 3) / 4 / rowBytes);
  const vr = rng(7);
  function* gen() {
    for (let i = 0; i < rows; i++) {
      yield [i, vr() * 360, vr() * 180 - 90, i % 97 === 0 ? null : vr() * 20, Float32Array.from({ length: 8 }, () => vr())];
    }
  }
  await writeVoTableFile(vot, {
    name: 'big',
    fields: [
      { name: 'id', datatype: 'long' },
      { name: 'ra', datatype: 'double', unit: 'deg', ucd: 'pos.eq.ra' },
      { name: 'dec', datatype: 'double', unit: 'deg', ucd: 'pos.eq.dec' },
      { name: 'mag', datatype: 'float' },
      { name: 'spec', datatype: 'float', arraysize: '8' },
    ],
    rows: gen(),
  }, { format: 'BINARY2' });
  const size = statSync(vot).size;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', `
import { streamVoTableFile } from '${NODE_ENTRY}';
const t0 = performance.now();
let n = 0, s = 0;
for await (const ev of streamVoTableFile(process.argv[1])) if (ev.kind === 'rows') { n += ev.rows.length; s += ev.rows[0][1]; }
console.log(JSON.stringify({ ms: performance.now() - t0, rows: n, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
`, vot], { encoding: 'utf8', cwd: process.cwd() });
  const big = child.status === 0 ? JSON.parse(child.stdout) : { error: child.stderr };

  // ---- report ----
  const rate = (ms) => (N / (ms / 1000)).toFixed(0);
  console.log(`\nFormats benchmark — Node ${process.version}, ${N} CCD700-like files × ${PIX} float32 pixels → grid of ${grid.length}\n`);
  console.log('| reader | total (ms) | files/s | ratio vs astropy |');
  console.log('|---|---:|---:|---:|');
  console.log(`| @vocloud/sdk/formats readSpectrum + packSpectra | ${best.toFixed(0)} | ${rate(best)} | ${astropy ? (astropy.ms / best).toFixed(1) + '×' : 'n/a'} |`);
  console.log(`| @vocloud/sdk/formats readSpectrum + resampleLinear (per spectrum) | ${perSpectrum.toFixed(0)} | ${rate(perSpectrum)} | ${astropy ? (astropy.ms / perSpectrum).toFixed(1) + '×' : 'n/a'} |`);
  if (astropy) console.log(`| astropy ${'5.2'} fits.open + numpy.interp (BLAS: ${astropy.blas}) | ${astropy.ms.toFixed(0)} | ${rate(astropy.ms)} | 1.0× |`);
  else console.log(`| astropy + numpy | n/a (${(py.stderr || '').split('\n').slice(-2).join(' ')}) | | |`);
  if (astropy) console.log(`\nchecksums agree: ${Math.abs(astropy.check - checksum) < 1e-4 ? 'yes' : `NO (${astropy.check} vs ${checksum})`}`);
  console.log(`\n| BINARY2 VOTable | size (MB) | rows | parse (ms) | MB/s | peak RSS (MB) |`);
  console.log('|---|---:|---:|---:|---:|---:|');
  if (big.error) console.log(`| streamVoTableFile | ${(size / 1e6).toFixed(0)} | ${rows} | failed: ${big.error} | | |`);
  else console.log(`| streamVoTableFile (rows not kept) | ${(size / 1e6).toFixed(0)} | ${big.rows} | ${big.ms.toFixed(0)} | ${(size / 1e6 / (big.ms / 1000)).toFixed(0)} | ${big.maxRssMB.toFixed(0)} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
