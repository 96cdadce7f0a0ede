import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { colourOf, nearestIndex, rgbaOf, sharedGrid, type PlotSpectrum } from './model';
import { rasterise } from './raster';
import { fastLines } from './paths';

export interface PlotHandle {
  reset(): void;
  /** Zoom the x axis around its centre: factor < 1 zooms in. */
  zoom(factor: number): void;
  /** Move the x axis by a fraction of its width. */
  pan(fraction: number): void;
  /** The x range shown. */
  xRange(): [number, number];
  png(): Promise<Blob>;
}

interface Hover {
  left: number;
  top: number;
  name: string;
  x: number;
  y: number;
}

/** Above this many points in all, lines are drawn in software (see raster.ts). */
const SOFTWARE_POINTS = 400_000;

/** What the benchmark reads: when the data were asked for and when the plot was first painted. */
declare global {
  interface Window {
    __vocloudPlot?: {
      requestedAt: number;
      receivedAt?: number;
      decodedAt?: number;
      /** The chart starts being built (the page has rendered), and its first draw is done (paths built and stroked). */
      chartAt?: number;
      drawnAt?: number;
      paintedAt?: number;
      spectra?: number;
      bytes?: number;
      /** How often the chart was drawn (a resize or a toggle draws it again). */
      draws?: number;
    };
  }
}

/**
 * Many spectra in one uPlot chart. Spectra on one common grid use uPlot's aligned mode (one x
 * array); otherwise each series carries its own x (mode 2). Cursor points and uPlot's legend
 * are off — with hundreds of series they would be hundreds of DOM nodes — and the hover
 * read-out finds the nearest spectrum itself. Drag zooms, Shift+drag or the arrow keys pan,
 * the wheel zooms around the pointer, double-click resets.
 */
export const SpectraPlot = forwardRef<
  PlotHandle,
  {
    spectra: readonly PlotSpectrum[];
    fluxes: readonly Float32Array[];
    hidden: ReadonlySet<number>;
    xLabel: string;
    yLabel: string;
    height: number;
  }
>(function SpectraPlot({ spectra, fluxes, hidden, xLabel, yLabel, height }, ref) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const hiddenRef = useRef(hidden);
  hiddenRef.current = hidden;
  const [hover, setHover] = useState<Hover | null>(null);

  useImperativeHandle(ref, () => ({
    reset() {
      const u = plot.current;
      // setData with the same data resets every auto scale to the full extent
      if (u) u.setData(u.data, true);
    },
    zoom(factor) {
      const u = plot.current;
      if (!u) return;
      const { min = 0, max = 1 } = u.scales.x;
      const c = (min + max) / 2;
      const half = ((max - min) / 2) * factor;
      u.setScale('x', { min: c - half, max: c + half });
    },
    pan(fraction) {
      const u = plot.current;
      if (!u) return;
      const { min = 0, max = 1 } = u.scales.x;
      const d = (max - min) * fraction;
      u.setScale('x', { min: min + d, max: max + d });
    },
    xRange() {
      const u = plot.current;
      return u ? [u.scales.x.min ?? -Infinity, u.scales.x.max ?? Infinity] : [-Infinity, Infinity];
    },
    png() {
      const u = plot.current;
      if (!u) return Promise.reject(new Error('nothing is plotted'));
      const src = u.ctx.canvas;
      const out = document.createElement('canvas');
      out.width = src.width;
      out.height = src.height;
      const ctx = out.getContext('2d')!;
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, out.width, out.height);
      ctx.drawImage(src, 0, 0);
      return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not make a PNG'))), 'image/png'));
    },
  }));

  // Build the chart when the data change (toggles and size are applied without a rebuild).
  useEffect(() => {
    const el = box.current;
    if (!el || spectra.length === 0) return;
    const grid = sharedGrid(spectra);
    const count = spectra.length;
    const width = Math.max(300, el.clientWidth);
    let data: AlignedData;
    let mode: 1 | 2 = 1;
    if (grid) data = [grid, ...fluxes] as unknown as AlignedData;
    else {
      mode = 2;
      data = [null, ...spectra.map((s, i) => [s.wavelength, fluxes[i]!])] as unknown as AlignedData;
    }
    let firstPaint = true;
    // Many points: lines are drawn by the software renderer (raster.ts) in the draw hook; fewer
    // keep uPlot's anti-aliased canvas lines.
    const points = spectra.reduce((n, s) => n + s.wavelength.length, 0);
    const software = points > SOFTWARE_POINTS;
    const lines = software ? () => null : fastLines();
    const offscreen = document.createElement('canvas');
    const drawSoftware = (u: uPlot) => {
      const { left, top, width, height } = u.bbox;
      const shown = spectra.flatMap((s, i) => (u.series[i + 1]?.show ? [{ xs: s.wavelength, ys: fluxes[i]!, rgba: rgbaOf(i, count) }] : []));
      const img = rasterise(shown, {
        width,
        height,
        xMin: u.scales.x!.min ?? 0,
        xMax: u.scales.x!.max ?? 1,
        yMin: u.scales.y!.min ?? 0,
        yMax: u.scales.y!.max ?? 1,
      });
      offscreen.width = img.width;
      offscreen.height = img.height;
      offscreen.getContext('2d')!.putImageData(img, 0, 0);
      u.ctx.drawImage(offscreen, left, top);
    };
    const opts: Options = {
      width,
      height,
      mode,
      pxAlign: 0,
      legend: { show: false },
      cursor: {
        points: { show: false },
        drag: { x: true, y: true, uni: 30, setScale: true },
        focus: { prox: -1 },
      },
      scales: { x: { time: false, auto: true }, y: { auto: true } },
      axes: [
        { label: xLabel, stroke: '#333', grid: { stroke: '#e6e6e6' }, ticks: { stroke: '#ccc' } },
        { label: yLabel, stroke: '#333', grid: { stroke: '#e6e6e6' }, ticks: { stroke: '#ccc' }, size: 70 },
      ],
      series: [
        mode === 1 ? { label: xLabel } : {},
        ...spectra.map((s, i) => ({
          label: s.name,
          stroke: colourOf(i, count),
          width: count > 100 ? 1 : 1.25,
          show: !hiddenRef.current.has(i),
          points: { show: false },
          paths: lines as uPlot.Series.PathBuilder,
          ...(mode === 2
            ? {
                facets: [
                  { scale: 'x', auto: true, sorted: 1 },
                  { scale: 'y', auto: true },
                ],
              }
            : {}),
        })),
      ] as Options['series'],
      hooks: {
        draw: [
          (u) => {
            if (software) drawSoftware(u);
            if (window.__vocloudPlot) window.__vocloudPlot.draws = (window.__vocloudPlot.draws ?? 0) + 1;
            if (!firstPaint) return;
            firstPaint = false;
            if (window.__vocloudPlot && window.__vocloudPlot.drawnAt === undefined) window.__vocloudPlot.drawnAt = performance.now();
            // the canvas is drawn; the frame after this one is on the screen
            requestAnimationFrame(() => {
              if (window.__vocloudPlot && window.__vocloudPlot.paintedAt === undefined) window.__vocloudPlot.paintedAt = performance.now();
            });
          },
        ],
        setCursor: [
          (u) => {
            const { left, top } = u.cursor;
            if (left === undefined || top === undefined || left < 0) {
              setHover(null);
              return;
            }
            const x = u.posToVal(left, 'x');
            let best = -1;
            let bestDy = Infinity;
            let bestY = 0;
            let bestX = 0;
            for (let i = 0; i < spectra.length; i++) {
              if (hiddenRef.current.has(i)) continue;
              const xs = spectra[i]!.wavelength;
              const k = nearestIndex(xs, x);
              if (k < 0) continue;
              const y = fluxes[i]![k]!;
              if (!Number.isFinite(y)) continue;
              const dy = Math.abs(u.valToPos(y, 'y') - top);
              if (dy < bestDy) {
                bestDy = dy;
                best = i;
                bestY = y;
                bestX = xs[k]!;
              }
            }
            if (best < 0 || bestDy > 40) setHover(null);
            else setHover({ left: u.valToPos(bestX, 'x'), top: u.valToPos(bestY, 'y'), name: spectra[best]!.name, x: bestX, y: bestY });
          },
        ],
      },
    };
    if (window.__vocloudPlot && window.__vocloudPlot.chartAt === undefined) window.__vocloudPlot.chartAt = performance.now();
    const u = new uPlot(opts, data, el);
    plot.current = u;

    // Shift+drag pans; the wheel zooms x around the pointer (Shift+wheel: y).
    const over = u.over;
    const onDown = (e: MouseEvent) => {
      if (!e.shiftKey || e.button !== 0) return;
      e.stopPropagation();
      e.preventDefault();
      const start = e.clientX;
      const startY = e.clientY;
      const { min: x0 = 0, max: x1 = 1 } = u.scales.x;
      const { min: y0 = 0, max: y1 = 1 } = u.scales.y;
      const move = (m: MouseEvent) => {
        const dx = ((m.clientX - start) / u.bbox.width) * devicePixelRatio * (x1 - x0);
        const dy = ((m.clientY - startY) / u.bbox.height) * devicePixelRatio * (y1 - y0);
        u.batch(() => {
          u.setScale('x', { min: x0 - dx, max: x1 - dx });
          u.setScale('y', { min: y0 + dy, max: y1 + dy });
        });
      };
      const up = () => {
        window.removeEventListener('mousemove', move);
        window.removeEventListener('mouseup', up);
      };
      window.addEventListener('mousemove', move);
      window.addEventListener('mouseup', up);
    };
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const factor = e.deltaY > 0 ? 1.25 : 0.8;
      const rect = over.getBoundingClientRect();
      if (e.shiftKey) {
        const at = u.posToVal(e.clientY - rect.top, 'y');
        const { min = 0, max = 1 } = u.scales.y;
        u.setScale('y', { min: at - (at - min) * factor, max: at + (max - at) * factor });
      } else {
        const at = u.posToVal(e.clientX - rect.left, 'x');
        const { min = 0, max = 1 } = u.scales.x;
        u.setScale('x', { min: at - (at - min) * factor, max: at + (max - at) * factor });
      }
    };
    over.addEventListener('mousedown', onDown, true);
    over.addEventListener('wheel', onWheel, { passive: false });
    const resize = new ResizeObserver(() => {
      const w = Math.max(300, el.clientWidth);
      if (Math.abs(w - u.width) > 2) u.setSize({ width: w, height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      over.removeEventListener('mousedown', onDown, true);
      over.removeEventListener('wheel', onWheel);
      u.destroy();
      plot.current = null;
      setHover(null);
    };
  }, [spectra, fluxes, xLabel, yLabel, height]);

  // Toggles: show or hide series without rebuilding the chart (batch redraws even when nothing
  // changed, so only when something did).
  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    const changed = spectra.flatMap((_, i) => (u.series[i + 1] && u.series[i + 1]!.show === hidden.has(i) ? [i] : []));
    if (changed.length === 0) return;
    u.batch(() => {
      for (const i of changed) u.setSeries(i + 1, { show: !hidden.has(i) });
    });
  }, [hidden, spectra]);

  return (
    <div className="plot-box">
      {/* the chart's height is reserved before it is built, so the page does not grow (and get a scrollbar) under it */}
      <div ref={box} className="plot-canvas" style={{ minHeight: height }} />
      {hover && (
        <>
          <div
            className="hover-dot"
            style={{ left: hover.left + (plot.current?.over.offsetLeft ?? 0), top: hover.top + (plot.current?.over.offsetTop ?? 0) }}
            aria-hidden="true"
          />
          <div className="hover-readout" role="status" data-testid="hover-readout">
            <strong>{hover.name}</strong> · {xLabel.replace(/ \[.*\]$/, '')} {formatNumber(hover.x)} · flux {formatNumber(hover.y)}
          </div>
        </>
      )}
    </div>
  );
});

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(4);
  return v.toPrecision(7).replace(/\.?0+$/, '');
}
