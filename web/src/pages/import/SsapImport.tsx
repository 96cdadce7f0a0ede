import { useState, type FormEvent } from 'react';
import { previewDataSource } from '../../api/jobs';
import type { JobType } from '../../api/types';
import { ErrorBox, Spinner } from '../../components/ui';
import { ImportActions, RowTable, datasetSelection, defaultTarget, useStartImport, type DatasetPreview } from './common';
import type { FormValues } from '../../forms/schema';

/**
 * Well-known public SSAP services to start from (examples: their availability is theirs).
 * The Ondřejov CCD700 archive is where VO-CLOUD began.
 */
export const KNOWN_SSAP: { url: string; label: string }[] = [
  { url: 'https://voarchive.asu.cas.cz/ccd700/q/ssa/ssap.xml?', label: 'Ondřejov 2m CCD700 spectra' },
  { url: 'https://dc.g-vo.org/flashheros/q/ssa/ssap.xml?', label: 'FLASH/HEROS stellar spectra (GAVO)' },
  { url: 'https://dc.g-vo.org/carmenes/q/ssa/ssap.xml?', label: 'CARMENES M-dwarf spectra (GAVO)' },
  { url: 'https://dc.g-vo.org/theossa/q/ssa/ssap.xml?', label: 'TheoSSA model spectra (GAVO)' },
];

interface Query {
  service: string;
  mode: 'name' | 'position';
  targetName: string;
  ra: string;
  dec: string;
  radius: string;
  bandLo: string;
  bandHi: string;
  timeFrom: string;
  timeTo: string;
  maxrec: string;
}

/** The SSAP parameters (metres, ISO times, SIZE as a diameter in degrees) from the form (Å, dates, radius in arcmin). */
export function ssapParameters(q: Query): Record<string, unknown> {
  const p: Record<string, unknown> = { service: q.service.trim() };
  if (q.mode === 'name' && q.targetName.trim()) p.targetName = q.targetName.trim();
  if (q.mode === 'position' && q.ra.trim() && q.dec.trim()) {
    p.pos = `${Number(q.ra)},${Number(q.dec)}`;
    if (q.radius.trim()) p.size = (2 * Number(q.radius)) / 60;
  }
  if (q.bandLo.trim() || q.bandHi.trim()) p.band = `${q.bandLo.trim() ? Number(q.bandLo) * 1e-10 : ''}/${q.bandHi.trim() ? Number(q.bandHi) * 1e-10 : ''}`;
  if (q.timeFrom || q.timeTo) p.time = `${q.timeFrom ? new Date(q.timeFrom).toISOString() : ''}/${q.timeTo ? new Date(q.timeTo).toISOString() : ''}`;
  if (q.maxrec.trim()) p.maxrec = Number(q.maxrec);
  return p;
}

export function SsapImport({ type }: { type: JobType | undefined }) {
  const [q, setQ] = useState<Query>({
    service: KNOWN_SSAP[0]!.url,
    mode: 'name',
    targetName: '',
    ra: '',
    dec: '',
    radius: '5',
    bandLo: '',
    bandHi: '',
    timeFrom: '',
    timeTo: '',
    maxrec: '100',
  });
  const [preview, setPreview] = useState<DatasetPreview | null>(null);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [opts, setOpts] = useState<FormValues>({ fetch: 'dataset' });
  const [target, setTarget] = useState(defaultTarget('ssap'));
  const start = useStartImport(type);
  const set = (k: keyof Query) => (e: { target: { value: string } }) => setQ((x) => ({ ...x, [k]: e.target.value }));

  const search = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await previewDataSource<DatasetPreview>('ssap', ssapParameters(q));
      setPreview(r.preview);
      setSelected(new Set(r.preview.rows.map((x) => x.index)));
    } catch (err) {
      setError(err);
      setPreview(null);
    } finally {
      setBusy(false);
    }
  };
  const importRows = async (all: boolean) => {
    setError(null);
    try {
      await start(
        {
          ...ssapParameters(q),
          target,
          ...datasetSelection(opts, selected, all),
        },
        `SSAP ${q.mode === 'name' ? q.targetName : `${q.ra},${q.dec}`} (${all ? (preview?.total ?? 'all') : selected.size} rows)`,
      );
    } catch (err) {
      setError(err);
    }
  };

  if (!type) return <ErrorBox error="The SSAP data source (plugin-datasources) is not installed on this server." />;
  return (
    <section aria-labelledby="ssap-head">
      <h2 id="ssap-head">Query an SSAP service</h2>
      <form className="form" onSubmit={search}>
        <label>
          Service
          <select
            aria-label="Service"
            value={KNOWN_SSAP.some((s) => s.url === q.service) ? q.service : ''}
            onChange={(e) => e.target.value && setQ((x) => ({ ...x, service: e.target.value }))}
          >
            {KNOWN_SSAP.map((s) => (
              <option key={s.url} value={s.url}>
                {s.label}
              </option>
            ))}
            <option value="">another service (type its URL below)</option>
          </select>
        </label>
        <label>
          Service URL
          <input type="url" required value={q.service} onChange={set('service')} />
        </label>
        <fieldset className="radio-row">
          <legend>Search by</legend>
          <label>
            <input type="radio" name="by" checked={q.mode === 'name'} onChange={() => setQ((x) => ({ ...x, mode: 'name' }))} /> target name
          </label>
          <label>
            <input type="radio" name="by" checked={q.mode === 'position'} onChange={() => setQ((x) => ({ ...x, mode: 'position' }))} /> position and radius
          </label>
        </fieldset>
        {q.mode === 'name' ? (
          <label>
            Target name
            <input value={q.targetName} onChange={set('targetName')} placeholder="HD 217476" />
          </label>
        ) : (
          <div className="row wrap">
            <label>
              RA (deg)
              <input type="number" step="any" min={0} max={360} required value={q.ra} onChange={set('ra')} />
            </label>
            <label>
              Dec (deg)
              <input type="number" step="any" min={-90} max={90} required value={q.dec} onChange={set('dec')} />
            </label>
            <label>
              Radius (arcmin)
              <input type="number" step="any" min={0} value={q.radius} onChange={set('radius')} />
            </label>
          </div>
        )}
        <div className="row wrap">
          <label>
            Band from (Å)
            <input type="number" step="any" min={0} value={q.bandLo} onChange={set('bandLo')} />
          </label>
          <label>
            to (Å)
            <input type="number" step="any" min={0} value={q.bandHi} onChange={set('bandHi')} />
          </label>
          <label>
            Observed from
            <input type="date" value={q.timeFrom} onChange={set('timeFrom')} />
          </label>
          <label>
            to
            <input type="date" value={q.timeTo} onChange={set('timeTo')} />
          </label>
          <label>
            Max records
            <input type="number" min={1} value={q.maxrec} onChange={set('maxrec')} />
          </label>
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Searching…' : 'Search'}
          </button>
        </div>
      </form>
      <ErrorBox error={error} />
      {busy && <Spinner label="Asking the service…" />}
      {preview && (
        <section aria-labelledby="ssap-results" className="import-results">
          <h3 id="ssap-results">
            {preview.total} spectr{preview.total === 1 ? 'um' : 'a'} found{preview.truncated ? ` (the first ${preview.rows.length} shown)` : ''}
          </h3>
          {preview.note && <p className="warning">{preview.note}</p>}
          {preview.query && (
            <p className="small muted ellipsis" title={preview.query}>
              Query: {preview.query}
            </p>
          )}
          {preview.rows.length > 0 && (
            <>
              <RowTable preview={preview} selected={selected} onSelected={setSelected} />
              <ImportActions
                opts={opts}
                setOpts={setOpts}
                target={target}
                setTarget={setTarget}
                selected={selected.size}
                total={preview.total}
                onImport={(all) => void importRows(all)}
              />
            </>
          )}
        </section>
      )}
    </section>
  );
}
