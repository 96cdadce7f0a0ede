import { Disentangler, type RegionData } from './disentangle.js';
import type { HalfSpectrum } from './fourier.js';
import type { ModelState, RunConfig } from './model.js';
import { starVelocities } from './orbit.js';
import { solveStrengths } from './strengths.js';

/** Line strengths are re-solved until the cost changes by less than this (relative), as in KOREL. */
export const STRENGTH_TOLERANCE = 1e-5;
const MAX_STRENGTH_ROUNDS = 30;

/**
 * The cost of one state of the model: velocities from the orbits (or the v values), strengths
 * from the s values (or solved in alternation with the spectra), then the disentangling.
 */
export class Evaluator {
  readonly vel: Float64Array[];
  readonly amp: Float64Array[];
  readonly disentangler: Disentangler;
  /** Components whose strengths are solved (indices into config.stars). */
  private readonly solved: number[];
  /** Components with a template in some region: their strengths are absolute, not renormalised. */
  private readonly templated: boolean[];
  private readonly vstar = new Float64Array(5);
  /** Factors that came out non-positive in the strength solution (reported in korel.res). */
  nonPositiveStrengths = 0;

  constructor(
    readonly regions: readonly RegionData[],
    readonly times: Float64Array,
    readonly config: RunConfig,
    templates: readonly (readonly (HalfSpectrum | null)[])[],
  ) {
    const L = times.length;
    const nc = config.stars.length;
    this.vel = Array.from({ length: nc }, () => new Float64Array(L));
    this.amp = Array.from({ length: nc }, () => new Float64Array(L).fill(1));
    this.disentangler = new Disentangler({ regions, components: nc, firstMode: config.ifil + 1, templates });
    this.solved = config.stars.flatMap((s, c) => (s.strengthSolved ? [c] : []));
    this.templated = config.stars.map((_, c) => templates.some((r) => r[c] != null));
  }

  get solvesStrengths(): boolean {
    return this.solved.length > 0;
  }

  /** Velocities of the model's stars from the state; false when the elements are invalid. */
  setVelocities(state: ModelState): boolean {
    const stars = this.config.stars;
    for (let e = 0; e < this.times.length; e++) {
      const ok = starVelocities(state.elements, this.times[e]!, this.vstar);
      for (let c = 0; c < stars.length; c++) {
        const s = stars[c]!;
        const v = s.velocityFree ? state.velocity[s.star - 1]![e]! : this.vstar[s.star - 1]!;
        if (!ok || !Number.isFinite(v)) return false;
        this.vel[c]![e] = v;
      }
    }
    return true;
  }

  setStrengths(state: ModelState): void {
    this.config.stars.forEach((s, c) => {
      const ln = state.lnStrength[s.star - 1]!;
      const a = this.amp[c]!;
      for (let e = 0; e < a.length; e++) a[e] = Math.exp(ln[e]!);
    });
  }

  /** Store the current factors of solved strengths back into the state (as ln, like KOREL). */
  private saveStrengths(state: ModelState): void {
    for (const c of this.solved) {
      const star = this.config.stars[c]!.star;
      const a = this.amp[c]!;
      const ln = state.lnStrength[star - 1]!;
      for (let e = 0; e < a.length; e++) ln[e] = Math.log(a[e]!);
    }
  }

  /**
   * The cost of `state` (Infinity when its elements are invalid). Solved strengths start from
   * the state's values and are written back. The component spectra stay in the disentangler.
   */
  cost(state: ModelState): number {
    if (!this.setVelocities(state)) return Infinity;
    this.setStrengths(state);
    const w = state.weight;
    let c = this.disentangler.evaluate(this.vel, this.amp, w, true);
    if (this.solved.length === 0) return c;
    for (let round = 0; round < MAX_STRENGTH_ROUNDS; round++) {
      this.updateStrengths();
      const next = this.disentangler.evaluate(this.vel, this.amp, w, true);
      const done = Math.abs(c - next) <= STRENGTH_TOLERANCE * next;
      c = next;
      if (done) break;
    }
    this.saveStrengths(state);
    return c;
  }

  private updateStrengths(): void {
    const spectra = this.disentangler.spectra();
    this.nonPositiveStrengths = 0;
    this.regions.forEach((r, ri) => {
      this.nonPositiveStrengths += solveStrengths(r, spectra[ri]!, this.vel, this.amp, this.solved, this.config.ifil + 1);
    });
    // Strength and spectrum trade off (a·X): fix the mean strength of a component at 1
    // unless a template sets its scale.
    for (const c of this.solved) {
      if (this.templated[c]) continue;
      const a = this.amp[c]!;
      let mean = 0;
      for (let e = 0; e < a.length; e++) mean += a[e]!;
      mean /= a.length;
      if (mean > 0) for (let e = 0; e < a.length; e++) a[e] /= mean;
    }
  }
}
