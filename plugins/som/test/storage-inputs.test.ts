// Inputs from storage (dataPaths, metaPath, labelsPath) through the sdk harness's ctx.storage on
// a local folder: folders read recursively through the include glob, files named by their
// storage paths, mixed with uploads, and a clear error for each way storage input goes wrong.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { resolvePluginExport } from '@vocloud/sdk';
import { writeFits } from '@vocloud/sdk/formats';
import { runWorkerForTest, type TestRunOutcome } from '@vocloud/sdk/testing';
import pluginExport, { InputError, loadInputs, somWorker } from '@vocloud/plugin-som';

const plugin = somWorker();
const root = mkdtempSync(join(tmpdir(), 'vocloud-som-storage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SHAPES = ['dip', 'peak', 'double'] as const;
/** A 1-D FITS spectrum on 6500 + 0.5 i Å of one of three shapes. */
function spectrum(shape: number, seed: number): Uint8Array {
  const flux = new Float32Array(80);
  for (let i = 0; i < flux.length; i++) {
    const g = (mu: number) => Math.exp(-0.5 * ((i - mu) / 4) ** 2);
    const f = shape === 0 ? 1 - 0.5 * g(40) : shape === 1 ? 1 + g(40) : 1 + 0.8 * g(30) + 0.8 * g(50);
    flux[i] = f + 0.004 * Math.sin(seed * 3.7 + i * 1.1);
  }
  return writeFits([{ kind: 'image', data: flux, header: { CRVAL1: 6500, CDELT1: 0.5, CRPIX1: 1, CTYPE1: 'WAVE', CUNIT1: 'Angstrom' } }]);
}
/** Write a file below the storage root: `home/…` is ~/…, `data/…` is DATA/…. */
function put(path: string, content: string | Uint8Array): void {
  const p = join(root, path);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, content);
}

// ~/spectra: 9 spectra, three in a subfolder, with a text file and a hidden file beside them
for (let i = 0; i < 9; i++) put(`home/spectra/${i >= 6 ? '2026/' : ''}s${i}.fits`, spectrum(i % 3, i));
put('home/spectra/README.txt', 'observing notes');
put('home/spectra/.DS_Store', 'finder junk');
put('data/labels/spectra.csv', Array.from({ length: 9 }, (_, i) => `s${i},${SHAPES[i % 3]}`).join('\n'));
mkdirSync(join(root, 'home', 'empty'), { recursive: true });
mkdirSync(join(root, 'home', 'only-hidden'), { recursive: true });
put('home/only-hidden/.keep', '');

const run = (params: Record<string, unknown>, files: Parameters<typeof runWorkerForTest>[2] = {}, worker = plugin) =>
  runWorkerForTest(worker, { rows: 2, cols: 2, epochs: 3, ...params }, { storageRoot: root, ...files });
const bmuRows = (out: TestRunOutcome) =>
  readFileSync(out.results.find((r) => r.name === 'bmu.csv')!.path, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));

describe('storage inputs', () => {
  it('reads a folder recursively through the include glob, names spectra by storage path, and takes labels from DATA', async () => {
    const out = await run({ dataPaths: ['vocloud:/~/spectra'], include: '*.fits', labelsPath: 'vocloud:/DATA/labels/spectra.csv', rows: 3, cols: 1, epochs: 6 });
    expect(out.phase, out.error).toBe('COMPLETED');
    const rows = bmuRows(out);
    expect(rows.map((r) => r[1])).toEqual([
      '~/spectra/2026/s6.fits', '~/spectra/2026/s7.fits', '~/spectra/2026/s8.fits',
      ...Array.from({ length: 6 }, (_, i) => `~/spectra/s${i}.fits`),
    ]);
    expect(rows.map((r) => r[2])).toEqual(['dip', 'peak', 'double', 'dip', 'peak', 'double', 'dip', 'peak', 'double']);
    // three shapes on a 3 x 1 map: one neuron per shape
    const unitOf = new Map(rows.map((r) => [r[2], new Set<string>()]));
    for (const r of rows) unitOf.get(r[2])!.add(r[3]!);
    expect([...unitOf.values()].map((s) => s.size)).toEqual([1, 1, 1]);
    expect(new Set([...unitOf.values()].map((s) => [...s][0])).size).toBe(3);
    expect(out.logs.find((l) => /9 input file\(s\) from storage/.test(l.message))).toBeDefined();
  });

  it('takes a path pattern relative to the folder, and named files as they are', async () => {
    const out = await run({ dataPaths: ['vocloud:/~/spectra', '~/spectra/s0.fits'], include: '2026/*.fits' });
    expect(out.phase, out.error).toBe('COMPLETED');
    expect(bmuRows(out).map((r) => r[1])).toEqual(['~/spectra/2026/s6.fits', '~/spectra/2026/s7.fits', '~/spectra/2026/s8.fits', '~/spectra/s0.fits']);
  });

  it('mixes uploads with storage files, reading a file named twice once', async () => {
    const out = await run({ dataPaths: ['vocloud:/~/spectra/2026', 'vocloud:/~/spectra/2026/s7.fits'] }, { files: { data: { content: spectrum(1, 99), name: 'up.fits' } } });
    expect(out.phase, out.error).toBe('COMPLETED');
    expect(bmuRows(out).map((r) => r[1])).toEqual(['~/spectra/2026/s6.fits', '~/spectra/2026/s7.fits', '~/spectra/2026/s8.fits', 'up.fits']);
  });

  it('reads a float32 matrix in DATA with its meta from ~ (metaPath)', async () => {
    const x = new Float32Array(12 * 5).map((_, i) => (i % 5) + Math.floor(i / 5));
    put('data/matrices/m.f32', new Uint8Array(x.buffer));
    put('home/meta/m.json', JSON.stringify({ n: 12, d: 5, wavelength_start: 4000, wavelength_step: 2 }));
    const out = await run({ dataPaths: ['vocloud:/DATA/matrices/m.f32'], metaPath: 'vocloud:/~/meta/m.json' });
    expect(out.phase, out.error).toBe('COMPLETED');
    expect(JSON.parse(readFileSync(out.results.find((r) => r.name === 'codebook.json')!.path, 'utf8'))).toMatchObject({ d: 5, wavelength_start: 4000 });
    expect(bmuRows(out)).toHaveLength(12);
  });
});

describe('storage input errors', () => {
  const fails = async (params: Record<string, unknown>, message: RegExp, files: Parameters<typeof runWorkerForTest>[2] = {}, worker = plugin) => {
    const out = await run(params, files, worker);
    expect(out.phase).toBe('ERROR');
    expect(out.error).toMatch(message);
  };

  it('an empty folder, or one with hidden files only', async () => {
    await fails({ dataPaths: ['vocloud:/~/empty'] }, /^~\/empty is an empty folder$/);
    await fails({ dataPaths: ['vocloud:/~/only-hidden'] }, /^~\/only-hidden is an empty folder$/);
  });

  it('a folder where nothing matches the include pattern names some of its files', async () => {
    await fails({ dataPaths: ['vocloud:/~/spectra'], include: '*.vot' }, /none of the 10 files in ~\/spectra matches the include pattern \(e\.g\. 2026\/s6\.fits, 2026\/s7\.fits, 2026\/s8\.fits\)/);
  });

  it('more files than the service allows', async () => {
    const small = somWorker({ maxInputFiles: 5 });
    await fails({ dataPaths: ['vocloud:/~/spectra'], include: '*.fits' }, /too many input files: more than 5/, {}, small);
    // far more than the limit: the folder walk stops early and says so
    await fails({ dataPaths: ['vocloud:/~/spectra'] }, /~\/spectra holds more than 4 files; name a smaller folder/, {}, somWorker({ maxInputFiles: 1 }));
  });

  it('a path that was deleted after the job was created', async () => {
    await fails({ dataPaths: ['vocloud:/~/spectra/gone.fits'] }, /^~\/spectra\/gone\.fits does not exist \(was it moved or deleted/);
    await fails({ dataPaths: ['vocloud:/~/spectra'], labelsPath: 'vocloud:/~/labels-gone.csv' }, /~\/labels-gone\.csv does not exist/);
  });

  it('a file that is not a spectrum is named by its storage path', async () => {
    put('home/bad/s0.fits', spectrum(0, 0));
    put('home/bad/broken.fits', 'SIMPLE  = this is not FITS');
    await fails({ dataPaths: ['vocloud:/~/bad'] }, /^~\/bad\/broken\.fits: /);
  });

  it('a file that cannot be read is named (a link to nowhere, through loadInputs)', async () => {
    const link = join(root, 'home', 'dangling.fits');
    symlinkSync(join(root, 'nowhere.fits'), link);
    const err = await loadInputs({ data: [{ path: link, name: '~/dangling.fits' }] }, { normalise: 'none', smooth: 0, nan: 'error' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe('~/dangling.fits: the file cannot be read (ENOENT)');
  });

  it('the same input as an upload and a storage path, or no input at all', async () => {
    await fails({ dataPaths: ['vocloud:/~/spectra'], labelsPath: 'vocloud:/DATA/labels/spectra.csv' }, /give labels as an upload or as labelsPath, not both/,
      { files: { labels: { content: 's0,dip', name: 'l.csv' } } });
    await fails({}, /^no input: upload a file as `data`, or name files or folders in storage with `dataPaths`/);
  });

  it('a path outside the storage areas is refused before the job runs', async () => {
    await fails({ dataPaths: ['/etc/passwd'] }, /dataPaths/);
  });
});

describe('plugin options', () => {
  it('set the limits and the file cap; unknown keys and bad values stop the server with a message', () => {
    const [som] = resolvePluginExport(pluginExport, { limits: { som: { maxExecutionDuration: 7200, concurrency: 1 } }, maxInputFiles: 500 }, 'test');
    expect(som!.limits).toEqual({ concurrency: 1, defaultExecutionDuration: 3600, maxExecutionDuration: 7200 });
    expect(resolvePluginExport(pluginExport, undefined, 'test')[0]!.limits.concurrency).toBe(1);
    expect(() => resolvePluginExport(pluginExport, { maxInputfiles: 5 }, 'test')).toThrow(/options: unknown key 'maxInputfiles'/);
    expect(() => resolvePluginExport(pluginExport, { limits: { som: { concurency: 2 } } }, 'test')).toThrow(/options\.limits\.som: unknown key 'concurency'/);
    expect(() => resolvePluginExport(pluginExport, { limits: { som: { maxExecutionDuration: 60 } } }, 'test')).toThrow(/defaultExecutionDuration \(3600\) must be between 1 and maxExecutionDuration \(60\)/);
    expect(() => resolvePluginExport(pluginExport, { maxInputFiles: 0 }, 'test')).toThrow(/maxInputFiles must be a whole number >= 1/);
  });
});
