import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { sendJson } from '../../api/http';
import { ErrorBox } from '../../components/ui';

export function ResetRequestPage() {
  const [login, setLogin] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await sendJson<{ message: string }>('/api/auth/password-reset', { login: login.trim() });
      setSent(r.message);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="narrow">
      <h1>Reset your password</h1>
      {sent ? (
        <p role="status" className="success">
          {sent[0]!.toUpperCase() + sent.slice(1)}. The link works once and for a limited time.
        </p>
      ) : (
        <form onSubmit={submit} className="form">
          <label>
            User name or e-mail
            <input required value={login} onChange={(e) => setLogin(e.target.value)} autoComplete="username" />
          </label>
          <ErrorBox error={error} />
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              Mail me a reset link
            </button>
          </div>
        </form>
      )}
      <p>
        <Link to="/signin">Back to sign in</Link>
      </p>
    </section>
  );
}

/** The page the mailed link opens: /reset-password?token=… */
export function ResetConfirmPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (password !== repeat) return setError(new Error('the two passwords differ'));
    try {
      await sendJson('/api/auth/password-reset/confirm', { token, password });
      setDone(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="narrow">
      <h1>Choose a new password</h1>
      {!token ? (
        <ErrorBox error="This page needs the link from the reset e-mail (it has a token in it). Ask for a new link." />
      ) : done ? (
        <p role="status" className="success">
          Your password is changed. <Link to="/signin">Sign in</Link> with it.
        </p>
      ) : (
        <form onSubmit={submit} className="form">
          <label>
            New password
            <input required type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
          </label>
          <label>
            New password again
            <input required type="password" value={repeat} onChange={(e) => setRepeat(e.target.value)} autoComplete="new-password" />
          </label>
          <ErrorBox error={error} />
          <div className="actions">
            <button type="submit" className="primary">
              Set the password
            </button>
          </div>
        </form>
      )}
      <p>
        <Link to="/reset">Ask for a new link</Link>
      </p>
    </section>
  );
}
