// Map geometry and quality measures, checked by hand on small maps.
import { describe, expect, it } from 'vitest';
import { Grid, topographicError, uMatrix, neighbourhood, scheduleAt } from '@vocloud/plugin-som/kernel';

const hex = (rows: number, cols: number, toroidal = false) => new Grid({ rows, cols, topology: 'hexagonal', toroidal });
const rect = (rows: number, cols: number, toroidal = false) => new Grid({ rows, cols, topology: 'rectangular', toroidal });
const unit = (g: Grid, i: number, j: number) => i * g.cols + j;

describe('hexagonal grid', () => {
  it('puts all six neighbours of an inner cell at distance 1 and the next ring at sqrt(3) and 2', () => {
    const g = hex(7, 7);
    for (const c of [unit(g, 3, 3), unit(g, 2, 3)]) {
      const d = Array.from({ length: g.size }, (_, k) => Math.sqrt(g.distance2(c, k))).filter((v) => v > 0);
      expect(d.filter((v) => Math.abs(v - 1) < 1e-9)).toHaveLength(6);
      expect(d.filter((v) => Math.abs(v - Math.sqrt(3)) < 1e-9)).toHaveLength(6);
      expect(d.filter((v) => Math.abs(v - 2) < 1e-9)).toHaveLength(6);
      expect(Math.min(...d)).toBeCloseTo(1, 12);
      expect(g.neighbours()[c]).toHaveLength(6);
    }
  });

  it('shifts odd rows: (1,0) touches (0,0) and (0,1), (2,0) touches (1,0) only above', () => {
    const g = hex(3, 3);
    expect(g.adjacent(unit(g, 1, 0), unit(g, 0, 0))).toBe(true);
    expect(g.adjacent(unit(g, 1, 0), unit(g, 0, 1))).toBe(true);
    expect(g.adjacent(unit(g, 2, 1), unit(g, 1, 1))).toBe(true);
    expect(g.adjacent(unit(g, 2, 1), unit(g, 1, 0))).toBe(true);
    expect(g.adjacent(unit(g, 2, 1), unit(g, 1, 2))).toBe(false);
  });

  it('wraps a toroidal hex map so that every cell has six neighbours', () => {
    const g = hex(6, 5, true);
    for (let k = 0; k < g.size; k++) expect(g.neighbours()[k]).toHaveLength(6);
    expect(g.adjacent(unit(g, 0, 0), unit(g, 5, 0))).toBe(true);
    expect(g.adjacent(unit(g, 0, 0), unit(g, 0, 4))).toBe(true);
  });

  it('refuses a toroidal hex map with an odd number of rows', () => {
    expect(() => hex(5, 4, true)).toThrow(/even number of rows/);
  });
});

describe('rectangular grid', () => {
  it('has 8 neighbours inside, 3 in a corner, and wraps on a torus', () => {
    const g = rect(4, 5);
    expect(g.neighbours()[unit(g, 1, 1)]).toHaveLength(8);
    expect(g.neighbours()[0]).toHaveLength(3);
    const t = rect(4, 5, true);
    expect(t.neighbours()[0]).toHaveLength(8);
    expect(t.adjacent(0, unit(t, 3, 4))).toBe(true);
    expect(t.distance2(0, unit(t, 3, 4))).toBe(2);
    expect(g.distance2(0, unit(g, 3, 4))).toBe(9 + 16);
    expect(t.distance2(0, unit(t, 2, 2))).toBe(4 + 4);
  });
});

describe('topographic error', () => {
  it('counts second BMUs that are not neighbours, and wrap-around ones as neighbours on a torus', () => {
    const planar = rect(3, 3), torus = rect(3, 3, true);
    const bmu = Int32Array.from([0, 0, 4, 4]);
    const second = Int32Array.from([1, 8, 8, 0]);
    expect(topographicError(planar, bmu, second)).toBe(0.25); // 0 -> 8 is two steps away
    expect(topographicError(torus, bmu, second)).toBe(0); // on a 3x3 torus everything touches
  });

  it('uses the six hex neighbours: a diagonal that touches on a square grid is an error on a hex one', () => {
    const g = hex(3, 3);
    // (0,0) and (1,1): Chebyshev 1 on squares, but not touching in odd-r hex rows
    expect(topographicError(g, Int32Array.from([unit(g, 0, 0)]), Int32Array.from([unit(g, 1, 1)]))).toBe(1);
    expect(topographicError(rect(3, 3), Int32Array.from([0]), Int32Array.from([4]))).toBe(0);
  });

  it('is 0 for a 1 x 1 map (no second unit)', () => {
    expect(topographicError(rect(1, 1), Int32Array.from([0, 0]), Int32Array.from([-1, -1]))).toBe(0);
  });
});

describe('U-matrix', () => {
  it('is the mean distance to the neighbours', () => {
    const g = rect(1, 3);
    const w = Float32Array.from([0, 0, 3, 4, 6, 8]); // units at 0, 5, 10 along a line
    expect(Array.from(uMatrix(g, w, 2, 'euclidean'))).toEqual([5, 5, 5]);
  });
});

describe('neighbourhoods and schedules', () => {
  it('Gaussian, bubble and Mexican hat have their textbook values', () => {
    expect(neighbourhood('gaussian', 0, 2)).toBe(1);
    expect(neighbourhood('gaussian', 4, 2)).toBeCloseTo(Math.exp(-0.5), 12);
    expect(neighbourhood('bubble', 4, 2)).toBe(1);
    expect(neighbourhood('bubble', 4.01, 2)).toBe(0);
    expect(neighbourhood('mexican-hat', 4, 2)).toBe(0);
    expect(neighbourhood('mexican-hat', 8, 2)).toBeLessThan(0);
  });

  it('runs from start to end in each schedule', () => {
    for (const kind of ['linear', 'exponential', 'inverse-time'] as const) {
      expect(scheduleAt({ start: 10, end: 1, kind }, 0, 5)).toBeCloseTo(10, 12);
      expect(scheduleAt({ start: 10, end: 1, kind }, 4, 5)).toBeCloseTo(1, 12);
    }
    expect(scheduleAt({ start: 10, end: 1, kind: 'linear' }, 2, 5)).toBeCloseTo(5.5, 12);
    expect(scheduleAt({ start: 10, end: 1, kind: 'exponential' }, 2, 5)).toBeCloseTo(Math.sqrt(10), 12);
    expect(scheduleAt({ start: 10, end: 1, kind: 'inverse-time' }, 2, 5)).toBeCloseTo(10 / 5.5, 12);
  });
});
