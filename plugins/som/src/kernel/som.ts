/**
 * Training a Self-Organizing Map: batch (Voronoi sums, then the neighbourhood-weighted mean, as
 * the numpy reference) or online (Kohonen's sample-by-sample rule). The heavy steps run on a
 * pool of worker threads over shared memory; this file is the schedule around them.
 */
import { Grid, type Topology } from './grid.js';
import { NEIGHBOURHOOD_KINDS, neighbourhoodMatrix, separableFactors, type NeighbourhoodKind } from './neighbourhood.js';
import { checkSchedule, scheduleAt, type Schedule } from './schedule.js';
import { columnMeans, pcaCodebook, principalAxes, randomCodebook, sampleCodebook, type InitKind } from './init.js';
import { KernelPool, sharedF32, sharedF64, sharedI32 } from './pool.js';
import { selectBackend, type BackendName, type ComputeBackend } from './backend.js';
import { hitCounts, topographicError, uMatrix } from './quality.js';
import { Rng } from './rng.js';

export type Algorithm = 'batch' | 'online';
export type DistanceKind = 'euclidean' | 'cosine';

/** Everything that shapes a map. Only `rows` and `cols` are required. */
export interface SomOptions {
  readonly rows: number;
  readonly cols: number;
  readonly topology?: Topology;
  readonly toroidal?: boolean;
  readonly neighbourhood?: NeighbourhoodKind;
  readonly algorithm?: Algorithm;
  readonly epochs?: number;
  /** Neighbourhood radius (sigma); default max(rows, cols) / 2 → 1, linear (the reference). */
  readonly radius?: Partial<Schedule>;
  /** Online learning rate; default 0.5 → 0.01, linear. Not used by the batch algorithm. */
  readonly learningRate?: Partial<Schedule>;
  /** A kind, or a ready K x D codebook to start from. */
  readonly init?: InitKind | Float32Array;
  readonly distance?: DistanceKind;
  /** Seeds random initialisation and the online sample order. */
  readonly seed?: number;
  /** Worker threads (default: one per core). */
  readonly threads?: number;
  readonly backend?: BackendName | 'auto';
  /** Samples per unit of parallel work; ABORT takes effect after the blocks running. */
  readonly blockRows?: number;
  readonly signal?: AbortSignal;
  /** Called after every epoch. */
  readonly onEpoch?: (e: EpochReport) => void;
}

export interface EpochReport {
  readonly epoch: number;
  readonly epochs: number;
  readonly radius: number;
  readonly learningRate: number | null;
  /** Batch: QE/TE of the BMU pass at the start of the epoch (as the reference); online: at its end. */
  readonly qe: number;
  readonly te: number;
  readonly seconds: number;
}

export interface SomResult {
  readonly rows: number;
  readonly cols: number;
  readonly dim: number;
  readonly topology: Topology;
  readonly toroidal: boolean;
  readonly distance: DistanceKind;
  /** K x D codebook, unit k = i * cols + j. */
  readonly weights: Float32Array;
  /** Initial codebook (K x D), for reproducing a run. */
  readonly initialWeights: Float32Array;
  /** Best-matching unit of every sample with the final codebook. */
  readonly bmu: Int32Array;
  /** Distance of every sample to its BMU (Euclidean, or 1 - cosine similarity). */
  readonly bmuDistance: Float32Array;
  /** Quantization error: mean of bmuDistance. */
  readonly qe: number;
  /** Topographic error: fraction of samples whose second BMU is not adjacent to the first. */
  readonly te: number;
  readonly hits: Int32Array;
  readonly umatrix: Float64Array;
  readonly history: readonly EpochReport[];
  readonly backend: string;
  readonly threads: number;
  readonly timings: { readonly initSeconds: number; readonly trainSeconds: number; readonly evalSeconds: number };
}

/** Bad data or options: the message is written for the user. */
export class SomInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SomInputError';
  }
}

interface Resolved {
  grid: Grid;
  nb: NeighbourhoodKind;
  algorithm: Algorithm;
  epochs: number;
  radius: Schedule;
  rate: Schedule;
  distance: DistanceKind;
  seed: number;
  blockRows: number;
}

function resolve(o: SomOptions, n: number, d: number): Resolved {
  let grid: Grid;
  try {
    grid = new Grid({ rows: o.rows, cols: o.cols, topology: o.topology ?? 'rectangular', toroidal: o.toroidal ?? false });
  } catch (err) {
    throw new SomInputError((err as Error).message);
  }
  const epochs = o.epochs ?? 10;
  if (!Number.isInteger(epochs) || epochs < 0) throw new SomInputError(`epochs must be a whole number >= 0 (got ${epochs})`);
  const radius: Schedule = {
    start: o.radius?.start ?? Math.max(o.rows, o.cols) / 2,
    end: o.radius?.end ?? 1,
    kind: o.radius?.kind ?? 'linear',
  };
  const rate: Schedule = { start: o.learningRate?.start ?? 0.5, end: o.learningRate?.end ?? 0.01, kind: o.learningRate?.kind ?? 'linear' };
  try {
    checkSchedule(radius, 'radius');
    checkSchedule(rate, 'learning rate');
  } catch (err) {
    throw new SomInputError((err as Error).message);
  }
  if (radius.start <= 0 || radius.end <= 0) throw new SomInputError(`the radius must stay > 0 (got ${radius.start} → ${radius.end})`);
  if (n === 0) throw new SomInputError('there are no samples (spectra) to train on');
  if (d === 0) throw new SomInputError('the samples have no values (dimension 0)');
  const blockRows = o.blockRows ?? 1024;
  if (!Number.isInteger(blockRows) || blockRows < 1) throw new SomInputError(`blockRows must be a whole number >= 1`);
  return {
    grid, nb: o.neighbourhood ?? 'gaussian', algorithm: o.algorithm ?? 'batch', epochs, radius, rate,
    distance: o.distance ?? 'euclidean', seed: o.seed ?? 1, blockRows,
  };
}

/** The first non-finite value, as "sample i, value j", or null. */
function firstNonFinite(x: Float32Array, d: number): string | null {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) return `sample ${Math.floor(i / d)}, value ${i % d} is ${x[i]}`;
  }
  return null;
}

/** Copy onto shared memory (unless already there); for cosine, scale every row to unit length. */
function prepareData(data: Float32Array, n: number, d: number, distance: DistanceKind): Float32Array {
  const shared = data.buffer instanceof SharedArrayBuffer && distance === 'euclidean' ? data : sharedF32(n * d);
  if (shared !== data) shared.set(data.subarray(0, n * d));
  if (distance === 'cosine') {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += shared[i * d + j]! ** 2;
      if (s === 0) throw new SomInputError(`sample ${i} is all zeros: it has no direction, so the cosine distance is undefined`);
      const f = 1 / Math.sqrt(s);
      for (let j = 0; j < d; j++) shared[i * d + j]! *= f;
    }
  }
  return shared;
}

/**
 * Train a map on `data` (n x d float32, row-major). Resolves with the codebook, the BMU of every
 * sample, quality figures and per-epoch history; rejects with SomInputError for bad input and
 * with the signal's reason when aborted.
 */
export async function trainSom(data: Float32Array, n: number, d: number, options: SomOptions): Promise<SomResult> {
  if (data.length < n * d) throw new SomInputError(`the data holds ${data.length} values, fewer than ${n} x ${d}`);
  const r = resolve(options, n, d);
  const bad = firstNonFinite(data.subarray(0, n * d), d);
  if (bad) throw new SomInputError(`the data contain a NaN or infinite value (${bad}); cut the range or drop such spectra first`);
  const x = prepareData(data, n, d, r.distance);
  // The calling thread packs the weights for one backend and every kernel thread must run that
  // very one: left to choose for themselves, threads started while the native kernel is being
  // rebuilt would fall back to another layout and return a wrong map without an error.
  const backend = selectBackend(options.backend ?? 'auto');
  const pool = await KernelPool.start(backend.name, options.threads, backend.label);
  try {
    return await new Trainer(pool, backend, x, n, d, r, options).run();
  } finally {
    await pool.close();
  }
}

class Trainer {
  private readonly k: number;
  private readonly w: Float32Array;
  private readonly packed: Float32Array;
  private readonly w2: Float32Array;
  private readonly bmu: Int32Array;
  private readonly score: Float32Array;
  private readonly second: Int32Array;
  private readonly x2: Float32Array;
  private readonly bmuTasks;
  constructor(
    private readonly pool: KernelPool,
    private readonly backend: ComputeBackend,
    private readonly x: Float32Array,
    private readonly n: number,
    private readonly d: number,
    private readonly r: Resolved,
    private readonly o: SomOptions,
  ) {
    this.k = r.grid.size;
    this.w = sharedF32(this.k * d);
    this.packed = sharedF32(this.backend.packedLength(this.k, d));
    this.w2 = sharedF32(this.k);
    this.bmu = sharedI32(n);
    this.score = sharedF32(n);
    this.second = sharedI32(n);
    // |x|^2 in float64 then rounded, as the reference
    this.x2 = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[i * d + j]! ** 2;
      this.x2[i] = s;
    }
    this.bmuTasks = KernelPool.ranges(n, r.blockRows).map(([n0, n1]) => ({ op: 'bmu' as const, n0, n1, d, k: this.k }));
  }

  async run(): Promise<SomResult> {
    const { pool, x, n, d, r, o } = this;
    await pool.bind({ x, packed: this.packed, w2: this.w2, bmu: this.bmu, score: this.score, second: this.second });
    let t = performance.now();
    const start = await this.initialCodebook();
    this.w.set(start);
    // a codebook given by the caller is not modified: no need for a copy
    const initialWeights = start === o.init ? start : Float32Array.from(start);
    const initSeconds = (performance.now() - t) / 1000;

    const history = r.algorithm === 'batch' ? await this.batch() : await this.online();
    const trainSeconds = history.reduce((s, e) => s + e.seconds, 0);

    t = performance.now();
    const { qe, te } = await this.bmuPass();
    const bmuDistance = new Float32Array(n);
    for (let i = 0; i < n; i++) bmuDistance[i] = this.distanceOf(i);
    const evalSeconds = (performance.now() - t) / 1000;
    return {
      rows: r.grid.rows, cols: r.grid.cols, dim: d, topology: r.grid.topology, toroidal: r.grid.toroidal, distance: r.distance,
      weights: this.w, initialWeights,
      bmu: Int32Array.from(this.bmu), bmuDistance, qe, te,
      hits: hitCounts(this.k, this.bmu), umatrix: uMatrix(r.grid, this.w, d, r.distance),
      history, backend: pool.backendLabel, threads: pool.threads,
      timings: { initSeconds, trainSeconds, evalSeconds },
    };
  }

  private async initialCodebook(): Promise<Float32Array> {
    const { x, n, d, k, r, o } = this;
    const init = o.init ?? 'pca';
    if (init instanceof Float32Array) {
      if (init.length !== k * d) throw new SomInputError(`the initial codebook has ${init.length} values; a ${r.grid.rows} x ${r.grid.cols} map of dimension ${d} needs ${k * d}`);
      const bad = firstNonFinite(init, d);
      if (bad) throw new SomInputError(`the initial codebook contains a NaN or infinite value (${bad.replace('sample', 'unit')})`);
      return init;
    }
    const rng = new Rng(r.seed);
    if (init === 'random') return randomCodebook(x, n, d, k, rng);
    if (init === 'samples') return sampleCodebook(x, n, d, k, rng);
    const mean = columnMeans(x, n, d);
    const [v1, v2] = await principalAxes(this.pool, n, d, mean, o.signal);
    return pcaCodebook(r.grid, mean, v1, v2);
  }

  /** Distance of sample i to its BMU from the score of the last pass. */
  private distanceOf(i: number): number {
    const s = this.score[i]!;
    return this.r.distance === 'euclidean' ? Math.sqrt(Math.max(s + this.x2[i]!, 0)) : Math.max(0, 1 + s / 2);
  }

  /** BMU (and second BMU) of every sample for the current weights; returns QE and TE. */
  private async bmuPass(): Promise<{ qe: number; te: number }> {
    const { w, k, d } = this;
    const cosine = this.r.distance === 'cosine';
    const unit = cosine ? new Float32Array(k * d) : w;
    for (let u = 0; u < k; u++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += w[u * d + j]! ** 2;
      if (cosine) {
        // score = -2 cos: argmin is the most similar direction
        const f = s > 0 ? 1 / Math.sqrt(s) : 0;
        for (let j = 0; j < d; j++) unit[u * d + j] = w[u * d + j]! * f;
        this.w2[u] = 0;
      } else {
        this.w2[u] = s;
      }
    }
    this.backend.packWeights(unit, k, d, this.packed);
    await this.pool.run(this.bmuTasks, this.o.signal);
    let qe = 0;
    for (let i = 0; i < this.n; i++) qe += this.distanceOf(i);
    return { qe: qe / this.n, te: topographicError(this.r.grid, this.bmu, this.second) };
  }

  private async batch(): Promise<EpochReport[]> {
    const { pool, n, d, k, r, o } = this;
    // One S for all threads: they split the columns, not the rows, so nothing needs reducing.
    // The separable product overwrites S with H S in place; only the dense one needs `num`.
    const s = sharedF64(k * d);
    // column tasks: a few per thread on big problems (balance), one per thread on small ones
    // (each task costs a message round trip of ~0.05 ms)
    const colTasks = Math.min(4 * pool.threads, Math.max(pool.threads, Math.ceil((k * d) / 250_000)));
    const colBlock = Math.max(16, Math.ceil(d / colTasks));
    const cols = KernelPool.ranges(d, colBlock);
    const tmp = Array.from({ length: pool.threads }, () => sharedF64(k * colBlock));
    let num: Float64Array | null = null;
    const den = sharedF64(k);
    await pool.bind({ s, tmp, den, w: this.w });
    const accTasks = cols.map(([j0, j1]) => ({ op: 'accumulate' as const, n, j0, j1, d, k }));
    const d2 = r.grid.distance2Matrix();
    const cnt = new Float64Array(k);
    const history: EpochReport[] = [];
    for (let e = 0; e < r.epochs; e++) {
      const t0 = performance.now();
      const sigma = scheduleAt(r.radius, e, r.epochs);
      const { qe, te } = await this.bmuPass();
      s.fill(0);
      cnt.fill(0);
      for (let i = 0; i < n; i++) cnt[this.bmu[i]!] += 1;
      await pool.run(accTasks, o.signal);
      // num = H S, den = H n
      const factors = separableFactors(r.grid, r.nb, sigma);
      let h: Float64Array | null = null;
      if (factors) {
        const { hx, hy } = factors;
        await pool.run(cols.map(([j0, j1]) => ({ op: 'separable' as const, j0, j1, nx: r.grid.rows, ny: r.grid.cols, d, hx, hy })), o.signal);
      } else {
        h = sharedCopy(neighbourhoodMatrix(r.grid, d2, r.nb, sigma));
        if (!num) {
          num = sharedF64(k * d);
          await pool.bind({ num });
        }
        await pool.bind({ h });
        const rowBlock = Math.max(1, Math.ceil(k / (4 * pool.threads)));
        await pool.run(KernelPool.ranges(k, rowBlock).map(([k0, k1]) => ({ op: 'neighbour' as const, k0, k1, k, d })), o.signal);
      }
      for (let u = 0; u < k; u++) {
        let dn = 0;
        if (h) for (let l = 0; l < k; l++) dn += h[u * k + l]! * cnt[l]!;
        else dn = separableDen(factors!.hx, factors!.hy, r.grid.rows, r.grid.cols, cnt, u);
        den[u] = dn;
      }
      const source = h ? 'num' as const : 's' as const;
      await pool.run(cols.map(([j0, j1]) => ({ op: 'update' as const, j0, j1, k, d, source })), o.signal);
      checkFinite(this.w, e + 1, r);
      const rep: EpochReport = { epoch: e + 1, epochs: r.epochs, radius: sigma, learningRate: null, qe, te, seconds: (performance.now() - t0) / 1000 };
      history.push(rep);
      o.onEpoch?.(rep);
    }
    await pool.bind({ s: null, num: null, tmp: null, h: null, den: null, w: null });
    return history;
  }

  /**
   * Kohonen's online rule, one sample at a time in a seeded random order each epoch. Sequential
   * by nature: chunks of samples run one after another on a kernel thread (so ABORT is seen
   * between chunks and the calling thread stays free).
   */
  private async online(): Promise<EpochReport[]> {
    const { pool, n, d, k, r, o, w } = this;
    const rng = new Rng(r.seed ^ 0x5f3759df);
    const d2 = sharedCopy(r.grid.distance2Matrix());
    const w2o = sharedF64(k);
    for (let u = 0; u < k; u++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += w[u * d + j]! ** 2;
      w2o[u] = s;
    }
    await pool.bind({ w, w2o, d2 });
    const kind = NEIGHBOURHOOD_KINDS.indexOf(r.nb);
    const cosine = r.distance === 'cosine';
    const total = r.epochs * n;
    const chunk = 256;
    const history: EpochReport[] = [];
    let step = 0;
    for (let e = 0; e < r.epochs; e++) {
      const t0 = performance.now();
      const order = rng.permutation(n);
      for (let t = 0; t < n; t += chunk) {
        const m = Math.min(chunk, n - t);
        const sigma = new Float64Array(m), alpha = new Float64Array(m);
        for (let i = 0; i < m; i++) {
          sigma[i] = scheduleAt(r.radius, step + i, total);
          alpha[i] = scheduleAt(r.rate, step + i, total);
        }
        await pool.run([{ op: 'online', d, k, kind, cosine, order: order.slice(t, t + m), sigma, alpha }], o.signal);
        step += m;
      }
      const seconds = (performance.now() - t0) / 1000;
      checkFinite(w, e + 1, r);
      const { qe, te } = await this.bmuPass();
      const last = Math.max(step - 1, 0);
      const rep: EpochReport = {
        epoch: e + 1, epochs: r.epochs, radius: scheduleAt(r.radius, last, total), learningRate: scheduleAt(r.rate, last, total), qe, te, seconds,
      };
      history.push(rep);
      o.onEpoch?.(rep);
    }
    await pool.bind({ w: null, w2o: null, d2: null });
    return history;
  }
}

/**
 * Stop with a clear message when the codebook has left the finite numbers: the Mexican hat's
 * negative lobe pushes neurons away from the samples, and with a large learning rate or radius
 * that push compounds without bound.
 */
function checkFinite(w: Float32Array, epoch: number, r: Resolved): void {
  for (let i = 0; i < w.length; i++) {
    if (!Number.isFinite(w[i]!)) {
      throw new SomInputError(
        `training diverged in epoch ${epoch}: the codebook grew without bound` +
          (r.nb === 'mexican-hat' ? ' (the Mexican hat pushes neurons away from the samples); use a smaller learning rate or radius, or the Gaussian neighbourhood' : ''),
      );
    }
  }
}

function sharedCopy(a: Float64Array): Float64Array {
  const s = sharedF64(a.length);
  s.set(a);
  return s;
}

/** (Hx (x) Hy) n at unit u = i * ny + j. */
function separableDen(hx: Float64Array, hy: Float64Array, nx: number, ny: number, cnt: Float64Array, u: number): number {
  const i = Math.floor(u / ny), j = u % ny;
  let den = 0;
  for (let a = 0; a < nx; a++) {
    const ha = hx[i * nx + a]!;
    if (ha === 0) continue;
    let row = 0;
    for (let b = 0; b < ny; b++) row += hy[j * ny + b]! * cnt[a * ny + b]!;
    den += ha * row;
  }
  return den;
}
