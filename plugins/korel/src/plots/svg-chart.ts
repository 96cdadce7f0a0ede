/**
 * A small SVG line/scatter chart: axes with round-number ticks, labels, a legend. Written here
 * because the plots are simple and must render identically in a browser and in the PNG
 * rasteriser (resvg) without a DOM; charting libraries for Node need a DOM or a canvas.
 */

export interface Series {
  readonly name: string;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly color: string;
  readonly mode: 'line' | 'points';
}

export interface Chart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly width?: number;
  readonly height?: number;
  /** Fixed x range (e.g. [0, 1] for phase). */
  readonly xRange?: readonly [number, number];
  /** A horizontal reference line (e.g. 0 for O−C). */
  readonly zeroLine?: boolean;
}

export const PALETTE = ['#1f5fa8', '#c0392b', '#2e8b57', '#8e44ad', '#d68910', '#555555'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Round-number ticks (1, 2, 5 × 10^k) covering [lo, hi]. */
export function ticks(lo: number, hi: number, target = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function extent(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}

function label(v: number, step: number): string {
  const d = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(d);
}

export function renderChart(c: Chart): string {
  const W = c.width ?? 800;
  const H = c.height ?? 460;
  // The legend sits in rows between the title and the plot, never over the data.
  const perRow = Math.max(1, Math.floor((W - 90) / 190));
  const legendRows = Math.ceil(c.series.length / perRow);
  const m = { l: 72, r: 16, t: 36 + 18 * legendRows, b: 52 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of c.series) {
    for (let i = 0; i < s.x.length; i++) {
      xs.push(s.x[i]!);
      ys.push(s.y[i]!);
    }
  }
  const [x0, x1] = c.xRange ? [c.xRange[0], c.xRange[1]] : extent(xs);
  const [y0, y1] = extent(c.zeroLine ? [...ys, 0] : ys);
  const X = (v: number) => m.l + ((v - x0) / (x1 - x0)) * pw;
  const Y = (v: number) => m.t + ph - ((v - y0) / (y1 - y0)) * ph;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(c.title)}</text>`);
  const xt = ticks(x0, x1);
  const yt = ticks(y0, y1);
  const xStep = xt.length > 1 ? xt[1]! - xt[0]! : 1;
  const yStep = yt.length > 1 ? yt[1]! - yt[0]! : 1;
  for (const t of xt) {
    parts.push(`<line x1="${X(t).toFixed(1)}" y1="${m.t}" x2="${X(t).toFixed(1)}" y2="${m.t + ph}" stroke="#e6e6e6"/>`);
    parts.push(`<text x="${X(t).toFixed(1)}" y="${m.t + ph + 16}" text-anchor="middle">${label(t, xStep)}</text>`);
  }
  for (const t of yt) {
    parts.push(`<line x1="${m.l}" y1="${Y(t).toFixed(1)}" x2="${m.l + pw}" y2="${Y(t).toFixed(1)}" stroke="#e6e6e6"/>`);
    parts.push(`<text x="${m.l - 6}" y="${(Y(t) + 4).toFixed(1)}" text-anchor="end">${label(t, yStep)}</text>`);
  }
  if (c.zeroLine && y0 < 0 && y1 > 0) parts.push(`<line x1="${m.l}" y1="${Y(0).toFixed(1)}" x2="${m.l + pw}" y2="${Y(0).toFixed(1)}" stroke="#888" stroke-dasharray="4 3"/>`);
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`);
  parts.push(`<text x="${m.l + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(c.xLabel)}</text>`);
  parts.push(`<text transform="translate(18 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">${esc(c.yLabel)}</text>`);
  parts.push(`<clipPath id="plot"><rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}"/></clipPath><g clip-path="url(#plot)">`);
  for (const s of c.series) {
    if (s.mode === 'line') {
      const pts: string[] = [];
      for (let i = 0; i < s.x.length; i++) if (Number.isFinite(s.y[i]!)) pts.push(`${X(s.x[i]!).toFixed(2)},${Y(s.y[i]!).toFixed(2)}`);
      parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.3" points="${pts.join(' ')}"/>`);
    } else {
      for (let i = 0; i < s.x.length; i++) {
        if (Number.isFinite(s.y[i]!)) parts.push(`<circle cx="${X(s.x[i]!).toFixed(2)}" cy="${Y(s.y[i]!).toFixed(2)}" r="3.2" fill="${s.color}" fill-opacity="0.85"/>`);
      }
    }
  }
  parts.push('</g>');
  c.series.forEach((s, i) => {
    const ly = 46 + 18 * Math.floor(i / perRow);
    const lx = m.l + 190 * (i % perRow);
    parts.push(
      s.mode === 'line'
        ? `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 22}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"/>`
        : `<circle cx="${lx + 11}" cy="${ly - 4}" r="3.2" fill="${s.color}"/>`,
    );
    parts.push(`<text x="${lx + 28}" y="${ly}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
