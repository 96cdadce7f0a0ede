import { describe, expect, it } from 'vitest';
import { parseKorelPar } from '../src/formats/korel-par.js';
import type { KorelTmp } from '../src/formats/korel-tmp.js';
import { Disentangler, prepareRegions } from '../src/method/disentangle.js';
import { runKorel, type RunResult } from '../src/method/fit.js';
import { forwardReal } from '../src/method/fourier.js';
import { elementIndex } from '../src/method/orbit.js';
import { rms, rmsDiff, starSpectrum, synthesize, times, type Region, type Synth } from './support/synthetic.js';

const N = 512;
const primary = starSpectrum(N, [{ center: 180, sigma: 4, depth: 0.3 }, { center: 300, sigma: 7, depth: 0.2 }, { center: 350, sigma: 3, depth: 0.1 }], 0.7);
const secondary = starSpectrum(N, [{ center: 200, sigma: 3, depth: 0.25 }, { center: 330, sigma: 4, depth: 0.15 }], 0.3);
const region: Region = { n: N, dv: 3, lambda0: 6500, stars: [primary, secondary] };
const binary = { P: 3.5, T0: 0.3, e: 0.2, omega: 60, K1: 80, q: 80 / 120 };

function fit(s: Synth | Synth['records'], parText: string, tmp: KorelTmp | null = null) {
  const { par, source } = parseKorelPar(parText);
  const records = Array.isArray(s) ? s : (s as Synth).records;
  return runKorel({ dat: { records }, tmp, par, parSource: source, parFile: 'korel.par' });
}

/** korel.par for stars 1–2 in orbit 0; `free` lists the element numbers to fit. */
function binaryPar(el: typeof binary, free: number[], opts: { keys?: string; ifil?: number; steps?: number[]; k0?: number } = {}): string {
  const values = [el.P, el.T0, el.e, el.omega, el.K1, el.q];
  const steps = opts.steps ?? [0.01, 0.05, 0.05, 10, 10, 0.05];
  const lines = values.map((v, i) => `o 0 ${i + 1} ${free.includes(i + 1) ? 1 : 0} 1 1 ${v} ${steps[i]}`);
  return `${opts.keys ?? '1 1 0 0 0'} ${opts.k0 ?? 20} ${opts.ifil ?? 0} 0 0\n${lines.join('\n')}\no 0 0 0 0 0 0 0\n`;
}

function elements(r: RunResult) {
  const el = r.state.elements;
  return { P: el[0]!, T0: el[1]!, e: el[2]!, omega: (el[3]! * 180) / Math.PI, K1: el[4]!, q: el[5]!, K2: el[4]! / el[5]! };
}

describe('Fourier disentangling of synthetic binaries', () => {
  it('noise-free data at the true orbit leave a residual at machine precision and give the true spectra', async () => {
    const s = synthesize({ regions: [region], times: times(20, 20), orbits: { 0: binary } });
    const r = (await fit(s, binaryPar(binary, []))).runs[0]!;
    const dataRms = rms(s.records[0]!.values);
    expect(r.rms / dataRms).toBeLessThan(1e-13);
    expect(rmsDiff(r.spectra[0]![0]!, primary)).toBeLessThan(1e-13);
    expect(rmsDiff(r.spectra[0]![1]!, secondary)).toBeLessThan(1e-13);
    for (const res of r.residuals) expect(rms(res)).toBeLessThan(1e-13);
  });

  it('a slightly wrong orbit leaves a clearly larger residual (the cost is sensitive to it)', async () => {
    const s = synthesize({ regions: [region], times: times(20, 20), orbits: { 0: binary } });
    const r = (await fit(s, binaryPar({ ...binary, K1: binary.K1 + 1 }, []))).runs[0]!;
    expect(r.rms).toBeGreaterThan(1e-5);
  });

  it('recovers an eccentric orbit (e = 0.6) from offset starting values', async () => {
    const ecc = { P: 5.2, T0: 1.1, e: 0.6, omega: 130, K1: 70, q: 0.75 };
    const s = synthesize({ regions: [region], times: times(24, 30, 3), orbits: { 0: ecc }, noise: 0.002, seed: 5 });
    const start = { P: 5.2, T0: 1.2, e: 0.5, omega: 120, K1: 60, q: 0.7 };
    const r = (await fit(s, binaryPar(start, [1, 2, 3, 4, 5, 6], { k0: 24, steps: [0.01, 0.05, 0.05, 10, 10, 0.05] }))).runs[0]!;
    const got = elements(r);
    expect(Math.abs(got.P - ecc.P) / ecc.P).toBeLessThan(1e-4);
    expect(Math.abs(got.e - ecc.e)).toBeLessThan(0.005);
    expect(Math.abs(got.omega - ecc.omega)).toBeLessThan(1);
    expect(Math.abs(got.K1 - ecc.K1)).toBeLessThan(0.5);
    expect(Math.abs(got.K2 - ecc.K1 / ecc.q)).toBeLessThan(0.5);
    expect(rmsDiff(r.spectra[0]![0]!, primary)).toBeLessThan(0.002);
    expect(rmsDiff(r.spectra[0]![1]!, secondary)).toBeLessThan(0.002);
  });

  it('recovers a circular orbit with e and ω fixed', async () => {
    const circ = { P: 2.7, T0: 0.9, e: 0, omega: 0, K1: 90, q: 0.6 };
    const s = synthesize({ regions: [region], times: times(20, 15, 11), orbits: { 0: circ }, noise: 0.002, seed: 9 });
    const r = (await fit(s, binaryPar({ ...circ, T0: 0.8, K1: 80, q: 0.65 }, [1, 2, 5, 6]))).runs[0]!;
    const got = elements(r);
    expect(Math.abs(got.P - circ.P) / circ.P).toBeLessThan(1e-4);
    expect(got.e).toBe(0);
    expect(Math.abs(got.K1 - circ.K1)).toBeLessThan(0.5);
    expect(Math.abs(got.K2 - circ.K1 / circ.q)).toBeLessThan(0.5);
    expect(Math.abs(got.T0 - circ.T0)).toBeLessThan(0.01);
  });

  it('a template component from korel.tmp is held fixed and the other is solved around it', async () => {
    const s = synthesize({ regions: [region], times: times(20, 20), orbits: { 0: binary }, noise: 0.001, seed: 2 });
    const tmp: KorelTmp = { records: [{ lambda0: 6500, dv: 3, star: 1, values: Float64Array.from(primary, (v) => v + 0.7) }] };
    const r = (await fit(s, binaryPar({ ...binary, K1: 75, q: 0.7 }, [5, 6]), tmp)).runs[0]!;
    const got = elements(r);
    expect(Math.abs(got.K1 - binary.K1)).toBeLessThan(0.5);
    expect(Math.abs(got.K2 - 120)).toBeLessThan(0.5);
    // the template comes back unchanged (but for its mean); the other is disentangled
    expect(rmsDiff(r.spectra[0]![0]!, primary)).toBeLessThan(1e-12);
    expect(rmsDiff(r.spectra[0]![1]!, secondary)).toBeLessThan(0.001);
  });

  it('line strengths varying per exposure are solved in alternation (key = 2)', async () => {
    const L = 20;
    const strength = Array.from({ length: L }, (_, e) => 1 + 0.3 * Math.sin(e));
    const s = synthesize({ regions: [region], times: times(L, 20), orbits: { 0: binary }, strengths: { 2: strength } });
    const r = (await fit(s, binaryPar(binary, [], { keys: '1 2 0 0 0' }))).runs[0]!;
    const mean = strength.reduce((a, b) => a + b, 0) / L;
    r.exposures.forEach((x, e) => expect(x.strength[1]).toBeCloseTo(strength[e]! / mean, 6));
    expect(rmsDiff(r.spectra[0]![1]!, Float64Array.from(secondary, (v) => v * mean))).toBeLessThan(1e-6);
    // ignoring the variation (key = 1) fits clearly worse
    const fixed = (await fit(s, binaryPar(binary, []))).runs[0]!;
    expect(fixed.rms).toBeGreaterThan(100 * r.rms);
  });

  it('line strengths and the orbit are fitted together', async () => {
    const L = 20;
    const strength = Array.from({ length: L }, (_, e) => 1 + 0.2 * Math.cos(1.7 * e));
    const s = synthesize({ regions: [region], times: times(L, 20), orbits: { 0: binary }, strengths: { 2: strength }, noise: 0.001, seed: 4 });
    const r = (await fit(s, binaryPar({ ...binary, K1: 75, q: 0.7, omega: 55 }, [4, 5, 6], { keys: '1 2 0 0 0' }))).runs[0]!;
    const got = elements(r);
    expect(Math.abs(got.K1 - 80)).toBeLessThan(0.5);
    expect(Math.abs(got.K2 - 120)).toBeLessThan(0.5);
    expect(Math.abs(got.omega - 60)).toBeLessThan(1);
  });

  it('two spectral regions (different λ0, dv and N) share one orbit', async () => {
    const red: Region = {
      n: 256,
      dv: 4,
      lambda0: 8500,
      stars: [starSpectrum(256, [{ center: 100, sigma: 3, depth: 0.3 }], 0.7), starSpectrum(256, [{ center: 150, sigma: 2, depth: 0.3 }], 0.3)],
    };
    const s = synthesize({ regions: [region, red], times: times(24, 20), orbits: { 0: binary }, noise: 0.001, seed: 8 });
    const r = (await fit(s, binaryPar({ ...binary, K1: 70, q: 0.6, e: 0.15 }, [3, 4, 5, 6], { k0: 24 }))).runs[0]!;
    expect(r.spectra).toHaveLength(2);
    const got = elements(r);
    expect(Math.abs(got.K1 - 80)).toBeLessThan(0.5);
    expect(Math.abs(got.K2 - 120)).toBeLessThan(0.5);
    expect(Math.abs(got.e - 0.2)).toBeLessThan(0.005);
    expect(rmsDiff(r.spectra[1]![0]!, red.stars[0]!)).toBeLessThan(0.001);
    expect(rmsDiff(r.spectra[1]![1]!, red.stars[1]!)).toBeLessThan(0.001);
    // the cost of both regions is the sum of each region alone
    const onlyBlue = (await fit(s.records.filter((_, e) => e % 2 === 0), binaryPar(got, [], { k0: 12 }))).runs[0]!;
    const onlyRed = (await fit(s.records.filter((_, e) => e % 2 === 1), binaryPar(got, [], { k0: 12 }))).runs[0]!;
    expect(r.cost).toBeCloseTo(onlyBlue.cost + onlyRed.cost, 12);
  });

  it('ifil filters continuum ripples out of the fit and the spectra', async () => {
    const s = synthesize({ regions: [region], times: times(20, 20), orbits: { 0: binary }, rippleModes: 3, seed: 3 });
    const unfiltered = (await fit(s, binaryPar(binary, []))).runs[0]!;
    expect(unfiltered.rms).toBeGreaterThan(1e-4);
    const filtered = (await fit(s, binaryPar(binary, [], { ifil: 3 }))).runs[0]!;
    expect(filtered.rms).toBeLessThan(1e-13);
    const X = Float64Array.from(filtered.spectra[0]![0]!);
    const re = new Float64Array(N / 2 + 1);
    const im = new Float64Array(N / 2 + 1);
    forwardReal(X, re, im);
    for (let k = 0; k <= 3; k++) expect(Math.hypot(re[k]!, im[k]!)).toBeLessThan(1e-10);
    // and the orbit is found from offset values despite the ripple
    const r = (await fit(s, binaryPar({ ...binary, K1: 72, q: 0.62 }, [5, 6], { ifil: 3 }))).runs[0]!;
    expect(Math.abs(elements(r).K1 - 80)).toBeLessThan(1e-3);
  });

  it('a stationary third light (key3 = 11) is disentangled beside the binary', async () => {
    const third = starSpectrum(N, [{ center: 250, sigma: 5, depth: 0.4 }], 0.2);
    const s = synthesize({ regions: [{ ...region, stars: [primary, secondary, third] }], times: times(20, 20), orbits: { 0: binary }, fixedVelocity: { 3: 0 } });
    const r = (await fit(s, binaryPar(binary, [], { keys: '1 1 11 0 0' }))).runs[0]!;
    expect(r.spectra[0]).toHaveLength(3);
    expect(rmsDiff(r.spectra[0]![2]!, third)).toBeLessThan(1e-10);
    expect(r.rms).toBeLessThan(1e-12);
  });

  it('a hierarchical triple: the binary orbits a third star, with the light-time effect', async () => {
    const third = starSpectrum(N, [{ center: 250, sigma: 5, depth: 0.4 }], 0.2);
    const outer = { P: 60, T0: 10, e: 0.3, omega: 200, K1: 25, q: 0.8 };
    const s = synthesize({ regions: [{ ...region, stars: [primary, secondary, third] }], times: times(30, 120, 5), orbits: { 0: binary, 2: outer }, noise: 0.001 });
    const par = binaryPar(binary, [], { keys: '1 1 1 0 0', k0: 30 }).replace(
      'o 0 0 0 0 0 0 0',
      ['o 2 1 1 1 1 60 1', 'o 2 2 0 1 1 10 1', 'o 2 3 0 1 1 0.3 0.05', 'o 2 4 0 1 1 200 10', 'o 2 5 1 1 1 20 5', 'o 2 6 1 1 1 0.7 0.05', 'o 0 0 0 0 0 0 0'].join('\n'),
    );
    const r = (await fit(s, par)).runs[0]!;
    const el = r.state.elements;
    expect(Math.abs(el[elementIndex(2, 1)]! - 60) / 60).toBeLessThan(1e-3);
    expect(Math.abs(el[elementIndex(2, 5)]! - 25)).toBeLessThan(0.5);
    expect(Math.abs(el[elementIndex(2, 5)]! / el[elementIndex(2, 6)]! - 25 / 0.8)).toBeLessThan(0.5);
    expect(rmsDiff(r.spectra[0]![2]!, third)).toBeLessThan(0.001);
  });

  it('a second run of korel.par starts from where the first ended (k0 = 0 keeps the data)', async () => {
    const s = synthesize({ regions: [region], times: times(20, 20), orbits: { 0: binary }, noise: 0.001 });
    const first = binaryPar({ ...binary, K1: 70 }, [5]);
    const second = binaryPar({ ...binary, K1: 70 }, [6], { k0: 0 }).split('\n').filter((l) => !l.startsWith('o 0 5')).join('\n');
    const res = await fit(s, first + second);
    expect(res.runs).toHaveLength(2);
    expect(Math.abs(elements(res.runs[0]!).K1 - 80)).toBeLessThan(0.5);
    expect(Math.abs(elements(res.runs[1]!).K1 - elements(res.runs[0]!).K1)).toBe(0);
  });

  it('the general solver (templates, any number of components) agrees with the two-component fast path', async () => {
    const s = synthesize({ regions: [region], times: times(20, 20), orbits: { 0: binary }, noise: 0.003 });
    const regions = prepareRegions(s.records);
    const L = s.records.length;
    const vel = [s.velocities[0]!, s.velocities[1]!, new Float64Array(L)];
    const amp = [new Float64Array(L).fill(1), new Float64Array(L).fill(0.9), new Float64Array(L).fill(1)];
    const w = Float64Array.from({ length: L }, (_, e) => 1 + (e % 3));
    const fast = new Disentangler({ regions, components: 2, firstMode: 2, templates: [[null, null]] });
    const zero = { re: new Float64Array(N / 2 + 1), im: new Float64Array(N / 2 + 1) };
    const general = new Disentangler({ regions, components: 3, firstMode: 2, templates: [[null, null, zero]] });
    const a = fast.evaluate(vel.slice(0, 2), amp.slice(0, 2), w, true);
    const b = general.evaluate(vel, amp, w, true);
    expect(b).toBeCloseTo(a, 12);
    for (let c = 0; c < 2; c++) {
      for (let k = 0; k <= N / 2; k++) {
        expect(general.spectra()[0]![c]!.re[k]).toBeCloseTo(fast.spectra()[0]![c]!.re[k]!, 10);
        expect(general.spectra()[0]![c]!.im[k]).toBeCloseTo(fast.spectra()[0]![c]!.im[k]!, 10);
      }
    }
  });
});
