import { useState, type ReactNode } from 'react';
import { EmptyState, ErrorBox, Spinner } from './ui';

/** What useLoad gives: the data, or an error, while loading. */
export interface LoadState<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * The three states every list page has — failed (with "try again"), loading, empty — and the
 * content once there is some.
 */
export function Loaded<T>({
  state,
  empty,
  isEmpty,
  loading,
  children,
}: {
  state: LoadState<T>;
  empty?: ReactNode;
  isEmpty?: (d: T) => boolean;
  loading?: string;
  children: (d: T) => ReactNode;
}) {
  if (state.error && !state.data) return <ErrorBox error={state.error} onRetry={state.reload} />;
  if (state.data === null) return <Spinner {...(loading ? { label: loading } : {})} />;
  if (isEmpty?.(state.data)) return typeof empty === 'string' ? <EmptyState title={empty} /> : <>{empty}</>;
  return (
    <>
      {state.error ? <ErrorBox error={state.error} onRetry={state.reload} /> : null}
      {children(state.data)}
    </>
  );
}

/** A table's header row; an empty label is an actions column (named for screen readers). */
export function Thead({ columns }: { columns: readonly ReactNode[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) => (
          <th scope="col" key={i}>
            {c === '' ? <span className="sr-only">Actions</span> : c}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** First / previous / next / last through a list served in pages (a folder may hold 100,000 files). */
export function Pager({
  offset,
  pageSize,
  total,
  label,
  onOffset,
}: {
  offset: number;
  pageSize: number;
  total: number;
  label: string;
  onOffset: (o: number) => void;
}) {
  if (total <= pageSize) return null;
  const last = Math.floor((total - 1) / pageSize) * pageSize;
  const count = (n: number) => n.toLocaleString('en-US');
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={offset === 0} onClick={() => onOffset(0)}>
        First
      </button>
      <button type="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - pageSize))}>
        Previous
      </button>
      <span>
        {count(offset + 1)}–{count(Math.min(total, offset + pageSize))} of {count(total)}
      </span>
      <button type="button" disabled={offset + pageSize >= total} onClick={() => onOffset(offset + pageSize)}>
        Next
      </button>
      <button type="button" disabled={offset >= last} onClick={() => onOffset(last)}>
        Last
      </button>
    </nav>
  );
}

/**
 * Run an action from a form or a button: `busy` while it runs, its error kept for an ErrorBox.
 * `run` resolves to true when the action succeeded.
 */
export function useAction<A extends unknown[]>(
  action: (...args: A) => Promise<unknown>,
): { run: (...args: A) => Promise<boolean>; busy: boolean; error: unknown; setError: (e: unknown) => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      await action(...args);
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, setError };
}

/** A scrollable table with its header row; the children are the body rows. */
export function DataTable({ columns, className, children }: { columns: readonly ReactNode[]; className?: string; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table className={className}>
        <Thead columns={columns} />
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
