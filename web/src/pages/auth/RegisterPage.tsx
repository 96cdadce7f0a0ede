import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { sendJson } from '../../api/http';
import { useSession } from '../../app/session';
import { ErrorBox, Spinner } from '../../components/ui';

/** Registration as the server is configured: open, by invite code, or closed. */
export function RegisterPage() {
  const { session, signIn } = useSession();
  const navigate = useNavigate();
  const [form, setForm] = useState({ username: '', email: '', password: '', repeat: '', displayName: '', organisation: '', inviteCode: '' });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (!session) return <Spinner />;
  const mode = session.registration;
  if (mode === 'closed') {
    return (
      <section className="narrow">
        <h1>Create an account</h1>
        <p>This server does not take registrations: an administrator creates accounts. Ask the people who run it.</p>
        <p>
          <Link to="/signin">Back to sign in</Link>
        </p>
      </section>
    );
  }
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (form.password !== form.repeat) {
      setError(new Error('the two passwords differ'));
      return;
    }
    setBusy(true);
    try {
      const { repeat: _repeat, inviteCode, ...rest } = form;
      await sendJson('/api/auth/register', { ...rest, ...(mode === 'invite' ? { inviteCode } : {}) });
      await signIn(form.username, form.password);
      navigate('/jobs');
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <section className="narrow">
      <h1>Create an account</h1>
      {mode === 'invite' && <p>Registration needs an invite code from an administrator.</p>}
      <form onSubmit={submit} className="form">
        {mode === 'invite' && (
          <label>
            Invite code
            <input required value={form.inviteCode} onChange={set('inviteCode')} autoComplete="off" />
          </label>
        )}
        <label>
          User name
          <input required value={form.username} onChange={set('username')} autoComplete="username" maxLength={64} />
        </label>
        <label>
          E-mail
          <input required type="email" value={form.email} onChange={set('email')} autoComplete="email" />
        </label>
        <label>
          Display name <span className="optional">(optional)</span>
          <input value={form.displayName} onChange={set('displayName')} autoComplete="name" />
        </label>
        <label>
          Organisation <span className="optional">(optional)</span>
          <input value={form.organisation} onChange={set('organisation')} autoComplete="organization" />
        </label>
        <label>
          Password
          <input required type="password" value={form.password} onChange={set('password')} autoComplete="new-password" />
        </label>
        <label>
          Password again
          <input required type="password" value={form.repeat} onChange={set('repeat')} autoComplete="new-password" />
        </label>
        <ErrorBox error={error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Create the account
          </button>
        </div>
      </form>
    </section>
  );
}
