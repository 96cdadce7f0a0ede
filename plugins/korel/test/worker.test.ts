import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { runWorkerForTest, type TestRunOutcome } from '@vocloud/sdk/testing';
import { strToU8, zipSync } from 'fflate';
import { pack } from 'tar-stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { korelWorker } from '../src/index.js';
import { parseKorelDat, writeKorelDat } from '../src/formats/korel-dat.js';
import { parseKorelPar } from '../src/formats/korel-par.js';
import { N, datText, parText } from './support/binary.js';
import { starSpectrum, synthesize, times } from './support/synthetic.js';

const korel = korelWorker;

function result(out: TestRunOutcome, name: string): string {
  const r = out.results.find((x) => x.name === name);
  if (!r) throw new Error(`no result ${name}; have ${out.results.map((x) => x.name).join(', ')}`);
  return r.path;
}

/** The `o` lines korel.res offers for pasting back, as a korel.par. */
function pastedPar(res: string): string {
  const o = res.split('\n').filter((l) => /^o\s+\d+\s+\d+\s/.test(l));
  return `   1   1   0   0   0  16   0   0   0\n${o.join('\n')}\no 0 0\n`;
}

describe('the korel job type', () => {
  let files: TestRunOutcome;
  beforeAll(async () => {
    files = await runWorkerForTest(korel, {}, { files: { dat: { content: datText, name: 'korel.dat' }, parFile: { content: parText, name: 'korel.par' } } });
  }, 60_000);

  it('runs on uploaded korel.dat and korel.par and stores KOREL’s outputs, plots and index.html', async () => {
    expect(files.error).toBeUndefined();
    expect(files.phase).toBe('COMPLETED');
    const names = files.results.map((r) => r.name);
    for (const n of ['korel.res', 'korel.spe', 'korel.rv', 'korel.o-c', 'korel.par', 'korel-par.json', 'index.html', 'plots/spectra-1.svg', 'plots/spectra-1.png', 'plots/rv.svg', 'plots/rv.png', 'plots/o-c.svg', 'plots/o-c.png', 'plots/phase-coverage.svg', 'plots/phase-coverage.png']) {
      expect(names).toContain(n);
    }
    expect(files.progress.at(-1)).toEqual({ fraction: 1, message: 'done' });
  });

  it('korel.res gives converged o lines that paste back into korel.par and reproduce the fit', async () => {
    const res = await readFile(result(files, 'korel.res'), 'utf8');
    const { par } = parseKorelPar(pastedPar(res));
    const K1 = par.runs[0]!.lines.find((l) => l.j2 === 5)!.value;
    const q = par.runs[0]!.lines.find((l) => l.j2 === 6)!.value;
    expect(Math.abs(K1 - 80)).toBeLessThan(1);
    expect(Math.abs(K1 / q - 120)).toBeLessThan(1.5);
    expect(res).toMatch(/rms of 1 obs\./);
    expect(res).toMatch(/mode 0, each component's mean level, is never determined/);
    // the pasted elements, fixed, give the same component spectra
    const again = await runWorkerForTest(korel, { plots: false }, { files: { dat: { content: datText }, parFile: { content: pastedPar(res) } } });
    expect(again.phase).toBe('COMPLETED');
    const a = await readFile(result(files, 'korel.spe'), 'utf8');
    const b = await readFile(result(again, 'korel.spe'), 'utf8');
    expect(b).toBe(a);
  });

  it('korel.o-c reads as korel.dat, korel.spe has a wavelength and one column per star, korel.rv one row per exposure', async () => {
    const oc = parseKorelDat(await readFile(result(files, 'korel.o-c'), 'utf8'), 'korel.o-c');
    expect(oc.records).toHaveLength(16);
    const rmsOc = Math.sqrt(oc.records.flatMap((r) => Array.from(r.values)).reduce((s, v) => s + v * v, 0) / (16 * N));
    expect(rmsOc).toBeLessThan(0.003);
    const spe = (await readFile(result(files, 'korel.spe'), 'utf8')).split('\n').filter((l) => l && !l.startsWith('#'));
    expect(spe).toHaveLength(N);
    expect(spe[0]!.trim().split(/\s+/)).toHaveLength(3);
    expect(Number(spe[0]!.trim().split(/\s+/)[0])).toBeCloseTo(6500, 3);
    const rv = (await readFile(result(files, 'korel.rv'), 'utf8')).split('\n').filter((l) => l && !l.startsWith('#'));
    expect(rv).toHaveLength(16);
  });

  it('PNG plots are real PNG images of the SVG’s size × 1.5', async () => {
    const png = await readFile(result(files, 'plots/rv.png'));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(1200);
    expect(png.readUInt32BE(20)).toBe(690);
    const svg = await readFile(result(files, 'plots/rv.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="800" height="460"/);
  });

  it('takes korel.par as the JSON parameter (the web form and "run again"), and it wins over a file', async () => {
    const json = JSON.parse(await readFile(result(files, 'korel-par.json'), 'utf8'));
    const viaJson = await runWorkerForTest(
      korel,
      { par: JSON.stringify(json), plots: false },
      { files: { dat: { content: datText }, parFile: { content: 'this is not read' } } },
    );
    expect(viaJson.error).toBeUndefined();
    expect(await readFile(result(viaJson, 'korel.spe'), 'utf8')).toBe(await readFile(result(files, 'korel.spe'), 'utf8'));
  });

  it('takes a zip archive with a korel/ folder, and a tar.gz, as VO-KOREL did', async () => {
    const zip = zipSync({ 'korel/korel.dat': strToU8(datText), 'korel/korel.par': strToU8(parText) });
    const z = await runWorkerForTest(korel, { plots: false }, { files: { archive: { content: zip, name: 'korel.zip' } } });
    expect(z.error).toBeUndefined();
    const p = pack();
    p.entry({ name: 'korel.dat' }, datText);
    p.entry({ name: 'korel.par' }, parText);
    p.finalize();
    const chunks: Buffer[] = [];
    for await (const c of p) chunks.push(c as Buffer);
    const tgz = gzipSync(Buffer.concat(chunks));
    const t = await runWorkerForTest(korel, { plots: false }, { files: { archive: { content: tgz, name: 'korel.tar.gz' } } });
    expect(t.error).toBeUndefined();
    expect(await readFile(result(t, 'korel.spe'), 'utf8')).toBe(await readFile(result(z, 'korel.spe'), 'utf8'));
  });

  it('bad input ends in ERROR with a message that names the file and the line', async () => {
    const bad = datText.replace(/^(\S+ \S+ \S+ \S+) 256$/m, '$1 250');
    const a = await runWorkerForTest(korel, {}, { files: { dat: { content: bad }, parFile: { content: parText } } });
    expect(a.phase).toBe('ERROR');
    expect(a.error).toMatch(/^korel\.dat, line 1: length N = 250 is not a power of two/);
    const b = await runWorkerForTest(korel, {}, { files: { dat: { content: datText }, parFile: { content: parText.replace('0.18   0.05', '1.18   0.05') } } });
    expect(b.error).toMatch(/^korel\.par, line 4: eccentricity e = 1\.18 must be in \[0, 1\)/);
    const c = await runWorkerForTest(korel, {}, { files: { archive: { content: zipSync({ 'korel/korel.dat': strToU8(datText) }) } } });
    expect(c.error).toMatch(/^korel\.par: missing/);
    const d = await runWorkerForTest(korel, {}, { files: { archive: { content: strToU8('plain text') } } });
    expect(d.error).toMatch(/^archive: not a zip, tar or tar\.gz archive/);
    const e = await runWorkerForTest(korel, {}, { files: { parFile: { content: parText } } });
    expect(e.error).toMatch(/^korel\.dat: missing/);
    // a JSON korel.par is located by the line of its written form
    const json = parseKorelPar(parText.replace('0.18   0.05', '1.5 0.05')).par;
    const f = await runWorkerForTest(korel, { par: json }, { files: { dat: { content: datText } } });
    expect(f.error).toMatch(/^parameter 'par' \(as korel\.par\), line 4: eccentricity e = 1\.5 must be in \[0, 1\)/);
    // and the schema refuses malformed JSON before the job runs
    const g = await runWorkerForTest(korel, { par: { runs: [{ keys: [1, 1], k0: 1, ifil: 0, kr: 0, kpr: 0, lines: [] }] } }, { files: { dat: { content: datText } } });
    expect(g.phase).toBe('ERROR');
    expect(g.error).toMatch(/par\.runs\.0\.keys/);
  });

  it('stops promptly when aborted', async () => {
    const big = synthesize({ regions: [{ n: 2048, dv: 2, lambda0: 6500, stars: [starSpectrum(2048, [{ center: 900, sigma: 5, depth: 0.3 }], 0.7), starSpectrum(2048, [{ center: 1000, sigma: 4, depth: 0.3 }], 0.3)] }], times: times(80, 40), orbits: { 0: { P: 3.5, T0: 0.3, e: 0.2, omega: 60, K1: 80, q: 2 / 3 } }, noise: 0.01 });
    const started = Date.now();
    const out = await runWorkerForTest(korel, { maxEvaluations: 1_000_000 }, { abortAfterMs: 300, files: { dat: { content: writeKorelDat({ records: big.records }) }, parFile: { content: parText.replace('  16 ', '  80 ') } } });
    expect(out.phase).toBe('ABORTED');
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
