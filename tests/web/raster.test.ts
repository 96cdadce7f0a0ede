// The plotter's software line renderer (web/src/plot/raster.ts), used above 400,000 points: the
// pixels it sets for known lines. ImageData is a browser class; a minimal stand-in is enough.
import { beforeAll, describe, expect, it } from 'vitest';

class ImageDataStandIn {
  readonly data: Uint8ClampedArray;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8ClampedArray(width * height * 4);
  }
}

let rasterise: typeof import('../../web/src/plot/raster.js').rasterise;
beforeAll(async () => {
  (globalThis as unknown as { ImageData: unknown }).ImageData ??= ImageDataStandIn;
  ({ rasterise } = await import('../../web/src/plot/raster.js'));
});

const view = { width: 10, height: 10, xMin: 0, xMax: 10, yMin: 0, yMax: 10 };
const alphaAt = (img: ImageData, x: number, y: number) => img.data[(y * img.width + x) * 4 + 3]!;
const rowsIn = (img: ImageData, x: number) => Array.from({ length: img.height }, (_, y) => y).filter((y) => alphaAt(img, x, y) > 0);

describe('the software line renderer', () => {
  it('draws a flat line in one row across every column, in its colour', () => {
    const xs = Float32Array.from({ length: 21 }, (_, i) => i / 2);
    const img = rasterise([{ xs, ys: new Float32Array(21).fill(7.5), rgba: [255, 0, 0, 1] }], view);
    for (let x = 0; x < 10; x++) expect(rowsIn(img, x)).toEqual([2]);
    expect(Array.from(img.data.subarray((2 * 10 + 4) * 4, (2 * 10 + 4) * 4 + 4))).toEqual([255, 0, 0, 255]);
  });

  it('joins a steep step with a vertical run, and leaves a gap where the flux is NaN', () => {
    const xs = Float32Array.from([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5]);
    const ys = Float32Array.from([9.5, 9.5, 0.5, 0.5, Number.NaN, 5.5, 5.5]);
    const img = rasterise([{ xs, ys, rgba: [0, 0, 255, 1] }], view);
    // the segment from (1.5, row 0) to (2.5, row 9) runs down column 1 to its edge (row 5), then down column 2
    expect(rowsIn(img, 1)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rowsIn(img, 2)).toEqual([5, 6, 7, 8, 9]);
    expect(rowsIn(img, 4)).toEqual([]); // the NaN point: nothing in its column
    expect(rowsIn(img, 5)).toEqual([4]);
  });

  it('blends each spectrum once per pixel, so joints do not darken, and spectra over each other add up', () => {
    const xs = Float32Array.from({ length: 41 }, (_, i) => i / 4);
    const flat = new Float32Array(41).fill(5.5);
    const one = rasterise([{ xs, ys: flat, rgba: [0, 0, 0, 0.5] }], view);
    for (let x = 0; x < 10; x++) expect(alphaAt(one, x, 4)).toBe(128);
    const two = rasterise([{ xs, ys: flat, rgba: [0, 0, 0, 0.5] }, { xs, ys: flat, rgba: [0, 0, 0, 0.5] }], view);
    expect(alphaAt(two, 3, 4)).toBe(191); // 1 - 0.5 × 0.5
  });

  it('draws only the part in view, to the edges', () => {
    const xs = Float32Array.from({ length: 101 }, (_, i) => i);
    const ys = Float32Array.from({ length: 101 }, () => 5.5);
    const img = rasterise([{ xs, ys, rgba: [0, 128, 0, 1] }], { ...view, xMin: 40, xMax: 50 });
    for (let x = 0; x < 10; x++) expect(rowsIn(img, x)).toEqual([4]);
  });
});
