import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { deleteJob, listJobs, listJobTypes, setPhase } from '../../api/jobs';
import { useJobEvents, useStreamStatus } from '../../api/events';
import { ACTIVE_PHASES, PHASES, type JobSummary, type Phase } from '../../api/types';
import { useToast } from '../../app/toasts';
import { ConfirmDialog, EmptyState, ErrorBox, PhaseBadge, ProgressBar, Spinner, formatTime, useLoad } from '../../components/ui';
import { DataTable, Pager } from '../../components/data';

const PAGE = 25;

/** The filters live in the URL, so a filtered list can be bookmarked and the back button works. */
function useFilters() {
  const [params, setParams] = useSearchParams();
  const filters = {
    type: params.get('type') ?? '',
    phase: params.getAll('phase') as Phase[],
    after: params.get('after') ?? '',
    before: params.get('before') ?? '',
    q: params.get('q') ?? '',
    offset: Number(params.get('offset') ?? 0) || 0,
  };
  const update = (patch: Partial<typeof filters>) => {
    const next = { ...filters, offset: 0, ...patch };
    const p = new URLSearchParams();
    if (next.type) p.set('type', next.type);
    for (const ph of next.phase) p.append('phase', ph);
    if (next.after) p.set('after', next.after);
    if (next.before) p.set('before', next.before);
    if (next.q) p.set('q', next.q);
    if (next.offset) p.set('offset', String(next.offset));
    setParams(p, { replace: true });
  };
  return [filters, update] as const;
}

/** A date input (local day) to the ISO instant the API takes. */
const dayStart = (d: string) => (d ? new Date(`${d}T00:00:00`).toISOString() : undefined);
const dayEnd = (d: string) => (d ? new Date(`${d}T23:59:59.999`).toISOString() : undefined);

export function JobsPage() {
  const [f, update] = useFilters();
  const navigate = useNavigate();
  const toast = useToast();
  const types = useLoad((s) => listJobTypes(s), []);
  const [text, setText] = useState(f.q);
  const list = useLoad(
    (signal) =>
      listJobs(
        { type: f.type || undefined, phase: f.phase, after: dayStart(f.after), before: dayEnd(f.before), q: f.q || undefined, offset: f.offset, limit: PAGE },
        signal,
      ),
    [f.type, f.phase.join(','), f.after, f.before, f.q, f.offset],
  );
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirmDelete, setConfirmDelete] = useState<JobSummary[] | null>(null);
  const live = useStreamStatus();

  // Search as one types, but not on every key stroke.
  useEffect(() => {
    if (text === f.q) return;
    const t = setTimeout(() => update({ q: text }), 350);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);

  // Live updates: a phase change reloads the page of the list (debounced); progress is patched in place.
  const reloadSoon = useRef<ReturnType<typeof setTimeout> | null>(null);
  const { reload, setData } = list;
  const scheduleReload = useCallback(() => {
    if (reloadSoon.current) return;
    reloadSoon.current = setTimeout(() => {
      reloadSoon.current = null;
      reload();
    }, 250);
  }, [reload]);
  useEffect(
    () => () => {
      if (reloadSoon.current) clearTimeout(reloadSoon.current);
    },
    [],
  );
  useJobEvents((e) => {
    if (e.kind === 'job') {
      setData((d) => (d ? { ...d, jobs: d.jobs.map((j) => (j.jobId === e.id ? { ...j, phase: e.phase } : j)) } : d));
      scheduleReload();
    } else {
      setData((d) => (d ? { ...d, jobs: d.jobs.map((j) => (j.jobId === e.id ? { ...j, progress: e.progress } : j)) } : d));
    }
  }, scheduleReload);

  const jobs = list.data?.jobs ?? [];
  const chosen = jobs.filter((j) => selected.has(j.jobId));
  useEffect(() => {
    // forget selections that left the page
    setSelected((s) => new Set([...s].filter((id) => jobs.some((j) => j.jobId === id))));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [list.data]);

  const act = async (what: string, targets: JobSummary[], fn: (j: JobSummary) => Promise<void>) => {
    const results = await Promise.allSettled(targets.map(fn));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${targets[i]!.jobId}: ${(r.reason as Error).message}`] : []));
    if (failed.length) toast.show(`${what} failed for ${failed.length} job(s): ${failed.join('; ')}`, 'error');
    else toast.show(`${what}: ${targets.length} job(s).`, 'success');
    setSelected(new Set());
    list.reload();
  };
  const runnable = (j: JobSummary) => j.phase === 'PENDING' || j.phase === 'HELD';
  const abortable = (j: JobSummary) => ACTIVE_PHASES.has(j.phase) || j.phase === 'PENDING';
  const counts = list.data?.counts ?? {};
  const total = list.data?.total ?? 0;
  const typeTitle = useMemo(() => new Map((types.data ?? []).map((t) => [t.name, t.title])), [types.data]);

  return (
    <section>
      <div className="page-head">
        <h1>Jobs</h1>
        <Link to="/new" className="button primary">
          New job
        </Link>
      </div>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter jobs">
        <label>
          Type
          <select aria-label="Type" value={f.type} onChange={(e) => update({ type: e.target.value })}>
            <option value="">all types</option>
            {(types.data ?? []).map((t) => (
              <option key={t.name} value={t.name}>
                {t.title || t.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" value={f.after} onChange={(e) => update({ after: e.target.value })} />
        </label>
        <label>
          To
          <input type="date" value={f.before} onChange={(e) => update({ before: e.target.value })} />
        </label>
        <label className="grow">
          Search
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="job id, run id or parameter" />
        </label>
        <fieldset className="phase-filter">
          <legend>Phase</legend>
          {PHASES.filter((p) => p !== 'UNKNOWN').map((p) => (
            <label key={p} className="chip">
              <input
                type="checkbox"
                checked={f.phase.includes(p)}
                onChange={(e) => update({ phase: e.target.checked ? [...f.phase, p] : f.phase.filter((x) => x !== p) })}
              />
              {p.toLowerCase()} <span className="count">{counts[p] ?? 0}</span>
            </label>
          ))}
        </fieldset>
      </form>
      <div className="toolbar" role="toolbar" aria-label="Selected jobs">
        <span className="muted">{chosen.length ? `${chosen.length} selected` : 'Select jobs for bulk actions'}</span>
        <button
          type="button"
          disabled={!chosen.some(runnable)}
          onClick={() => void act('Run', chosen.filter(runnable), (j) => setPhase(j.jobType, j.jobId, 'RUN'))}
        >
          Run
        </button>
        <button
          type="button"
          disabled={!chosen.some(abortable)}
          onClick={() => void act('Abort', chosen.filter(abortable), (j) => setPhase(j.jobType, j.jobId, 'ABORT'))}
        >
          Abort
        </button>
        <button type="button" className="danger" disabled={chosen.length === 0} onClick={() => setConfirmDelete(chosen)}>
          Delete
        </button>
        <span className={`live live-${live}`} title="The list updates by itself when jobs change">
          {live === 'live' ? 'live' : live === 'connecting' ? 'connecting…' : 'not live'}
        </span>
      </div>
      {list.error ? (
        <ErrorBox error={list.error} onRetry={list.reload} />
      ) : list.loading && !list.data ? (
        <Spinner label="Loading jobs…" />
      ) : jobs.length === 0 ? (
        <EmptyState title={f.type || f.phase.length || f.q || f.after || f.before ? 'No jobs match these filters.' : 'You have no jobs yet.'}>
          <p>
            <Link to="/new">Create a job</Link> or <Link to="/import">import data</Link> to begin.
          </p>
        </EmptyState>
      ) : (
        <DataTable
          className="jobs-table"
          columns={[
            <input
              key="all"
              type="checkbox"
              aria-label="Select all jobs on this page"
              checked={chosen.length === jobs.length}
              onChange={(e) => setSelected(e.target.checked ? new Set(jobs.map((j) => j.jobId)) : new Set())}
            />,
            'Job',
            'Type',
            'Phase',
            'Created',
            'Progress',
            '',
          ]}
        >
          {jobs.map((j) => (
            <tr key={j.jobId} data-job={j.jobId}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select job ${j.runId ?? j.jobId}`}
                  checked={selected.has(j.jobId)}
                  onChange={(e) =>
                    setSelected((s) => {
                      const n = new Set(s);
                      if (e.target.checked) n.add(j.jobId);
                      else n.delete(j.jobId);
                      return n;
                    })
                  }
                />
              </td>
              <td>
                <Link to={`/jobs/${encodeURIComponent(j.jobType)}/${encodeURIComponent(j.jobId)}`}>{j.runId || j.jobId}</Link>
                {j.runId && <div className="muted small">{j.jobId}</div>}
                {j.errorSummary && <div className="error-text small">{j.errorSummary.message}</div>}
              </td>
              <td>{typeTitle.get(j.jobType) ?? j.jobType}</td>
              <td>
                <PhaseBadge phase={j.phase} />
              </td>
              <td>{formatTime(j.creationTime)}</td>
              <td className="progress-cell">
                {j.phase === 'EXECUTING' && <ProgressBar fraction={j.progress?.fraction ?? null} label={`Progress of ${j.runId ?? j.jobId}`} />}
                {j.progress?.message && j.phase === 'EXECUTING' && <div className="small muted">{j.progress.message}</div>}
              </td>
              <td className="row-actions">
                {runnable(j) && (
                  <button type="button" onClick={() => void act('Run', [j], (x) => setPhase(x.jobType, x.jobId, 'RUN'))}>
                    Run
                  </button>
                )}
                {abortable(j) && j.phase !== 'PENDING' && (
                  <button type="button" onClick={() => void act('Abort', [j], (x) => setPhase(x.jobType, x.jobId, 'ABORT'))}>
                    Abort
                  </button>
                )}
                <button type="button" onClick={() => navigate(`/new/${encodeURIComponent(j.jobType)}?from=${encodeURIComponent(j.jobId)}`)}>
                  Run again
                </button>
                <button type="button" className="danger" onClick={() => setConfirmDelete([j])} aria-label={`Delete job ${j.runId ?? j.jobId}`}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pager offset={f.offset} pageSize={PAGE} total={total} label="Pages of jobs" onOffset={(offset) => update({ offset })} />
      <ConfirmDialog
        open={confirmDelete !== null}
        title={confirmDelete && confirmDelete.length > 1 ? `Delete ${confirmDelete.length} jobs?` : 'Delete the job?'}
        confirmLabel="Delete"
        danger
        onClose={() => setConfirmDelete(null)}
        onConfirm={() => act('Delete', confirmDelete ?? [], (j) => deleteJob(j.jobType, j.jobId))}
      >
        The job{confirmDelete && confirmDelete.length > 1 ? 's' : ''}, {confirmDelete && confirmDelete.length > 1 ? 'their' : 'its'} parameters and results are
        removed; running jobs are aborted first.
      </ConfirmDialog>
    </section>
  );
}
