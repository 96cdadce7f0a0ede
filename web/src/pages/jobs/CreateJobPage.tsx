import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { createJob, getJob, listJobTypes } from '../../api/jobs';
import { downloadUrl } from '../../api/files';
import { request } from '../../api/http';
import type { JobType } from '../../api/types';
import { useSession } from '../../app/session';
import { EmptyState, ErrorBox, Spinner, formatDuration, useLoad } from '../../components/ui';
import { fieldsOf, fromUwsParameters, initialValues, toUwsParameters, validateAll, valuesFromJson, valuesToJson, type FormValues } from '../../forms/schema';
import { SchemaForm, type FileChoice, type FileChoices } from '../../forms/SchemaForm';
import { JsonText } from '../../forms/JsonText';

/** The bytes of a chosen file: picked locally, taken from storage, or the earlier job's upload. */
async function blobOf(c: FileChoice): Promise<{ blob: Blob; name: string }> {
  if (c.kind === 'local') return { blob: c.file, name: c.file.name };
  const res = await request(c.kind === 'storage' ? downloadUrl(c.path) : c.href);
  return { blob: await res.blob(), name: c.name };
}

function TypeMenu({ types }: { types: JobType[] }) {
  const { session } = useSession();
  const workers = types.filter((t) => t.kind === 'worker');
  const sources = types.filter((t) => t.kind === 'datasource');
  const card = (t: JobType) => (
    <li key={t.name} className={`card${!t.usable || !t.enabled ? ' disabled' : ''}`}>
      <h3>{t.usable && t.enabled ? <Link to={`/new/${encodeURIComponent(t.name)}`}>{t.title || t.name}</Link> : <span>{t.title || t.name}</span>}</h3>
      <p>{t.description}</p>
      <p className="small muted">
        {t.name} · v{t.version}
        {t.limits.maxExecutionDuration > 0 && ` · up to ${formatDuration(t.limits.maxExecutionDuration * 1000)}`}
        {!t.enabled && ' · disabled by an administrator'}
        {t.restricted && (t.usable ? ' · restricted to managers' : ' · for managers only')}
      </p>
    </li>
  );
  return (
    <>
      {workers.length === 0 ? <EmptyState title="No job types are installed." /> : <ul className="cards">{workers.map(card)}</ul>}
      {sources.length > 0 && (
        <>
          <h2>Imports</h2>
          <p className="muted">
            Data sources fetch data into your files; the <Link to="/import">Import</Link> page has forms made for them.
          </p>
          <ul className="cards">{sources.map(card)}</ul>
        </>
      )}
      {session?.role === 'user' && types.some((t) => !t.usable) && <p className="small muted">Greyed-out job types are for managers.</p>}
    </>
  );
}

function JobForm({ type }: { type: JobType }) {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const from = params.get('from');
  const fields = useMemo(() => fieldsOf(type.parameters), [type]);
  const [values, setValues] = useState<FormValues>(() => initialValues(fields));
  const [files, setFiles] = useState<FileChoices>({});
  const [runId, setRunId] = useState('');
  const [duration, setDuration] = useState('');
  const [advanced, setAdvanced] = useState(false);
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState<'save' | 'run' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [jsonProblem, setJsonProblem] = useState<string | null>(null);

  // "Run again": the earlier job's parameters, files by their URLs, and a "(copy)" label.
  const source = useLoad((signal) => (from ? getJob(type.name, from, signal) : Promise.resolve(null)), [from, type.name]);
  useEffect(() => {
    const j = source.data;
    if (!j) return;
    setValues({ ...initialValues(fields), ...fromUwsParameters(fields, j.parameters) });
    const f: FileChoices = {};
    for (const p of j.parameters) {
      const field = fields.find((x) => x.name.toLowerCase() === p.id.toLowerCase());
      if (field?.kind === 'file' && /^https?:/.test(p.value)) f[field.name] = { kind: 'url', href: p.value, name: p.id };
    }
    setFiles(f);
    setRunId(`${j.runId || j.jobId} (copy)`);
    setDuration(String(j.executionDuration || ''));
  }, [source.data, fields]);

  // a message about the last attempt goes once the values change
  useEffect(() => setError(null), [values, files]);
  const errors = touched ? validateAll(fields, values, new Set(Object.keys(files))) : {};
  const submit = async (run: boolean) => {
    setTouched(true);
    setError(null);
    const problems = validateAll(fields, values, new Set(Object.keys(files)));
    if (Object.keys(problems).length > 0 || jsonProblem) {
      setError(new Error(jsonProblem ?? `Check the highlighted fields: ${Object.keys(problems).join(', ')}`));
      document.querySelector<HTMLElement>('.field.invalid input, .field.invalid select, .field.invalid textarea')?.focus();
      return;
    }
    setBusy(run ? 'run' : 'save');
    try {
      const form = new FormData();
      if (runId.trim()) form.append('RUNID', runId.trim());
      if (duration.trim()) form.append('EXECUTIONDURATION', duration.trim());
      for (const [k, v] of toUwsParameters(fields, values)) form.append(k, v);
      for (const [name, choice] of Object.entries(files)) {
        const { blob, name: filename } = await blobOf(choice);
        form.append(name, blob, filename);
      }
      if (run) form.append('PHASE', 'RUN');
      const job = await createJob(type.name, form);
      navigate(`/jobs/${encodeURIComponent(job.jobType)}/${encodeURIComponent(job.jobId)}`);
    } catch (err) {
      setError(err);
      setBusy(null);
    }
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void submit(true);
  };
  const max = type.limits.maxExecutionDuration;

  return (
    <form className="form job-form" onSubmit={onSubmit} noValidate>
      {from && source.loading && <Spinner label="Loading the earlier job…" />}
      {source.error ? <ErrorBox error={source.error} /> : null}
      <div className="row wrap">
        <label className="grow">
          Label (run id)
          <input value={runId} onChange={(e) => setRunId(e.target.value)} placeholder="optional: a name to find the job by" maxLength={200} />
        </label>
        <label>
          Time limit (seconds)
          <input
            type="number"
            min={1}
            {...(max > 0 ? { max } : {})}
            value={duration}
            onChange={(e) => setDuration(e.target.value)}
            placeholder={String(type.limits.defaultExecutionDuration || '')}
          />
        </label>
      </div>
      <div className="form-and-json">
        <SchemaForm fields={fields} values={values} errors={errors} files={files} onValues={setValues} onFiles={setFiles} />
        <div className="advanced">
          <button type="button" aria-expanded={advanced} aria-controls="json-editor" onClick={() => setAdvanced((a) => !a)}>
            {advanced ? 'Hide' : 'Show'} advanced JSON editor
          </button>
          {advanced && (
            <div id="json-editor">
              <label htmlFor="params-json" className="small muted">
                The parameters as JSON; edits here and in the form stay in sync{fields.some((f) => f.kind === 'file') ? ' (files are chosen in the form)' : ''}.
              </label>
              <JsonText
                id="params-json"
                className="mono json-editor"
                rows={Math.min(30, Math.max(8, fields.length + 2))}
                value={JSON.parse(valuesToJson(fields, values)) as unknown}
                onProblem={setJsonProblem}
                onValue={(v) => {
                  const r = valuesFromJson(fields, JSON.stringify(v ?? {}));
                  if ('error' in r) setJsonProblem(r.error);
                  else {
                    setJsonProblem(null);
                    setValues(r.values);
                  }
                }}
              />
              {jsonProblem && !jsonProblem.startsWith('Not valid JSON') && (
                <p className="field-error" role="alert">
                  {jsonProblem}
                </p>
              )}
            </div>
          )}
        </div>
      </div>
      <ErrorBox error={error} />
      <div className="actions sticky-actions">
        <button type="button" onClick={() => void submit(false)} disabled={busy !== null}>
          {busy === 'save' ? 'Saving…' : 'Save'}
        </button>
        <button type="submit" className="primary" disabled={busy !== null}>
          {busy === 'run' ? 'Starting…' : 'Save and run'}
        </button>
      </div>
    </form>
  );
}

export function CreateJobPage() {
  const { type: typeName } = useParams();
  const types = useLoad((s) => listJobTypes(s), []);
  if (types.error) return <ErrorBox error={types.error} onRetry={types.reload} />;
  if (!types.data) return <Spinner label="Loading job types…" />;
  if (!typeName) {
    return (
      <section>
        <h1>New job</h1>
        <TypeMenu types={types.data} />
      </section>
    );
  }
  const type = types.data.find((t) => t.name === typeName);
  if (!type) return <ErrorBox error={`There is no job type '${typeName}'.`} />;
  return (
    <section>
      <h1>New {type.title || type.name} job</h1>
      <p className="muted">
        <Link to="/new">All job types</Link> · {type.description}
      </p>
      {!type.usable ? (
        <ErrorBox error="This job type is for managers and administrators." />
      ) : !type.enabled ? (
        <ErrorBox error="An administrator has disabled this job type for now." />
      ) : (
        <JobForm key={type.name} type={type} />
      )}
    </section>
  );
}
