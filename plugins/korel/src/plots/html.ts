import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Figure } from './figures.js';

/**
 * index.html: the same figures, interactive (zoom, hover values) with uPlot, in one file that
 * works offline — uPlot's script and stylesheet are inlined from the npm package, no CDN.
 */
const require = createRequire(import.meta.url);

export interface Summary {
  readonly heading: string;
  /** Rows of label → value for the table of results. */
  readonly rows: readonly (readonly [string, string])[];
  /** Result files to link (relative names). */
  readonly links: readonly string[];
  readonly notes: readonly string[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON inside <script>: no "</script>" or "<!--" can end or confuse it. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

let assets: Promise<{ js: string; css: string }> | null = null;

export async function renderIndexHtml(summary: Summary, figs: readonly Figure[]): Promise<string> {
  assets ??= Promise.all([readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'), readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8')]).then(([js, css]) => ({ js, css }));
  const { js, css } = await assets;
  const data = figs.map((f) => ({
    id: f.id,
    title: f.title,
    xLabel: f.xLabel,
    yLabel: f.yLabel,
    xRange: f.xRange ?? null,
    series: f.series.map((s) => ({ name: s.name, color: s.color, mode: s.mode, x: Array.from(s.x), y: Array.from(s.y) })),
  }));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(summary.heading)}</title>
<style>${css}</style>
<style>
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
td, th { border: 1px solid #ccc; padding: 0.2rem 0.6rem; text-align: left; font-variant-numeric: tabular-nums; }
.figure { margin: 1.5rem 0; }
.note { color: #555; font-size: 0.9rem; }
</style>
</head>
<body>
<h1>${esc(summary.heading)}</h1>
<table>${summary.rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>
${summary.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}
<p>Results: ${summary.links.map((l) => `<a href="${esc(l)}">${esc(l)}</a>`).join(' · ')}</p>
<div id="figures"></div>
<script>${js}</script>
<script>
const FIGURES = ${scriptJson(data)};
for (const f of FIGURES) {
  const box = document.createElement('div');
  box.className = 'figure';
  box.id = 'figure-' + f.id;
  document.getElementById('figures').appendChild(box);
  const tables = f.series.map((s) => [s.x, s.y]);
  const joined = uPlot.join(tables);
  const width = Math.min(1100, document.body.clientWidth - 20);
  new uPlot({
    title: f.title,
    width: width > 300 ? width : 800,
    height: 420,
    scales: { x: f.xRange ? { time: false, range: f.xRange } : { time: false } },
    axes: [{ label: f.xLabel }, { label: f.yLabel, size: 70 }],
    series: [{ label: f.xLabel }].concat(f.series.map((s) => s.mode === 'line'
      ? { label: s.name, stroke: s.color, width: 1.3, spanGaps: true, points: { show: false } }
      : { label: s.name, stroke: s.color, fill: s.color, paths: () => null, points: { show: true, size: 6, fill: s.color } })),
  }, joined, box);
}
</script>
</body>
</html>
`;
}
