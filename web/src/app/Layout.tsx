import { useEffect, useState, type ReactNode } from 'react';
import { Link, NavLink, useLocation, useNavigate } from 'react-router';
import { isManager, mayUse, useSession } from './session';
import { useSamp } from '../samp/SampContext';
import { useToast } from './toasts';

/** The frame of every page: a skip link, the navigation (a menu button on phones), the page. */
export function Layout({ children }: { children: ReactNode }) {
  const { session, signOut } = useSession();
  const samp = useSamp();
  const toast = useToast();
  const navigate = useNavigate();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [location.pathname]);
  const user = session?.user;
  const links: [string, string][] = mayUse(session)
    ? [
        ['/jobs', 'Jobs'],
        ['/new', 'New job'],
        ['/files', 'Files'],
        ['/import', 'Import'],
        ['/plot', 'Plot'],
        ['/samp', 'SAMP'],
        ...(isManager(session) ? ([['/admin', 'Admin']] as [string, string][]) : []),
      ]
    : [];
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/jobs" className="brand">
          vocloud
        </Link>
        {links.length > 0 && (
          <button type="button" className="menu-button" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen((o) => !o)}>
            Menu
          </button>
        )}
        <nav id="main-nav" className={`nav${menuOpen ? ' open' : ''}`} aria-label="Main">
          {links.map(([to, label]) => (
            <NavLink key={to} to={to} className={({ isActive }) => (isActive ? 'active' : '')}>
              {label}
              {to === '/samp' && samp.state === 'connected' && <span className="dot-ok" aria-label="(hub connected)" />}
            </NavLink>
          ))}
        </nav>
        <div className="account">
          {user ? (
            <>
              <Link to="/settings" className="who" title="Settings">
                {user.displayName || user.username}
              </Link>
              <button
                type="button"
                onClick={async () => {
                  try {
                    await signOut();
                    navigate('/signin');
                  } catch (err) {
                    toast.show(`Could not sign out: ${(err as Error).message}`, 'error');
                  }
                }}
              >
                Sign out
              </button>
            </>
          ) : session ? (
            <Link to="/signin" className="button">
              Sign in
            </Link>
          ) : null}
        </div>
      </header>
      <main id="main" className="main">
        {children}
      </main>
    </>
  );
}
