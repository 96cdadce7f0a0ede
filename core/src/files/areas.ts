import { parseUserPath, type UserPath } from '@vocloud/sdk';
import { ForbiddenError, NotFoundError } from '../uws/errors.js';

/*
 * Where user paths live in the storage backend, and who may do what. Used by the file API and
 * by executor threads (for ctx.storage), so it must stay free of the server's container.
 *
 *   ~/…            → home/{owner}/…   (the owner reads and writes; counts to the owner's quota)
 *   DATA/…         → data/…           (everyone reads; managers and admins write)
 *   JOBS/{id}/…    → jobs/{id}/…      (the job's owner and admins read; nobody writes)
 */

/** The home folder name of anonymous users (not a valid username, so it cannot clash). */
export const ANONYMOUS_HOME = '@anonymous';

export interface PathActor {
  readonly ownerId: string | null;
  readonly role: 'anonymous' | 'user' | 'manager' | 'admin';
}

export interface ResolvedPath {
  readonly user: UserPath;
  /** The backend path. */
  readonly backend: string;
  /** Whose quota a write here counts against; null = nobody's (shared DATA). */
  readonly chargeTo: { ownerId: string | null } | null;
}

/** Looks up the owner of a job (for JOBS/{id}); undefined when there is no such job. */
export type JobOwnerLookup = (jobId: string) => Promise<string | null | undefined>;

export function homeOf(ownerId: string | null): string {
  return `home/${ownerId ?? ANONYMOUS_HOME}`;
}

export async function resolveUserPath(actor: PathActor, path: string, mode: 'read' | 'write', jobOwner: JobOwnerLookup): Promise<ResolvedPath> {
  const user = parseUserPath(path);
  const under = (root: string) => (user.rest ? `${root}/${user.rest}` : root);
  switch (user.area) {
    case 'home':
      return { user, backend: under(homeOf(actor.ownerId)), chargeTo: { ownerId: actor.ownerId } };
    case 'data':
      if (mode === 'write' && actor.role !== 'manager' && actor.role !== 'admin') {
        throw new ForbiddenError('DATA/ is shared and read-only for you; managers and administrators add data there');
      }
      if (mode === 'write' && user.rest === '') throw new ForbiddenError('DATA/ itself cannot be changed');
      return { user, backend: under('data'), chargeTo: null };
    case 'jobs': {
      const [jobId = ''] = user.rest.split('/');
      if (!jobId) throw new ForbiddenError('JOBS/ lists nothing by itself; open JOBS/{job id}/');
      const owner = await jobOwner(jobId);
      if (owner === undefined || (actor.role !== 'admin' && owner !== actor.ownerId)) throw new NotFoundError(`no job '${jobId.slice(0, 64)}'`);
      if (mode === 'write') throw new ForbiddenError("a job's files are read-only; copy them to ~/ to change them");
      return { user, backend: `jobs/${user.rest}`, chargeTo: null };
    }
  }
}

/** The user path of a backend path in an owner's view (for listings). */
export function displayPath(base: ResolvedPath, backendPath: string): string {
  const root = base.backend;
  const rel = backendPath === root ? '' : backendPath.slice(root.length + 1);
  return rel ? `${base.user.display}/${rel}` : base.user.display;
}
