import { useState } from 'react';
import { useNavigate } from 'react-router';
import { createJob } from '../../api/jobs';
import type { JobType } from '../../api/types';
import { StoragePicker } from '../../components/StoragePicker';
import { fieldsOf, toUwsParameters, type FormValues } from '../../forms/schema';

/** Rows of a dataset preview (SSAP response, uploaded VOTable), as plugins/datasources sends them. */
export interface PreviewRow {
  index: number;
  accessUrl: string;
  format: string;
  title: string;
  publisherDid: string;
  size: number | null;
  preview?: string;
  values: Record<string, unknown>;
}

export interface DatasetPreview {
  query?: string;
  status?: { value: string; message?: string };
  note?: string;
  columns: Record<string, string | null>;
  candidates?: string[];
  fields: { name: string; datatype: string; ucd?: string; utype?: string; unit?: string }[];
  services: unknown[];
  total: number;
  rows: PreviewRow[];
  truncated?: boolean;
}

/** Create and start an import job with these parameters, then open its page. */
export function useStartImport(type: JobType | undefined) {
  const navigate = useNavigate();
  return async (values: FormValues, label: string, files: Record<string, Blob & { name?: string }> = {}) => {
    if (!type) throw new Error('this data source is not installed on the server');
    const form = new FormData();
    form.append('RUNID', label.slice(0, 200));
    for (const [k, v] of toUwsParameters(fieldsOf(type.parameters), values)) form.append(k, v);
    for (const [k, f] of Object.entries(files)) form.append(k, f, f.name ?? k);
    form.append('PHASE', 'RUN');
    const job = await createJob(type.name, form);
    navigate(`/jobs/${encodeURIComponent(job.jobType)}/${encodeURIComponent(job.jobId)}`);
  };
}

/** The folder an import writes into, with a picker. */
export function TargetField({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const [picking, setPicking] = useState(false);
  return (
    <label className="grow">
      Import into folder
      <div className="row">
        <input value={value} onChange={(e) => onChange(e.target.value)} required />
        <button type="button" onClick={() => setPicking(true)}>
          Browse…
        </button>
      </div>
      <StoragePicker
        open={picking}
        kind="folder"
        title="Import into…"
        onClose={() => setPicking(false)}
        onPick={(p) => {
          setPicking(false);
          onChange(p);
        }}
      />
    </label>
  );
}

/** What to fetch per row, and the SODA cutout that goes with "cutout". */
export function FetchOptions({ values, set }: { values: FormValues; set: (k: string, v: unknown) => void }) {
  const mode = String(values.fetch ?? 'dataset');
  return (
    <fieldset className="fetch-options">
      <legend>For each selected row fetch</legend>
      {(
        [
          ['dataset', 'the dataset'],
          ['preview', 'its preview (DataLink #preview)'],
          ['cutout', 'a SODA cutout'],
        ] as const
      ).map(([v, label]) => (
        <label key={v} className="check-inline">
          <input type="radio" name="fetch" value={v} checked={mode === v} onChange={() => set('fetch', v)} /> {label}
        </label>
      ))}
      {mode === 'cutout' && (
        <div className="row wrap">
          <label>
            Band from (Å)
            <input type="number" step="any" value={String(values._cutLo ?? '')} onChange={(e) => set('_cutLo', e.target.value)} />
          </label>
          <label>
            to (Å)
            <input type="number" step="any" value={String(values._cutHi ?? '')} onChange={(e) => set('_cutHi', e.target.value)} />
          </label>
          <label className="grow">
            or a circle “ra dec radius” (degrees)
            <input value={String(values.cutoutCircle ?? '')} onChange={(e) => set('cutoutCircle', e.target.value)} placeholder="10.68 41.27 0.1" />
          </label>
        </div>
      )}
    </fieldset>
  );
}

/** SODA BAND in metres ("lo hi") from a range in Ångström. */
export function cutoutBand(values: FormValues): string | undefined {
  const lo = Number(values._cutLo);
  const hi = Number(values._cutHi);
  if (!values._cutLo || !values._cutHi || !Number.isFinite(lo) || !Number.isFinite(hi)) return undefined;
  return `${lo * 1e-10} ${hi * 1e-10}`;
}

/** The preview table: the main columns of each row, with a checkbox to choose it. */
export function RowTable({ preview, selected, onSelected }: { preview: DatasetPreview; selected: Set<number>; onSelected: (s: Set<number>) => void }) {
  const extra = ['ra', 'dec', 'targetName', 'time', 'band']
    .map((role) => preview.columns[role])
    .filter((c): c is string => !!c)
    .slice(0, 3);
  const all = preview.rows.length > 0 && preview.rows.every((r) => selected.has(r.index));
  return (
    <div className="table-wrap">
      <table className="preview-table">
        <thead>
          <tr>
            <th scope="col">
              <input
                type="checkbox"
                aria-label="Select every row shown"
                checked={all}
                onChange={(e) => onSelected(e.target.checked ? new Set(preview.rows.map((r) => r.index)) : new Set())}
              />
            </th>
            <th scope="col">#</th>
            <th scope="col">Title</th>
            {extra.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
            <th scope="col">Format</th>
            <th scope="col">Size</th>
          </tr>
        </thead>
        <tbody>
          {preview.rows.map((r) => (
            <tr key={r.index} className={selected.has(r.index) ? 'selected' : ''}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select row ${r.index}`}
                  checked={selected.has(r.index)}
                  onChange={(e) => {
                    const n = new Set(selected);
                    if (e.target.checked) n.add(r.index);
                    else n.delete(r.index);
                    onSelected(n);
                  }}
                />
              </td>
              <td>{r.index}</td>
              <td>
                {r.title || r.publisherDid || '(untitled)'}
                {r.accessUrl && (
                  <div className="small muted ellipsis" title={r.accessUrl}>
                    {r.accessUrl}
                  </div>
                )}
              </td>
              {extra.map((c) => (
                <td key={c}>{String(r.values[c] ?? '')}</td>
              ))}
              <td>{r.format}</td>
              <td>{r.size ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function defaultTarget(kind: string): string {
  const d = new Date();
  const stamp = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  return `~/imports/${kind}-${stamp}`;
}

/** The dataset parameters of an import: what to fetch per row, which rows, the cutout. */
export function datasetSelection(opts: FormValues, selected: ReadonlySet<number>, all: boolean): FormValues {
  const band = cutoutBand(opts);
  return {
    fetch: opts.fetch,
    ...(all ? {} : { rows: [...selected].sort((a, b) => a - b) }),
    ...(band ? { cutoutBand: band } : {}),
    ...(opts.cutoutCircle ? { cutoutCircle: opts.cutoutCircle } : {}),
  };
}

/** Below a preview table: what to fetch, where to, and the two import buttons. */
export function ImportActions({
  opts,
  setOpts,
  target,
  setTarget,
  selected,
  total,
  onImport,
}: {
  opts: FormValues;
  setOpts: (f: (o: FormValues) => FormValues) => void;
  target: string;
  setTarget: (t: string) => void;
  selected: number;
  total: number;
  onImport: (all: boolean) => void;
}) {
  return (
    <>
      <FetchOptions values={opts} set={(k, v) => setOpts((o) => ({ ...o, [k]: v }))} />
      <div className="row wrap">
        <TargetField value={target} onChange={setTarget} />
      </div>
      <div className="actions">
        <button type="button" className="primary" disabled={selected === 0} onClick={() => onImport(false)}>
          Import {selected} selected
        </button>
        <button type="button" onClick={() => onImport(true)}>
          Import all {total}
        </button>
      </div>
    </>
  );
}
