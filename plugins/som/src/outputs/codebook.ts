/** The trained codebook: raw float32 with JSON meta (as the inputs), and FITS. */
import { writeFits } from '@vocloud/sdk/formats';
import type { SomResult } from '../kernel/index.js';
import type { UnitSummary } from './summary.js';

export interface CodebookMeta {
  readonly wavelength: Float64Array | null;
  readonly wavelengthUnit: string;
  readonly options: Record<string, unknown>;
}

/** JSON meta beside codebook.f32: the same keys as the input matrix meta, plus the map. */
export function codebookJson(r: SomResult, m: CodebookMeta): string {
  const w = m.wavelength;
  const linear = w && w.length > 1 && Array.from(w).every((v, i) => i === 0 || Math.abs(v - w[0]! - i * (w[1]! - w[0]!)) < 1e-6 * Math.abs(w[1]! - w[0]!) * w.length);
  return JSON.stringify({
    n: r.rows * r.cols, d: r.dim, dtype: 'float32', byte_order: 'little', layout: 'row-major K x D, unit k = row * cols + col',
    rows: r.rows, cols: r.cols, topology: r.topology, toroidal: r.toroidal, distance: r.distance,
    ...(w && linear ? { wavelength_start: w[0], wavelength_step: w[1]! - w[0]!, wavelength_unit: m.wavelengthUnit } : {}),
    ...(w && !linear ? { wavelength: Array.from(w), wavelength_unit: m.wavelengthUnit } : {}),
    qe: r.qe, te: r.te, options: m.options,
  }, null, 1);
}

/**
 * FITS: the primary HDU is the codebook as a cube NAXIS1 = D (spectral), NAXIS2 = cols,
 * NAXIS3 = rows, with a linear spectral WCS when the grid is linear; a binary table UNITS
 * follows with each unit's position, hits, U-matrix value and dominant class.
 */
export function codebookFits(r: SomResult, m: CodebookMeta, s: UnitSummary): Uint8Array {
  const w = m.wavelength;
  const header: Record<string, string | number | boolean> = {
    ORIGIN: 'vocloud plugin-som', SOMROWS: r.rows, SOMCOLS: r.cols, SOMTOPO: r.topology, SOMTORUS: r.toroidal,
    SOMDIST: r.distance, SOMQE: r.qe, SOMTE: r.te,
  };
  if (w && w.length > 1) {
    Object.assign(header, { CTYPE1: 'WAVE', CUNIT1: m.wavelengthUnit || 'Angstrom', CRPIX1: 1, CRVAL1: w[0]!, CDELT1: w[1]! - w[0]! });
  }
  const k = r.rows * r.cols;
  const rowIdx = Int32Array.from({ length: k }, (_, u) => Math.floor(u / r.cols));
  const colIdx = Int32Array.from({ length: k }, (_, u) => u % r.cols);
  return writeFits([
    { kind: 'image', data: r.weights, shape: [r.dim, r.cols, r.rows], header },
    {
      kind: 'bintable', name: 'UNITS',
      columns: [
        { name: 'UNIT', data: Int32Array.from({ length: k }, (_, u) => u) },
        { name: 'ROW', data: rowIdx },
        { name: 'COL', data: colIdx },
        { name: 'HITS', data: r.hits },
        { name: 'UMATRIX', data: r.umatrix },
        { name: 'CLASS', data: Array.from(s.dominant, (c) => (c >= 0 ? s.classNames[c]! : '')) },
      ],
    },
  ]);
}
