import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { deleteJob, getJob, jobErrorText, setPhase } from '../../api/jobs';
import { useJobEvents } from '../../api/events';
import { copyFile, zipUrl } from '../../api/files';
import { ACTIVE_PHASES, type JobResult } from '../../api/types';
import { useToast } from '../../app/toasts';
import { ConfirmDialog, ErrorBox, PhaseBadge, ProgressBar, Spinner, formatDuration, formatTime, useLoad } from '../../components/ui';
import { ResultsTree, isImage } from './ResultsTree';
import { Timeline } from './Timeline';

function ErrorDetail({ type, id }: { type: string; id: string }) {
  const detail = useLoad(() => jobErrorText(type, id), [type, id]);
  if (detail.loading) return <Spinner label="Loading the error report…" />;
  if (detail.error) return <ErrorBox error={detail.error} />;
  return <pre className="error-detail">{detail.data}</pre>;
}

export function JobPage() {
  const { type = '', id = '' } = useParams();
  const navigate = useNavigate();
  const toast = useToast();
  const job = useLoad((signal) => getJob(type, id, signal), [type, id]);
  const [showDetail, setShowDetail] = useState(false);
  const [image, setImage] = useState<JobResult | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const { reload, setData } = job;
  useJobEvents((e) => {
    if (e.id !== id) return;
    if (e.kind === 'job') {
      if (e.phase === ('DELETED' as never)) navigate('/jobs');
      else reload();
    } else setData((j) => (j ? { ...j, progress: e.progress } : j));
  }, reload);

  if (job.error && !job.data) return <ErrorBox error={job.error} onRetry={job.reload} />;
  if (!job.data) return <Spinner label="Loading the job…" />;
  const j = job.data;
  const active = ACTIVE_PHASES.has(j.phase);
  const index = j.results.find((r) => r.id === 'index.html') ?? j.results.find((r) => /(^|\/)index\.html$/.test(r.id));
  const images = j.results.filter(isImage);
  const run = async (phase: 'RUN' | 'ABORT') => {
    try {
      await setPhase(j.jobType, j.jobId, phase);
      job.reload();
    } catch (err) {
      toast.show((err as Error).message, 'error');
    }
  };
  const elapsed = j.startTime ? (j.endTime ? new Date(j.endTime).getTime() : Date.now()) - new Date(j.startTime).getTime() : null;

  return (
    <section>
      <div className="page-head">
        <h1>
          {j.runId || j.jobId} <PhaseBadge phase={j.phase} />
        </h1>
        <div className="actions">
          {(j.phase === 'PENDING' || j.phase === 'HELD') && (
            <button type="button" className="primary" onClick={() => void run('RUN')}>
              Run
            </button>
          )}
          {active && (
            <button type="button" onClick={() => void run('ABORT')}>
              Abort
            </button>
          )}
          <Link className="button" to={`/new/${encodeURIComponent(j.jobType)}?from=${encodeURIComponent(j.jobId)}`}>
            Run again
          </Link>
          <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
        </div>
      </div>
      <p className="muted">
        <Link to="/jobs">All jobs</Link> · {j.jobType} · job {j.jobId} · <a href={j.href}>UWS</a>
      </p>

      {j.phase === 'EXECUTING' || (j.progress && active) ? (
        <div className="panel">
          <ProgressBar fraction={j.progress?.fraction ?? null} label="Job progress" />
          <p className="small" aria-live="polite">
            {j.progress?.fraction != null && `${Math.round(j.progress.fraction * 100)} %`}{' '}
            {j.progress?.message ?? (j.phase === 'QUEUED' ? 'waiting for a free slot' : '')}
          </p>
        </div>
      ) : null}

      {j.errorSummary && (
        <div className="error-box" role="alert">
          <div>
            <strong>{j.errorSummary.type === 'transient' ? 'The job failed (transient error; running it again may help):' : 'The job failed:'}</strong>{' '}
            {j.errorSummary.message}
          </div>
          {j.errorSummary.hasDetail && (
            <button type="button" onClick={() => setShowDetail((s) => !s)} aria-expanded={showDetail}>
              {showDetail ? 'Hide details' : 'Show details'}
            </button>
          )}
        </div>
      )}
      {showDetail && <ErrorDetail type={j.jobType} id={j.jobId} />}

      <div className="columns">
        <section aria-labelledby="attrs">
          <h2 id="attrs">Attributes</h2>
          <dl className="facts">
            <dt>Created</dt>
            <dd>{formatTime(j.creationTime)}</dd>
            <dt>Started</dt>
            <dd>{formatTime(j.startTime) || '—'}</dd>
            <dt>Ended</dt>
            <dd>{formatTime(j.endTime) || '—'}</dd>
            {elapsed !== null && (
              <>
                <dt>Ran for</dt>
                <dd>{formatDuration(elapsed)}</dd>
              </>
            )}
            <dt>Time limit</dt>
            <dd>{j.executionDuration > 0 ? formatDuration(j.executionDuration * 1000) : 'none'}</dd>
            <dt>Destruction</dt>
            <dd>{formatTime(j.destruction) || 'never'}</dd>
            <dt>Owner</dt>
            <dd>{j.ownerId ?? 'anonymous'}</dd>
          </dl>
          <h2>Parameters</h2>
          {j.parameters.length === 0 ? (
            <p className="muted">No parameters.</p>
          ) : (
            <div className="table-wrap">
              <table className="params">
                <tbody>
                  {j.parameters.map((p) => (
                    <tr key={p.id}>
                      <th scope="row">{p.id}</th>
                      <td>{p.byReference && /^https?:/.test(p.value) ? <a href={p.value}>uploaded file</a> : <code>{p.value}</code>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section aria-labelledby="timeline">
          <h2 id="timeline">Timeline</h2>
          <Timeline job={j} />
        </section>
      </div>

      <section aria-labelledby="results">
        <h2 id="results">Results</h2>
        {j.results.length === 0 ? (
          <p className="muted">{active || j.phase === 'PENDING' ? 'Results appear here when the job has finished.' : 'This job has no results.'}</p>
        ) : (
          <>
            <div className="toolbar">
              <a className="button" href={zipUrl([`JOBS/${j.jobId}/results`], `${j.runId || j.jobId}-results`)} download>
                Download all (zip)
              </a>
              <button
                type="button"
                onClick={async () => {
                  const to = `~/results/${(j.runId || j.jobId).replace(/[/\\]/g, '_')}`;
                  try {
                    await copyFile(`JOBS/${j.jobId}/results`, to);
                    toast.show(`Copied the results to ${to}`, 'success');
                  } catch (err) {
                    toast.show((err as Error).message, 'error');
                  }
                }}
              >
                Copy to my files
              </button>
            </div>
            <ResultsTree results={j.results} onImage={setImage} plotPath={(r) => `JOBS/${j.jobId}/results/${r.id}`} />
            {images.length > 0 && (
              <div className="gallery">
                {(image ? [image] : images.slice(0, 6)).map((r) => (
                  <figure key={r.id}>
                    <img src={r.href} alt={`Result ${r.id}`} loading="lazy" />
                    <figcaption>{r.id}</figcaption>
                  </figure>
                ))}
              </div>
            )}
            {index && (
              <section className="viewer" aria-labelledby="viewer-head">
                <div className="page-head">
                  <h3 id="viewer-head">Result viewer</h3>
                  <a className="button" href={index.href} target="_blank" rel="noopener">
                    Open full screen
                  </a>
                </div>
                {/* the result is served with a CSP sandbox (no access to our origin); the iframe sandbox says the same */}
                <iframe title="Result viewer" src={index.href} sandbox="allow-scripts allow-popups allow-downloads allow-modals" className="result-frame" />
              </section>
            )}
          </>
        )}
      </section>
      <ConfirmDialog
        open={confirmDelete}
        title="Delete the job?"
        confirmLabel="Delete"
        danger
        onClose={() => setConfirmDelete(false)}
        onConfirm={async () => {
          await deleteJob(j.jobType, j.jobId);
          navigate('/jobs');
        }}
      >
        The job, its parameters and its results are removed{active ? '; it is aborted first' : ''}.
      </ConfirmDialog>
    </section>
  );
}
