/**
 * The part of '@vocloud/sdk/formats' this plugin uses: spectrum readers and spectrum operations.
 * They are being added to the sdk piece by piece; until every one is exported, this looks them
 * up at run time and says clearly which one is missing, instead of failing to compile.
 */
import * as formats from '@vocloud/sdk/formats';

/** The shape of the sdk's Spectrum that this plugin relies on. */
export interface SpectrumLike {
  wavelength: Float64Array;
  flux: Float32Array | Float64Array;
  wavelengthUnit: string;
  fluxUnit: string;
  meta: { name?: string; object?: string; [key: string]: unknown };
}

export interface SpectrumApi {
  readFits(bytes: Uint8Array): unknown;
  spectrumFromFits(file: unknown, opts?: { name?: string }): SpectrumLike;
  readVoTable(bytes: Uint8Array): unknown;
  spectrumFromVoTable(doc: unknown, opts?: { name?: string }): SpectrumLike;
  spectrumFromText(text: string, opts?: { name?: string }): SpectrumLike;
  cutSpectrum(s: SpectrumLike, min: number, max: number): SpectrumLike;
  normalise(s: SpectrumLike, kind: 'l2' | 'max' | 'minmax' | 'continuum'): SpectrumLike;
  gaussianSmooth(s: SpectrumLike, sigma: number): SpectrumLike;
  linearGrid(start: number, stop: number, count: number): Float64Array;
  packSpectra(spectra: readonly SpectrumLike[], grid: Float64Array, opts?: { shared?: boolean; fill?: number }): { data: Float32Array; rows: number; cols: number };
}

/** The function `name` of the sdk's formats module, or an error naming what is missing. */
export function formatsFn<K extends keyof SpectrumApi>(name: K): SpectrumApi[K] {
  const f = (formats as unknown as Record<string, unknown>)[name];
  if (typeof f !== 'function') {
    throw new Error(`@vocloud/sdk/formats does not provide ${name}() in this build; spectrum files cannot be read yet`);
  }
  return f as SpectrumApi[K];
}
