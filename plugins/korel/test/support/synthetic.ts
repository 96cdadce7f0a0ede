import type { DatRecord } from '../../src/formats/korel-dat.js';
import { shiftSpectrum } from '../../src/method/fourier.js';
import { ELEMENTS_PER_ORBIT, ORBITS, elementIndex, starVelocities } from '../../src/method/orbit.js';

/** A small seeded generator (mulberry32) with Gaussian deviates, so synthetic data are reproducible. */
export function rng(seed: number): { uniform(): number; normal(): number } {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform,
    normal: () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()),
  };
}

export interface Line {
  readonly center: number;
  readonly sigma: number;
  readonly depth: number;
}

/** Rest-frame contribution of a star: light fraction × (Gaussian absorption lines), continuum 0. */
export function starSpectrum(n: number, lines: readonly Line[], light: number): Float64Array {
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (const l of lines) v -= l.depth * Math.exp(-0.5 * ((i - l.center) / l.sigma) ** 2);
    s[i] = light * v;
  }
  return s;
}

/** Orbital elements per orbit, in korel.par units (degrees for ω). */
export type OrbitElements = Partial<Record<'P' | 'T0' | 'e' | 'omega' | 'K1' | 'q' | 'domega' | 'dP', number>>;

export function elementsArray(orbits: Partial<Record<number, OrbitElements>>): Float64Array {
  const el = new Float64Array(ORBITS * ELEMENTS_PER_ORBIT);
  for (const [o, e] of Object.entries(orbits)) {
    const b = Number(o);
    if (!e) continue;
    el[elementIndex(b, 1)] = e.P ?? 0;
    el[elementIndex(b, 2)] = e.T0 ?? 0;
    el[elementIndex(b, 3)] = e.e ?? 0;
    el[elementIndex(b, 4)] = ((e.omega ?? 0) * Math.PI) / 180;
    el[elementIndex(b, 5)] = e.K1 ?? 0;
    el[elementIndex(b, 6)] = e.q ?? 1;
    el[elementIndex(b, 7)] = ((e.domega ?? 0) * Math.PI) / 180;
    el[elementIndex(b, 8)] = e.dP ?? 0;
  }
  return el;
}

export interface Region {
  readonly n: number;
  readonly dv: number;
  readonly lambda0: number;
  /** Rest-frame contributions per star (index = star − 1; missing stars are absent). */
  readonly stars: readonly (Float64Array | null)[];
}

export interface SynthOptions {
  readonly regions: readonly Region[];
  readonly times: readonly number[];
  readonly orbits: Partial<Record<number, OrbitElements>>;
  /** Fixed velocities (km/s) for stars that do not follow the orbits, e.g. { 3: 0 }. */
  readonly fixedVelocity?: Readonly<Record<number, number>>;
  /** Line strength factors per star per exposure. */
  readonly strengths?: Readonly<Record<number, readonly number[]>>;
  readonly noise?: number;
  readonly seed?: number;
  /** Add a random continuum ripple of Fourier modes 1..rippleModes to every exposure. */
  readonly rippleModes?: number;
  readonly continuum?: number;
}

export interface Synth {
  readonly records: DatRecord[];
  readonly elements: Float64Array;
  /** velocities[star − 1][exposure] */
  readonly velocities: Float64Array[];
}

/** Exposures spread over the regions in turn (exposure e goes to region e mod regions). */
export function synthesize(o: SynthOptions): Synth {
  const r = rng(o.seed ?? 1);
  const el = elementsArray(o.orbits);
  const velocities = Array.from({ length: 5 }, () => new Float64Array(o.times.length));
  const v = new Float64Array(5);
  const records: DatRecord[] = o.times.map((t, e) => {
    starVelocities(el, t, v);
    for (let s = 0; s < 5; s++) velocities[s]![e] = o.fixedVelocity?.[s + 1] ?? v[s]!;
    const reg = o.regions[e % o.regions.length]!;
    const values = new Float64Array(reg.n).fill(o.continuum ?? 1);
    reg.stars.forEach((spec, s) => {
      if (!spec) return;
      const a = o.strengths?.[s + 1]?.[e] ?? 1;
      const shifted = shiftSpectrum(spec, velocities[s]![e]! / reg.dv);
      for (let i = 0; i < reg.n; i++) values[i] += a * shifted[i]!;
    });
    for (let m = 1; m <= (o.rippleModes ?? 0); m++) {
      const amp = 0.01 * r.uniform();
      const ph = 2 * Math.PI * r.uniform();
      for (let i = 0; i < reg.n; i++) values[i] += amp * Math.cos((2 * Math.PI * m * i) / reg.n + ph);
    }
    if (o.noise) for (let i = 0; i < reg.n; i++) values[i] += o.noise * r.normal();
    return { t, lambda0: reg.lambda0, dv: reg.dv, weight: 1, values };
  });
  return { records, elements: el, velocities };
}

/** Standard deviation of a − b (the mean, which disentangling cannot determine, removed). */
export function rmsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m += a[i]! - b[i]!;
  m /= a.length;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]! - m) ** 2;
  return Math.sqrt(s / a.length);
}

export function rms(a: ArrayLike<number>): number {
  return rmsDiff(a, new Float64Array(a.length));
}

/** Times spread uniformly over [0, span) with a seeded generator, sorted. */
export function times(count: number, span: number, seed = 7): number[] {
  const r = rng(seed);
  return Array.from({ length: count }, () => r.uniform() * span).sort((a, b) => a - b);
}
