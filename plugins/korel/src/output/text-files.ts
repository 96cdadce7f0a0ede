import { writeKorelDat } from '../formats/korel-dat.js';
import { writeKorelPar, type KorelPar } from '../formats/korel-par.js';
import type { KorelResult, RunResult } from '../method/fit.js';
import { C_KMS, ELEMENT_LABELS, elementIndex, isAngle } from '../method/orbit.js';
import { ownOrbit, phaseOf } from './orbit-views.js';

/**
 * KOREL's text outputs: korel.res (report with `o`/`s`/`v` lines that paste back into
 * korel.par), korel.spe (component spectra), korel.rv (velocities per exposure) and
 * korel.o-c (residual spectra in korel.dat's layout).
 */

const f = (v: number, w: number, d: number) => v.toFixed(d).padStart(w);

/** Wavelength of bin i of a region: λ0 (1 + dv/c)^i, KOREL's ln λ grid. */
export function wavelength(lambda0: number, dv: number, i: number): number {
  return lambda0 * Math.pow(1 + dv / C_KMS, i);
}

export interface ResContext {
  readonly version: string;
  readonly par: KorelPar;
  readonly sources: string;
}

export function writeRes(result: KorelResult, ctx: ResContext): string {
  const out: string[] = [];
  out.push(`vocloud KOREL ${ctx.version} — native Fourier disentangling of spectra (P. Hadrava 1995, A&AS 114, 393)`);
  out.push(`input: ${ctx.sources}`);
  out.push('');
  out.push('korel.par as read:');
  out.push(...writeKorelPar(ctx.par).trimEnd().split('\n').map((l) => `  ${l}`));
  for (const run of result.runs) out.push('', ...runReport(result, run));
  return `${out.join('\n')}\n`;
}

function runReport(result: KorelResult, run: RunResult): string[] {
  const out: string[] = [];
  const { config, state } = run;
  const stars = config.stars.map((s) => s.star);
  out.push(`==== run ${run.run} ====`);
  out.push(
    `End of input: ${result.times.length} spectra of ${stars.length} stars (${stars.join(', ')}) in ${result.regions.length} region(s). ${config.free.length} elements to be converged.`,
  );
  out.push(`filtered Fourier modes: 0..${config.ifil} (mode 0, each component's mean level, is never determined by disentangling)`);
  for (const n of config.notes) out.push(`note: ${n}`);
  if (config.free.length > 0) {
    out.push(
      `simplex: ${run.evaluations} cost evaluations in ${config.simplexRuns || 1} run(s), ${run.converged ? 'converged' : 'NOT converged'}; ${run.msPerEvaluation.toFixed(3)} ms per evaluation`,
    );
  }
  if (config.printMode >= 2 && run.log.length > config.notes.length) {
    out.push('simplex steps (evaluation, cost, parameters in simplex coordinates: ln P, logit e, radians):');
    out.push(...run.log.slice(config.notes.length));
  } else {
    for (const l of run.log.slice(config.notes.length)) out.push(`note: ${l}`);
  }
  out.push('');
  out.push('Elements (paste these lines into korel.par; set k1 > 0 to free one again):');
  for (let o = 0; o < 4; o++) {
    const P = state.elements[elementIndex(o, 1)]!;
    if (P === 0) continue;
    for (let j = 1; j <= 11; j++) {
      const v = state.elements[elementIndex(o, j)]!;
      const step = state.steps[elementIndex(o, j)]!;
      const unit = isAngle(j) ? 180 / Math.PI : 1;
      const stepText = Number.isFinite(step) ? (step * unit).toPrecision(6) : '0';
      let label = `= ${ELEMENT_LABELS[j - 1]}${j === 1 ? `(${o})` : ''}`;
      if (j === 6 && v > 0) label += `,  K2 = ${(state.elements[elementIndex(o, 5)]! / v).toFixed(6)}`;
      out.push(`o ${String(o).padStart(2)} ${String(j).padStart(2)}  0  1  ${Number.isFinite(step) ? 1 : 0} ${f(v * unit, 18, 9)} ${stepText.padStart(12)} ${label}`);
    }
  }
  config.stars.forEach((s, c) => {
    const ln = state.lnStrength[s.star - 1]!;
    const varies = s.strengthSolved || ln.some((x) => x !== 0);
    if (!varies) return;
    out.push(`Line strengths of star ${s.star} (s lines: ln of the factor; the factor itself after '=')${s.strengthSolved ? ', solved per exposure' : ''}:`);
    run.exposures.forEach((x) => out.push(`s ${String(s.star).padStart(2)} ${String(x.index + 1).padStart(4)}  0  1  1 ${f(ln[x.index]!, 12, 6)}   0.05  = ${x.strength[c]!.toFixed(6)}`));
    if (run.nonPositiveStrengths > 0) out.push(`note: ${run.nonPositiveStrengths} strength factor(s) came out ≤ 0 and were set to e^-9.9999 (as KOREL does)`);
  });
  config.stars.forEach((s) => {
    if (!s.velocityFree) return;
    out.push(`Velocities of star ${s.star} (v lines, km/s):`);
    run.exposures.forEach((x) => out.push(`v ${String(s.star).padStart(2)} ${String(x.index + 1).padStart(4)}  0  1  1 ${f(state.velocity[s.star - 1]![x.index]!, 12, 4)}   1`));
  });
  out.push('');
  result.regions.forEach((r, ri) => {
    const count = run.exposures.filter((x) => x.region === ri).length;
    let mean = 0;
    for (const m of r.mean) mean += m;
    mean /= r.mean.length;
    out.push(
      `${count} spectra in region ${ri + 1} (${wavelength(r.lambda0, r.dv, 0).toFixed(3)}, ${wavelength(r.lambda0, r.dv, r.n - 1).toFixed(3)}) Å, dv = ${r.dv} km/s, N = ${r.n}; mean level of the data ${mean.toFixed(5)}`,
    );
  });
  out.push(`weighted sum of squared residuals over the fitted modes: ${run.cost.toExponential(8)}; rms residual per bin: ${run.rms.toExponential(5)}`);
  out.push('component spectra: korel.spe (each with mean 1: its mean level is undetermined); O−C spectra: korel.o-c');
  out.push('');
  out.push('Radial velocities (km/s): fitted to each exposure alone with the component spectra fixed, and O−C against the orbit');
  out.push(`   N          t    phase ${config.stars.map((s) => `${`RV(${s.star})`.padStart(9)}${'O−C'.padStart(9)}`).join('')}`);
  const phaseOrbit = ownOrbit(config.stars[0]!.star, state.elements);
  for (const x of run.exposures) {
    const ph = phaseOf(state.elements, phaseOrbit, x.t);
    const cols = config.stars.map((_, c) => `${f(x.fitRv[c]!, 9, 3)}${f(x.fitRv[c]! - x.modelRv[c]!, 9, 3)}`).join('');
    out.push(`${String(x.index + 1).padStart(4)} ${f(x.t, 10, 4)} ${ph === null ? '     —  ' : f(ph, 8, 5)} ${cols}`);
  }
  out.push(`${'rms of 1 obs.:'.padEnd(25)}${Array.from(run.rvRms, (v) => `${''.padStart(9)}${f(v, 9, 3)}`).join('')}`);
  return out;
}

/** korel.spe: per region, wavelength then 1 + component for every star, as columns. */
export function writeSpe(result: KorelResult, run: RunResult): string {
  const out: string[] = [];
  result.regions.forEach((r, ri) => {
    if (ri > 0) out.push('', '');
    out.push(`# region ${ri + 1}: lambda0 = ${r.lambda0} A, dv = ${r.dv} km/s, N = ${r.n}; columns: wavelength (A), ${run.config.stars.map((s) => `star ${s.star}`).join(', ')}`);
    out.push('# each component is 1 + its disentangled spectrum: its mean level (Fourier mode 0) is undetermined');
    const comps = run.spectra[ri]!;
    for (let i = 0; i < r.n; i++) {
      out.push(`${wavelength(r.lambda0, r.dv, i).toFixed(4).padStart(10)}${comps.map((x) => f(1 + x[i]!, 10, 6)).join('')}`);
    }
  });
  return `${out.join('\n')}\n`;
}

/** korel.rv: per exposure, time, phase and, per star, the model RV, the fitted RV and O−C. */
export function writeRv(run: RunResult): string {
  const stars = run.config.stars;
  const orbit = ownOrbit(stars[0]!.star, run.state.elements);
  const out = [
    '# korel.rv: radial velocities per exposure (km/s). model = from the orbit (or v lines); fit = fitted to this exposure alone with the component spectra fixed',
    `# N t phase ${stars.map((s) => `model(${s.star}) fit(${s.star}) o-c(${s.star})`).join(' ')}`,
  ];
  for (const x of run.exposures) {
    const ph = phaseOf(run.state.elements, orbit, x.t);
    out.push(
      `${String(x.index + 1).padStart(4)} ${f(x.t, 14, 6)} ${ph === null ? 'nan' : f(ph, 8, 5)}${stars.map((_, c) => `${f(x.modelRv[c]!, 11, 4)}${f(x.fitRv[c]!, 11, 4)}${f(x.fitRv[c]! - x.modelRv[c]!, 9, 4)}`).join('')}`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** korel.o-c: the residual spectra, in korel.dat's layout (so any korel.dat reader reads them). */
export function writeOc(result: KorelResult, run: RunResult): string {
  return writeKorelDat(
    {
      records: run.exposures.map((x) => {
        const r = result.regions[x.region]!;
        return { t: x.t, lambda0: r.lambda0, dv: r.dv, weight: x.weight, values: run.residuals[x.index]! };
      }),
    },
    { decimals: 6 },
  );
}
