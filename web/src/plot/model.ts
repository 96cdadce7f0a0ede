/** One spectrum as the plotter holds it, whatever its origin (storage or SAMP). */
export interface PlotSpectrum {
  readonly key: string;
  readonly name: string;
  /** Storage path, or where it came from ("SAMP: TOPCAT"). */
  readonly source: string;
  readonly wavelength: Float32Array;
  readonly flux: Float32Array;
  readonly wavelengthUnit: string;
  readonly fluxUnit: string;
  readonly object?: string;
}

export type Normalisation = 'none' | 'max' | 'mean' | 'minmax';

export const NORMALISATIONS: { value: Normalisation; label: string }[] = [
  { value: 'none', label: 'none (as in the files)' },
  { value: 'max', label: 'divide by the maximum' },
  { value: 'mean', label: 'divide by the mean' },
  { value: 'minmax', label: 'scale to 0…1' },
];

/**
 * Normalise a flux array for display. NaN and infinite values stay out of the statistics and
 * stay as they are; a flat or empty spectrum is returned unchanged rather than divided by 0.
 */
export function normaliseFlux(flux: Float32Array, kind: Normalisation): Float32Array {
  if (kind === 'none') return flux;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < flux.length; i++) {
    const v = flux[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    n++;
  }
  if (n === 0) return flux;
  let scale = 1;
  let offset = 0;
  if (kind === 'max') scale = Math.max(Math.abs(max), Math.abs(min));
  else if (kind === 'mean') scale = sum / n;
  else {
    offset = min;
    scale = max - min;
  }
  if (!Number.isFinite(scale) || scale === 0) return flux;
  const out = new Float32Array(flux.length);
  for (let i = 0; i < flux.length; i++) out[i] = (flux[i]! - offset) / scale;
  return out;
}

/** Distinct colours for many lines: hues a golden angle apart, two lightness levels, more transparent the more lines. */
function colourParts(i: number, count: number): { hue: number; light: number; alpha: number } {
  return { hue: (i * 137.508) % 360, light: i % 2 === 0 ? 42 : 55, alpha: count > 200 ? 0.35 : count > 50 ? 0.6 : 1 };
}

export function colourOf(i: number, count: number): string {
  const { hue, light, alpha } = colourParts(i, count);
  return `hsla(${hue.toFixed(1)}, 70%, ${light}%, ${alpha})`;
}

/** The same colour as RGB 0–255 and alpha 0–1 (for the software renderer). */
export function rgbaOf(i: number, count: number): [number, number, number, number] {
  const { hue, light, alpha } = colourParts(i, count);
  const s = 0.7;
  const l = light / 100;
  const k = (n: number) => (n + hue / 30) % 12;
  const f = (n: number) => l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255), alpha];
}

/** The first index whose value is ≥ x in an ascending array (its length when none is). */
export function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the sample nearest to x in an ascending array. */
export function nearestIndex(xs: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  if (hi < 0) return -1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < x) lo = mid;
    else hi = mid;
  }
  return Math.abs(xs[lo]! - x) <= Math.abs(xs[hi]! - x) ? lo : hi;
}

/** Do all spectra share one wavelength array (the same object or identical values)? */
export function sharedGrid(spectra: readonly PlotSpectrum[]): Float32Array | null {
  const first = spectra[0]?.wavelength;
  if (!first) return null;
  for (const s of spectra) {
    if (s.wavelength === first) continue;
    if (s.wavelength.length !== first.length) return null;
    for (let i = 0; i < first.length; i++) if (s.wavelength[i] !== first[i]) return null;
  }
  return first;
}

/** CSV of the shown spectra within [xMin, xMax]: one row per point (name, wavelength, flux). */
export function spectraCsv(
  spectra: readonly { name: string; wavelength: Float32Array; flux: Float32Array }[],
  xMin: number,
  xMax: number,
  units: { x: string; y: string },
): Blob {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const parts: string[] = [`name,wavelength${units.x ? ` [${units.x}]` : ''},flux${units.y ? ` [${units.y}]` : ''}\n`];
  for (const s of spectra) {
    const name = quote(s.name);
    let chunk = '';
    for (let i = 0; i < s.wavelength.length; i++) {
      const x = s.wavelength[i]!;
      if (x < xMin || x > xMax) continue;
      chunk += `${name},${x},${s.flux[i]}\n`;
      if (chunk.length > 1 << 20) {
        parts.push(chunk);
        chunk = '';
      }
    }
    parts.push(chunk);
  }
  return new Blob(parts, { type: 'text/csv' });
}

export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
