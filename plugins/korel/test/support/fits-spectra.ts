import { writeFits } from '@vocloud/sdk/formats';
import { C_KMS, starVelocities } from '../../src/method/orbit.js';
import { elementsArray, rng } from './synthetic.js';

/** The SB2 of the prepare tests: P 3.5 d, e 0.2, ω 60°, K1 80 km/s, K2 120 km/s. */
export const orbit = elementsArray({ 0: { P: 3.5, T0: 0.3, e: 0.2, omega: 60, K1: 80, q: 2 / 3 } });
const lines1 = [{ at: 6480, sigma: 0.25, depth: 0.3 }, { at: 6520, sigma: 0.4, depth: 0.2 }];
const lines2 = [{ at: 6500, sigma: 0.2, depth: 0.25 }];

/** A 1-D FITS spectrum of that binary at time t with a linear wavelength WCS, as CCD700 at Ondřejov writes them. */
export function fitsSpectrum(t: number, seed: number, header: Record<string, string | number> = { HJD: 2450000 + t }): Uint8Array {
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

/** A korel.par that fits K1 and q (the rest near the truth) of that binary from 16 spectra. */
export const PREPARED_PAR = '1 1 0 0 0 16 0 0 0\no 0 1 0 1 1 3.5 0.01\no 0 2 0 1 1 0.3 0.05\no 0 3 0 1 1 0.2 0.05\no 0 4 0 1 1 60 10\no 0 5 1 1 1 70 10\no 0 6 1 1 1 0.7 0.05\no 0 0\n';

/** K1 and K2 (km/s) of orbit 0 as korel.res reports them. */
export function fittedK(res: string): { K1: number; K2: number } {
  return { K1: Number(/^o\s+0\s+5\s+\S+\s+\S+\s+\S+\s+(\S+)/m.exec(res)![1]), K2: Number(/K2 = (\S+)/.exec(res)![1]) };
}
