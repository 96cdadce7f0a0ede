/**
 * Packing many spectra into one row-major Float32 matrix on a common grid — the input format
 * of SOM and other batch kernels. With `shared: true` the matrix lives in a SharedArrayBuffer
 * so worker threads can read it without copying.
 */
import { SpectrumError } from '../errors.js';
import { checkAscending } from './grid.js';
import type { Spectrum } from './model.js';
import { interpolateInto, resampleFluxConserving } from './resample.js';

export interface PackOptions {
  /** 'linear' (default) or 'flux-conserving' resampling onto the grid. */
  method?: 'linear' | 'flux-conserving';
  /** Value for grid points a spectrum does not cover (default NaN). */
  fill?: number;
  /** Allocate the matrix on a SharedArrayBuffer. */
  shared?: boolean;
}

export interface PackedSpectra {
  /** rows × cols, row i is spectrum i resampled to `grid`. */
  data: Float32Array;
  rows: number;
  cols: number;
  grid: Float64Array;
}

export function packSpectra(spectra: readonly Spectrum[], grid: Float64Array, opts: PackOptions = {}): PackedSpectra {
  checkAscending(grid, 'grid');
  if (grid.length === 0) throw new SpectrumError('grid is empty');
  const rows = spectra.length;
  const cols = grid.length;
  const bytes = rows * cols * 4;
  const buf = opts.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const data = new Float32Array(buf);
  const fill = opts.fill ?? NaN;
  spectra.forEach((s, r) => {
    if (opts.method === 'flux-conserving') data.set(resampleFluxConserving(s, grid, { fill }).flux, r * cols);
    else interpolateInto(s.wavelength, s.flux, grid, data, fill, r * cols);
  });
  return { data, rows, cols, grid };
}
