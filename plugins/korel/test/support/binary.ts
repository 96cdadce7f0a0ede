import { writeKorelDat } from '../../src/formats/korel-dat.js';
import { starSpectrum, synthesize, times } from './synthetic.js';

/** The SB2 the worker tests fit: 16 exposures of 256 bins, noise 0.002; K1 80, K2 120 km/s. */
export const N = 256;
const stars = [
  starSpectrum(N, [{ center: 90, sigma: 3, depth: 0.3 }, { center: 150, sigma: 5, depth: 0.2 }], 0.7),
  starSpectrum(N, [{ center: 110, sigma: 2.5, depth: 0.25 }], 0.3),
];
const synth = synthesize({
  regions: [{ n: N, dv: 4, lambda0: 6500, stars }],
  times: times(16, 20),
  orbits: { 0: { P: 3.5, T0: 0.3, e: 0.2, omega: 60, K1: 80, q: 2 / 3 } },
  noise: 0.002,
});
export const datText = writeKorelDat({ records: synth.records }, { decimals: 6 });
/** A korel.par starting near the truth, fitting T0, e, ω, K1 and q. */
export const parText = [
  '   1   1   0   0   0  16   0   0   0',
  'o  0  1  0  1  1  3.5    0.01',
  'o  0  2  1  1  1  0.32   0.05',
  'o  0  3  1  1  1  0.18   0.05',
  'o  0  4  1  1  1  55     10',
  'o  0  5  1  1  1  75     10',
  'o  0  6  1  1  1  0.7    0.05',
  'o  0  0  0  0  0  0 0',
  '',
].join('\n');
