/**
 * Min/max decimation for plotting: each bucket of the spectrum keeps its lowest and highest
 * flux (in wavelength order), so lines and spikes look the same at screen resolution while a
 * 300 000-point echelle spectrum travels as a few thousand points.
 */
export function decimateMinMax(wavelength: ArrayLike<number>, flux: ArrayLike<number>, maxPoints: number): { wavelength: Float32Array; flux: Float32Array } {
  const n = flux.length;
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const w = new Float32Array(buckets * 2);
  const f = new Float32Array(buckets * 2);
  let k = 0;
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    let lo = -1;
    let hi = -1;
    for (let i = start; i < end; i++) {
      const v = flux[i]!;
      if (Number.isNaN(v)) continue;
      if (lo < 0 || v < flux[lo]!) lo = i;
      if (hi < 0 || v > flux[hi]!) hi = i;
    }
    if (lo < 0) {
      // an all-NaN bucket stays a gap
      w[k] = wavelength[start]!;
      f[k++] = Number.NaN;
      continue;
    }
    const first = Math.min(lo, hi);
    const second = Math.max(lo, hi);
    w[k] = wavelength[first]!;
    f[k++] = flux[first]!;
    if (second !== first) {
      w[k] = wavelength[second]!;
      f[k++] = flux[second]!;
    }
  }
  return { wavelength: w.slice(0, k), flux: f.slice(0, k) };
}
