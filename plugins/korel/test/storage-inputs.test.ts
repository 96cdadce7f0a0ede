// Inputs from storage through the sdk harness's ctx.storage on a local folder: korel.dat,
// korel.par, korel.tmp and archives as vocloud:/~/… or DATA/… files, korel-prepare's folder of
// FITS spectra through an include glob, and a clear error for each way storage input goes wrong.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { resolvePluginExport } from '@vocloud/sdk';
import { runWorkerForTest, type TestRunOutcome } from '@vocloud/sdk/testing';
import { strToU8, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import pluginExport, { korelJobTypes, loadKorelInput, parseKorelDat, KorelInputError } from '../src/index.js';
import { datText, parText } from './support/binary.js';
import { fitsSpectrum, fittedK } from './support/fits-spectra.js';
import { times } from './support/synthetic.js';

const [korel, prepare] = korelJobTypes();
const root = mkdtempSync(join(tmpdir(), 'vocloud-korel-storage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Write a file below the storage root: `home/…` is ~/…, `data/…` is DATA/…. */
function put(path: string, content: string | Uint8Array): void {
  const p = join(root, path);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, content);
}
const text = (out: TestRunOutcome, name: string) => readFileSync(out.results.find((r) => r.name === name)!.path, 'utf8');

put('home/binary/korel.dat', datText);
put('home/binary/korel.par', parText);
put('data/archives/binary.zip', zipSync({ 'korel/korel.dat': strToU8(datText), 'korel/korel.par': strToU8(parText) }));
// korel-prepare: 16 spectra in two nights' folders, with a log and a hidden file beside them
const ts = times(16, 20, 21);
ts.forEach((t, i) => put(`home/hd/night${i % 2}/s${String(i).padStart(2, '0')}.fits`, fitsSpectrum(t, i)));
put('home/hd/observing-log.txt', 'clear sky');
put('home/hd/.DS_Store', 'finder junk');
mkdirSync(join(root, 'home', 'empty'), { recursive: true });

const run = (job: typeof korel | typeof prepare, params: Record<string, unknown>, files: Parameters<typeof runWorkerForTest>[2] = {}) =>
  runWorkerForTest(job as typeof korel, params, { storageRoot: root, ...files });
const PREP = { lambdaMin: 6450, lambdaMax: 6550, bins: 1024, timeOffset: 2450000 };

describe('korel on storage files', () => {
  it('reads korel.dat and korel.par from ~, names them by path in korel.res, and fits the orbit', async () => {
    const out = await run(korel, { datPath: 'vocloud:/~/binary/korel.dat', parPath: 'vocloud:/~/binary/korel.par', plots: false });
    expect(out.phase, out.error).toBe('COMPLETED');
    const res = text(out, 'korel.res');
    expect(res).toMatch(/input: ~\/binary\/korel\.dat \(16 spectra\), ~\/binary\/korel\.par \(1 run\(s\)\)/);
    expect(Math.abs(fittedK(res).K1 - 80)).toBeLessThan(1);
  });

  it('reads an archive in DATA, and mixes a storage file with an upload', async () => {
    const archive = await run(korel, { archivePath: 'vocloud:/DATA/archives/binary.zip', plots: false });
    expect(archive.phase, archive.error).toBe('COMPLETED');
    expect(text(archive, 'korel.res')).toMatch(/input: DATA\/archives\/binary\.zip:korel\/korel\.dat \(16 spectra\)/);
    const mixed = await run(korel, { datPath: 'vocloud:/~/binary/korel.dat', plots: false }, { files: { parFile: { content: parText, name: 'korel.par' } } });
    expect(mixed.phase, mixed.error).toBe('COMPLETED');
    expect(text(mixed, 'korel.spe')).toBe(text(archive, 'korel.spe'));
  });

  it('bad content is named by its storage path and line', async () => {
    put('home/binary/bad.dat', '0 6500 4 1 250\n1 2 3\n');
    const out = await run(korel, { datPath: 'vocloud:/~/binary/bad.dat', parPath: 'vocloud:/~/binary/korel.par' });
    expect(out.phase).toBe('ERROR');
    expect(out.error).toMatch(/^~\/binary\/bad\.dat, line 1: length N = 250 is not a power of two/);
  });

  it('refuses a file given twice, a path that has gone, and a folder where a file is needed', async () => {
    const twice = await run(korel, { datPath: 'vocloud:/~/binary/korel.dat', parPath: 'vocloud:/~/binary/korel.par' }, { files: { dat: { content: datText } } });
    expect(twice.error).toBe('give dat or datPath, not both');
    const gone = await run(korel, { datPath: 'vocloud:/~/binary/gone.dat', parPath: 'vocloud:/~/binary/korel.par' });
    expect(gone.error).toMatch(/^~\/binary\/gone\.dat does not exist \(was it moved or deleted after the job was created\?\)/);
    const folder = await run(korel, { datPath: 'vocloud:/~/binary', parPath: 'vocloud:/~/binary/korel.par' });
    expect(folder.error).toBe('~/binary is a folder; a file is needed');
    const none = await run(korel, { parPath: 'vocloud:/~/binary/korel.par' });
    expect(none.error).toMatch(/korel\.dat: missing: give korel\.dat \(parameter dat, or datPath for a file in storage\)/);
  });

  it('a file that cannot be read is named (loadKorelInput on a path that is not there)', async () => {
    const err = await loadKorelInput({ dat: join(root, 'nowhere.dat'), names: { dat: '~/nowhere.dat' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KorelInputError);
    expect((err as Error).message).toBe('~/nowhere.dat: the file cannot be read (ENOENT)');
  });
});

describe('korel-prepare on a storage folder', () => {
  it('reads the FITS files of a folder and its subfolders through the include glob, named by storage path', async () => {
    const out = await run(prepare, { ...PREP, spectraPath: 'vocloud:/~/hd', include: '*.fits' });
    expect(out.phase, out.error).toBe('COMPLETED');
    const dat = parseKorelDat(text(out, 'korel.dat'));
    expect(dat.records).toHaveLength(16);
    expect(dat.records.map((r) => r.t)).toEqual([...ts].sort((a, b) => a - b).map((t) => expect.closeTo(t, 8)));
    const files = text(out, 'prepare.txt').trim().split('\n').slice(2).map((l) => l.split(' ').pop());
    expect(new Set(files)).toEqual(new Set(ts.map((_, i) => `~/hd/night${i % 2}/s${String(i).padStart(2, '0')}.fits`)));
  });

  it('takes one subfolder by pattern, or an archive in storage', async () => {
    const night = await run(prepare, { ...PREP, spectraPath: 'vocloud:/~/hd', include: 'night1/*.fits' });
    expect(night.phase, night.error).toBe('COMPLETED');
    expect(parseKorelDat(text(night, 'korel.dat')).records).toHaveLength(8);
    put('home/zips/hd.zip', zipSync({ 'a/s0.fits': fitsSpectrum(ts[0]!, 0), 'a/s1.fits': fitsSpectrum(ts[1]!, 1) }));
    const zip = await run(prepare, { ...PREP, spectraPath: 'vocloud:/~/zips/hd.zip' });
    expect(zip.phase, zip.error).toBe('COMPLETED');
    expect(parseKorelDat(text(zip, 'korel.dat')).records).toHaveLength(2);
  });

  it('an empty folder, nothing matching the pattern, too many files, a file that is no spectrum', async () => {
    expect((await run(prepare, { ...PREP, spectraPath: 'vocloud:/~/empty' })).error).toBe('~/empty is an empty folder');
    expect((await run(prepare, { ...PREP, spectraPath: 'vocloud:/~/hd', include: '*.fit' })).error)
      .toMatch(/^none of the 17 files in ~\/hd matches the include pattern \(e\.g\. night0\/s00\.fits, /);
    const [, small] = korelJobTypes({ maxInputFiles: 10 });
    expect((await run(small, { ...PREP, spectraPath: 'vocloud:/~/hd', include: '*.fits' })).error).toMatch(/^too many input files: more than 10/);
    // without the pattern the log is read as a spectrum, and refused by name
    expect((await run(prepare, { ...PREP, spectraPath: 'vocloud:/~/hd' })).error).toMatch(/^~\/hd\/observing-log\.txt: /);
  });

  it('refuses spectra given twice or not at all', async () => {
    const twice = await run(prepare, { ...PREP, spectraPath: 'vocloud:/~/hd' }, { files: { spectra: { content: fitsSpectrum(1, 1), name: 'one.fits' } } });
    expect(twice.error).toBe('give spectra or spectraPath, not both');
    expect((await run(prepare, PREP)).error).toMatch(/^no spectra: upload an archive or a spectrum as `spectra`, or name a folder in storage with `spectraPath`/);
  });
});

describe('plugin options', () => {
  it('set the limits per job type and the file cap; unknown keys and bad values stop the server with a message', () => {
    const [k, p] = resolvePluginExport(pluginExport, { limits: { korel: { concurrency: 1 }, 'korel-prepare': { maxExecutionDuration: 3600 } }, maxInputFiles: 100 }, 'test');
    expect(k!.limits).toEqual({ concurrency: 1, defaultExecutionDuration: 3600, maxExecutionDuration: 86400 });
    expect(p!.limits).toEqual({ concurrency: 2, defaultExecutionDuration: 1800, maxExecutionDuration: 3600 });
    expect(resolvePluginExport(pluginExport, undefined, 'test').map((d) => d.name)).toEqual(['korel', 'korel-prepare']);
    expect(() => resolvePluginExport(pluginExport, { limits: { prepare: {} } }, 'test')).toThrow(/options\.limits: unknown key 'prepare' \(known: korel, korel-prepare\)/);
    expect(() => resolvePluginExport(pluginExport, { limits: { korel: { concurency: 1 } } }, 'test')).toThrow(/options\.limits\.korel: unknown key 'concurency'/);
    expect(() => resolvePluginExport(pluginExport, { limits: { korel: { concurrency: 0 } } }, 'test')).toThrow(/concurrency must be at least 1/);
    expect(() => resolvePluginExport(pluginExport, { maxInputFiles: -1 }, 'test')).toThrow(/maxInputFiles must be a whole number >= 1/);
  });
});
