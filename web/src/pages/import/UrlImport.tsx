import { useMemo, useState, type FormEvent } from 'react';
import { previewDataSource } from '../../api/jobs';
import type { JobType } from '../../api/types';
import { ErrorBox, Spinner } from '../../components/ui';
import { SchemaForm, type FileChoices } from '../../forms/SchemaForm';
import { fieldsOf, initialValues, validateAll, type FormValues } from '../../forms/schema';
import { defaultTarget, useStartImport } from './common';

interface FilesPreview {
  files?: { url: string; path: string; size?: number }[];
  skipped?: { url: string; state: string; error: string }[];
  notes?: string[];
}

/** HTTP(S) and FTP(S) imports: the form generated from each source's schema, with a preview of the files. */
export function UrlImport({ http, ftp }: { http: JobType | undefined; ftp: JobType | undefined }) {
  const [kind, setKind] = useState<'http' | 'ftp'>(http ? 'http' : 'ftp');
  const type = kind === 'http' ? http : ftp;
  if (!http && !ftp) return <ErrorBox error="The HTTP and FTP data sources (plugin-datasources) are not installed on this server." />;
  return (
    <section aria-labelledby="url-head">
      <h2 id="url-head">Import from a URL</h2>
      <fieldset className="radio-row">
        <legend>Protocol</legend>
        {http && (
          <label>
            <input type="radio" name="proto" checked={kind === 'http'} onChange={() => setKind('http')} /> HTTP(S)
          </label>
        )}
        {ftp && (
          <label>
            <input type="radio" name="proto" checked={kind === 'ftp'} onChange={() => setKind('ftp')} /> FTP(S)
          </label>
        )}
      </fieldset>
      {type && <UrlForm key={type.name} type={type} />}
    </section>
  );
}

function UrlForm({ type }: { type: JobType }) {
  const fields = useMemo(() => fieldsOf(type.parameters), [type]);
  const [values, setValues] = useState<FormValues>(() => ({ ...initialValues(fields), target: defaultTarget(type.name) }));
  const [files, setFiles] = useState<FileChoices>({});
  const [touched, setTouched] = useState(false);
  const [preview, setPreview] = useState<FilesPreview | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const start = useStartImport(type);
  const errors = touched ? validateAll(fields, values, new Set(Object.keys(files))) : {};
  const ok = () => {
    setTouched(true);
    return Object.keys(validateAll(fields, values, new Set(Object.keys(files)))).length === 0;
  };
  const look = async () => {
    if (!ok()) return;
    setBusy(true);
    setError(null);
    try {
      setPreview((await previewDataSource<FilesPreview>(type.name, values)).preview);
    } catch (err) {
      setError(err);
      setPreview(null);
    } finally {
      setBusy(false);
    }
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!ok()) return;
    setError(null);
    try {
      await start(values, `${type.title}: ${String(values.url ?? '')}`.slice(0, 200));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="form" onSubmit={submit} noValidate>
      <SchemaForm fields={fields} values={values} errors={errors} files={files} onValues={setValues} onFiles={setFiles} />
      <ErrorBox error={error} />
      <div className="actions">
        <button type="button" onClick={() => void look()} disabled={busy}>
          Preview the files
        </button>
        <button type="submit" className="primary">
          Import
        </button>
      </div>
      {busy && <Spinner label="Looking…" />}
      {preview && (
        <section className="import-results" aria-label="Files that would be imported">
          <h3>{preview.files?.length ?? 0} file(s) would be imported</h3>
          {preview.notes?.map((n) => (
            <p key={n} className="warning small">
              {n}
            </p>
          ))}
          <ul className="compact">
            {(preview.files ?? []).map((f) => (
              <li key={f.url}>
                {f.path} <span className="muted small">{f.url}</span>
              </li>
            ))}
          </ul>
          {(preview.skipped?.length ?? 0) > 0 && (
            <details>
              <summary>{preview.skipped!.length} skipped</summary>
              <ul className="compact">
                {preview.skipped!.map((s) => (
                  <li key={s.url}>
                    {s.url}: {s.state} {s.error}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </section>
      )}
    </form>
  );
}
