/**
 * Spectra that did not come from storage (received over SAMP, parsed in the browser): the
 * plotter shows them next to the ones it reads through /api/spectra.
 */
export interface LocalSpectrum {
  readonly id: string;
  readonly name: string;
  readonly wavelength: Float32Array;
  readonly flux: Float32Array;
  readonly wavelengthUnit: string;
  readonly fluxUnit: string;
  readonly object?: string;
  /** Where it came from, for the legend ("SAMP: TOPCAT"). */
  readonly origin: string;
}

let spectra: LocalSpectrum[] = [];
const listeners = new Set<() => void>();

export const localSpectra = {
  all: (): readonly LocalSpectrum[] => spectra,
  add(s: LocalSpectrum): void {
    spectra = [...spectra.filter((x) => x.id !== s.id), s];
    for (const l of listeners) l();
  },
  clear(): void {
    spectra = [];
    for (const l of listeners) l();
  },
  subscribe(l: () => void): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

/** Read received bytes as a spectrum with the sdk's readers (loaded on first use). */
export async function parseSpectrumBytes(bytes: Uint8Array, name: string, origin: string): Promise<LocalSpectrum> {
  const { readSpectrum } = await import('@vocloud/sdk/formats');
  const s = readSpectrum(bytes, { name });
  return {
    id: `${origin}:${name}:${Date.now()}`,
    name,
    wavelength: Float32Array.from(s.wavelength),
    flux: Float32Array.from(s.flux),
    wavelengthUnit: s.wavelengthUnit,
    fluxUnit: s.fluxUnit,
    ...(s.meta.object ? { object: s.meta.object } : {}),
    origin,
  };
}
