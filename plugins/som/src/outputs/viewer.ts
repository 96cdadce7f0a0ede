/**
 * The self-contained interactive result page: template, CSS and JS of ../../viewer, uPlot from
 * its npm package and the map's data, all inlined, so index.html opens offline from the job's
 * result URL.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SomResult } from '../kernel/index.js';
import type { EpochReport } from '../kernel/index.js';
import { CLASS_COLOURS, VIRIDIS } from './colour.js';
import type { UnitSummary } from './summary.js';

const viewerDir = fileURLToPath(new URL('../../viewer/', import.meta.url));
const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot'));

export interface ViewerInput {
  readonly title: string;
  readonly result: SomResult;
  readonly summary: UnitSummary;
  /** The training matrix (n x d), for the embedded spectra. */
  readonly x: Float32Array;
  readonly names: readonly string[];
  readonly classes: readonly (string | null)[] | null;
  readonly wavelength: Float64Array | null;
  readonly wavelengthUnit: string;
  /** Closest spectra per neuron to embed for plotting. */
  readonly spectraPerUnit: number;
}

/** The data the page embeds (also what the tests check against the results). */
export interface ViewerData {
  version: 1;
  title: string;
  rows: number; cols: number; dim: number; topology: string; toroidal: boolean; distance: string;
  qe: number; te: number;
  history: Pick<EpochReport, 'epoch' | 'radius' | 'qe' | 'te'>[];
  wavelength: number[] | null;
  wavelengthUnit: string;
  umatrix: number[]; hits: number[];
  classNames: string[]; classCounts: number[][]; dominant: number[];
  /** K x D float32, little-endian, base64. */
  codebook: string;
  samples: { names: string[]; classes: number[]; bmu: number[]; distance: number[] };
  /** Spectra embedded for plotting, quantised to 16 bits each: flux = offset + scale * q. */
  embedded: { index: number[]; offset: number[]; scale: number[]; flux: string };
  palette: { viridis: readonly (readonly number[])[]; classes: readonly string[] };
}

const MAX_EMBEDDED_VALUES = 16_000_000;

function base64(a: ArrayBufferView): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function viewerData(v: ViewerInput): ViewerData {
  const r = v.result;
  const d = r.dim;
  const classIndex = new Map(v.summary.classNames.map((c, i) => [c, i]));
  // at most MAX_EMBEDDED_VALUES flux values (32 MB before base64), however large the map
  const perUnit = Math.min(v.spectraPerUnit, Math.floor(MAX_EMBEDDED_VALUES / (r.rows * r.cols * d)));
  const chosen: number[] = [];
  for (const m of v.summary.members) for (let t = 0; t < Math.min(perUnit, m.length); t++) chosen.push(m[t]!);
  const q = new Uint16Array(chosen.length * d);
  const offset: number[] = [], scale: number[] = [];
  chosen.forEach((s, row) => {
    // with the cosine distance the map saw unit-length spectra: plot them the same way
    let norm = 1;
    if (r.distance === 'cosine') {
      let ss = 0;
      for (let j = 0; j < d; j++) ss += v.x[s * d + j]! ** 2;
      norm = ss > 0 ? 1 / Math.sqrt(ss) : 1;
    }
    let lo = Infinity, hi = -Infinity;
    for (let j = 0; j < d; j++) { const f = v.x[s * d + j]! * norm; if (f < lo) lo = f; if (f > hi) hi = f; }
    const sc = hi > lo ? (hi - lo) / 65535 : 1;
    offset.push(lo);
    scale.push(sc);
    for (let j = 0; j < d; j++) q[row * d + j] = Math.round((v.x[s * d + j]! * norm - lo) / sc);
  });
  return {
    version: 1, title: v.title, rows: r.rows, cols: r.cols, dim: d, topology: r.topology, toroidal: r.toroidal, distance: r.distance,
    qe: r.qe, te: r.te,
    history: r.history.map((e) => ({ epoch: e.epoch, radius: e.radius, qe: e.qe, te: e.te })),
    wavelength: v.wavelength ? Array.from(v.wavelength) : null, wavelengthUnit: v.wavelengthUnit,
    umatrix: Array.from(r.umatrix), hits: Array.from(r.hits),
    classNames: v.summary.classNames, classCounts: v.summary.classCounts.map((c) => Array.from(c)), dominant: Array.from(v.summary.dominant),
    codebook: base64(r.weights),
    samples: {
      names: [...v.names], classes: v.names.map((_, i) => (v.classes?.[i] != null ? classIndex.get(v.classes[i]!)! : -1)),
      bmu: Array.from(r.bmu), distance: Array.from(r.bmuDistance, (x) => Number(x.toPrecision(6))),
    },
    embedded: { index: chosen, offset, scale, flux: base64(q) },
    palette: { viridis: VIRIDIS, classes: CLASS_COLOURS },
  };
}

/** Text safe inside a <script> element: no "</" can end it early. */
function scriptSafe(s: string): string {
  return s.replace(/<\//g, '<\\/').replace(/<!--/g, '<\\!--');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

export function viewerHtml(v: ViewerInput): string {
  const read = (p: string): string => readFileSync(p, 'utf8');
  const parts: Record<string, string> = {
    '/*__UPLOT_CSS__*/': read(join(uplotDir, 'uPlot.min.css')),
    '/*__VIEWER_CSS__*/': read(join(viewerDir, 'viewer.css')),
    __UPLOT_JS__: scriptSafe(read(join(uplotDir, 'uPlot.iife.min.js'))),
    __VIEWER_JS__: scriptSafe(read(join(viewerDir, 'viewer.js'))),
    __DATA__: scriptSafe(JSON.stringify(viewerData(v))),
    __TITLE__: escapeHtml(v.title),
  };
  // one pass, so that inlined text is never searched for placeholders again
  return read(join(viewerDir, 'template.html')).replace(/\/\*__UPLOT_CSS__\*\/|\/\*__VIEWER_CSS__\*\/|__UPLOT_JS__|__VIEWER_JS__|__DATA__|__TITLE__/g, (m) => parts[m]!);
}
