import { lowerBound } from './model';

/**
 * A software line renderer for plots of very many spectra. With a thousand spectra of a few
 * thousand points, the browser's anti-aliased path stroking (software rasterised without a GPU)
 * is what keeps the first paint waiting; drawing each segment as one-pixel vertical spans into
 * an RGBA buffer costs a fraction of it and looks the same at that density. Each pixel is
 * blended once per spectrum (a stamp buffer remembers who painted it last), so the joints of a
 * line do not show as darker dots.
 */

export interface RasterSeries {
  readonly xs: ArrayLike<number>;
  readonly ys: ArrayLike<number>;
  /** Straight (not premultiplied) colour, 0–255, and alpha 0–1. */
  readonly rgba: readonly [number, number, number, number];
}

export interface RasterView {
  readonly width: number;
  readonly height: number;
  readonly xMin: number;
  readonly xMax: number;
  readonly yMin: number;
  readonly yMax: number;
}

/**
 * Render the series into RGBA pixels (transparent where nothing is drawn). Each spectrum is
 * reduced to one vertical span per pixel column it crosses (the range of the line inside that
 * column, joints included), and each span is blended once.
 */
export function rasterise(series: readonly RasterSeries[], v: RasterView): ImageData {
  const w = Math.max(1, Math.round(v.width));
  const h = Math.max(1, Math.round(v.height));
  // premultiplied colour and alpha, interleaved
  const acc = new Float32Array(w * h * 4);
  const kx = w / (v.xMax - v.xMin || 1);
  const ky = h / (v.yMax - v.yMin || 1);
  for (const s of series) {
    const [cr, cg, cb, ca] = s.rgba;
    const pr = (cr / 255) * ca;
    const pg = (cg / 255) * ca;
    const pb = (cb / 255) * ca;
    const keep = 1 - ca;
    const span = (col: number, y0: number, y1: number) => {
      if (col < 0 || col >= w) return;
      let lo = Math.floor(y0 < y1 ? y0 : y1);
      let hi = Math.floor(y0 < y1 ? y1 : y0);
      if (hi < 0 || lo >= h) return;
      if (lo < 0) lo = 0;
      if (hi >= h) hi = h - 1;
      for (let p = (lo * w + col) * 4, end = (hi * w + col) * 4, step = w * 4; p <= end; p += step) {
        acc[p] = pr + acc[p]! * keep;
        acc[p + 1] = pg + acc[p + 1]! * keep;
        acc[p + 2] = pb + acc[p + 2]! * keep;
        acc[p + 3] = ca + acc[p + 3]! * keep;
      }
    };
    const xs = s.xs;
    const ys = s.ys;
    const from = Math.max(0, lowerBound(xs, v.xMin) - 1);
    const to = Math.min(xs.length - 1, lowerBound(xs, v.xMax));
    let col = NaN; // the column being gathered, NaN after a gap
    let lo = 0;
    let hi = 0;
    let px = 0;
    let py = 0;
    for (let i = from; i <= to; i++) {
      const val = ys[i]!;
      if (val !== val || val == null) {
        if (col === col) span(col, lo, hi);
        col = NaN;
        continue;
      }
      const x = (xs[i]! - v.xMin) * kx;
      const y = (v.yMax - val) * ky;
      const c = Math.floor(x);
      if (c === col) {
        if (y < lo) lo = y;
        if (y > hi) hi = y;
      } else {
        if (col === col) {
          // the segment from the last point leaves this column at its right edge…
          const slope = (y - py) / (x - px);
          let yEdge = py + (col + 1 - px) * slope;
          span(col, Math.min(lo, yEdge), Math.max(hi, yEdge));
          // …crosses whole columns when zoomed in…
          for (let k = col + 1; k < c; k++) {
            const yNext = py + (k + 1 - px) * slope;
            span(k, yEdge, yNext);
            yEdge = yNext;
          }
          // …and enters the new one
          lo = Math.min(yEdge, y);
          hi = Math.max(yEdge, y);
        } else {
          lo = y;
          hi = y;
        }
        col = c;
      }
      px = x;
      py = y;
    }
    if (col === col) span(col, lo, hi);
  }
  const img = new ImageData(w, h);
  const out = img.data;
  for (let p = 0, q = 0; p < w * h; p++, q += 4) {
    const al = acc[q + 3]!;
    if (al === 0) continue;
    out[q] = (acc[q]! / al) * 255;
    out[q + 1] = (acc[q + 1]! / al) * 255;
    out[q + 2] = (acc[q + 2]! / al) * 255;
    out[q + 3] = al * 255;
  }
  return img;
}
