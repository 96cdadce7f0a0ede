import { useState } from 'react';
import { Link } from 'react-router';
import { gql } from '../../api/graphql';
import { formatBytes } from '../../api/files';
import { PHASES, type Phase } from '../../api/types';
import { useToast } from '../../app/toasts';
import { Dialog, ErrorBox, PhaseBadge, ProgressBar, formatDuration, formatTime, useLoad } from '../../components/ui';
import { DataTable, Loaded, Pager } from '../../components/data';

interface Limits {
  concurrency: number;
  defaultExecutionDuration: number;
  maxExecutionDuration: number;
}
interface AdminJobType {
  name: string;
  kind: string;
  title: string;
  version: string;
  source: string;
  restricted: boolean;
  enabled: boolean;
  limits: Limits;
  pluginLimits: Limits;
  jobCounts: { phase: Phase; count: number }[];
}

function LimitsDialog({ type, onClose, onSaved }: { type: AdminJobType; onClose: () => void; onSaved: () => void }) {
  const [f, setF] = useState({
    concurrency: String(type.limits.concurrency),
    def: String(type.limits.defaultExecutionDuration),
    max: String(type.limits.maxExecutionDuration),
  });
  const [error, setError] = useState<unknown>(null);
  const num = (s: string) => (s.trim() === '' ? null : Number(s));
  return (
    <Dialog title={`Limits of ${type.name}`} open onClose={onClose}>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          try {
            await gql(`mutation($n: String!, $l: JobTypeLimitsInput!) { setJobTypeLimits(name: $n, limits: $l) { name } }`, {
              n: type.name,
              l: { concurrency: num(f.concurrency), defaultExecutionDuration: num(f.def), maxExecutionDuration: num(f.max) },
            });
            onSaved();
            onClose();
          } catch (err) {
            setError(err);
          }
        }}
      >
        <label>
          Jobs at the same time per node
          <input
            type="number"
            min={0}
            value={f.concurrency}
            onChange={(e) => setF((x) => ({ ...x, concurrency: e.target.value }))}
            placeholder={`plugin: ${type.pluginLimits.concurrency}`}
          />
        </label>
        <label>
          Default time limit (s)
          <input
            type="number"
            min={0}
            value={f.def}
            onChange={(e) => setF((x) => ({ ...x, def: e.target.value }))}
            placeholder={`plugin: ${type.pluginLimits.defaultExecutionDuration}`}
          />
        </label>
        <label>
          Longest time limit (s, 0 = none)
          <input
            type="number"
            min={0}
            value={f.max}
            onChange={(e) => setF((x) => ({ ...x, max: e.target.value }))}
            placeholder={`plugin: ${type.pluginLimits.maxExecutionDuration}`}
          />
        </label>
        <p className="small muted">Empty = the plugin’s own value.</p>
        <ErrorBox error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary">
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function JobTypesTab({ readOnly }: { readOnly: boolean }) {
  const toast = useToast();
  const types = useLoad(
    () =>
      gql<{ jobTypes: AdminJobType[] }>(
        `{ jobTypes { name kind title version source restricted enabled limits { concurrency defaultExecutionDuration maxExecutionDuration } pluginLimits { concurrency defaultExecutionDuration maxExecutionDuration } jobCounts { phase count } } }`,
      ),
    [],
  );
  const [editing, setEditing] = useState<AdminJobType | null>(null);
  return (
    <>
      <Loaded state={types}>
        {(d) => (
          <DataTable columns={['Job type', 'Enabled', 'Limits', 'Jobs', '']}>
            {d.jobTypes.map((t) => (
              <tr key={t.name}>
                <td>
                  <strong>{t.title}</strong>{' '}
                  <span className="muted small">
                    {t.name} · {t.kind} · v{t.version}
                  </span>
                  <div className="small muted">
                    {t.source}
                    {t.restricted && ' · managers only'}
                  </div>
                </td>
                <td>
                  <label className="check-inline">
                    <input
                      type="checkbox"
                      checked={t.enabled}
                      disabled={readOnly}
                      onChange={async (e) => {
                        try {
                          await gql(`mutation($n: String!, $e: Boolean!) { setJobTypeEnabled(name: $n, enabled: $e) { name } }`, {
                            n: t.name,
                            e: e.target.checked,
                          });
                          types.reload();
                        } catch (err) {
                          toast.show((err as Error).message, 'error');
                        }
                      }}
                    />
                    <span className="sr-only">{t.name} enabled</span>
                  </label>
                </td>
                <td className="small">
                  {t.limits.concurrency} at once · default {formatDuration(t.limits.defaultExecutionDuration * 1000)} · max{' '}
                  {t.limits.maxExecutionDuration ? formatDuration(t.limits.maxExecutionDuration * 1000) : 'none'}
                </td>
                <td className="small">{t.jobCounts.map((c) => `${c.phase.toLowerCase()} ${c.count}`).join(' · ') || 'none'}</td>
                <td>
                  {!readOnly && (
                    <button type="button" onClick={() => setEditing(t)}>
                      Limits…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Loaded>
      {editing && <LimitsDialog type={editing} onClose={() => setEditing(null)} onSaved={types.reload} />}
    </>
  );
}

interface NodeRow {
  id: string;
  name: string;
  hostname: string;
  roles: string[];
  maxConcurrentJobs: number;
  runningJobs: number;
  load: number | null;
  startedAt: string;
  heartbeatAt: string;
  stoppedAt: string | null;
  alive: boolean;
}

export function NodesTab() {
  const [aliveOnly, setAliveOnly] = useState(true);
  const nodes = useLoad(
    () =>
      gql<{ nodes: NodeRow[] }>(
        `query($a: Boolean) { nodes(aliveOnly: $a) { id name hostname roles maxConcurrentJobs runningJobs load startedAt heartbeatAt stoppedAt alive } }`,
        { a: aliveOnly },
      ),
    [aliveOnly],
  );
  return (
    <section aria-label="Nodes">
      <div className="toolbar">
        <label className="check-inline">
          <input type="checkbox" checked={aliveOnly} onChange={(e) => setAliveOnly(e.target.checked)} /> only running nodes
        </label>
        <button type="button" onClick={nodes.reload}>
          Refresh
        </button>
      </div>
      <Loaded state={nodes} empty="No nodes." isEmpty={(d) => d.nodes.length === 0}>
        {(d) => (
          <DataTable columns={['Node', 'Roles', 'Load', 'Started', 'Last heartbeat']}>
            {d.nodes.map((n) => (
              <tr key={n.id} className={n.alive ? '' : 'disabled'}>
                <td>
                  <strong>{n.name}</strong> <span className="muted small">{n.hostname}</span> {!n.alive && <span className="badge">down</span>}
                </td>
                <td>{n.roles.join(', ')}</td>
                <td>
                  {n.load === null ? (
                    '—'
                  ) : (
                    <>
                      {n.runningJobs} / {n.maxConcurrentJobs}
                      <ProgressBar fraction={n.load} label={`Load of ${n.name}`} />
                    </>
                  )}
                </td>
                <td>{formatTime(n.startedAt)}</td>
                <td>{formatTime(n.heartbeatAt)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </Loaded>
    </section>
  );
}

interface AdminJob {
  id: string;
  jobType: string;
  runId: string | null;
  ownerId: string | null;
  phase: Phase;
  creationTime: string;
  nodeId: string | null;
  error: { message: string } | null;
}

export function AllJobsTab({ readOnly }: { readOnly: boolean }) {
  const toast = useToast();
  const [owner, setOwner] = useState('');
  const [phase, setPhase] = useState<Phase | ''>('');
  const [offset, setOffset] = useState(0);
  const jobs = useLoad(
    () =>
      gql<{ jobs: { totalCount: number; nodes: AdminJob[]; countsByPhase: { phase: Phase; count: number }[] } }>(
        `query($f: JobFilter, $o: Int) { jobs(filter: $f, first: 50, offset: $o) { totalCount countsByPhase { phase count } nodes { id jobType runId ownerId phase creationTime nodeId error { message } } } }`,
        { f: { ...(owner ? { owner } : {}), ...(phase ? { phases: [phase] } : {}) }, o: offset },
      ),
    [owner, phase, offset],
  );
  const act = async (query: string, id: string) => {
    try {
      await gql(query, { id });
      jobs.reload();
    } catch (err) {
      toast.show((err as Error).message, 'error');
    }
  };
  return (
    <section aria-label="All jobs">
      <div className="toolbar">
        <label>
          Owner{' '}
          <input
            value={owner}
            onChange={(e) => {
              setOwner(e.target.value);
              setOffset(0);
            }}
            placeholder="user name or anonymous"
          />
        </label>
        <label>
          Phase{' '}
          <select
            aria-label="Phase"
            value={phase}
            onChange={(e) => {
              setPhase(e.target.value as Phase | '');
              setOffset(0);
            }}
          >
            <option value="">any</option>
            {PHASES.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        {jobs.data && <span className="small muted">{jobs.data.jobs.countsByPhase.map((c) => `${c.phase.toLowerCase()} ${c.count}`).join(' · ')}</span>}
      </div>
      <Loaded state={jobs} empty="No jobs match." isEmpty={(d) => d.jobs.nodes.length === 0}>
        {(d) => (
          <>
            <DataTable columns={['Job', 'Owner', 'Type', 'Phase', 'Created', '']}>
              {d.jobs.nodes.map((j) => (
                <tr key={j.id}>
                  <td>
                    <Link to={`/jobs/${encodeURIComponent(j.jobType)}/${encodeURIComponent(j.id)}`}>{j.runId || j.id}</Link>
                    {j.error && <div className="error-text small">{j.error.message}</div>}
                  </td>
                  <td>{j.ownerId ?? 'anonymous'}</td>
                  <td>{j.jobType}</td>
                  <td>
                    <PhaseBadge phase={j.phase} />
                  </td>
                  <td>{formatTime(j.creationTime)}</td>
                  <td className="row-actions">
                    {!readOnly && ['QUEUED', 'EXECUTING', 'HELD', 'SUSPENDED', 'PENDING'].includes(j.phase) && (
                      <button type="button" onClick={() => void act(`mutation($id: ID!) { abortJob(id: $id) { id } }`, j.id)}>
                        Abort
                      </button>
                    )}
                    {!readOnly && (
                      <button type="button" className="danger" onClick={() => void act(`mutation($id: ID!) { deleteJob(id: $id) }`, j.id)}>
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
            <Pager offset={offset} pageSize={50} total={d.jobs.totalCount} label="Pages of jobs" onOffset={setOffset} />
          </>
        )}
      </Loaded>
    </section>
  );
}

interface AuditRow {
  id: string;
  at: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
}

export function AuditTab() {
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const log = useLoad(
    () =>
      gql<{ auditLog: { totalCount: number; nodes: AuditRow[] } }>(
        `query($f: AuditFilter) { auditLog(filter: $f, first: 100) { totalCount nodes { id at actor action targetType targetId before after } } }`,
        { f: { ...(actor ? { actor } : {}), ...(action ? { action } : {}) } },
      ),
    [actor, action],
  );
  return (
    <section aria-label="Audit log">
      <div className="toolbar">
        <label>
          Who <input value={actor} onChange={(e) => setActor(e.target.value)} placeholder="user name, system, cli" />
        </label>
        <label>
          Action <input value={action} onChange={(e) => setAction(e.target.value)} placeholder="user.update" />
        </label>
      </div>
      <Loaded state={log} empty="No entries." isEmpty={(d) => d.auditLog.nodes.length === 0}>
        {(d) => (
          <DataTable columns={['When', 'Who', 'What', 'Target', 'Change']}>
            {d.auditLog.nodes.map((a) => (
              <tr key={a.id}>
                <td>{formatTime(a.at)}</td>
                <td>{a.actor}</td>
                <td>{a.action}</td>
                <td>
                  {a.targetType} {a.targetId}
                </td>
                <td>
                  <details>
                    <summary className="small">before / after</summary>
                    <pre className="small">{JSON.stringify({ before: a.before, after: a.after }, null, 2)}</pre>
                  </details>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Loaded>
    </section>
  );
}

export function StorageTab() {
  const usage = useLoad(
    () =>
      gql<{
        storageUsage: {
          totalCount: number;
          nodes: { owner: string | null; bytes: number; quota: number; fraction: number | null }[];
          anonymous: { bytes: number; quota: number };
        };
      }>(`{ storageUsage(first: 100) { totalCount nodes { owner bytes quota fraction } anonymous { bytes quota } } }`),
    [],
  );
  return <Loaded state={usage}>{(d) => <StorageTable u={d.storageUsage} />}</Loaded>;
}

function StorageTable({
  u,
}: {
  u: { nodes: { owner: string | null; bytes: number; quota: number; fraction: number | null }[]; anonymous: { bytes: number; quota: number } };
}) {
  return (
    <DataTable columns={['Owner', 'Used', 'Quota']}>
      {[
        ...u.nodes,
        { owner: null, bytes: u.anonymous.bytes, quota: u.anonymous.quota, fraction: u.anonymous.quota ? u.anonymous.bytes / u.anonymous.quota : null },
      ].map((n) => (
        <tr key={n.owner ?? '(anonymous)'}>
          <td>{n.owner ?? 'anonymous (shared)'}</td>
          <td>
            {formatBytes(n.bytes)}
            <ProgressBar fraction={n.fraction} label={`Storage of ${n.owner ?? 'anonymous'}`} />
          </td>
          <td>{formatBytes(n.quota)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
