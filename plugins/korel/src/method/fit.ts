import { KorelInputError } from '../formats/errors.js';
import type { KorelDat } from '../formats/korel-dat.js';
import type { KorelPar, ParSourceLines } from '../formats/korel-par.js';
import type { KorelTmp } from '../formats/korel-tmp.js';
import { prepareRegions, type RegionData } from './disentangle.js';
import { Evaluator } from './evaluator.js';
import { exposureCost, fitExposureVelocities, residualSpectrum } from './exposure.js';
import { forwardReal, inverseReal, type HalfSpectrum } from './fourier.js';
import { applyRun, cloneState, describeFree, fromSimplex, initialState, naturalValue, toSimplex, type ModelState, type RunConfig } from './model.js';
import { nelderMead } from './nelder-mead.js';

/** The inputs of a KOREL job, parsed. */
export interface KorelInput {
  readonly dat: KorelDat;
  readonly tmp: KorelTmp | null;
  readonly par: KorelPar;
  /** Line numbers of par's header and element lines, for messages. */
  readonly parSource: ParSourceLines;
  /** How messages name the sources, e.g. 'korel.par' or "parameter 'par'". */
  readonly parFile: string;
  readonly tmpFile?: string;
}

export interface FitOptions {
  readonly signal?: AbortSignal;
  readonly progress?: (fraction: number | null, message: string) => void;
  /** Cap on cost evaluations of one simplex run (a safety net; convergence normally stops it). */
  readonly maxEvaluations?: number;
  /** Relative cost spread at which a simplex counts as converged. */
  readonly ftol?: number;
  /** Simplex size at convergence, relative to each parameter's initial step. */
  readonly xtol?: number;
}

export interface ExposureResult {
  readonly index: number;
  readonly t: number;
  readonly region: number;
  readonly weight: number;
  /** Velocities (km/s) of the components from the orbit (or v values), per component. */
  readonly modelRv: Float64Array;
  /** Velocities that fit this exposure alone best, the spectra fixed. */
  readonly fitRv: Float64Array;
  /** Line-strength factors (linear), per component. */
  readonly strength: Float64Array;
}

export interface RunResult {
  readonly run: number;
  readonly config: RunConfig;
  /** The state after the run (converged elements, strengths, weights). */
  readonly state: ModelState;
  /** Free parameters with their converged values (korel.par units: degrees for angles). */
  readonly free: readonly { readonly name: string; readonly value: number }[];
  /** Weighted sum of squared residuals over the fitted modes (data units). */
  readonly cost: number;
  /** Weighted rms residual per bin: sqrt(cost / Σ w·n). */
  readonly rms: number;
  readonly evaluations: number;
  readonly converged: boolean;
  readonly msPerEvaluation: number;
  readonly elapsedMs: number;
  /** Simplex log (print mode ≥ 2) and notes. */
  readonly log: readonly string[];
  /** Component spectra per region, per component (length n; mode 0 and modes ≤ ifil are 0). */
  readonly spectra: readonly (readonly Float64Array[])[];
  readonly exposures: readonly ExposureResult[];
  /** O−C spectra per exposure (in the frame config.ocStar asks for). */
  readonly residuals: readonly Float64Array[];
  /** rms of the per-exposure velocities against the model, per component (weighted). */
  readonly rvRms: Float64Array;
  readonly nonPositiveStrengths: number;
}

export interface KorelResult {
  readonly regions: readonly RegionData[];
  readonly times: Float64Array;
  readonly runs: readonly RunResult[];
}

class Aborted extends Error {}

/** Run every run of korel.par on the data, each starting from where the previous one ended. */
export async function runKorel(input: KorelInput, options: FitOptions = {}): Promise<KorelResult> {
  const records = input.dat.records;
  const L = records.length;
  const times = Float64Array.from(records, (r) => r.t);
  const datWeights = Float64Array.from(records, (r) => r.weight);
  const regions = prepareRegions(records);
  const regionOf = new Int32Array(L);
  regions.forEach((r, ri) => r.exposures.forEach((e) => (regionOf[e] = ri)));
  const state = initialState(datWeights);
  const runs: RunResult[] = [];
  const fewestModes = Math.min(...regions.map((r) => r.n / 2));
  const pause = pauser(options.signal);
  for (const [ri, run] of input.par.runs.entries()) {
    const config = applyRun(state, run, {
      file: input.parFile,
      headerLine: input.parSource.header[ri] ?? 1,
      lineNumbers: input.parSource.lines[ri] ?? [],
      dvOf: (e) => regions[regionOf[e]!]!.dv,
      fewestModes,
      firstRun: ri === 0,
      datWeights,
    });
    const templates = templatesFor(input, regions, config);
    runs.push(await oneRun(ri + 1, input.parFile, regions, regionOf, times, state, config, templates, options, input.par.runs.length, pause));
  }
  return { regions, times, runs };
}

/** Transforms of korel.tmp's templates, [region][component], for the stars of this run. */
function templatesFor(input: KorelInput, regions: readonly RegionData[], config: RunConfig): (HalfSpectrum | null)[][] {
  const out = regions.map(() => config.stars.map((): HalfSpectrum | null => null));
  for (const t of input.tmp?.records ?? []) {
    const ri = regions.findIndex((r) => Math.abs(r.lambda0 - t.lambda0) < 1e-8 && Math.abs(r.dv - t.dv) < 1e-8);
    const c = config.stars.findIndex((s) => s.star === t.star);
    if (ri < 0 || c < 0) continue;
    if (regions[ri]!.n !== t.values.length) {
      throw new KorelInputError(input.tmpFile ?? 'korel.tmp', t.line ?? null, `the template has ${t.values.length} values but its region has N = ${regions[ri]!.n}`);
    }
    const m = regions[ri]!.modes;
    const h = { re: new Float64Array(m), im: new Float64Array(m) };
    forwardReal(t.values, h.re, h.im);
    out[ri]![c] = h;
  }
  return out;
}

/**
 * Lets the event loop run every ~50 ms of fitting, so that an abort (which arrives as an event,
 * also in a worker thread) and progress get through; throws when the job was aborted.
 */
function pauser(signal: AbortSignal | undefined): () => Promise<void> | undefined {
  let last = performance.now();
  return () => {
    if (signal?.aborted) throw new Aborted('aborted');
    const now = performance.now();
    if (now - last < 50) return undefined;
    last = now;
    return new Promise<void>((resolve, reject) =>
      setImmediate(() => (signal?.aborted ? reject(new Aborted('aborted')) : resolve())),
    );
  };
}

async function oneRun(
  runNumber: number,
  parFile: string,
  regions: readonly RegionData[],
  regionOf: Int32Array,
  times: Float64Array,
  state: ModelState,
  config: RunConfig,
  templates: (HalfSpectrum | null)[][],
  options: FitOptions,
  totalRuns: number,
  pause: () => Promise<void> | undefined,
): Promise<RunResult> {
  const started = performance.now();
  const ev = new Evaluator(regions, times, config, templates);
  const log: string[] = [...config.notes];
  const free = config.free;
  let evaluations = 0;
  let converged = true;
  let fitMs = 0;
  const maxEvaluations = options.maxEvaluations ?? 20000;
  const first = ev.cost(state);
  if (!Number.isFinite(first)) {
    throw new KorelInputError(parFile, null, `run ${runNumber}: the starting elements give no valid radial velocities (check P ≥ 0, 0 ≤ e < 1 and q > 0 for every orbit that moves a present star)`);
  }
  if (free.length > 0) {
    const n = free.length;
    const x0 = new Float64Array(n);
    const dx = new Float64Array(n);
    free.forEach((f, i) => {
      const s = toSimplex(f, state);
      x0[i] = s.x;
      dx[i] = s.dx;
    });
    const xtol = Float64Array.from(dx, (d) => Math.abs(d) * (options.xtol ?? 1e-6));
    const trial = cloneState(state);
    let best = first;
    const bestState = cloneState(state);
    const f = (x: Float64Array): number => {
      if ((evaluations & 31) === 0) {
        options.progress?.(Math.min(0.95, (runNumber - 1 + evaluations / maxEvaluations) / totalRuns), `run ${runNumber}: ${evaluations} cost evaluations, cost ${best.toPrecision(8)}`);
      }
      evaluations++;
      for (let i = 0; i < n; i++) fromSimplex(free[i]!, x[i]!, trial);
      // Solved strengths start from those of the best point so far (KOREL keeps the last ones).
      if (ev.solvesStrengths) for (let s = 0; s < 5; s++) trial.lnStrength[s]!.set(bestState.lnStrength[s]!);
      const c = ev.cost(trial);
      if (c < best) {
        best = c;
        copyState(trial, bestState);
      }
      if (config.printMode >= 2) log.push(`${String(evaluations).padStart(6)} ${c.toExponential(8)} ${Array.from(x, (v) => v.toExponential(6)).join(' ')}`);
      return c;
    };
    const t0 = performance.now();
    let x: Float64Array = x0;
    for (let r = 0; r < Math.max(1, config.simplexRuns); r++) {
      const res = await nelderMead(f, x, { steps: dx, xtol, ftol: options.ftol ?? 1e-10, maxEvaluations, pause });
      x = res.x;
      converged = res.converged;
      if (!res.converged) log.push(`simplex run ${r + 1} stopped after ${res.evaluations} evaluations without converging (raise maxEvaluations or improve the starting values)`);
    }
    fitMs = performance.now() - t0;
    copyState(bestState, state);
  }
  ev.cost(state);
  const nonPositiveStrengths = ev.nonPositiveStrengths;
  const X = ev.disentangler.spectra();
  const spectra = regions.map((r, ri) => X[ri]!.map((h) => inverseReal(h.re, h.im, r.n)));
  const nc = config.stars.length;
  const exposures: ExposureResult[] = [];
  const residuals: Float64Array[] = [];
  const rvSum = new Float64Array(nc);
  let wsum = 0;
  // The optimiser's cost comes from the normal equations (Σ|F|² − Re bᴴX), which loses the
  // digits of a tiny residual to cancellation; the reported cost is summed directly.
  let cost = 0;
  for (let e = 0; e < times.length; e++) {
    const ri = regionOf[e]!;
    const r = regions[ri]!;
    const i = r.exposures.indexOf(e);
    const modelRv = Float64Array.from(ev.vel, (v) => v[e]!);
    const strength = Float64Array.from(ev.amp, (a) => a[e]!);
    const fitRv = await fitExposureVelocities(r, i, X[ri]!, strength, modelRv, config.ifil + 1, pause);
    const frame = config.ocStar > 0 ? modelRv[config.stars.findIndex((s) => s.star === config.ocStar)]! : null;
    residuals.push(residualSpectrum(r, i, X[ri]!, strength, modelRv, config.ifil + 1, frame));
    const w = state.weight[e]!;
    wsum += w;
    cost += w * exposureCost(r, i, X[ri]!, strength, modelRv, config.ifil + 1);
    for (let c = 0; c < nc; c++) rvSum[c] += w * (fitRv[c]! - modelRv[c]!) ** 2;
    exposures.push({ index: e, t: times[e]!, region: ri, weight: w, modelRv, fitRv, strength });
  }
  const rvRms = Float64Array.from(rvSum, (s) => Math.sqrt(s / (wsum || 1)));
  let wn = 0;
  for (let e = 0; e < times.length; e++) wn += state.weight[e]! * regions[regionOf[e]!]!.n;
  const freeOut = free.map((f) => ({ name: describeFree(f), value: naturalValue(f, state) }));
  return {
    run: runNumber,
    config,
    state: cloneState(state),
    free: freeOut,
    cost,
    rms: Math.sqrt(cost / (wn || 1)),
    evaluations,
    converged,
    msPerEvaluation: evaluations > 0 ? fitMs / evaluations : 0,
    elapsedMs: performance.now() - started,
    log,
    spectra,
    exposures,
    residuals,
    rvRms,
    nonPositiveStrengths,
  };
}

function copyState(from: ModelState, to: ModelState): void {
  to.elements.set(from.elements);
  to.steps.set(from.steps);
  to.weight.set(from.weight);
  for (let s = 0; s < 5; s++) {
    to.lnStrength[s]!.set(from.lnStrength[s]!);
    to.strengthStep[s]!.set(from.strengthStep[s]!);
    to.velocity[s]!.set(from.velocity[s]!);
    to.velocityStep[s]!.set(from.velocityStep[s]!);
  }
}

export { Aborted as KorelAborted };

/**
 * The function the simplex minimises in the first run of `input`, over its free parameters in
 * simplex coordinates (ln P, logit e, …), and its starting point. For benchmarks and checks.
 */
export function costFunction(input: KorelInput): { readonly x0: Float64Array; readonly names: readonly string[]; cost(x: Float64Array): number } {
  const records = input.dat.records;
  const times = Float64Array.from(records, (r) => r.t);
  const datWeights = Float64Array.from(records, (r) => r.weight);
  const regions = prepareRegions(records);
  const regionOf = new Int32Array(records.length);
  regions.forEach((r, ri) => r.exposures.forEach((e) => (regionOf[e] = ri)));
  const state = initialState(datWeights);
  const config = applyRun(state, input.par.runs[0]!, {
    file: input.parFile,
    headerLine: input.parSource.header[0] ?? 1,
    lineNumbers: input.parSource.lines[0] ?? [],
    dvOf: (e) => regions[regionOf[e]!]!.dv,
    fewestModes: Math.min(...regions.map((r) => r.n / 2)),
    firstRun: true,
    datWeights,
  });
  const ev = new Evaluator(regions, times, config, templatesFor(input, regions, config));
  const trial = cloneState(state);
  return {
    x0: Float64Array.from(config.free, (f) => toSimplex(f, state).x),
    names: config.free.map(describeFree),
    cost(x: Float64Array): number {
      config.free.forEach((f, i) => fromSimplex(f, x[i]!, trial));
      return ev.cost(trial);
    },
  };
}
