/** What the SOM trains on, whatever files it came from. */

export interface Dataset {
  /** n x d float32, row-major, on a SharedArrayBuffer (the kernel's threads read it in place). */
  readonly x: Float32Array;
  readonly n: number;
  readonly d: number;
  /** A name per row (file name, CSV name column, or "row i"). */
  readonly names: string[];
  /** A class per row, when labels were given. */
  readonly classes: (string | null)[] | null;
  /** The common spectral axis, when known. */
  readonly wavelength: Float64Array | null;
  readonly wavelengthUnit: string;
  /** True when cut, normalisation and smoothing were already applied spectrum by spectrum. */
  readonly preprocessed?: boolean;
}

/** A problem with the job's input files; the message is for the user. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** A float32 array on a SharedArrayBuffer. */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * 4));
}
