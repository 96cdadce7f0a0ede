import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { Link, useSearchParams } from 'react-router';
import { csrfHeaders, errorOf } from '../../api/http';
import { formatBytes } from '../../api/files';
import { decodeSpectra, type SpectrumError } from '../../plot/wire';
import { localSpectra } from '../../plot/local-store';
import { NORMALISATIONS, colourOf, download, normaliseFlux, spectraCsv, type Normalisation, type PlotSpectrum } from '../../plot/model';
import { SpectraPlot, type PlotHandle } from '../../plot/SpectraPlot';
import { StoragePicker } from '../../components/StoragePicker';
import { EmptyState, ErrorBox, ProgressBar } from '../../components/ui';
import { useToast } from '../../app/toasts';

/** Above this many spectra the legend is hidden (the list with toggles stays). */
const LEGEND_LIMIT = 30;
/** Spectra longer than this are decimated by the server (min/max per bucket) for the plot. */
const MAX_POINTS = 20_000;
const LIST_LIMIT = 300;

interface Loaded {
  spectra: PlotSpectrum[];
  errors: SpectrumError[];
  bytes: number;
}

/** POST /api/spectra and read the binary answer, reporting download progress. */
async function fetchSpectra(paths: string[], onProgress: (loaded: number, total: number) => void, signal: AbortSignal): Promise<Loaded> {
  window.__vocloudPlot = { requestedAt: performance.now() };
  const res = await fetch('/api/spectra', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/vnd.vocloud.spectra', ...csrfHeaders() },
    body: JSON.stringify({ paths, maxPoints: MAX_POINTS }),
    credentials: 'same-origin',
    signal,
  });
  if (!res.ok) throw await errorOf(res);
  const total = Number(res.headers.get('content-length') ?? 0);
  let buffer: ArrayBuffer;
  if (res.body && total > 0) {
    const out = new Uint8Array(total);
    const reader = res.body.getReader();
    let at = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      out.set(value, at);
      at += value.length;
      onProgress(at, total);
    }
    buffer = out.buffer;
  } else {
    buffer = await res.arrayBuffer();
  }
  window.__vocloudPlot.receivedAt = performance.now();
  const d = decodeSpectra(buffer);
  window.__vocloudPlot.decodedAt = performance.now();
  window.__vocloudPlot.spectra = d.spectra.length;
  window.__vocloudPlot.bytes = buffer.byteLength;
  return {
    bytes: buffer.byteLength,
    errors: d.errors,
    spectra: d.spectra.map((s, i) => ({
      key: `${i}:${s.info.path}`,
      name: s.info.object && s.info.object !== s.info.name ? `${s.info.name} (${s.info.object})` : s.info.name,
      source: s.info.path,
      wavelength: s.wavelength,
      flux: s.flux,
      wavelengthUnit: s.info.wavelengthUnit,
      fluxUnit: s.info.fluxUnit,
      ...(s.info.object ? { object: s.info.object } : {}),
    })),
  };
}

function axisLabel(quantity: string, units: Set<string>): string {
  if (units.size !== 1) return quantity;
  const u = [...units][0]!;
  return u ? `${quantity} [${u === 'Angstrom' ? 'Å' : u}]` : quantity;
}

/** The spectra plotter: storage paths from the URL (?path=…) plus spectra received over SAMP. */
export default function PlotPage() {
  const [params, setParams] = useSearchParams();
  const paths = params.getAll('path');
  const toast = useToast();
  const local = useSyncExternalStore(localSpectra.subscribe, localSpectra.all);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const [norm, setNorm] = useState<Normalisation>('none');
  const [hidden, setHidden] = useState<Set<number>>(new Set());
  const [filter, setFilter] = useState('');
  const [legend, setLegend] = useState<boolean | null>(null);
  const [picking, setPicking] = useState(false);
  const [height, setHeight] = useState(() => (window.innerWidth < 700 ? 320 : 480));
  const plotRef = useRef<PlotHandle>(null);

  useEffect(() => {
    const onResize = () => setHeight(window.innerWidth < 700 ? 320 : 480);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);

  const key = paths.join('\n');
  useEffect(() => {
    if (paths.length === 0) {
      setLoaded(null);
      return;
    }
    const c = new AbortController();
    setError(null);
    setProgress({ loaded: 0, total: 0 });
    fetchSpectra(paths, (l, t) => setProgress({ loaded: l, total: t }), c.signal).then(
      (d) => {
        setLoaded(d);
        setProgress(null);
        setHidden(new Set());
      },
      (err: unknown) => {
        if ((err as Error).name === 'AbortError') return;
        setError(err);
        setProgress(null);
      },
    );
    return () => c.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const spectra = useMemo<PlotSpectrum[]>(
    () => [
      ...(loaded?.spectra ?? []),
      ...local.map((s) => ({
        key: s.id,
        name: s.object ? `${s.name} (${s.object})` : s.name,
        source: s.origin,
        wavelength: s.wavelength,
        flux: s.flux,
        wavelengthUnit: s.wavelengthUnit,
        fluxUnit: s.fluxUnit,
      })),
    ],
    [loaded, local],
  );
  const fluxes = useMemo(() => spectra.map((s) => normaliseFlux(s.flux, norm)), [spectra, norm]);
  const xUnits = new Set(spectra.map((s) => s.wavelengthUnit));
  const yUnits = new Set(spectra.map((s) => s.fluxUnit));
  const xLabel = axisLabel('Wavelength', xUnits);
  const yLabel = norm === 'none' ? axisLabel('Flux', yUnits) : 'Flux (normalised)';
  const showLegend = legend ?? spectra.length <= LEGEND_LIMIT;
  const f = filter.trim().toLowerCase();
  const listed = spectra.map((s, i) => ({ s, i })).filter(({ s }) => !f || s.name.toLowerCase().includes(f) || s.source.toLowerCase().includes(f));

  const removePath = (p: string) => {
    const q = new URLSearchParams();
    for (const x of paths) if (x !== p) q.append('path', x);
    setParams(q);
  };
  const exportCsv = () => {
    const [a, b] = plotRef.current?.xRange() ?? [-Infinity, Infinity];
    const shown = spectra.map((s, i) => ({ name: s.name, wavelength: s.wavelength, flux: fluxes[i]! })).filter((_, i) => !hidden.has(i));
    download(
      spectraCsv(shown, a, b, { x: xUnits.size === 1 ? [...xUnits][0]! : '', y: norm === 'none' && yUnits.size === 1 ? [...yUnits][0]! : '' }),
      'spectra.csv',
    );
  };
  const exportPng = async () => {
    try {
      download(await plotRef.current!.png(), 'spectra.png');
    } catch (err) {
      toast.show((err as Error).message, 'error');
    }
  };

  return (
    <section className="plot-page">
      <div className="page-head">
        <h1>Spectra</h1>
        <div className="actions">
          <button type="button" onClick={() => setPicking(true)}>
            Add files…
          </button>
          {local.length > 0 && (
            <button type="button" onClick={() => localSpectra.clear()}>
              Remove received ({local.length})
            </button>
          )}
        </div>
      </div>
      <StoragePicker
        open={picking}
        kind="any"
        title="Add spectra (a file or a whole folder)"
        onClose={() => setPicking(false)}
        onPick={(p) => {
          setPicking(false);
          if (!paths.includes(p)) setParams(new URLSearchParams([...paths, p].map((x) => ['path', x])));
        }}
      />
      {progress && (
        <div className="panel">
          <ProgressBar fraction={progress.total > 0 ? progress.loaded / progress.total : null} label="Loading spectra" />
          <p className="small muted" role="status">
            {progress.total > 0 ? `Loading spectra: ${formatBytes(progress.loaded)} of ${formatBytes(progress.total)}` : 'Reading the spectra…'}
          </p>
        </div>
      )}
      <ErrorBox error={error} />
      {spectra.length === 0 && !progress ? (
        <EmptyState title={paths.length ? 'None of the chosen files could be plotted.' : 'No spectra to plot yet.'}>
          <p>
            Select spectra (FITS, VOTable or CSV) or folders on the <Link to="/files">Files</Link> page and choose “Plot selected spectra”, or add files here.
          </p>
        </EmptyState>
      ) : spectra.length > 0 ? (
        <>
          <div className="toolbar plot-toolbar" role="toolbar" aria-label="Plot">
            <label>
              Normalise{' '}
              <select aria-label="Normalise" value={norm} onChange={(e) => setNorm(e.target.value as Normalisation)}>
                {NORMALISATIONS.map((n) => (
                  <option key={n.value} value={n.value}>
                    {n.label}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" onClick={() => plotRef.current?.zoom(0.5)} aria-label="Zoom in">
              Zoom +
            </button>
            <button type="button" onClick={() => plotRef.current?.zoom(2)} aria-label="Zoom out">
              Zoom −
            </button>
            <button type="button" onClick={() => plotRef.current?.pan(-0.25)} aria-label="Pan left">
              ←
            </button>
            <button type="button" onClick={() => plotRef.current?.pan(0.25)} aria-label="Pan right">
              →
            </button>
            <button type="button" onClick={() => plotRef.current?.reset()}>
              Reset zoom
            </button>
            <span className="sep" aria-hidden="true" />
            <button type="button" onClick={() => void exportPng()}>
              Export PNG
            </button>
            <button type="button" onClick={exportCsv}>
              Export CSV
            </button>
            <span className="muted small" data-testid="plot-summary">
              {spectra.length} spectr{spectra.length === 1 ? 'um' : 'a'}
              {loaded ? ` · ${formatBytes(loaded.bytes)} received` : ''}
            </span>
          </div>
          {xUnits.size > 1 && <p className="warning">These spectra have different spectral units ({[...xUnits].join(', ')}); they share one axis.</p>}
          <div
            className="plot-area"
            tabIndex={0}
            role="img"
            aria-label={`Plot of ${spectra.length} spectra. Arrow keys pan, + and − zoom, 0 resets.`}
            onKeyDown={(e) => {
              const k = e.key;
              if (k === 'ArrowLeft') plotRef.current?.pan(-0.1);
              else if (k === 'ArrowRight') plotRef.current?.pan(0.1);
              else if (k === '+' || k === '=') plotRef.current?.zoom(0.8);
              else if (k === '-') plotRef.current?.zoom(1.25);
              else if (k === '0') plotRef.current?.reset();
              else return;
              e.preventDefault();
            }}
          >
            <SpectraPlot ref={plotRef} spectra={spectra} fluxes={fluxes} hidden={hidden} xLabel={xLabel} yLabel={yLabel} height={height} />
          </div>
          <p className="small muted">Drag to zoom · Shift+drag to pan · wheel to zoom · double-click to reset.</p>
          <section className="spectra-list" aria-labelledby="list-head">
            <div className="page-head">
              <h2 id="list-head">Spectra</h2>
              <div className="row">
                <input
                  type="search"
                  placeholder="filter by name"
                  value={filter}
                  onChange={(e) => setFilter(e.target.value)}
                  aria-label="Filter spectra by name"
                />
                <button type="button" onClick={() => setHidden((h) => new Set([...h].filter((i) => !listed.some((l) => l.i === i))))}>
                  Show {f ? 'matching' : 'all'}
                </button>
                <button type="button" onClick={() => setHidden((h) => new Set([...h, ...listed.map((l) => l.i)]))}>
                  Hide {f ? 'matching' : 'all'}
                </button>
                <button type="button" onClick={() => setLegend(!showLegend)} aria-expanded={showLegend}>
                  {showLegend ? 'Hide legend' : 'Show legend'}
                </button>
              </div>
            </div>
            {!showLegend ? (
              <p className="muted small">
                The legend is hidden for {spectra.length} spectra (more than {LEGEND_LIMIT}); filter by name to toggle single spectra, or show it.
                {f && ` ${listed.length} match.`}
              </p>
            ) : null}
            {(showLegend || f) && (
              <ul className="legend">
                {listed.slice(0, LIST_LIMIT).map(({ s, i }) => (
                  <li key={s.key}>
                    <label title={s.source}>
                      <input
                        type="checkbox"
                        checked={!hidden.has(i)}
                        onChange={(e) =>
                          setHidden((h) => {
                            const n = new Set(h);
                            if (e.target.checked) n.delete(i);
                            else n.add(i);
                            return n;
                          })
                        }
                      />
                      <span className="swatch" style={{ background: colourOf(i, spectra.length) }} aria-hidden="true" />
                      {s.name}
                    </label>
                  </li>
                ))}
                {listed.length > LIST_LIMIT && <li className="muted small">… {listed.length - LIST_LIMIT} more; filter to narrow the list</li>}
              </ul>
            )}
          </section>
        </>
      ) : null}
      {loaded && loaded.errors.length > 0 && (
        <section aria-labelledby="err-head" className="plot-errors">
          <h2 id="err-head">Not plotted ({loaded.errors.length})</h2>
          <ul>
            {loaded.errors.slice(0, 100).map((e) => (
              <li key={e.path}>
                <code>{e.path}</code>: {e.error}
              </li>
            ))}
          </ul>
        </section>
      )}
      {paths.length > 0 && (
        <details className="small">
          <summary>Requested paths ({paths.length})</summary>
          <ul>
            {paths.map((p) => (
              <li key={p}>
                {p}{' '}
                <button type="button" className="link" onClick={() => removePath(p)}>
                  remove
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
