import { NavLink, useParams } from 'react-router';
import { isAdmin, useSession } from '../../app/session';
import { UsersTab } from './UsersTab';
import { AllJobsTab, AuditTab, JobTypesTab, NodesTab, StorageTab } from './OtherTabs';

const TABS: [string, string][] = [
  ['users', 'Users'],
  ['job-types', 'Job types'],
  ['jobs', 'All jobs'],
  ['nodes', 'Nodes'],
  ['storage', 'Storage'],
  ['audit', 'Audit log'],
];

/** Administration through the GraphQL API; managers see it read-only. */
export default function AdminPage() {
  const { tab = 'users' } = useParams();
  const { session } = useSession();
  const readOnly = !isAdmin(session);
  return (
    <section>
      <h1>Administration</h1>
      {readOnly && <p className="note">You are a manager: you can look, an administrator makes changes.</p>}
      <nav className="tabs" aria-label="Administration">
        {TABS.map(([k, label]) => (
          <NavLink key={k} to={`/admin/${k}`} className={() => (tab === k ? 'active' : '')} aria-current={tab === k ? 'page' : undefined}>
            {label}
          </NavLink>
        ))}
      </nav>
      {tab === 'users' ? (
        <UsersTab readOnly={readOnly} />
      ) : tab === 'job-types' ? (
        <JobTypesTab readOnly={readOnly} />
      ) : tab === 'jobs' ? (
        <AllJobsTab readOnly={readOnly} />
      ) : tab === 'nodes' ? (
        <NodesTab />
      ) : tab === 'storage' ? (
        <StorageTab />
      ) : (
        <AuditTab />
      )}
    </section>
  );
}
