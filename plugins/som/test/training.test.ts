// Training behaviour: determinism, class recovery, every topology/algorithm option, the two
// ways of computing H S, abort, and bad input.
import { describe, expect, it } from 'vitest';
import { trainSom, selectBackend, Rng, SomInputError, type SomOptions } from '@vocloud/plugin-som/kernel';
import { needPeer, peers } from '../../../tests/support/peers.js';
import { rmSync } from 'node:fs';
import { generate, referenceAvailable } from './support.js';

/** Three well-separated blobs in 16 dimensions (no Python needed). */
function blobs(n: number, seed = 7): { x: Float32Array; label: Int32Array; d: number } {
  const d = 16, rng = new Rng(seed);
  const x = new Float32Array(n * d), label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    label[i] = c;
    for (let j = 0; j < d; j++) x[i * d + j] = (j % 3 === c ? 5 : 0) + (rng.next() - 0.5);
  }
  return { x, label, d };
}

describe('seeds', () => {
  const { x, d } = blobs(300);
  const n = 300;
  for (const opts of [
    { init: 'random', algorithm: 'batch' },
    { init: 'samples', algorithm: 'online' },
  ] as const) {
    it(`the same seed gives the same map (${opts.init} init, ${opts.algorithm})`, async () => {
      const o: SomOptions = { rows: 5, cols: 4, epochs: 3, seed: 42, ...opts };
      const a = await trainSom(x, n, d, o);
      const b = await trainSom(x, n, d, o);
      const c = await trainSom(x, n, d, { ...o, seed: 43 });
      expect(Buffer.from(a.weights.buffer).equals(Buffer.from(b.weights.buffer))).toBe(true);
      expect(Array.from(a.bmu)).toEqual(Array.from(b.bmu));
      expect(Buffer.from(a.weights.buffer).equals(Buffer.from(c.weights.buffer))).toBe(false);
    });
  }
});

describe('options', () => {
  const { x, label, d } = blobs(600);
  const n = 600;
  const purity = (bmu: Int32Array, k: number): number => {
    const counts = Array.from({ length: k }, () => [0, 0, 0]);
    bmu.forEach((u, i) => counts[u]![label[i]!]++);
    return counts.reduce((s, c) => s + Math.max(...c), 0) / n;
  };
  const cases: SomOptions[] = [
    { rows: 6, cols: 6, topology: 'hexagonal' },
    { rows: 6, cols: 6, topology: 'hexagonal', toroidal: true },
    { rows: 6, cols: 6, toroidal: true },
    { rows: 6, cols: 6, neighbourhood: 'bubble', radius: { start: 3, end: 1 } },
    { rows: 6, cols: 6, neighbourhood: 'mexican-hat', algorithm: 'online', learningRate: { start: 0.1, end: 0.01 }, radius: { start: 3, end: 1 } },
    { rows: 6, cols: 6, neighbourhood: 'mexican-hat', radius: { start: 2, end: 0.5 } },
    { rows: 6, cols: 6, algorithm: 'online', learningRate: { start: 0.3, end: 0.01, kind: 'inverse-time' }, radius: { start: 3, end: 0.5, kind: 'exponential' } },
    { rows: 6, cols: 6, distance: 'cosine' },
    { rows: 6, cols: 6, distance: 'cosine', algorithm: 'online' },
  ];
  for (const c of cases) {
    it(`separates three blobs: ${JSON.stringify(c)}`, async () => {
      const r = await trainSom(x, n, d, { epochs: 6, init: 'random', ...c });
      expect(purity(r.bmu, c.rows * c.cols)).toBeGreaterThan(0.98);
      expect(r.history).toHaveLength(6);
      expect(r.qe).toBeGreaterThan(0);
      expect(r.te).toBeGreaterThanOrEqual(0);
      expect(r.hits.reduce((a, b) => a + b, 0)).toBe(n);
      expect(r.weights.every(Number.isFinite)).toBe(true);
    });
  }

  it('stops with a clear error when a Mexican hat with a large learning rate diverges', async () => {
    await expect(trainSom(x, n, d, { rows: 6, cols: 6, epochs: 6, init: 'random', neighbourhood: 'mexican-hat', algorithm: 'online' }))
      .rejects.toThrow(/training diverged in epoch \d: .*Mexican hat.*smaller learning rate/);
  });
});

describe('the neighbourhood product', () => {
  it('gives the same H S through the separable path as through the dense one, on both backends', () => {
    const nx = 5, ny = 4, k = nx * ny, d = 7, sigma = 1.7;
    const rng = new Rng(3);
    const s = Float64Array.from({ length: k * d }, () => rng.next());
    const axis = (m: number) => Float64Array.from({ length: m * m }, (_, i) => Math.exp(-((Math.floor(i / m) - (i % m)) ** 2) / (2 * sigma * sigma)));
    const hx = axis(nx), hy = axis(ny);
    const h = new Float64Array(k * k);
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
      const di = Math.floor(a / ny) - Math.floor(b / ny), dj = (a % ny) - (b % ny);
      h[a * k + b] = Math.exp(-(di * di + dj * dj) / (2 * sigma * sigma));
    }
    for (const name of ['js', 'native'] as const) {
      if (name === 'native' && selectBackend('auto').label === 'js') continue; // no compiler: nothing to compare
      const be = selectBackend(name);
      const dense = new Float64Array(k * d);
      be.neighbourProduct(h, s, k, d, 0, k, dense);
      const sep = new Float64Array(k * d);
      be.separableProduct(hx, hy, s, nx, ny, d, 0, 3, new Float64Array(k * 3), sep);
      be.separableProduct(hx, hy, s, nx, ny, d, 3, d, new Float64Array(k * (d - 3)), sep);
      for (let i = 0; i < k * d; i++) expect(sep[i]).toBeCloseTo(dense[i]!, 10);
    }
  });
});

describe('abort', () => {
  it('stops between blocks of work and rejects with the signal reason', async () => {
    const { x, d } = blobs(3000);
    const ctl = new AbortController();
    const reason = new Error('stop now');
    const started = performance.now();
    const p = trainSom(x, 3000, d, { rows: 20, cols: 20, epochs: 500, init: 'random', blockRows: 64, signal: ctl.signal,
      onEpoch: (e) => { if (e.epoch === 2) ctl.abort(reason); } });
    await expect(p).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe('bad input', () => {
  const { x, d } = blobs(30);
  const bad = (p: Promise<unknown>, re: RegExp) => expect(p).rejects.toSatisfy((e: unknown) => e instanceof SomInputError && re.test((e as Error).message));
  it('refuses NaN values and names the sample', async () => {
    const y = Float32Array.from(x);
    y[5 * d + 2] = NaN;
    await bad(trainSom(y, 30, d, { rows: 2, cols: 2 }), /NaN.*sample 5, value 2/);
  });
  it('refuses empty input', () => bad(trainSom(new Float32Array(0), 0, d, { rows: 2, cols: 2 }), /no samples/));
  it('refuses a map size that is not whole and positive', () => bad(trainSom(x, 30, d, { rows: 0, cols: 2 }), /map size/));
  it('refuses an initial codebook of the wrong size', () => bad(trainSom(x, 30, d, { rows: 2, cols: 2, init: new Float32Array(3) }), /needs 64/));
  it('refuses an all-zero sample with cosine distance', () => bad(trainSom(new Float32Array(2 * d), 2, d, { rows: 1, cols: 2, distance: 'cosine' }), /all zeros/));
  it('refuses a schedule that cannot decay exponentially to 0', () => bad(trainSom(x, 30, d, { rows: 2, cols: 2, radius: { start: 2, end: 0, kind: 'exponential' } }), /> 0/));
  it('trains a 1 x 1 map to the mean, with TE 0', async () => {
    const r = await trainSom(x, 30, d, { rows: 1, cols: 1, epochs: 2 });
    const mean = Array.from({ length: d }, (_, j) => x.filter((_, i) => i % d === j).reduce((a, b) => a + b, 0) / 30);
    Array.from(r.weights).forEach((v, j) => expect(v).toBeCloseTo(mean[j]!, 4));
    expect(r.te).toBe(0);
    expect(Array.from(r.umatrix)).toEqual([0]);
  });
  it('trains a map with more neurons than samples: empty neurons keep neighbourhood averages', async () => {
    const r = await trainSom(x, 30, d, { rows: 8, cols: 8, epochs: 3 });
    expect(r.hits.filter((h) => h === 0).length).toBeGreaterThanOrEqual(64 - 30);
    expect(r.weights.every(Number.isFinite)).toBe(true);
  });
});

describe.skipIf(!needPeer(peers.numpy(), 'SOM recovers the generator classes') || !referenceAvailable())('synthetic H-alpha classes', () => {
  it('puts absorption, emission and double-peak spectra on separate neurons', async () => {
    const w = generate(1500, 400, 5);
    const r = await trainSom(w.x, w.n, w.d, { rows: 10, cols: 10, epochs: 8 });
    const counts = Array.from({ length: 100 }, () => [0, 0, 0]);
    r.bmu.forEach((u, i) => counts[u]![w.classes[i]!]++);
    const purity = counts.reduce((s, c) => s + Math.max(...c), 0) / w.n;
    // not 1: the weakest profiles of the three classes (amplitudes ~0.2-0.3 in noise) overlap;
    // 10x10 maps reach 0.96, 20x20 0.98, on the generator's data
    expect(purity).toBeGreaterThan(0.95);
    for (let c = 0; c < 3; c++) {
      const own = counts.reduce((s, v) => s + (Math.max(...v) === v[c] ? v[c]! : 0), 0);
      const all = counts.reduce((s, v) => s + v[c]!, 0);
      expect(own / all).toBeGreaterThan(0.9);
    }
    rmSync(w.dir, { recursive: true, force: true });
  });
});
