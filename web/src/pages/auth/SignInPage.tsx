import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useSession } from '../../app/session';
import { ErrorBox } from '../../components/ui';

/** Where to go after signing in: only paths inside the app (never another site). */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/jobs';
}

export function SignInPage() {
  const { session, signIn } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username.trim(), password);
      navigate(safeNext(params.get('next')), { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <section className="narrow">
      <h1>Sign in</h1>
      {session?.user && (
        <p className="note">
          You are signed in as <strong>{session.user.username}</strong>. <Link to="/jobs">Go to your jobs</Link>.
        </p>
      )}
      <form onSubmit={submit} className="form">
        <label>
          User name or e-mail
          <input name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <ErrorBox error={error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
      <p>
        <Link to="/reset">Forgot your password?</Link>
        {session && session.registration !== 'closed' && (
          <>
            {' · '}
            <Link to="/register">Create an account</Link>
          </>
        )}
      </p>
      {session?.anonymousAllowed && !session.user && (
        <p className="note">
          This server also allows anonymous use: <Link to="/jobs">continue without an account</Link> (anonymous jobs and files are shared by every anonymous
          visitor).
        </p>
      )}
    </section>
  );
}
