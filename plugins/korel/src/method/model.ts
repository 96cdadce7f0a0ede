import { KorelInputError } from '../formats/errors.js';
import type { ParRun } from '../formats/korel-par.js';
import { ELEMENTS_PER_ORBIT, ORBITS, elementIndex, isAngle } from './orbit.js';

/** A star of the model: one of KOREL's five positions ((1,2),(3,4)),5. */
export interface Star {
  /** 1..5 */
  readonly star: number;
  /** key 2: its line strength is solved per exposure, alternating with the spectra. */
  readonly strengthSolved: boolean;
  /** key + 10: its velocity comes from v lines (e.g. 0 for a stationary third light), not the orbits. */
  readonly velocityFree: boolean;
}

/** A value the simplex varies, and where it came from (for messages and korel.res). */
export type FreeParameter =
  | { readonly kind: 'o'; readonly orbit: number; readonly element: number; readonly line: number }
  | { readonly kind: 's'; readonly star: number; readonly exposure: number; readonly line: number }
  | { readonly kind: 'v'; readonly star: number; readonly exposure: number; readonly line: number };

/**
 * Everything a run changes and the next run of the same korel.par starts from (KOREL keeps
 * these in COMMON blocks between runs). Angles in radians.
 */
export interface ModelState {
  readonly exposures: number;
  readonly elements: Float64Array;
  /** Simplex steps of the elements; NaN until set (then a default is used). */
  readonly steps: Float64Array;
  /** ln of the line strength, [star − 1][exposure]. */
  readonly lnStrength: Float64Array[];
  readonly strengthStep: Float64Array[];
  /** Radial velocity (km/s) of a star with a free velocity, [star − 1][exposure]. */
  readonly velocity: Float64Array[];
  readonly velocityStep: Float64Array[];
  readonly weight: Float64Array;
}

export function initialState(weights: Float64Array): ModelState {
  const L = weights.length;
  const perStar = (v: number) => Array.from({ length: 5 }, () => new Float64Array(L).fill(v));
  return {
    exposures: L,
    elements: new Float64Array(ORBITS * ELEMENTS_PER_ORBIT),
    steps: new Float64Array(ORBITS * ELEMENTS_PER_ORBIT).fill(Number.NaN),
    lnStrength: perStar(0),
    strengthStep: perStar(Number.NaN),
    velocity: perStar(0),
    velocityStep: perStar(Number.NaN),
    weight: Float64Array.from(weights),
  };
}

export function cloneState(s: ModelState): ModelState {
  return {
    exposures: s.exposures,
    elements: Float64Array.from(s.elements),
    steps: Float64Array.from(s.steps),
    lnStrength: s.lnStrength.map((a) => Float64Array.from(a)),
    strengthStep: s.strengthStep.map((a) => Float64Array.from(a)),
    velocity: s.velocity.map((a) => Float64Array.from(a)),
    velocityStep: s.velocityStep.map((a) => Float64Array.from(a)),
    weight: Float64Array.from(s.weight),
  };
}

/** What one run of korel.par asks for, checked. */
export interface RunConfig {
  readonly stars: readonly Star[];
  readonly ifil: number;
  /** KOREL's print mode (kpr mod 10): ≥ 2 logs the simplex steps. */
  readonly printMode: number;
  /** Star in whose rest frame korel.o-c is written; 0 = observer's frame. */
  readonly ocStar: number;
  readonly free: readonly FreeParameter[];
  /** Simplex runs: the largest k1 of the free parameters (KOREL's iteration count). */
  readonly simplexRuns: number;
  /** Things the user should know (ignored lines, unsupported requests), for korel.res. */
  readonly notes: readonly string[];
}

export interface RunContext {
  readonly file: string;
  readonly headerLine: number;
  readonly lineNumbers: readonly number[];
  /** Radial-velocity step of the exposure's region (km/s), for default velocity steps. */
  readonly dvOf: (exposure: number) => number;
  /** The fewest Fourier modes of any region (n/2), which ifil must stay below. */
  readonly fewestModes: number;
  readonly firstRun: boolean;
  /** Exposure weights as korel.dat gives them (a run with k0 > 0 re-reads the data). */
  readonly datWeights: Float64Array;
}

/** Apply one run's header and lines to the state and return what the run asks for. */
export function applyRun(state: ModelState, run: ParRun, ctx: RunContext): RunConfig {
  const { file } = ctx;
  const head = ctx.headerLine;
  const notes: string[] = [];
  const stars: Star[] = [];
  run.keys.forEach((key, i) => {
    if (key <= 0) return;
    if (key >= 100) {
      throw new KorelInputError(file, head, `key${i + 1} = ${key}: line-profile variation codes (key ≥ 100, KOREL's pulsation mode) are not supported`);
    }
    const velocityFree = key > 10;
    const base = velocityFree ? key - 10 : key;
    if (base !== 1 && base !== 2) {
      throw new KorelInputError(file, head, `key${i + 1} = ${key} is not a known key: use 0 (absent), 1 (present), 2 (line strength solved), plus 10 for a free velocity (11, 12)`);
    }
    stars.push({ star: i + 1, strengthSolved: base === 2, velocityFree });
  });
  if (stars.length === 0) throw new KorelInputError(file, head, 'no star is present: at least one of key1..key5 must be positive');
  if (run.k0 < 0) throw new KorelInputError(file, head, `k0 = ${run.k0}: KOREL's simulation mode (k0 < 0) is not supported; give the spectra in korel.dat and set k0 > 0`);
  if (run.k0 === 0 && ctx.firstRun) {
    throw new KorelInputError(file, head, 'k0 = 0 means "keep the data of the previous run", but this is the first run: set k0 to the number of spectra');
  }
  if (run.k0 > 0) {
    state.weight.set(ctx.datWeights);
    if (run.k0 !== state.exposures) notes.push(`k0 = ${run.k0} but korel.dat has ${state.exposures} spectra: all are used (as KOREL does).`);
  }
  if (run.ifil < 0 || run.ifil >= ctx.fewestModes) {
    throw new KorelInputError(file, head, `ifil = ${run.ifil} must be between 0 and ${ctx.fewestModes - 1} (the spectra have ${ctx.fewestModes} non-zero Fourier modes)`);
  }
  if (run.kpr < 0) throw new KorelInputError(file, head, `kpr = ${run.kpr} must not be negative`);
  const ocStar = Math.floor(run.kpr / 10);
  const present = (s: number) => stars.some((x) => x.star === s);
  if (ocStar > 0 && !present(ocStar)) {
    throw new KorelInputError(file, head, `kpr = ${run.kpr} asks for O−C in the rest frame of star ${ocStar}, which is not present`);
  }
  const free: FreeParameter[] = [];
  const L = state.exposures;
  run.lines.forEach((l, n) => {
    const line = ctx.lineNumbers[n] ?? head;
    const at = (msg: string) => new KorelInputError(file, line, msg);
    switch (l.type) {
      case 'o': {
        if (l.j1 < 0 || l.j1 >= ORBITS) throw at(`orbit j1 = ${l.j1} must be 0..3 (0: stars 1–2, 1: stars 3–4, 2: (1,2) around (3,4), 3: around star 5)`);
        if (l.j2 < 1 || l.j2 > ELEMENTS_PER_ORBIT) throw at(`element j2 = ${l.j2} must be 1..11 (1 P, 2 T0, 3 e, 4 ω, 5 K1, 6 q, 7 dω/dt, 8 dP/dt, 9 de/dt, 10 dK1/dt, 11 dq/dt)`);
        const idx = elementIndex(l.j1, l.j2);
        const unit = isAngle(l.j2) ? Math.PI / 180 : 1;
        if (l.le > 0) {
          if (l.j2 === 1 && l.value < 0) throw at(`period P = ${l.value} must not be negative`);
          if (l.j2 === 3 && !(l.value >= 0 && l.value < 1)) throw at(`eccentricity e = ${l.value} must be in [0, 1)`);
          if (l.j2 === 6 && l.value < 0) throw at(`mass ratio q = ${l.value} must not be negative`);
          state.elements[idx] = l.value * unit;
        }
        if (l.ld > 0) state.steps[idx] = l.step * unit;
        if (l.k1 > 0) {
          if (free.some((f) => f.kind === 'o' && f.orbit === l.j1 && f.element === l.j2)) throw at(`element ${l.j2} of orbit ${l.j1} is made free twice`);
          free.push({ kind: 'o', orbit: l.j1, element: l.j2, line });
        }
        break;
      }
      case 's':
      case 'v': {
        if (l.j1 < 1 || l.j1 > 5) throw at(`star j1 = ${l.j1} must be 1..5`);
        if (l.j2 < 1 || l.j2 > L) throw at(`exposure j2 = ${l.j2} must be 1..${L} (korel.dat has ${L} spectra)`);
        if (!present(l.j1)) throw at(`star ${l.j1} is not present in this run (key${l.j1} ≤ 0)`);
        const star = stars.find((s) => s.star === l.j1)!;
        const e = l.j2 - 1;
        if (l.type === 's') {
          if (star.strengthSolved && l.k1 > 0) throw at(`the line strengths of star ${l.j1} are solved per exposure (key = 2); an 's' line cannot also make one a simplex parameter`);
          if (l.le > 0) state.lnStrength[l.j1 - 1]![e] = l.value;
          if (l.ld > 0) state.strengthStep[l.j1 - 1]![e] = l.step;
        } else {
          if (!star.velocityFree) {
            notes.push(`${file} line ${line}: star ${l.j1} moves in its orbit (key < 10), so this 'v' line is ignored (as KOREL does).`);
            break;
          }
          if (l.le > 0) state.velocity[l.j1 - 1]![e] = l.value;
          if (l.ld > 0) state.velocityStep[l.j1 - 1]![e] = l.step;
        }
        if (l.k1 > 0) {
          if (free.some((f) => f.kind !== 'o' && f.kind === l.type && f.star === l.j1 && f.exposure === e)) throw at(`this '${l.type}' value is made free twice`);
          free.push(l.type === 's' ? { kind: 's', star: l.j1, exposure: e, line } : { kind: 'v', star: l.j1, exposure: e, line });
        }
        break;
      }
      case 'w': {
        if (l.j2 < 1 || l.j2 > L) throw at(`exposure j2 = ${l.j2} must be 1..${L} (korel.dat has ${L} spectra)`);
        if (!(l.value >= 0)) throw at(`weight ${l.value} must not be negative`);
        state.weight[l.j2 - 1] = l.value;
        break;
      }
      case 'e':
        notes.push(`${file} line ${line}: error maps ('e' lines) are not computed by the native implementation; the line is ignored.`);
        break;
    }
  });
  // Starting points and steps the simplex can use.
  for (const f of free) {
    if (f.kind === 'o') {
      const idx = elementIndex(f.orbit, f.element);
      const v = state.elements[idx]!;
      if (f.element === 1 && !(v > 0)) throw new KorelInputError(file, f.line, `period of orbit ${f.orbit} is free but starts at ${v}: give a positive starting value (the fit works in ln P)`);
      if (f.element === 3 && !(v > 0 && v < 1)) {
        throw new KorelInputError(file, f.line, `eccentricity of orbit ${f.orbit} is free but starts at ${v}: start inside (0, 1), e.g. 0.01 (the fit works in logit e); fix e = 0 for a circular orbit`);
      }
      if (!Number.isFinite(state.steps[idx]!)) state.steps[idx] = defaultStep(f.element, state.elements[elementIndex(f.orbit, 1)]!);
      if (state.steps[idx] === 0) throw new KorelInputError(file, f.line, 'the step of a free element must not be 0');
    } else if (f.kind === 's') {
      const st = state.strengthStep[f.star - 1]!;
      if (!Number.isFinite(st[f.exposure]!)) st[f.exposure] = 0.05;
      if (st[f.exposure] === 0) throw new KorelInputError(file, f.line, 'the step of a free line strength must not be 0');
    } else {
      const st = state.velocityStep[f.star - 1]!;
      if (!Number.isFinite(st[f.exposure]!)) st[f.exposure] = ctx.dvOf(f.exposure);
      if (st[f.exposure] === 0) throw new KorelInputError(file, f.line, 'the step of a free velocity must not be 0');
    }
  }
  if (state.weight.every((w) => w === 0)) throw new KorelInputError(file, head, 'every exposure has weight 0: nothing to fit');
  const simplexRuns = Math.max(0, ...run.lines.filter((l) => l.k1 > 0 && (l.type === 'o' || l.type === 's' || l.type === 'v')).map((l) => l.k1));
  return { stars, ifil: run.ifil, printMode: run.kpr % 10, ocStar, free, simplexRuns, notes };
}

/** Steps for free elements whose korel.par line gives none (ld = 0); internal units. */
function defaultStep(element: number, period: number): number {
  const P = period > 0 ? period : 1;
  switch (element) {
    case 1: return 1e-3 * P;
    case 2: return 1e-2 * P;
    case 3: return 0.02;
    case 4: return (5 * Math.PI) / 180;
    case 5: return 5;
    case 6: return 0.05;
    case 7: return (1e-3 * Math.PI) / 180;
    case 8: return 1e-6;
    case 9: return 1e-5;
    case 10: return 1e-3;
    default: return 1e-5;
  }
}

/** The simplex works in ln P and logit e (as KOREL does), so they stay in their domains. */
export function toSimplex(f: FreeParameter, s: ModelState): { x: number; dx: number } {
  if (f.kind === 's') return { x: s.lnStrength[f.star - 1]![f.exposure]!, dx: s.strengthStep[f.star - 1]![f.exposure]! };
  if (f.kind === 'v') return { x: s.velocity[f.star - 1]![f.exposure]!, dx: s.velocityStep[f.star - 1]![f.exposure]! };
  const idx = elementIndex(f.orbit, f.element);
  const v = s.elements[idx]!;
  const d = s.steps[idx]!;
  if (f.element === 1) return { x: Math.log(v), dx: d / v };
  if (f.element === 3) return { x: Math.log(v / (1 - v)), dx: d * (1 / v + 1 / (1 - v)) };
  return { x: v, dx: d };
}

export function fromSimplex(f: FreeParameter, x: number, s: ModelState): void {
  if (f.kind === 's') s.lnStrength[f.star - 1]![f.exposure] = x;
  else if (f.kind === 'v') s.velocity[f.star - 1]![f.exposure] = x;
  else {
    const idx = elementIndex(f.orbit, f.element);
    s.elements[idx] = f.element === 1 ? Math.exp(x) : f.element === 3 ? 1 / (1 + Math.exp(-x)) : x;
  }
}

/** A free parameter's value in korel.par's units (degrees for angles). */
export function naturalValue(f: FreeParameter, s: ModelState): number {
  if (f.kind === 's') return s.lnStrength[f.star - 1]![f.exposure]!;
  if (f.kind === 'v') return s.velocity[f.star - 1]![f.exposure]!;
  const v = s.elements[elementIndex(f.orbit, f.element)]!;
  return isAngle(f.element) ? (v * 180) / Math.PI : v;
}

export function describeFree(f: FreeParameter): string {
  if (f.kind === 'o') return `o ${f.orbit} ${f.element}`;
  return `${f.kind} ${f.star} ${f.exposure + 1}`;
}
