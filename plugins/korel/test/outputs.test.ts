import { describe, expect, it } from 'vitest';
import { parseKorelPar } from '../src/formats/korel-par.js';
import { runKorel } from '../src/method/fit.js';
import { shiftSpectrum } from '../src/method/fourier.js';
import { starCurves } from '../src/output/orbit-views.js';
import { writeRes, writeSpe } from '../src/output/text-files.js';
import { rms, rmsDiff, starSpectrum, synthesize, times } from './support/synthetic.js';

const N = 256;
const stars = [
  starSpectrum(N, [{ center: 90, sigma: 3, depth: 0.3 }], 0.6),
  starSpectrum(N, [{ center: 120, sigma: 2.5, depth: 0.3 }], 0.25),
  starSpectrum(N, [{ center: 160, sigma: 4, depth: 0.4 }], 0.15),
];
const inner = { P: 3.5, T0: 0.3, e: 0.2, omega: 60, K1: 80, q: 2 / 3 };
const outer = { P: 60, T0: 10, e: 0.3, omega: 200, K1: 20, q: 0.8 };
const innerLines = 'o 0 1 0 1 1 3.5 0.01\no 0 2 0 1 1 0.3 0.05\no 0 3 0 1 1 0.2 0.05\no 0 4 0 1 1 60 10\no 0 5 0 1 1 80 10\no 0 6 0 1 1 0.6666666666666666 0.05';

async function run(parText: string, records = synthesize({ regions: [{ n: N, dv: 4, lambda0: 6500, stars }], times: times(30, 120, 5), orbits: { 0: inner, 2: outer }, noise: 0.001 }).records) {
  const { par, source } = parseKorelPar(parText);
  return { result: await runKorel({ dat: { records }, tmp: null, par, parSource: source, parFile: 'korel.par' }), par, records };
}

describe('outputs', () => {
  it('RV curves of a hierarchical triple: each star against its own orbit, the points on the curve', async () => {
    const outerLines = 'o 2 1 0 1 1 60 1\no 2 2 0 1 1 10 1\no 2 3 0 1 1 0.3 0.05\no 2 4 0 1 1 200 10\no 2 5 0 1 1 20 5\no 2 6 0 1 1 0.8 0.05';
    const { result } = await run(`1 1 1 0 0 30 0 0 0\n${innerLines}\n${outerLines}\no 0 0\n`);
    const curves = starCurves(result.runs[0]!, 1000);
    expect(curves.map((c) => c.star)).toEqual([1, 2, 3]);
    for (const c of curves) {
      for (const p of c.points) {
        const i = Math.round(p.phase * 1000);
        expect(Math.abs(p.rv - c.velocity[i]!)).toBeLessThan(Math.max(1.5, 0.01 * Math.abs(c.velocity[i]!) + 1));
      }
    }
    // star 3 moves only in the outer orbit, with amplitude K1/q of it
    const k3 = Math.max(...curves[2]!.velocity) - Math.min(...curves[2]!.velocity);
    expect(k3 / 2).toBeGreaterThan(20 / 0.8 - 1);
  });

  it('kpr = 10·star gives korel.o-c in that star’s rest frame (exact shifts)', async () => {
    const records = synthesize({ regions: [{ n: N, dv: 4, lambda0: 6500, stars: stars.slice(0, 2) }], times: times(12, 20), orbits: { 0: inner }, noise: 0.01 }).records;
    const par = (kpr: number) => `1 1 0 0 0 12 0 0 ${kpr}\n${innerLines}\no 0 0\n`;
    const observer = (await run(par(0), records)).result.runs[0]!;
    const frame2 = (await run(par(20), records)).result.runs[0]!;
    observer.exposures.forEach((x, e) => {
      const expected = shiftSpectrum(observer.residuals[e]!, -x.modelRv[1]! / 4);
      expect(rmsDiff(frame2.residuals[e]!, expected)).toBeLessThan(1e-12 * Math.max(1, rms(expected)));
    });
  });

  it('korel.res lists solved line strengths as s lines and korel.spe one block per region', async () => {
    const records = synthesize({ regions: [{ n: N, dv: 4, lambda0: 6500, stars: stars.slice(0, 2) }, { n: 128, dv: 5, lambda0: 8000, stars: [stars[0]!.subarray(0, 128), stars[1]!.subarray(0, 128)] }], times: times(12, 20), orbits: { 0: inner }, strengths: { 2: Array.from({ length: 12 }, (_, e) => 1 + 0.1 * Math.sin(e)) } }).records;
    const { result, par } = await run(`1 2 0 0 0 12 0 0 0\n${innerLines}\no 0 0\n`, records);
    const res = writeRes(result, { version: 'test', par, sources: 'test' });
    const s = res.split('\n').filter((l) => /^s\s+2\s+\d+/.test(l));
    expect(s).toHaveLength(12);
    const { par: pasted } = parseKorelPar(`1 2 0 0 0 12 0 0 0\n${s.join('\n')}\no 0 0\n`);
    expect(pasted.runs[0]!.lines.every((l) => l.type === 's' && l.j1 === 2)).toBe(true);
    const spe = writeSpe(result, result.runs[0]!);
    const blocks = spe.split('\n\n\n');
    expect(blocks).toHaveLength(2);
    expect(blocks[1]!.split('\n').filter((l) => l && !l.startsWith('#'))).toHaveLength(128);
  });
});
