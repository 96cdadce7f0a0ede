import type { ExposureResult, RunResult } from '../method/fit.js';
import { ELEMENTS_PER_ORBIT, elementIndex, starVelocities } from '../method/orbit.js';

/**
 * Radial velocities as an astronomer plots them: each star against the phase of its own orbit
 * (the innermost that moves it: stars 1–2 orbit 0, 3–4 orbit 1, then 2 and 3), with the motion
 * from the other orbits taken out of the points, so a hierarchy still gives clean curves.
 */

// The orbits that move each star, innermost first: ((1,2),(3,4)),5.
const ORBITS_OF: readonly (readonly number[])[] = [[0, 2, 3], [0, 2, 3], [1, 2, 3], [1, 2, 3], [3]];

export interface StarCurve {
  readonly star: number;
  /** Model velocity over one cycle of the star's own orbit. */
  readonly phase: Float64Array;
  readonly velocity: Float64Array;
  /** Per exposure: phase, velocity fitted to that exposure alone (own orbit only), O−C. */
  readonly points: { readonly phase: number; readonly rv: number; readonly oc: number; readonly exposure: number }[];
}

/** The innermost orbit that moves the star (P > 0); its first orbit when none does. */
export function ownOrbit(star: number, elements?: Float64Array): number {
  const list = ORBITS_OF[star - 1]!;
  return (elements && list.find((o) => elements[elementIndex(o, 1)]! > 0)) ?? list[0]!;
}

/** Phase in [0, 1) of time t in orbit o, from its P, T0 and dP/dt; null when the orbit is absent. */
export function phaseOf(elements: Float64Array, orbit: number, t: number): number | null {
  const P = elements[elementIndex(orbit, 1)]!;
  if (!(P > 0)) return null;
  const n = (t - elements[elementIndex(orbit, 2)]!) / P;
  const cycles = n - (elements[elementIndex(orbit, 8)]! * n * n) / 2;
  return cycles - Math.floor(cycles);
}

/** Elements with every orbit but `orbit` switched off (P = 0). */
function only(elements: Float64Array, orbit: number): Float64Array {
  const el = Float64Array.from(elements);
  for (let o = 0; o < 4; o++) if (o !== orbit) el[o * ELEMENTS_PER_ORBIT] = 0;
  return el;
}

export function starCurves(run: RunResult, samples = 200): StarCurve[] {
  const el = run.state.elements;
  const v = new Float64Array(5);
  const out: StarCurve[] = [];
  run.config.stars.forEach((s, c) => {
    if (s.velocityFree) return;
    const o = ownOrbit(s.star, el);
    const P = el[elementIndex(o, 1)]!;
    if (!(P > 0)) return;
    const own = only(el, o);
    const T0 = el[elementIndex(o, 2)]!;
    const phase = new Float64Array(samples + 1);
    const velocity = new Float64Array(samples + 1);
    for (let i = 0; i <= samples; i++) {
      phase[i] = i / samples;
      starVelocities(own, T0 + phase[i]! * P, v);
      velocity[i] = v[s.star - 1]!;
    }
    const points = run.exposures.map((x: ExposureResult) => {
      starVelocities(own, x.t, v);
      const others = x.modelRv[c]! - v[s.star - 1]!;
      return { phase: phaseOf(el, o, x.t)!, rv: x.fitRv[c]! - others, oc: x.fitRv[c]! - x.modelRv[c]!, exposure: x.index + 1 };
    });
    out.push({ star: s.star, phase, velocity, points });
  });
  return out;
}
