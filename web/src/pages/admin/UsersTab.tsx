import { useState, type FormEvent } from 'react';
import { gql } from '../../api/graphql';
import { formatBytes } from '../../api/files';
import { ConfirmDialog, CopyButton, Dialog, ErrorBox, ProgressBar, formatTime, useLoad } from '../../components/ui';
import { DataTable, Loaded, Pager } from '../../components/data';
import { useToast } from '../../app/toasts';

interface AdminUser {
  username: string;
  email: string;
  displayName: string;
  organisation: string;
  role: 'user' | 'manager' | 'admin';
  enabled: boolean;
  storageQuota: number | null;
  maxRunningJobs: number | null;
  maxQueuedJobs: number | null;
  limits: { storageQuota: number; maxRunningJobs: number; maxQueuedJobs: number };
  storageUsed: number;
  lastLoginAt: string | null;
  createdAt: string;
}

const USER_FIELDS =
  'username email displayName organisation role enabled storageQuota maxRunningJobs maxQueuedJobs limits { storageQuota maxRunningJobs maxQueuedJobs } storageUsed lastLoginAt createdAt';
const PAGE = 50;
const UNITS: [string, number][] = [
  ['MB', 1024 ** 2],
  ['GB', 1024 ** 3],
  ['TB', 1024 ** 4],
];

/** A byte count as a number and a unit for an input, and back. */
function splitBytes(n: number | null): { value: string; unit: string } {
  if (n === null) return { value: '', unit: 'GB' };
  const u = [...UNITS].reverse().find(([, f]) => n >= f && n % (f / 1024) === 0) ?? UNITS[0]!;
  return { value: String(+(n / u[1]).toFixed(3)), unit: u[0] };
}
function joinBytes(value: string, unit: string): number | null {
  if (value.trim() === '') return null;
  return Math.round(Number(value) * (UNITS.find(([u]) => u === unit)?.[1] ?? 1));
}

function EditUser({ user, readOnly, onClose, onSaved }: { user: AdminUser; readOnly: boolean; onClose: () => void; onSaved: () => void }) {
  const q = splitBytes(user.storageQuota);
  const [f, setF] = useState({
    email: user.email,
    displayName: user.displayName,
    organisation: user.organisation,
    role: user.role,
    enabled: user.enabled,
    quota: q.value,
    quotaUnit: q.unit,
    maxRunningJobs: user.maxRunningJobs === null ? '' : String(user.maxRunningJobs),
    maxQueuedJobs: user.maxQueuedJobs === null ? '' : String(user.maxQueuedJobs),
  });
  const [error, setError] = useState<unknown>(null);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const input = {
        email: f.email,
        displayName: f.displayName,
        organisation: f.organisation,
        role: f.role,
        enabled: f.enabled,
        storageQuota: joinBytes(f.quota, f.quotaUnit),
        maxRunningJobs: f.maxRunningJobs.trim() === '' ? null : Number(f.maxRunningJobs),
        maxQueuedJobs: f.maxQueuedJobs.trim() === '' ? null : Number(f.maxQueuedJobs),
      };
      await gql(`mutation($u: String!, $i: UpdateUserInput!) { updateUser(username: $u, input: $i) { username } }`, { u: user.username, i: input });
      onSaved();
      onClose();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Dialog title={`Edit ${user.username}`} open onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <fieldset disabled={readOnly}>
          <label>
            E-mail
            <input type="email" value={f.email} onChange={set('email')} required />
          </label>
          <label>
            Display name
            <input value={f.displayName} onChange={set('displayName')} />
          </label>
          <label>
            Organisation
            <input value={f.organisation} onChange={set('organisation')} />
          </label>
          <div className="row wrap">
            <label>
              Role
              <select aria-label="Role" value={f.role} onChange={set('role')}>
                <option value="user">user</option>
                <option value="manager">manager</option>
                <option value="admin">admin</option>
              </select>
            </label>
            <label className="check-label">
              <input type="checkbox" checked={f.enabled} onChange={(e) => setF((x) => ({ ...x, enabled: e.target.checked }))} /> enabled
            </label>
          </div>
          <div className="row wrap">
            <label>
              Storage quota
              <input
                type="number"
                min={0}
                step="any"
                value={f.quota}
                onChange={set('quota')}
                placeholder={`default (${formatBytes(user.limits.storageQuota)})`}
                name="storageQuota"
              />
            </label>
            <label>
              Unit
              <select aria-label="Quota unit" value={f.quotaUnit} onChange={set('quotaUnit')} name="quotaUnit">
                {UNITS.map(([u]) => (
                  <option key={u}>{u}</option>
                ))}
              </select>
            </label>
          </div>
          <div className="row wrap">
            <label>
              Running jobs at most
              <input type="number" min={0} value={f.maxRunningJobs} onChange={set('maxRunningJobs')} placeholder={`default (${user.limits.maxRunningJobs})`} />
            </label>
            <label>
              Queued jobs at most
              <input type="number" min={0} value={f.maxQueuedJobs} onChange={set('maxQueuedJobs')} placeholder={`default (${user.limits.maxQueuedJobs})`} />
            </label>
          </div>
          <p className="small muted">Leave a limit empty for the configured default.</p>
        </fieldset>
        <ErrorBox error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          {!readOnly && (
            <button type="submit" className="primary">
              Save
            </button>
          )}
        </div>
      </form>
    </Dialog>
  );
}

function CreateUser({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const [f, setF] = useState({ username: '', email: '', password: '', role: 'user' });
  const [error, setError] = useState<unknown>(null);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  return (
    <Dialog title="New user" open onClose={onClose}>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          try {
            await gql(`mutation($i: CreateUserInput!) { createUser(input: $i) { username } }`, {
              i: { username: f.username.trim(), email: f.email.trim(), role: f.role, ...(f.password ? { password: f.password } : {}) },
            });
            onSaved();
            onClose();
          } catch (err) {
            setError(err);
          }
        }}
      >
        <label>
          User name
          <input required value={f.username} onChange={set('username')} />
        </label>
        <label>
          E-mail
          <input required type="email" value={f.email} onChange={set('email')} />
        </label>
        <label>
          Password <span className="optional">(optional: without one, send a reset link)</span>
          <input type="password" value={f.password} onChange={set('password')} autoComplete="new-password" />
        </label>
        <label>
          Role
          <select aria-label="Role" value={f.role} onChange={set('role')}>
            <option value="user">user</option>
            <option value="manager">manager</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <ErrorBox error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary">
            Create
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function UsersTab({ readOnly }: { readOnly: boolean }) {
  const toast = useToast();
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const users = useLoad(
    () =>
      gql<{ users: { totalCount: number; nodes: AdminUser[] } }>(
        `query($s: String, $f: Int, $o: Int) { users(filter: { search: $s }, first: $f, offset: $o) { totalCount nodes { ${USER_FIELDS} } } }`,
        { s: search || null, f: PAGE, o: offset },
      ),
    [search, offset],
  );
  const [editing, setEditing] = useState<AdminUser | null>(null);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<AdminUser | null>(null);
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);
  const run = async (what: string, query: string, vars: Record<string, unknown>) => {
    try {
      await gql(query, vars);
      toast.show(what, 'success');
      users.reload();
    } catch (err) {
      toast.show((err as Error).message, 'error');
    }
  };
  return (
    <section aria-label="Users">
      <div className="toolbar">
        <input
          type="search"
          placeholder="search users"
          aria-label="Search users"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            setOffset(0);
          }}
        />
        {!readOnly && (
          <>
            <button type="button" className="primary" onClick={() => setCreating(true)}>
              New user
            </button>
            <button
              type="button"
              onClick={async () => {
                try {
                  const r = await gql<{ createInvite: { code: string; expiresAt: string } }>(`mutation { createInvite { code expiresAt } }`);
                  setSecret({ title: `Invite code (valid until ${formatTime(r.createInvite.expiresAt)})`, value: r.createInvite.code });
                } catch (err) {
                  toast.show((err as Error).message, 'error');
                }
              }}
            >
              New invite code
            </button>
          </>
        )}
      </div>
      <Loaded state={users} empty="No users match." isEmpty={(d) => d.users.nodes.length === 0}>
        {(d) => (
          <>
            <DataTable columns={['User', 'Role', 'Storage', 'Jobs (running / queued)', 'Last sign-in', '']}>
              {d.users.nodes.map((u) => (
                <tr key={u.username} data-user={u.username} className={u.enabled ? '' : 'disabled'}>
                  <td>
                    <strong>{u.username}</strong> {!u.enabled && <span className="badge">disabled</span>}
                    <div className="small muted">
                      {u.email}
                      {u.organisation && ` · ${u.organisation}`}
                    </div>
                  </td>
                  <td>{u.role}</td>
                  <td className="quota-cell" data-quota={u.limits.storageQuota}>
                    {formatBytes(u.storageUsed)} / {formatBytes(u.limits.storageQuota)}
                    {u.storageQuota === null && <span className="muted small"> (default)</span>}
                    <ProgressBar fraction={u.limits.storageQuota > 0 ? u.storageUsed / u.limits.storageQuota : null} label={`Storage of ${u.username}`} />
                  </td>
                  <td>
                    {u.limits.maxRunningJobs} / {u.limits.maxQueuedJobs}
                  </td>
                  <td>{u.lastLoginAt ? formatTime(u.lastLoginAt) : 'never'}</td>
                  <td className="row-actions">
                    <button type="button" onClick={() => setEditing(u)} aria-label={`Edit ${u.username}`}>
                      {readOnly ? 'View' : 'Edit'}
                    </button>
                    {!readOnly && (
                      <>
                        <button
                          type="button"
                          onClick={() =>
                            void run(
                              u.enabled ? `${u.username} is disabled` : `${u.username} is enabled`,
                              u.enabled
                                ? `mutation($u: String!) { disableUser(username: $u) { username } }`
                                : `mutation($u: String!) { updateUser(username: $u, input: { enabled: true }) { username } }`,
                              { u: u.username },
                            )
                          }
                        >
                          {u.enabled ? 'Disable' : 'Enable'}
                        </button>
                        <button
                          type="button"
                          onClick={async () => {
                            try {
                              const r = await gql<{ resetPassword: { link: string } }>(
                                `mutation($u: String!) { resetPassword(username: $u, sendMail: false) { link } }`,
                                { u: u.username },
                              );
                              setSecret({ title: `Password-reset link for ${u.username} (works once)`, value: r.resetPassword.link });
                            } catch (err) {
                              toast.show((err as Error).message, 'error');
                            }
                          }}
                        >
                          Reset link
                        </button>
                        <button
                          type="button"
                          onClick={() => void run(`tokens of ${u.username} revoked`, `mutation($u: String!) { revokeTokens(username: $u) }`, { u: u.username })}
                        >
                          Revoke tokens
                        </button>
                        <button type="button" className="danger" onClick={() => setDeleting(u)}>
                          Delete
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
            <Pager offset={offset} pageSize={PAGE} total={d.users.totalCount} label="Pages of users" onOffset={setOffset} />
          </>
        )}
      </Loaded>
      {editing && (
        <EditUser
          user={editing}
          readOnly={readOnly}
          onClose={() => setEditing(null)}
          onSaved={() => {
            toast.show(`Saved ${editing.username}`, 'success');
            users.reload();
          }}
        />
      )}
      {creating && <CreateUser onClose={() => setCreating(false)} onSaved={users.reload} />}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.username ?? ''}?`}
        confirmLabel="Delete the account"
        danger
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          await gql(`mutation($u: String!) { deleteUser(username: $u) }`, { u: deleting!.username });
          users.reload();
        }}
      >
        The account and its sign-in are removed.
      </ConfirmDialog>
      <Dialog title={secret?.title ?? ''} open={secret !== null} onClose={() => setSecret(null)}>
        <p>Shown once — copy it now.</p>
        <div className="row">
          <code className="secret wrap">{secret?.value}</code>
          {secret && <CopyButton text={secret.value} />}
        </div>
      </Dialog>
    </section>
  );
}
