import { readFile } from 'node:fs/promises';
import { runWorkerForTest } from '@vocloud/sdk/testing';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { korelWorker as korel, prepareWorker as prepare } from '../src/index.js';
import { parseKorelDat } from '../src/formats/korel-dat.js';
import { C_KMS } from '../src/method/orbit.js';
import { fitsSpectrum, fittedK, PREPARED_PAR } from './support/fits-spectra.js';
import { times } from './support/synthetic.js';

describe('korel-prepare: korel.dat from FITS spectra', () => {
  const ts = times(16, 20, 21);
  const zip = zipSync(Object.fromEntries(ts.map((t, i) => [`spectra/s${String(i).padStart(2, '0')}.fits`, fitsSpectrum(t, i)])));

  it('resamples to a power-of-two ln λ grid with times from the headers, and KOREL recovers the orbit from it', async () => {
    const out = await runWorkerForTest(prepare, { lambdaMin: 6450, lambdaMax: 6550, bins: 1024, timeOffset: 2450000 }, { files: { spectra: { content: zip, name: 'spectra.zip' } } });
    expect(out.error).toBeUndefined();
    const datPath = out.results.find((r) => r.name === 'korel.dat')!.path;
    const dat = parseKorelDat(await readFile(datPath, 'utf8'));
    expect(dat.records).toHaveLength(16);
    const r0 = dat.records[0]!;
    expect(r0.values.length).toBe(1024);
    expect(r0.lambda0).toBe(6450);
    // the last bin of KOREL's grid λ0 (1 + dv/c)^(N−1) is lambdaMax
    expect(r0.lambda0 * Math.pow(1 + r0.dv / C_KMS, 1023)).toBeCloseTo(6550, 6);
    expect(dat.records.map((r) => r.t)).toEqual([...ts].sort((a, b) => a - b).map((t) => expect.closeTo(t, 8)));
    expect(await readFile(out.results.find((r) => r.name === 'prepare.txt')!.path, 'utf8')).toMatch(/16 spectra on 1024 bins/);
    const fit = await runWorkerForTest(korel, { plots: false }, { files: { dat: datPath, parFile: { content: PREPARED_PAR } } });
    expect(fit.error).toBeUndefined();
    const res = await readFile(fit.results.find((r) => r.name === 'korel.res')!.path, 'utf8');
    const { K1, K2 } = fittedK(res);
    expect(Math.abs(K1 - 80)).toBeLessThan(0.5);
    expect(Math.abs(K2 - 120)).toBeLessThan(0.5);
  }, 60_000);

  it('a spectrum that does not cover the range, a missing time and a bad bin count are clear errors', async () => {
    const narrow = await runWorkerForTest(prepare, { lambdaMin: 6300, lambdaMax: 6550, bins: 1024 }, { files: { spectra: { content: zip } } });
    expect(narrow.error).toMatch(/^spectra\/s00\.fits: covers 6400\.00–6600\.00 Å, which does not include the chosen range 6300–6550 Å/);
    const noTime = zipSync({ 'a.fits': fitsSpectrum(1, 1, { DATE: 'today' }) });
    const t = await runWorkerForTest(prepare, { lambdaMin: 6450, lambdaMax: 6550, bins: 1024 }, { files: { spectra: { content: noTime } } });
    expect(t.error).toMatch(/^a\.fits: no time of observation: none of HJD, BJD, JD, MJD-OBS is in its header/);
    const bins = await runWorkerForTest(prepare, { lambdaMin: 6450, lambdaMax: 6550, bins: 1000 }, { files: { spectra: { content: zip } } });
    expect(bins.error).toMatch(/bins = 1000 must be a power of two/);
    const single = await runWorkerForTest(prepare, { lambdaMin: 6450, lambdaMax: 6550, bins: 256, timeKeyword: 'HJD' }, { files: { spectra: { content: fitsSpectrum(2, 2), name: 'one.fits' } } });
    expect(single.error).toBeUndefined();
  });
});
