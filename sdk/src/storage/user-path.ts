import { InvalidPathError, storagePath } from './path.js';

/**
 * Paths as users and job parameters write them. The areas:
 * - `~/…`          the user's home (read and write, counts against the quota)
 * - `DATA/…`       the shared data area (everyone reads; managers and admins write)
 * - `JOBS/{id}/…`  a job's folder: uploads and results (the job's owner reads)
 * With or without the `vocloud:/` prefix used in job parameters.
 */
export type StorageArea = 'home' | 'data' | 'jobs';

export interface UserPath {
  readonly area: StorageArea;
  /** Checked storage path below the area root ('' = the area itself). */
  readonly rest: string;
  /** How to show it: `~/a/b`, `DATA/x`, `JOBS/id/results`. */
  readonly display: string;
}

export const VOCLOUD_PREFIX = 'vocloud:/';

export function parseUserPath(value: string): UserPath {
  if (typeof value !== 'string') throw new InvalidPathError(String(value), 'not a string');
  let v = value.startsWith(VOCLOUD_PREFIX) ? value.slice(VOCLOUD_PREFIX.length) : value;
  v = v.replace(/\/+$/, '');
  const slash = v.indexOf('/');
  const head = slash < 0 ? v : v.slice(0, slash);
  const tail = slash < 0 ? '' : v.slice(slash + 1);
  const rest = storagePath(tail);
  const join = (root: string) => (rest ? `${root}/${rest}` : root);
  switch (head) {
    case '~':
      return { area: 'home', rest, display: join('~') };
    case 'DATA':
      return { area: 'data', rest, display: join('DATA') };
    case 'JOBS':
      return { area: 'jobs', rest, display: join('JOBS') };
    default:
      throw new InvalidPathError(value, "a path starts with ~/ (your files), DATA/ (shared data) or JOBS/{id}/ (a job's files)");
  }
}

/** True when `value` is a syntactically valid user path. */
export function isUserPath(value: string): boolean {
  try {
    parseUserPath(value);
    return true;
  } catch {
    return false;
  }
}
