/**
 * The JSON header of the binary spectra answer (wire.ts). Types only, with no imports: the web
 * plotter's decoder (web/src/plot/wire.ts) imports them too, so both ends read one definition.
 */

/** What the plotter shows of a spectrum besides its numbers. */
export interface WireMeta {
  readonly wavelengthUnit: string;
  readonly fluxUnit: string;
  readonly spectralQuantity: string;
  readonly sourceFormat: string;
  readonly object?: string;
  readonly dateObs?: string;
  readonly ra?: number;
  readonly dec?: number;
}

/** A spectrum that was read. Offsets and lengths count float32 elements. */
export interface WireSpectrum extends WireMeta {
  readonly path: string;
  readonly name: string;
  /** Index into `grids`. */
  readonly grid: number;
  readonly flux: number;
  readonly length: number;
  /** Points in the file, when more than `length` (min/max decimation to `maxPoints`). */
  readonly originalLength?: number;
}

/** A path that could not be plotted, and why; the other spectra still arrive. */
export interface WireError {
  readonly path: string;
  readonly error: string;
}

export interface SpectraHeader {
  readonly version: number;
  readonly grids: readonly { readonly offset: number; readonly length: number }[];
  readonly spectra: readonly (WireSpectrum | WireError)[];
  /** Float32 values in the data block. */
  readonly values: number;
}
