import type { KorelResult, RunResult } from '../method/fit.js';
import { ownOrbit, phaseOf, starCurves } from '../output/orbit-views.js';
import { wavelength } from '../output/text-files.js';
import { PALETTE, type Chart, type Series } from './svg-chart.js';

/** One figure of a KOREL job, in a form both the SVG/PNG renderer and index.html draw. */
export interface Figure extends Chart {
  /** File stem under plots/: spectra-1, rv, o-c, phase-coverage. */
  readonly id: string;
}

/** Component spectra (stacked), RV curves against phase, O−C, and the phase coverage. */
export function figures(result: KorelResult, run: RunResult): Figure[] {
  const out: Figure[] = [];
  const stars = run.config.stars;
  result.regions.forEach((r, ri) => {
    const comps = run.spectra[ri]!;
    let span = 0;
    for (const x of comps) {
      let lo = Infinity, hi = -Infinity;
      for (const v of x) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      span = Math.max(span, hi - lo);
    }
    const gap = Math.max(span, 1e-6) * 1.15;
    const lambda = Float64Array.from({ length: r.n }, (_, i) => wavelength(r.lambda0, r.dv, i));
    out.push({
      id: `spectra-${ri + 1}`,
      title: `Disentangled component spectra — region ${ri + 1}`,
      xLabel: 'wavelength (Å)',
      yLabel: 'relative intensity (stacked)',
      series: comps.map((x, c) => ({
        name: `star ${stars[c]!.star}${c > 0 ? ` (−${(gap * c).toPrecision(2)})` : ''}`,
        x: lambda,
        y: Float64Array.from(x, (v) => 1 + v - gap * c),
        color: PALETTE[c % PALETTE.length]!,
        mode: 'line' as const,
      })),
    });
  });
  const curves = starCurves(run);
  if (curves.length > 0) {
    const series: Series[] = [];
    curves.forEach((cv) => {
      const color = PALETTE[stars.findIndex((s) => s.star === cv.star) % PALETTE.length]!;
      series.push({ name: `star ${cv.star} orbit`, x: cv.phase, y: cv.velocity, color, mode: 'line' });
      series.push({ name: `star ${cv.star} exposures`, x: cv.points.map((p) => p.phase), y: cv.points.map((p) => p.rv), color, mode: 'points' });
    });
    out.push({ id: 'rv', title: 'Radial velocities against orbital phase', xLabel: 'phase', yLabel: 'radial velocity (km/s)', series, xRange: [0, 1] });
    out.push({
      id: 'o-c',
      title: 'O−C of the per-exposure radial velocities',
      xLabel: 'phase',
      yLabel: 'O−C (km/s)',
      xRange: [0, 1],
      zeroLine: true,
      series: curves.map((cv) => ({
        name: `star ${cv.star}`,
        x: cv.points.map((p) => p.phase),
        y: cv.points.map((p) => p.oc),
        color: PALETTE[stars.findIndex((s) => s.star === cv.star) % PALETTE.length]!,
        mode: 'points' as const,
      })),
    });
  }
  const orbit = ownOrbit(stars[0]!.star, run.state.elements);
  const withPhase = run.exposures.map((x) => ({ t: x.t, phase: phaseOf(run.state.elements, orbit, x.t), region: x.region }));
  if (withPhase.every((p) => p.phase !== null)) {
    out.push({
      id: 'phase-coverage',
      title: `Phase coverage of the exposures (orbit ${orbit})`,
      xLabel: 'phase',
      yLabel: 'time of exposure',
      xRange: [0, 1],
      series: result.regions.map((_, ri) => {
        const pts = withPhase.filter((p) => p.region === ri);
        return { name: `region ${ri + 1}`, x: pts.map((p) => p.phase!), y: pts.map((p) => p.t), color: PALETTE[ri % PALETTE.length]!, mode: 'points' as const };
      }),
    });
  }
  return out;
}
