import { lazy, Suspense, useEffect, useRef, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { SessionProvider, isManager, mayUse, useSession } from './session';
import { ToastProvider } from './toasts';
import { SampProvider } from '../samp/SampContext';
import { Layout } from './Layout';
import { ErrorBox, Spinner } from '../components/ui';
import { SignInPage } from '../pages/auth/SignInPage';
import { RegisterPage } from '../pages/auth/RegisterPage';
import { ResetRequestPage, ResetConfirmPage } from '../pages/auth/ResetPages';
import { JobsPage } from '../pages/jobs/JobsPage';
import { JobPage } from '../pages/jobs/JobPage';
import { CreateJobPage } from '../pages/jobs/CreateJobPage';
import { FilesPage } from '../pages/files/FilesPage';
import { SettingsPage } from '../pages/SettingsPage';
import { NotFoundPage } from '../pages/NotFoundPage';

// Heavy pages load on demand, so the first paint of the job list stays small.
const PlotPage = lazy(() => import('../pages/plot/PlotPage'));
const ImportPage = lazy(() => import('../pages/import/ImportPage'));
const AdminPage = lazy(() => import('../pages/admin/AdminPage'));
const SampPage = lazy(() => import('../pages/SampPage'));

/** Pages that need a signed-in user (or anonymous use, when the server allows it). */
function Private({ children, admin }: { children: ReactNode; admin?: boolean }) {
  const { session, error, refresh } = useSession();
  const location = useLocation();
  if (!session) return error ? <ErrorBox error={`The server cannot be reached: ${error}`} onRetry={() => void refresh()} /> : <Spinner />;
  if (!mayUse(session)) return <Navigate to={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  if (admin && !isManager(session)) return <ErrorBox error="This page is for administrators (and, read-only, managers)." />;
  return <>{children}</>;
}

/** Move focus to the page heading on navigation, so keyboard and screen-reader users land on the new page. */
function FocusOnNavigate() {
  const location = useLocation();
  const first = useRef(true);
  useEffect(() => {
    // not on the first load: the page's own autofocus (the sign-in field) wins there
    if (first.current) {
      first.current = false;
      return;
    }
    const h = document.querySelector<HTMLElement>('main h1');
    if (h) {
      h.tabIndex = -1;
      h.focus({ preventScroll: true });
    }
  }, [location.pathname]);
  return null;
}

export function App() {
  return (
    <ToastProvider>
      <SessionProvider>
        <SampProvider>
          <Layout>
            <FocusOnNavigate />
            <Suspense fallback={<Spinner />}>
              <Routes>
                <Route path="/" element={<Navigate to="/jobs" replace />} />
                <Route path="/signin" element={<SignInPage />} />
                <Route path="/register" element={<RegisterPage />} />
                <Route path="/reset" element={<ResetRequestPage />} />
                <Route path="/reset-password" element={<ResetConfirmPage />} />
                <Route
                  path="/settings"
                  element={
                    <Private>
                      <SettingsPage />
                    </Private>
                  }
                />
                <Route
                  path="/jobs"
                  element={
                    <Private>
                      <JobsPage />
                    </Private>
                  }
                />
                <Route
                  path="/jobs/:type/:id"
                  element={
                    <Private>
                      <JobPage />
                    </Private>
                  }
                />
                <Route
                  path="/new"
                  element={
                    <Private>
                      <CreateJobPage />
                    </Private>
                  }
                />
                <Route
                  path="/new/:type"
                  element={
                    <Private>
                      <CreateJobPage />
                    </Private>
                  }
                />
                <Route
                  path="/files"
                  element={
                    <Private>
                      <FilesPage />
                    </Private>
                  }
                />
                <Route
                  path="/import"
                  element={
                    <Private>
                      <ImportPage />
                    </Private>
                  }
                />
                <Route
                  path="/import/:source"
                  element={
                    <Private>
                      <ImportPage />
                    </Private>
                  }
                />
                <Route
                  path="/plot"
                  element={
                    <Private>
                      <PlotPage />
                    </Private>
                  }
                />
                <Route
                  path="/samp"
                  element={
                    <Private>
                      <SampPage />
                    </Private>
                  }
                />
                <Route
                  path="/admin"
                  element={
                    <Private admin>
                      <AdminPage />
                    </Private>
                  }
                />
                <Route
                  path="/admin/:tab"
                  element={
                    <Private admin>
                      <AdminPage />
                    </Private>
                  }
                />
                <Route path="*" element={<NotFoundPage />} />
              </Routes>
            </Suspense>
          </Layout>
        </SampProvider>
      </SessionProvider>
    </ToastProvider>
  );
}
