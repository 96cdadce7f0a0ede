// The som worker as the server runs it (sdk test harness): inputs of every kind, every result,
// the self-contained viewer and its data, and clear errors for bad input.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import { PNG } from 'pngjs';
import { somWorker, type ViewerData } from '@vocloud/plugin-som';

const plugin = somWorker();
import { runWorkerForTest, type TestRunOutcome } from '@vocloud/sdk/testing';
import { readFits, readVoTable } from '@vocloud/sdk/formats';

const N = 240, D = 48;
/** Three kinds of toy spectra: a dip, a peak, two peaks, on a 6500-6547 Å grid. */
function toySpectra(): { x: Float32Array; classes: string[] } {
  const x = new Float32Array(N * D);
  const classes: string[] = [];
  for (let i = 0; i < N; i++) {
    const c = i % 3;
    classes.push(['absorption', 'emission', 'double'][c]!);
    for (let j = 0; j < D; j++) {
      const g = (mu: number) => Math.exp(-((j - mu) ** 2) / 8);
      const v = c === 0 ? 1 - 0.5 * g(24) : c === 1 ? 1 + g(24) : 1 + 0.8 * g(18) + 0.8 * g(30);
      x[i * D + j] = v + 0.01 * Math.sin(i * 7.1 + j * 1.3);
    }
  }
  return { x, classes };
}

const dir = mkdtempSync(join(tmpdir(), 'vocloud-som-job-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { x, classes } = toySpectra();
const meta = { n: N, d: D, wavelength_start: 6500, wavelength_step: 1, classes: ['absorption', 'emission', 'double'] };
const f32 = join(dir, 'toy.f32');
writeFileSync(f32, x);
const metaPath = join(dir, 'toy.json');
writeFileSync(metaPath, JSON.stringify(meta));
const labelsJson = join(dir, 'labels.json');
writeFileSync(labelsJson, JSON.stringify(Object.fromEntries(classes.map((c, i) => [`row ${i}`, c]))));

function result(out: TestRunOutcome, name: string): string {
  const r = out.results.find((x) => x.name === name);
  if (!r) throw new Error(`no result ${name}: ${out.results.map((x) => x.name).join(', ')} (${out.error ?? ''})`);
  return r.path;
}
/** Bytes of a base64 string as their own ArrayBuffer (small Buffers share a pool). */
function b64(s: string): ArrayBuffer {
  const b = Buffer.from(s, 'base64');
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
function embedded(html: string): ViewerData {
  const m = /<script id="som-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no embedded data');
  return JSON.parse(m[1]!.replace(/<\\\//g, '</')) as ViewerData;
}

describe('a job on a float32 matrix with meta and labels', () => {
  let out: TestRunOutcome;
  beforeAll(async () => {
    out = await runWorkerForTest(plugin, { rows: 6, cols: 5, epochs: 6, topology: 'hexagonal', viewerSpectra: 3 },
      { files: { data: f32, meta: metaPath, labels: labelsJson } });
  });

  it('completes with every result and reports progress per epoch', () => {
    expect(out.phase, out.error).toBe('COMPLETED');
    expect(out.results.map((r) => r.name).sort()).toEqual(
      ['bmu.csv', 'bmu.vot', 'codebook.f32', 'codebook.fits', 'codebook.json', 'hits.png', 'history.json', 'index.html', 'umatrix.png'].sort());
    const epochs = out.progress.filter((p) => /^epoch \d+\/6/.test(p.message ?? ''));
    expect(epochs).toHaveLength(6);
    expect(out.progress.at(-1)!.fraction).toBe(1);
  });

  it('writes the codebook as f32 + JSON and as FITS, with the same numbers', () => {
    const cb = new Float32Array(readFileSync(result(out, 'codebook.f32')).buffer.slice(0));
    expect(cb.length).toBe(30 * D);
    const m = JSON.parse(readFileSync(result(out, 'codebook.json'), 'utf8'));
    expect(m).toMatchObject({ n: 30, d: D, rows: 6, cols: 5, topology: 'hexagonal', wavelength_start: 6500, wavelength_step: 1 });
    const fits = readFits(readFileSync(result(out, 'codebook.fits')));
    const img = fits.hdus[0]!;
    expect(img.header.get('NAXIS1')).toBe(D);
    expect(img.header.get('NAXIS2')).toBe(5);
    expect(img.header.get('NAXIS3')).toBe(6);
    expect(img.header.get('CRVAL1')).toBe(6500);
    expect(Array.from(img.image()!.data as Float32Array)).toEqual(Array.from(cb));
  });

  it('lists the BMU of every input in CSV and VOTable, classes included', () => {
    const csv = readFileSync(result(out, 'bmu.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('index,name,class,bmu,row,col,distance');
    expect(csv).toHaveLength(N + 1);
    expect(csv[2]).toMatch(/^1,row 1,emission,\d+,\d,\d,/);
    const vot = readVoTable(readFileSync(result(out, 'bmu.vot')));
    const table = vot.resources[0]!.tables[0]!;
    expect(table.rows).toHaveLength(N);
    const bmuCol = table.fields.findIndex((f) => f.name === 'bmu');
    csv.slice(1).forEach((line, i) => expect(Number(line.split(',')[3])).toBe(Number(table.rows[i]![bmuCol])));
  });

  it('separates the three toy classes', () => {
    const csv = readFileSync(result(out, 'bmu.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const byUnit = new Map<string, Set<string>>();
    for (const c of csv) byUnit.set(c[3]!, (byUnit.get(c[3]!) ?? new Set()).add(c[2]!));
    for (const set of byUnit.values()) expect(set.size).toBe(1);
  });

  it('draws the U-matrix and hit map as PNG', () => {
    for (const name of ['umatrix.png', 'hits.png']) {
      const png = PNG.sync.read(readFileSync(result(out, name)));
      expect(png.width).toBeGreaterThan(50);
      expect(png.height).toBeGreaterThan(50);
    }
  });

  it('writes a self-contained index.html: no external URL is loaded', () => {
    const html = readFileSync(result(out, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)\s*=/i);
    expect(html).not.toMatch(/url\(\s*['"]?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import/i);
    expect(html).toContain('uPlot');
  });

  it('embeds exactly the data of the results', () => {
    const html = readFileSync(result(out, 'index.html'), 'utf8');
    const data = embedded(html);
    const cb = new Float32Array(readFileSync(result(out, 'codebook.f32')).buffer.slice(0));
    const embeddedCodebook = new Float32Array(b64(data.codebook));
    expect(Array.from(embeddedCodebook)).toEqual(Array.from(cb));
    const csv = readFileSync(result(out, 'bmu.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(data.samples.bmu).toEqual(csv.map((c) => Number(c[3])));
    csv.forEach((c, i) => expect(data.samples.distance[i]).toBeCloseTo(Number(c[6]), 4));
    const fits = readFits(readFileSync(result(out, 'codebook.fits')));
    const units = fits.hdus[1]!.table()!;
    expect(data.hits).toEqual(data.hits.map((_, k) => units.cell(k, 'HITS')));
    data.umatrix.forEach((u, k) => expect(u).toBeCloseTo(Number(units.cell(k, 'UMATRIX')), 10));
    expect(data.dominant.map((c) => (c >= 0 ? data.classNames[c] : ''))).toEqual(data.hits.map((_, k) => units.cell(k, 'CLASS')));
    expect(data.classNames.sort()).toEqual(['absorption', 'double', 'emission']);
    // embedded spectra: the closest members, within 16-bit quantisation
    const q = new Uint16Array(b64(data.embedded.flux));
    data.embedded.index.forEach((s, r) => {
      for (let j = 0; j < D; j++) {
        expect(Math.abs(data.embedded.offset[r]! + data.embedded.scale[r]! * q[r * D + j]! - x[s * D + j]!)).toBeLessThan(1e-4);
      }
    });
    expect(data.embedded.index.length).toBeLessThanOrEqual(3 * 30);
    const history = JSON.parse(readFileSync(result(out, 'history.json'), 'utf8'));
    expect(data.qe).toBe(history.qe);
    expect(data.history.map((e) => e.qe)).toEqual(history.epochs.map((e: { qe: number }) => e.qe));
  });
});

describe('a job with the cosine distance', () => {
  it('plots the spectra at unit length in the viewer, as the map saw them', async () => {
    const out = await runWorkerForTest(plugin, { rows: 3, cols: 3, epochs: 3, distance: 'cosine', viewerSpectra: 2 }, { files: { data: f32, meta: metaPath } });
    expect(out.phase, out.error).toBe('COMPLETED');
    const data = embedded(readFileSync(result(out, 'index.html'), 'utf8'));
    expect(data.distance).toBe('cosine');
    const q = new Uint16Array(b64(data.embedded.flux));
    expect(data.embedded.index.length).toBeGreaterThan(0);
    data.embedded.index.forEach((_, r) => {
      let ss = 0;
      for (let j = 0; j < D; j++) ss += (data.embedded.offset[r]! + data.embedded.scale[r]! * q[r * D + j]!) ** 2;
      expect(Math.sqrt(ss)).toBeCloseTo(1, 3);
    });
    // distances are 1 - cos: between 0 and 2
    expect(data.samples.distance.every((v) => v >= 0 && v <= 2)).toBe(true);
  });
});

describe('other inputs', () => {
  it('reads a CSV matrix with names, classes and wavelength headers', async () => {
    const lines = [`name,${Array.from({ length: D }, (_, j) => 6500 + j).join(',')},class`];
    for (let i = 0; i < 60; i++) lines.push(`star${i},${Array.from(x.subarray(i * D, (i + 1) * D)).join(',')},${classes[i]}`);
    const out = await runWorkerForTest(plugin, { rows: 3, cols: 3, epochs: 3 }, { files: { data: { content: lines.join('\n'), name: 'm.csv' } } });
    expect(out.phase, out.error).toBe('COMPLETED');
    const csv = readFileSync(result(out, 'bmu.csv'), 'utf8');
    expect(csv).toContain('\n5,star5,double,');
    expect(JSON.parse(readFileSync(result(out, 'codebook.json'), 'utf8')).wavelength_start).toBe(6500);
  });

  it('reads a zip of a matrix, its meta and byte labels', async () => {
    const zip = zipSync({ 'set/toy.f32': new Uint8Array(x.buffer.slice(0)), 'set/toy.json': strToU8(JSON.stringify(meta)),
      'set/labels.u8': Uint8Array.from(classes, (c) => ['absorption', 'emission', 'double'].indexOf(c)) });
    const out = await runWorkerForTest(plugin, { rows: 3, cols: 3, epochs: 2 }, { files: { data: { content: zip, name: 'set.zip' } } });
    expect(out.phase, out.error).toBe('COMPLETED');
    expect(readFileSync(result(out, 'bmu.csv'), 'utf8')).toContain('\n2,row 2,double,');
  });

  it('reads a tar and a tar.gz of a matrix and its meta', async () => {
    const pack = tarStream.pack();
    pack.entry({ name: 'set/toy.f32' }, Buffer.from(x.buffer.slice(0)));
    pack.entry({ name: 'set/toy.json' }, JSON.stringify(meta));
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    const tar = Buffer.concat(chunks);
    for (const [content, name] of [[tar, 'set.tar'], [gzipSync(tar), 'set.tar.gz']] as const) {
      const out = await runWorkerForTest(plugin, { rows: 3, cols: 3, epochs: 2 }, { files: { data: { content: new Uint8Array(content), name } } });
      expect(out.phase, `${name}: ${out.error}`).toBe('COMPLETED');
      expect(readFileSync(result(out, 'bmu.csv'), 'utf8').trim().split('\n')).toHaveLength(N + 1);
    }
  });

  it('refuses a damaged archive with its name', async () => {
    const out = await runWorkerForTest(plugin, { rows: 2, cols: 2 }, { files: { data: { content: new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]), name: 'broken.tar.gz' } } });
    expect(out.phase).toBe('ERROR');
    expect(out.error).toMatch(/broken\.tar\.gz: not a readable gzip file/);
  });

  it('cuts a matrix to a wavelength range', async () => {
    const out = await runWorkerForTest(plugin, { rows: 2, cols: 2, epochs: 2, wavelengthMin: 6510, wavelengthMax: 6529.5 },
      { files: { data: f32, meta: metaPath } });
    expect(out.phase, out.error).toBe('COMPLETED');
    expect(JSON.parse(readFileSync(result(out, 'codebook.json'), 'utf8'))).toMatchObject({ d: 20, wavelength_start: 6510 });
  });
});

describe('bad input', () => {
  const run = (params: Record<string, unknown>, files: Parameters<typeof runWorkerForTest>[2]['files']) =>
    runWorkerForTest(plugin, { rows: 2, cols: 2, epochs: 2, ...params }, { files });

  it('refuses NaNs with the names of the spectra, or leaves them out with nan=drop', async () => {
    const y = Float32Array.from(x);
    y[7 * D + 3] = NaN;
    y[9 * D] = Infinity;
    writeFileSync(join(dir, 'nan.f32'), y);
    const bad = await run({}, { data: join(dir, 'nan.f32'), meta: metaPath });
    expect(bad.phase).toBe('ERROR');
    expect(bad.error).toMatch(/2 spectra contain NaN or infinite values: row 7, row 9.*nan=drop/);
    const ok = await run({ nan: 'drop' }, { data: join(dir, 'nan.f32'), meta: metaPath });
    expect(ok.phase, ok.error).toBe('COMPLETED');
    const history = JSON.parse(readFileSync(result(ok, 'history.json'), 'utf8'));
    expect(history.dropped).toEqual(['row 7', 'row 9']);
    expect(history.spectra).toBe(N - 2);
  });

  it('refuses CSV spectra of different lengths', async () => {
    const out = await run({}, { data: { content: '1,2,3\n4,5,6\n7,8\n', name: 'ragged.csv' } });
    expect(out.phase).toBe('ERROR');
    expect(out.error).toMatch(/line 3 has 2 cells, the first row 3/);
  });

  it('refuses an empty archive', async () => {
    const out = await run({}, { data: { content: zipSync({}), name: 'empty.zip' } });
    expect(out.phase).toBe('ERROR');
    expect(out.error).toMatch(/no input files/);
  });

  it('refuses a matrix whose size does not match its meta', async () => {
    const out = await run({}, { data: { content: new Uint8Array(10), name: 'x.f32' }, meta: metaPath });
    expect(out.phase).toBe('ERROR');
    expect(out.error).toMatch(/10 bytes, but the meta says 240 x 48/);
  });

  it('refuses a matrix without meta', async () => {
    const out = await run({}, { data: { content: new Uint8Array(16), name: 'x.f32' } });
    expect(out.error).toMatch(/needs its JSON meta/);
  });

  it('trains a 1 x 1 map (the mean spectrum, TE 0)', async () => {
    const out = await run({ rows: 1, cols: 1 }, { data: f32, meta: metaPath });
    expect(out.phase, out.error).toBe('COMPLETED');
    expect(JSON.parse(readFileSync(result(out, 'history.json'), 'utf8')).te).toBe(0);
  });

  it('trains a map with more neurons than spectra and says so in the log', async () => {
    const few = new Float32Array(x.subarray(0, 10 * D));
    const out = await run({ rows: 5, cols: 5 }, { data: { content: new Uint8Array(few.buffer), name: 'few-10-48.f32' } });
    expect(out.phase, out.error).toBe('COMPLETED');
    expect(out.logs.some((l) => l.level === 'warn' && /more neurons \(25\) than spectra \(10\)/.test(l.message))).toBe(true);
  });

  it('stops on ABORT', async () => {
    const out = await runWorkerForTest(plugin, { rows: 10, cols: 10, epochs: 10000, algorithm: 'online' },
      { files: { data: f32, meta: metaPath }, abortAfterMs: 300 });
    expect(out.phase).toBe('ABORTED');
  });
});
