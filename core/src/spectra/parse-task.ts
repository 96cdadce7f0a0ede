import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { readSpectrum } from '@vocloud/sdk/formats';
import { decimateMinMax } from './decimate.js';
import type { WireMeta } from './wire.js';

/**
 * Files to read in one worker-thread task (a batch keeps the messaging cost small): bytes read
 * by the caller, or — on local storage — the OS path, read here so the I/O leaves the event loop
 * too. `root` is the real storage root: a local file must really lie below it (no symlink out),
 * the same rule the local backend applies.
 */
export interface ParseTask {
  readonly files: readonly ({ readonly name: string; readonly bytes: Uint8Array } | { readonly name: string; readonly local: string })[];
  readonly root?: string;
  /** Decimate spectra longer than this (min/max per bucket); 0 = never. */
  readonly maxPoints: number;
  /** A larger file is not read. */
  readonly maxBytes: number;
}

export type ParsedSpectrum =
  | (WireMeta & { readonly ok: true; readonly wavelength: Float32Array; readonly flux: Float32Array; readonly originalLength: number })
  | { readonly ok: false; readonly error: string };

/** Read each file with the sdk's readSpectrum and reduce it to Float32 arrays for the plotter. */
export function parseSpectra(task: ParseTask): ParsedSpectrum[] {
  return task.files.map((file): ParsedSpectrum => {
    const name = file.name;
    try {
      const bytes = 'bytes' in file ? file.bytes : readLocal(file.local, task.root, task.maxBytes);
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

function readLocal(path: string, root: string | undefined, maxBytes: number): Uint8Array {
  const real = realpathSync(path);
  const rel = root ? relative(root, real) : '';
  if (!root || rel.startsWith('..') || isAbsolute(rel)) throw new Error('leads outside the storage area (symbolic link)');
  const bytes = readFileSync(real);
  if (bytes.length > maxBytes) throw new Error(`larger than ${maxBytes / 1024 / 1024} MB; too large to plot`);
  return bytes;
}

/** The worker-thread entry point (piscina). */
export default function run(task: ParseTask): ParsedSpectrum[] {
  return parseSpectra(task);
}
