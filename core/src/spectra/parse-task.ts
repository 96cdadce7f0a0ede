import { readSpectrum } from '@vocloud/sdk/formats';
import { decimateMinMax } from './decimate.js';
import type { WireMeta } from './wire.js';

/** Files to read in one worker-thread task (a batch keeps the messaging cost small). */
export interface ParseTask {
  readonly files: readonly { readonly name: string; readonly bytes: Uint8Array }[];
  /** Decimate spectra longer than this (min/max per bucket); 0 = never. */
  readonly maxPoints: number;
}

export type ParsedSpectrum =
  | (WireMeta & { readonly ok: true; readonly wavelength: Float32Array; readonly flux: Float32Array; readonly originalLength: number })
  | { readonly ok: false; readonly error: string };

/** Read each file with the sdk's readSpectrum and reduce it to Float32 arrays for the plotter. */
export function parseSpectra(task: ParseTask): ParsedSpectrum[] {
  return task.files.map(({ name, bytes }): ParsedSpectrum => {
    try {
      const s = readSpectrum(bytes, { name });
      const n = s.flux.length;
      if (n === 0) return { ok: false, error: `${name}: the spectrum has no points` };
      const reduced = task.maxPoints > 0 && n > task.maxPoints ? decimateMinMax(s.wavelength, s.flux, task.maxPoints) : { wavelength: Float32Array.from(s.wavelength), flux: Float32Array.from(s.flux) };
      const m = s.meta;
      return {
        ok: true,
        ...reduced,
        originalLength: n,
        wavelengthUnit: s.wavelengthUnit,
        fluxUnit: s.fluxUnit,
        spectralQuantity: m.spectralQuantity,
        sourceFormat: m.sourceFormat,
        ...(m.object ? { object: m.object } : {}),
        ...(m.dateObs ? { dateObs: m.dateObs } : {}),
        ...(m.ra !== undefined && Number.isFinite(m.ra) ? { ra: m.ra } : {}),
        ...(m.dec !== undefined && Number.isFinite(m.dec) ? { dec: m.dec } : {}),
      };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, error: message.includes(name) ? message : `${name}: ${message}` };
    }
  });
}

/** The worker-thread entry point (piscina). */
export default function run(task: ParseTask): ParsedSpectrum[] {
  return parseSpectra(task);
}
