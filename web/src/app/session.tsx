import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { getJson, onUnauthorised, sendJson, setCsrfToken } from '../api/http';
import { eventHub } from '../api/events';
import type { Session } from '../api/types';

interface SessionState {
  /** null until the first answer. */
  session: Session | null;
  /** Set when the server could not be asked at all. */
  error: string | null;
  refresh(): Promise<Session | null>;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const Ctx = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const s = await getJson<Session>('/api/auth/session');
      setCsrfToken(s.csrfToken);
      setSession(s);
      setError(null);
      return s;
    } catch (err) {
      setError((err as Error).message);
      return null;
    }
  }, []);

  useEffect(() => {
    void refresh();
    // a 401 on any request means the session ended elsewhere: ask again who we are
    return onUnauthorised(() => void refresh());
  }, [refresh]);

  const signIn = useCallback(
    async (username: string, password: string) => {
      const r = await sendJson<{ csrfToken: string }>('/api/auth/login', { username, password });
      setCsrfToken(r.csrfToken);
      await refresh();
      eventHub.restart();
    },
    [refresh],
  );

  const signOut = useCallback(async () => {
    await sendJson('/api/auth/logout', {});
    setCsrfToken(null);
    await refresh();
    eventHub.restart();
  }, [refresh]);

  const value = useMemo(() => ({ session, error, refresh, signIn, signOut }), [session, error, refresh, signIn, signOut]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): SessionState {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

export const isManager = (s: Session | null) => s?.role === 'manager' || s?.role === 'admin';
export const isAdmin = (s: Session | null) => s?.role === 'admin';
/** May this visitor use the app (signed in, or anonymous use allowed)? */
export const mayUse = (s: Session | null) => !!s && (s.user !== null || s.anonymousAllowed);
