import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needPeer, peers } from '../../../tests/support/peers.js';
import {
  SpectrumError,
  airToVacuum,
  cutSpectrum,
  fitContinuum,
  gaussianSmooth,
  linearGrid,
  normalise,
  packSpectra,
  readSpectrum,
  resampleFluxConserving,
  resampleLinear,
  vacuumToAir,
  type Spectrum,
} from '../../src/formats/index.js';
import { readSpectrumFile } from '../../src/formats/node.js';
import { REAL, generate, readJson } from './support.js';

interface Exp {
  wave: number[];
  flux: number[];
  error: (number | 'NaN')[] | null;
  meta: Record<string, unknown>;
}

function closeArrays(got: ArrayLike<number>, want: number[], rel: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (!(d <= rel * Math.abs(want[i]) + 1e-300)) throw new Error(`${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

describe.skipIf(!needPeer(peers.astropy(), 'spectra in archive layouts written by astropy'))('readSpectrum recognises archive layouts', () => {
  let dir = '';
  let cleanup = (): void => {};
  let exp: Record<string, Exp> = {};
  beforeAll(() => {
    ({ dir, cleanup } = generate('gen_spectra.py'));
    exp = readJson(join(dir, 'expected.json'));
  });
  afterAll(() => cleanup());

  it.each([
    'ccd700.fits',
    'cd11.fits.gz',
    'iraf_log10.fits',
    'wave_log.fits',
    'ln.fits',
    'lamost_old.fits',
    'lamost_new.fits',
    'sdss.fits',
    'sdm.fits',
    'ssa.vot.xml',
  ])('%s: axis in Angstrom, flux, error and metadata as expected', async (name) => {
    const e = exp[name];
    const s = await readSpectrumFile(join(dir, name));
    expect(s.wavelengthUnit).toBe('Angstrom');
    // The axis is compared with astropy.wcs (or the layout's own formula) to 1e-9 relative;
    // stored float32 axes exactly.
    closeArrays(s.wavelength, e.wave, 1e-9, 'wavelength');
    closeArrays(s.flux, e.flux, 0, 'flux');
    if (e.error) {
      expect(s.error, 'error').toBeDefined();
      const err = Array.from(s.error!, (x) => (Number.isNaN(x) ? 'NaN' : x));
      err.forEach((x, i) => {
        const w = e.error![i];
        if (w === 'NaN' || x === 'NaN') expect(x).toBe(w);
        else expect(Math.abs((x as number) - w)).toBeLessThanOrEqual(1e-6 * Math.abs(w));
      });
    } else expect(s.error).toBeUndefined();
    for (const [k, v] of Object.entries(e.meta)) {
      if (typeof v === 'number') expect(s.meta[k as keyof typeof s.meta] as number, k).toBeCloseTo(v, 5);
      else expect(s.meta[k as keyof typeof s.meta], k).toEqual(v);
    }
    expect(s.meta.name).toBe(name);
  });

  it('finds LAMOST rows by their values, not positions: the wavelength row is recognised wherever it is', () => {
    const s = readSpectrum(readFileSync(join(dir, 'lamost_old.fits')));
    expect(s.meta.columns).toEqual({ spectral: 'row 3', flux: 'row 1', error: 'row 2' });
  });

  it('picks table columns by name and unit regardless of order (LAMOST DR8 puts IVAR first)', () => {
    const s = readSpectrum(readFileSync(join(dir, 'lamost_new.fits')));
    expect(s.meta.columns).toEqual({ spectral: 'WAVELENGTH', flux: 'FLUX', error: 'IVAR' });
  });
});

describe('readSpectrum on real files', () => {
  it('HST CALSPEC table: WAVELENGTH/FLUX/STATERROR in Angstrom and FLAM', async () => {
    const s = await readSpectrumFile(join(REAL, 'calspec-grw70d5824-bintable.fits'));
    expect(s.wavelength.length).toBe(3991);
    expect(s.wavelength[0]).toBeCloseTo(1140.558, 2);
    expect(s.wavelength[3990]).toBeCloseTo(24976.709, 2);
    expect(s.fluxUnit).toBe('FLAM');
    expect(s.meta).toMatchObject({ object: 'GRW+70D5824', sourceFormat: 'fits-table', columns: { error: 'STATERROR' } });
  });

  it('ALFALFA vector columns: one row of 1024-element arrays, frequency axis kept in MHz', async () => {
    const s = await readSpectrumFile(join(REAL, 'alfalfa-hi-vector-columns.fits'));
    expect(s.wavelength.length).toBe(1024);
    expect(s.wavelengthUnit).toBe('MHz');
    expect(s.meta.spectralQuantity).toBe('frequency');
    expect(s.meta.sourceFormat).toBe('fits-table-vector');
    expect(s.fluxUnit).toBe('mJy');
    for (let i = 1; i < 1024; i++) expect(s.wavelength[i]).toBeGreaterThan(s.wavelength[i - 1]);
  });

  it('supernova CSV with a header row', async () => {
    const s = await readSpectrumFile(join(REAL, 'oac-sn-spectrum.csv'));
    expect(s.wavelength.length).toBe(2132);
    expect([s.wavelength[0], s.flux[0]]).toEqual([8500, 2.4359e-16]);
    expect(s.meta.sourceFormat).toBe('ascii');
  });

  it('a VOTable without spectral columns (an SSAP result) is a clear SpectrumError', () => {
    expect(() => readSpectrum(readFileSync(join(REAL, 'ssap-sdss-dr6-result.vot.xml')))).toThrow(SpectrumError);
  });

  it('whitespace text with comments, units in the header and nm converted', () => {
    const s = readSpectrum('# my spectrum\n# lambda[nm] flux err\n500 1 0.1\n501 2 0.2\n502 3 0.3\n');
    expect(Array.from(s.wavelength)).toEqual([5000, 5010, 5020]);
    expect(Array.from(s.error!)).toEqual([0.1, 0.2, 0.3]);
  });

  it('rejects garbage with a named error', () => {
    expect(() => readSpectrum(new Uint8Array([0, 1, 2, 3]), { name: 'junk.bin' })).toThrow(/junk\.bin/);
  });
});

function synthetic(n = 200): Spectrum {
  const wavelength = linearGrid(4000, 5000, n);
  const flux = new Float64Array(n);
  for (let i = 0; i < n; i++) flux[i] = 2 + 0.001 * (wavelength[i] - 4000) - 1.5 * Math.exp(-0.5 * ((wavelength[i] - 4500) / 5) ** 2);
  return { wavelength, flux, error: new Float64Array(n).fill(0.1), wavelengthUnit: 'Angstrom', fluxUnit: 'x', meta: { sourceFormat: 'ascii', spectralQuantity: 'wavelength' } };
}

describe('spectrum operations', () => {
  it('cutSpectrum keeps the closed range', () => {
    const s = cutSpectrum(synthetic(11), 4100, 4300);
    expect(Array.from(s.wavelength)).toEqual([4100, 4200, 4300]);
  });

  it('resampleLinear interpolates linear data exactly and fills outside with NaN', () => {
    const s: Spectrum = { ...synthetic(3), wavelength: Float64Array.of(1, 2, 3), flux: Float64Array.of(10, 20, 40), error: undefined };
    const r = resampleLinear(s, Float64Array.of(0.5, 1, 1.5, 2.5, 3, 3.5));
    expect(Array.from(r.flux)).toEqual([NaN, 10, 15, 30, 40, NaN]);
  });

  it('resampleFluxConserving preserves the integral and propagates errors', () => {
    // 1 Å pixels (edges at half-integers) into 10 Å pixels whose edges fall on old edges.
    const s = synthetic(1001);
    const grid = linearGrid(4100.5, 4900.5, 81);
    const r = resampleFluxConserving(s, grid);
    const integral = (x: ArrayLike<number>, y: ArrayLike<number>, a: number, b: number, w: number): number => {
      let t = 0;
      for (let i = 0; i < x.length; i++) if (x[i] > a && x[i] < b) t += y[i] * w;
      return t;
    };
    expect(integral(r.wavelength, r.flux, 4095.5, 4905.5, 10)).toBeCloseTo(integral(s.wavelength, s.flux, 4095.5, 4905.5, 1), 8);
    // Averaging ~10 pixels of σ = 0.1 gives σ ≈ 0.1/√10.
    expect(r.error![40]).toBeCloseTo(0.1 / Math.sqrt(10), 2);
  });

  it('normalise: l2 gives unit norm, max gives 1, minmax spans [0, 1]', () => {
    const s = synthetic();
    const l2 = normalise(s, 'l2');
    expect(Math.hypot(...Array.from(l2.flux))).toBeCloseTo(1, 12);
    expect(Math.max(...Array.from(normalise(s, 'max').flux))).toBe(1);
    const mm = normalise(s, 'minmax');
    expect([Math.min(...Array.from(mm.flux)), Math.max(...Array.from(mm.flux))]).toEqual([0, 1]);
  });

  it('continuum normalisation ignores an absorption line and flattens the continuum to 1', () => {
    const s = synthetic(500);
    const c = fitContinuum(s, { degree: 1 });
    // The continuum is 2 + 0.001 (λ − 4000): the rejection keeps the line out of the fit.
    expect(c[0]).toBeCloseTo(2, 3);
    expect(c[499]).toBeCloseTo(3, 3);
    const n = normalise(s, 'continuum', { degree: 1 });
    expect(n.flux[10]).toBeCloseTo(1, 3);
    expect(n.flux[250]).toBeLessThan(0.6);
  });

  it('gaussianSmooth keeps a constant, widens a line, ignores NaN', () => {
    const s = synthetic();
    s.flux[3] = NaN;
    const g = gaussianSmooth(s, 3);
    expect(g.flux[100]).toBeGreaterThan(s.flux[100]);
    expect(Number.isFinite(g.flux[3])).toBe(true);
    const flat: Spectrum = { ...s, flux: new Float64Array(50).fill(7), wavelength: linearGrid(1, 50, 50) };
    expect(Array.from(gaussianSmooth(flat, 2, { unit: 'wavelength' }).flux).every((v) => Math.abs(v - 7) < 1e-12)).toBe(true);
  });

  it('air ↔ vacuum: Hα 6564.61 Å (vacuum) is 6562.80 Å in air, and the round trip is exact to 1e-4 Å', () => {
    const air = vacuumToAir(Float64Array.of(6564.61, 4000, 1500));
    expect(air[0]).toBeCloseTo(6562.80, 2);
    expect(air[2]).toBe(1500);
    const back = airToVacuum(air);
    expect(Math.abs(back[0] - 6564.61)).toBeLessThan(1e-4);
    expect(Math.abs(back[1] - 4000)).toBeLessThan(1e-4);
    expect(airToVacuum(synthetic()).meta.medium).toBe('vacuum');
  });

  it('packSpectra makes one row-major Float32 matrix on the grid, optionally shared', () => {
    const a = synthetic(100);
    const b = { ...synthetic(50), flux: new Float64Array(50).fill(1) };
    const grid = linearGrid(4000, 5000, 11);
    const p = packSpectra([a, b], grid, { shared: true, fill: 0 });
    expect([p.rows, p.cols]).toEqual([2, 11]);
    expect(p.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(p.data[0]).toBeCloseTo(a.flux[0], 5);
    expect(Array.from(p.data.subarray(11))).toEqual(new Array(11).fill(1));
  });

  it('refuses bad input with SpectrumError', () => {
    expect(() => resampleLinear(synthetic(), Float64Array.of(2, 1))).toThrow(SpectrumError);
    expect(() => gaussianSmooth(synthetic(), 0)).toThrow(SpectrumError);
    expect(() => normalise({ ...synthetic(), flux: new Float64Array(200) }, 'l2')).toThrow(SpectrumError);
  });
});
