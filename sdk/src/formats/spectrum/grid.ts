/** Wavelength grids for resampling and packing. All grids are ascending Float64Arrays. */
import { SpectrumError } from '../errors.js';

/** `count` points from `start` to `stop` inclusive, evenly spaced. */
export function linearGrid(start: number, stop: number, count: number): Float64Array {
  if (!(count >= 2) || !Number.isInteger(count) || !(stop > start)) throw new SpectrumError('linearGrid needs stop > start and an integer count ≥ 2');
  const g = new Float64Array(count);
  const step = (stop - start) / (count - 1);
  for (let i = 0; i < count; i++) g[i] = start + i * step;
  g[count - 1] = stop;
  return g;
}

/** `count` points evenly spaced in log(λ) (constant velocity step), `start` and `stop` inclusive. */
export function logGrid(start: number, stop: number, count: number): Float64Array {
  if (!(start > 0)) throw new SpectrumError('logGrid needs start > 0');
  const l = linearGrid(Math.log(start), Math.log(stop), count);
  for (let i = 0; i < count; i++) l[i] = Math.exp(l[i]);
  l[0] = start;
  l[count - 1] = stop;
  return l;
}

/** Throws unless the grid is strictly ascending. */
export function checkAscending(g: ArrayLike<number>, what: string): void {
  for (let i = 1; i < g.length; i++) {
    if (!(g[i] > g[i - 1])) throw new SpectrumError(`${what} must be strictly ascending (index ${i})`);
  }
}
