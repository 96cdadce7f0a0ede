import { useState, type FormEvent } from 'react';
import { getJson, sendJson, request } from '../api/http';
import type { ApiToken } from '../api/types';
import { formatBytes } from '../api/files';
import { useSession } from '../app/session';
import { useToast } from '../app/toasts';
import { ConfirmDialog, CopyButton, ErrorBox, ProgressBar, Spinner, formatTime, useLoad } from '../components/ui';
import { DataTable, Loaded } from '../components/data';

function PasswordForm() {
  const toast = useToast();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (next !== repeat) return setError(new Error('the two new passwords differ'));
    try {
      await sendJson('/api/auth/password', { currentPassword: current, newPassword: next });
      setCurrent('');
      setNext('');
      setRepeat('');
      toast.show('Password changed; your other sessions were signed out.', 'success');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} className="form" aria-labelledby="pw-head">
      <h2 id="pw-head">Password</h2>
      <input type="text" name="username" autoComplete="username" hidden readOnly />
      <label>
        Current password
        <input type="password" required value={current} onChange={(e) => setCurrent(e.target.value)} autoComplete="current-password" />
      </label>
      <label>
        New password
        <input type="password" required value={next} onChange={(e) => setNext(e.target.value)} autoComplete="new-password" />
      </label>
      <label>
        New password again
        <input type="password" required value={repeat} onChange={(e) => setRepeat(e.target.value)} autoComplete="new-password" />
      </label>
      <ErrorBox error={error} />
      <div className="actions">
        <button type="submit" className="primary">
          Change password
        </button>
      </div>
    </form>
  );
}

function Tokens() {
  const tokens = useLoad((signal) => getJson<{ tokens: ApiToken[] }>('/api/tokens', signal), []);
  const [name, setName] = useState('');
  const [days, setDays] = useState('90');
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const active = (tokens.data?.tokens ?? []).filter((t) => !t.revokedAt);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await sendJson<{ token: string } & ApiToken>('/api/tokens', { name: name.trim(), ...(days ? { expiresInDays: Number(days) } : {}) });
      setCreated({ token: r.token, name: r.name });
      setName('');
      tokens.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="tokens-head">
      <h2 id="tokens-head">API tokens</h2>
      <p className="note">
        Scripts and VO clients (pyvo, curl, TOPCAT) use a token as <code>Authorization: Bearer …</code>. A token is shown once, when it is made.
      </p>
      {created && (
        <div className="token-once" role="status">
          <p>
            Your new token <strong>{created.name}</strong> — copy it now, it will not be shown again:
          </p>
          <div className="row">
            <code className="secret" data-testid="new-token">
              {created.token}
            </code>
            <CopyButton text={created.token} />
            <button type="button" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      <form onSubmit={create} className="form inline">
        <label>
          Name
          <input required value={name} onChange={(e) => setName(e.target.value)} maxLength={100} placeholder="laptop pyvo" />
        </label>
        <label>
          Expires after (days)
          <input type="number" min={1} value={days} onChange={(e) => setDays(e.target.value)} />
        </label>
        <button type="submit" className="primary">
          Create token
        </button>
      </form>
      <ErrorBox error={error} />
      <Loaded state={tokens} empty="No API tokens yet." isEmpty={() => active.length === 0}>
        {() => (
          <DataTable columns={['Name', 'Starts with', 'Created', 'Expires', 'Last used', '']}>
            {active.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td>{formatTime(t.createdAt)}</td>
                <td>{t.expiresAt ? formatTime(t.expiresAt) : 'never'}</td>
                <td>{t.lastUsedAt ? formatTime(t.lastUsedAt) : 'never'}</td>
                <td>
                  <button type="button" className="danger" onClick={() => setRevoking(t)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Loaded>
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke the token?"
        confirmLabel="Revoke"
        danger
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          await request(`/api/tokens/${revoking!.id}`, { method: 'DELETE' });
          tokens.reload();
        }}
      >
        Programs using <strong>{revoking?.name}</strong> will no longer get in.
      </ConfirmDialog>
    </section>
  );
}

export function SettingsPage() {
  const { session } = useSession();
  if (!session) return <Spinner />;
  const u = session.user;
  const quota = session.usage.storage;
  return (
    <section>
      <h1>Settings</h1>
      <section aria-labelledby="acct-head">
        <h2 id="acct-head">Account</h2>
        {u ? (
          <dl className="facts">
            <dt>User name</dt>
            <dd>{u.username}</dd>
            <dt>E-mail</dt>
            <dd>{u.email}</dd>
            <dt>Role</dt>
            <dd>{u.role}</dd>
            {u.organisation && (
              <>
                <dt>Organisation</dt>
                <dd>{u.organisation}</dd>
              </>
            )}
          </dl>
        ) : (
          <p>You are using vocloud anonymously. Sign in to keep jobs and files of your own.</p>
        )}
        <h3>Storage</h3>
        <p>
          {formatBytes(session.usage.storageBytes)} of {formatBytes(quota)} used · at most {session.usage.maxRunningJobs} running and{' '}
          {session.usage.maxQueuedJobs} queued jobs
        </p>
        <ProgressBar fraction={quota > 0 ? session.usage.storageBytes / quota : null} label="Storage used" />
      </section>
      {u && (
        <div className="columns">
          <PasswordForm />
          <Tokens />
        </div>
      )}
    </section>
  );
}
