import type { ResultSink } from '@vocloud/sdk';
import type { KorelPar } from '../formats/korel-par.js';
import type { KorelResult } from '../method/fit.js';
import { elementIndex } from '../method/orbit.js';
import { figures } from '../plots/figures.js';
import { renderIndexHtml } from '../plots/html.js';
import { svgToPng } from '../plots/png.js';
import { renderChart } from '../plots/svg-chart.js';
import { writeOc, writeRes, writeRv, writeSpe } from './text-files.js';

export interface ResultOptions {
  readonly version: string;
  readonly par: KorelPar;
  readonly parText: string;
  readonly sources: string;
  readonly plots: boolean;
  readonly progress?: (fraction: number, message: string) => void;
}

const text = (s: string) => new TextEncoder().encode(s);

/** Store every output of a KOREL job: text files, the korel.par used, plots and index.html. */
export async function storeResults(result: KorelResult, sink: ResultSink, o: ResultOptions): Promise<void> {
  const run = result.runs[result.runs.length - 1]!;
  await sink.add('korel.res', text(writeRes(result, { version: o.version, par: o.par, sources: o.sources })), 'text/plain');
  await sink.add('korel.spe', text(writeSpe(result, run)), 'text/plain');
  await sink.add('korel.rv', text(writeRv(run)), 'text/plain');
  await sink.add('korel.o-c', text(writeOc(result, run)), 'text/plain');
  await sink.add('korel.par', text(o.parText), 'text/plain');
  // The JSON form of korel.par: what the job's `par` parameter takes, for "run again".
  await sink.add('korel-par.json', text(`${JSON.stringify(o.par, null, 1)}\n`), 'application/json');
  if (!o.plots) return;
  const figs = figures(result, run);
  for (const [i, fig] of figs.entries()) {
    o.progress?.(0.9 + (0.08 * i) / figs.length, `plotting ${fig.id}`);
    const svg = renderChart(fig);
    await sink.add(`plots/${fig.id}.svg`, text(svg), 'image/svg+xml');
    await sink.add(`plots/${fig.id}.png`, await svgToPng(svg), 'image/png');
  }
  const el = run.state.elements;
  const rows: [string, string][] = [];
  for (let orbit = 0; orbit < 4; orbit++) {
    const P = el[elementIndex(orbit, 1)]!;
    if (P === 0) continue;
    const g = (j: number) => el[elementIndex(orbit, j)]!;
    rows.push([`orbit ${orbit}: P, T0`, `${P.toFixed(7)} d, ${g(2).toFixed(5)}`]);
    rows.push([`orbit ${orbit}: e, ω`, `${g(3).toFixed(5)}, ${((g(4) * 180) / Math.PI).toFixed(3)}°`]);
    rows.push([`orbit ${orbit}: K1, q, K2`, `${g(5).toFixed(3)} km/s, ${g(6).toFixed(5)}, ${g(6) > 0 ? (g(5) / g(6)).toFixed(3) : '—'} km/s`]);
  }
  rows.push(['rms residual per bin', run.rms.toExponential(4)]);
  rows.push(['rms of 1 RV (per star)', Array.from(run.rvRms, (v) => `${v.toFixed(3)} km/s`).join(', ')]);
  rows.push(['cost evaluations', `${run.evaluations}${run.evaluations > 0 ? (run.converged ? ' (converged)' : ' (NOT converged)') : ''}`]);
  const links = ['korel.res', 'korel.spe', 'korel.rv', 'korel.o-c', 'korel.par', 'korel-par.json', ...figs.flatMap((f) => [`plots/${f.id}.svg`, `plots/${f.id}.png`])];
  const html = await renderIndexHtml(
    {
      heading: 'KOREL: Fourier disentangling',
      rows,
      links,
      notes: [
        `Inputs: ${o.sources}.`,
        'The mean level of each component (Fourier mode 0) cannot be found by disentangling: every component spectrum is shown with mean 1.',
        ...run.config.notes,
      ],
    },
    figs,
  );
  await sink.add('index.html', text(html), 'text/html');
}
