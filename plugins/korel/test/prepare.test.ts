import { readFile } from 'node:fs/promises';
import { writeFits } from '@vocloud/sdk/formats';
import { runWorkerForTest } from '@vocloud/sdk/testing';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { parseKorelDat } from '../src/formats/korel-dat.js';
import { C_KMS, starVelocities } from '../src/method/orbit.js';
import { elementsArray, rng, times } from './support/synthetic.js';

const [korel, prepare] = plugin as unknown as [(typeof plugin)[0], (typeof plugin)[1]];
const orbit = elementsArray({ 0: { P: 3.5, T0: 0.3, e: 0.2, omega: 60, K1: 80, q: 2 / 3 } });
const lines1 = [{ at: 6480, sigma: 0.25, depth: 0.3 }, { at: 6520, sigma: 0.4, depth: 0.2 }];
const lines2 = [{ at: 6500, sigma: 0.2, depth: 0.25 }];

/** A 1-D FITS spectrum with a linear wavelength WCS, as CCD700 at Ondřejov writes them. */
function fitsSpectrum(t: number, seed: number, header: Record<string, string | number> = { HJD: 2450000 + t }): Uint8Array {
  const v = new Float64Array(5);
  starVelocities(orbit, t, v);
  const n = 4001;
  const flux = new Float32Array(n);
  const r = rng(seed);
  for (let i = 0; i < n; i++) {
    const lambda = 6400 + 0.05 * i;
    let f = 1;
    for (const l of lines1) f -= 0.7 * l.depth * Math.exp(-0.5 * ((lambda - l.at * (1 + v[0]! / C_KMS)) / l.sigma) ** 2);
    for (const l of lines2) f -= 0.3 * l.depth * Math.exp(-0.5 * ((lambda - l.at * (1 + v[1]! / C_KMS)) / l.sigma) ** 2);
    flux[i] = f + 0.001 * r.normal();
  }
  return writeFits([{ kind: 'image', data: flux, header: { CRVAL1: 6400, CDELT1: 0.05, CRPIX1: 1, CTYPE1: 'WAVE', CUNIT1: 'Angstrom', OBJECT: 'synthetic SB2', ...header } }]);
}

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
    const par = '1 1 0 0 0 16 0 0 0\no 0 1 0 1 1 3.5 0.01\no 0 2 0 1 1 0.3 0.05\no 0 3 0 1 1 0.2 0.05\no 0 4 0 1 1 60 10\no 0 5 1 1 1 70 10\no 0 6 1 1 1 0.7 0.05\no 0 0\n';
    const fit = await runWorkerForTest(korel, { plots: false }, { files: { dat: datPath, parFile: { content: par } } });
    expect(fit.error).toBeUndefined();
    const res = await readFile(fit.results.find((r) => r.name === 'korel.res')!.path, 'utf8');
    const K1 = Number(/^o\s+0\s+5\s+\S+\s+\S+\s+\S+\s+(\S+)/m.exec(res)![1]);
    const K2 = Number(/K2 = (\S+)/.exec(res)![1]);
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
