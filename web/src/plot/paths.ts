import type uPlot from 'uplot';
import { lowerBound } from './model';

/**
 * A line path builder for many long series, in place of uPlot's general one: the pixel x of a
 * wavelength grid is computed once per grid and view and shared by every spectrum on that grid;
 * only the visible part is drawn; NaN leaves a gap; beyond two points per pixel column each
 * column is drawn as its min and max (nothing visible is lost, far fewer segments are stroked).
 * Linear scales only (the plotter uses no others).
 */
export function fastLines(): uPlot.Series.PathBuilder {
  let view = '';
  let pixels = new WeakMap<ArrayLike<number>, Float32Array>();
  return (u, seriesIdx) => {
    const mode2 = (u as unknown as { mode: 1 | 2 }).mode === 2;
    const data = (mode2 ? u.data[seriesIdx] : u.data) as unknown as ArrayLike<number>[];
    const xs = data[0]!;
    const ys = (mode2 ? data[1] : data[seriesIdx])!;
    const sx = u.scales.x!;
    const sy = u.scales.y!;
    const { left, top, width, height } = u.bbox;
    const xMin = sx.min ?? 0;
    const xMax = sx.max ?? 1;
    const yMax = sy.max ?? 1;
    const yMin = sy.min ?? 0;
    const key = `${xMin}:${xMax}:${left}:${width}`;
    if (key !== view) {
      view = key;
      pixels = new WeakMap();
    }
    // visible points, with one more on each side so lines run to the edges
    const from = Math.max(0, lowerBound(xs, xMin) - 1);
    const to = Math.min(xs.length - 1, lowerBound(xs, xMax));
    let px = pixels.get(xs);
    if (!px) {
      px = new Float32Array(xs.length);
      const kx = width / (xMax - xMin || 1);
      for (let i = 0; i < xs.length; i++) px[i] = left + (xs[i]! - xMin) * kx;
      pixels.set(xs, px);
    }
    const ky = height / (yMax - yMin || 1);
    const stroke = new Path2D();
    let pen = false;
    if (to - from > 2 * width) {
      // per pixel column: the lowest and highest value, in the order they come
      let col = Math.floor(px[from]!);
      let lo = Infinity;
      let hi = -Infinity;
      let loFirst = true;
      const flush = () => {
        if (lo === Infinity) return;
        const a = loFirst ? lo : hi;
        const b = loFirst ? hi : lo;
        const ya = top + (yMax - a) * ky;
        if (pen) stroke.lineTo(col, ya);
        else stroke.moveTo(col, ya);
        if (b !== a) stroke.lineTo(col, top + (yMax - b) * ky);
        pen = true;
      };
      for (let i = from; i <= to; i++) {
        const c = Math.floor(px[i]!);
        if (c !== col) {
          flush();
          col = c;
          lo = Infinity;
          hi = -Infinity;
        }
        const v = ys[i]!;
        if (v !== v || v == null) {
          flush();
          lo = Infinity;
          hi = -Infinity;
          pen = false;
          continue;
        }
        if (v < lo) {
          lo = v;
          if (hi === -Infinity) loFirst = true;
        }
        if (v > hi) {
          hi = v;
          if (lo === v) loFirst = true;
          else if (lo === Infinity) loFirst = false;
        }
      }
      flush();
    } else {
      for (let i = from; i <= to; i++) {
        const v = ys[i]!;
        if (v !== v || v == null) {
          pen = false;
          continue;
        }
        const y = top + (yMax - v) * ky;
        if (pen) stroke.lineTo(px[i]!, y);
        else {
          stroke.moveTo(px[i]!, y);
          pen = true;
        }
      }
    }
    return { stroke, fill: null, clip: null, band: null, gaps: null, flags: 0 } as unknown as uPlot.Series.Paths;
  };
}
