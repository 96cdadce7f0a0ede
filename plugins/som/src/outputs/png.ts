/** PNG quick looks of the map: U-matrix and hit counts, as rectangular or hexagonal cells. */
import { PNG } from 'pngjs';
import { Grid } from '../kernel/index.js';
import { viridis } from './colour.js';

const CELL = 16;

/**
 * Paint each pixel with the value of the nearest unit centre: square cells on a rectangular
 * map, hexagons on a hexagonal one (the Voronoi cells of the centres).
 */
export function mapPng(grid: Grid, values: ArrayLike<number>, opts: { log?: boolean } = {}): Buffer {
  const tf = (v: number): number => (opts.log ? Math.log1p(Math.max(v, 0)) : v);
  let lo = Infinity, hi = -Infinity;
  for (let k = 0; k < grid.size; k++) { const v = tf(values[k]!); if (v < lo) lo = v; if (v > hi) hi = v; }
  const span = hi > lo ? hi - lo : 1;
  const hex = grid.topology === 'hexagonal';
  const maxX = Math.max(...grid.x) + (hex ? 1 : 1);
  const maxY = Math.max(...grid.y) + 1;
  const width = Math.ceil(maxX * CELL), height = Math.ceil(maxY * CELL);
  const png = new PNG({ width, height });
  for (let py = 0; py < height; py++) {
    const gy = py / CELL - 0.5;
    for (let px = 0; px < width; px++) {
      const gx = px / CELL - 0.5;
      // nearest centre among the rows around gy
      let best = -1, bd = Infinity;
      const rowGuess = hex ? Math.round(gy / (Math.sqrt(3) / 2)) : Math.round(gy);
      for (let i = Math.max(0, rowGuess - 1); i <= Math.min(grid.rows - 1, rowGuess + 1); i++) {
        const colGuess = Math.round(gx - (hex && i % 2 === 1 ? 0.5 : 0));
        for (let j = Math.max(0, colGuess - 1); j <= Math.min(grid.cols - 1, colGuess + 1); j++) {
          const k = i * grid.cols + j;
          const d = (grid.x[k]! - gx) ** 2 + (grid.y[k]! - gy) ** 2;
          if (d < bd) { bd = d; best = k; }
        }
      }
      const o = (py * width + px) * 4;
      // outside the map's outline (hex ragged edges): transparent
      const inside = best >= 0 && bd <= (hex ? 1 / 3 + 1e-9 : 0.5 + 1e-9);
      const [r, g, b] = inside ? viridis((tf(values[best]!) - lo) / span) : [0, 0, 0];
      png.data[o] = r; png.data[o + 1] = g; png.data[o + 2] = b; png.data[o + 3] = inside ? 255 : 0;
    }
  }
  return PNG.sync.write(png);
}
