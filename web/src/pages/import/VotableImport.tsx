import { useState } from 'react';
import { previewDataSource } from '../../api/jobs';
import { uploadFiles } from '../../api/files';
import type { JobType } from '../../api/types';
import { ErrorBox, Spinner } from '../../components/ui';
import { StoragePicker } from '../../components/StoragePicker';
import type { FormValues } from '../../forms/schema';
import { ImportActions, RowTable, datasetSelection, defaultTarget, useStartImport, type DatasetPreview } from './common';

/** Import the datasets a VOTable points at (a table saved by TOPCAT, an archive's result). */
export function VotableImport({ type }: { type: JobType | undefined }) {
  const [tablePath, setTablePath] = useState('');
  const [column, setColumn] = useState('');
  const [preview, setPreview] = useState<DatasetPreview | null>(null);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [picking, setPicking] = useState(false);
  const [opts, setOpts] = useState<FormValues>({ fetch: 'dataset' });
  const [target, setTarget] = useState(defaultTarget('votable'));
  const start = useStartImport(type);

  const look = async (path: string, col: string) => {
    setBusy('Reading the table…');
    setError(null);
    try {
      const r = await previewDataSource<DatasetPreview>('votable', { tablePath: path, ...(col ? { column: col } : {}) });
      setPreview(r.preview);
      setSelected(new Set(r.preview.rows.map((x) => x.index)));
      if (!col) setColumn(r.preview.columns.accessUrl ?? '');
    } catch (err) {
      setError(err);
      setPreview(null);
    } finally {
      setBusy(null);
    }
  };
  // The preview reads tables from storage: a local file is uploaded to ~/tables first.
  const uploadLocal = async (f: File) => {
    setBusy(`Uploading ${f.name}…`);
    setError(null);
    try {
      const r = await uploadFiles('~/tables', [{ file: f, name: f.name }], () => undefined);
      const path = r.files[0]!.path;
      setTablePath(path);
      setColumn('');
      await look(path, '');
    } catch (err) {
      setError(err);
      setBusy(null);
    }
  };
  const importRows = async (all: boolean) => {
    setError(null);
    try {
      await start(
        {
          tablePath,
          ...(column ? { column } : {}),
          target,
          ...datasetSelection(opts, selected, all),
        },
        `VOTable ${tablePath.split('/').pop()} (${all ? (preview?.total ?? 'all') : selected.size} rows)`,
      );
    } catch (err) {
      setError(err);
    }
  };

  if (!type) return <ErrorBox error="The VOTable data source (plugin-datasources) is not installed on this server." />;
  const candidates = [...new Set([...(preview?.candidates ?? []), ...(column ? [column] : [])])];
  return (
    <section aria-labelledby="vot-head">
      <h2 id="vot-head">Import the datasets of a VOTable</h2>
      <div className="row wrap">
        <label>
          Upload a VOTable
          <input
            type="file"
            accept=".vot,.xml,.votable,application/x-votable+xml,text/xml"
            onChange={(e) => e.target.files?.[0] && void uploadLocal(e.target.files[0])}
          />
        </label>
        <button type="button" onClick={() => setPicking(true)}>
          or choose one in my files…
        </button>
      </div>
      <StoragePicker
        open={picking}
        kind="file"
        title="Choose a VOTable"
        onClose={() => setPicking(false)}
        onPick={(p) => {
          setPicking(false);
          setTablePath(p);
          setColumn('');
          void look(p, '');
        }}
      />
      {tablePath && <p className="small muted">Table: {tablePath}</p>}
      {busy && <Spinner label={busy} />}
      <ErrorBox error={error} />
      {preview && (
        <section className="import-results" aria-label="The table">
          <h3>
            {preview.total} rows · {preview.fields.length} columns
          </h3>
          <label>
            Access reference column (the links to the datasets)
            <select
              aria-label="Access reference column"
              value={column}
              onChange={(e) => {
                setColumn(e.target.value);
                void look(tablePath, e.target.value);
              }}
            >
              {!column && <option value="">(none recognised: choose one)</option>}
              {candidates.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
              <optgroup label="all columns">
                {preview.fields
                  .filter((f) => !candidates.includes(f.name))
                  .map((f) => (
                    <option key={f.name} value={f.name}>
                      {f.name}
                    </option>
                  ))}
              </optgroup>
            </select>
          </label>
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
        </section>
      )}
    </section>
  );
}
