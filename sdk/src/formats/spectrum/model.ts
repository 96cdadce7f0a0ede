/**
 * The spectrum model every plugin and the UI share. Conventions:
 * - `wavelength` is ascending. When the spectral axis is a wavelength it is in Angstrom
 *   (converted from nm, µm, m, log10/ln scales…); frequency or velocity axes keep their unit
 *   and `meta.spectralQuantity` says which.
 * - `flux` keeps the file's unit (`fluxUnit`, '' when unknown) and precision (float32 stays
 *   float32). `error` is one standard deviation in the flux unit; NaN where unknown (e.g.
 *   inverse variance 0).
 */

export type SpectralQuantity = 'wavelength' | 'frequency' | 'velocity' | 'energy' | 'pixel';

/** How the spectrum was found, so a user can tell why a file was read the way it was. */
export type SpectrumSourceFormat =
  | 'fits-image-linear'
  | 'fits-image-log10'
  | 'fits-image-ln'
  | 'fits-image-wave-log'
  | 'fits-image-rows'
  | 'fits-table'
  | 'fits-table-vector'
  | 'votable'
  | 'ascii';

export interface SpectrumMeta {
  /** OBJECT / target name. */
  object?: string;
  /** Right ascension and declination in degrees (ICRS/FK5 as the file says). */
  ra?: number;
  dec?: number;
  /** DATE-OBS as written (ISO 8601 when the file follows the standard). */
  dateObs?: string;
  /** Modified Julian date of the observation, when given. */
  mjd?: number;
  telescope?: string;
  instrument?: string;
  /** Redshift given by the file (e.g. LAMOST Z, SDSS Z), not applied to the axis. */
  redshift?: number;
  /** Whether wavelengths are in air or vacuum, when the file says (CTYPE AWAV/WAVE, SDSS vacuum…). */
  medium?: 'air' | 'vacuum';
  sourceFormat: SpectrumSourceFormat;
  spectralQuantity: SpectralQuantity;
  /** Name of the file or resource, when the caller gave one. */
  name?: string;
  /** FITS HDU index the spectrum came from. */
  hdu?: number;
  /** Table row, for tables with one spectrum per row. */
  row?: number;
  /** Columns (or image rows) used, by name. */
  columns?: { spectral: string; flux: string; error?: string };
}

export interface Spectrum {
  wavelength: Float64Array;
  flux: Float32Array | Float64Array;
  error?: Float32Array | Float64Array;
  /** 'Angstrom' for wavelength axes; otherwise the axis unit as found (e.g. 'MHz', 'km/s'). */
  wavelengthUnit: string;
  fluxUnit: string;
  meta: SpectrumMeta;
}
