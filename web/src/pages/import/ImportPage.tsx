import { Link, NavLink, useParams } from 'react-router';
import { listJobTypes, listJobs } from '../../api/jobs';
import type { JobType } from '../../api/types';
import { EmptyState, ErrorBox, PhaseBadge, Spinner, formatTime, useLoad } from '../../components/ui';
import { DataTable, Loaded } from '../../components/data';
import { SsapImport } from './SsapImport';
import { VotableImport } from './VotableImport';
import { UrlImport } from './UrlImport';

const TABS: [string, string][] = [
  ['ssap', 'SSAP query'],
  ['votable', 'VOTable'],
  ['url', 'HTTP / FTP'],
  ['history', 'Import history'],
];

/** Import history: the jobs of every data source, newest first. */
function History({ sources }: { sources: JobType[] }) {
  const jobs = useLoad(
    async (signal) => {
      const lists = await Promise.all(sources.map((t) => listJobs({ type: t.name, limit: 50 }, signal)));
      return lists.flatMap((l) => l.jobs).sort((a, b) => b.creationTime.localeCompare(a.creationTime));
    },
    [sources.map((s) => s.name).join(',')],
  );
  return (
    <Loaded state={jobs} empty="No imports yet." isEmpty={(d) => d.length === 0}>
      {(d) => (
        <DataTable columns={['Import', 'Source', 'Phase', 'Created']}>
          {d.map((j) => (
            <tr key={j.jobId}>
              <td>
                <Link to={`/jobs/${encodeURIComponent(j.jobType)}/${encodeURIComponent(j.jobId)}`}>{j.runId || j.jobId}</Link>
                {j.errorSummary && <div className="error-text small">{j.errorSummary.message}</div>}
              </td>
              <td>{sources.find((s) => s.name === j.jobType)?.title ?? j.jobType}</td>
              <td>
                <PhaseBadge phase={j.phase} />
              </td>
              <td>{formatTime(j.creationTime)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </Loaded>
  );
}

export default function ImportPage() {
  const { source = 'ssap' } = useParams();
  const types = useLoad((s) => listJobTypes(s), []);
  if (types.error) return <ErrorBox error={types.error} onRetry={types.reload} />;
  if (!types.data) return <Spinner />;
  const sources = types.data.filter((t) => t.kind === 'datasource');
  const by = (n: string) => sources.find((t) => t.name === n && t.usable && t.enabled);
  const others = sources.filter((t) => !['ssap', 'votable', 'http', 'ftp'].includes(t.name) && t.usable);
  return (
    <section>
      <h1>Import</h1>
      <p className="muted">Imports run as jobs: they fetch into your files and record where each file came from.</p>
      <nav className="tabs" aria-label="Import kinds">
        {TABS.map(([k, label]) => (
          <NavLink key={k} to={`/import/${k}`} className={() => (source === k ? 'active' : '')} aria-current={source === k ? 'page' : undefined}>
            {label}
          </NavLink>
        ))}
        {others.map((t) => (
          <Link key={t.name} to={`/new/${encodeURIComponent(t.name)}`}>
            {t.title}
          </Link>
        ))}
      </nav>
      {sources.length === 0 ? (
        <EmptyState title="No data sources are installed on this server.">
          <p>Upload files on the Files page instead; an administrator can add @vocloud/plugin-datasources.</p>
        </EmptyState>
      ) : source === 'ssap' ? (
        <SsapImport type={by('ssap')} />
      ) : source === 'votable' ? (
        <VotableImport type={by('votable')} />
      ) : source === 'url' ? (
        <UrlImport http={by('http')} ftp={by('ftp')} />
      ) : (
        <History sources={sources} />
      )}
    </section>
  );
}
