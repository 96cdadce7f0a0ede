import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql/index.js';
import { ForbiddenError, UnauthorizedError } from '../uws/errors.js';
import type { Actor } from '../uws/model.js';
import type { GraphQLContext } from './context.js';

/**
 * Who may do what through /graphql:
 * - `signedIn`: `me` — any signed-in user (and anonymous callers when anonymous use is on);
 * - `read`: every other query, introspection included — managers and administrators;
 * - `admin`: mutations and subscriptions — administrators only.
 */
export type Access = 'signedIn' | 'read' | 'admin';

const RANK: Record<Access, number> = { signedIn: 0, read: 1, admin: 2 };
const OPEN_QUERY_FIELDS = new Set(['me', '__typename']);

const CREDENTIALS = 'a session, an API token (Authorization: Bearer …) or HTTP Basic credentials';

/** Refuse `actor` unless it may use `level`; `what` names the operation in the message. */
export function requireAccess(actor: Actor, level: Access, anonymousAllowed: boolean, what: string): void {
  if (actor.role === 'anonymous') {
    if (level === 'signedIn' && anonymousAllowed) return;
    const who = level === 'read' ? 'a manager or an administrator' : level === 'admin' ? 'an administrator' : 'a user';
    throw new UnauthorizedError(`sign in first: ${what} needs ${who} (${CREDENTIALS})`);
  }
  if (level === 'read' && actor.role === 'user') {
    throw new ForbiddenError(`${what} is for managers (read-only) and administrators; you are signed in as ${actor.ownerId} with role user`);
  }
  if (level === 'admin' && !actor.isAdmin) {
    throw new ForbiddenError(`${what} is for administrators only; you are signed in as ${actor.ownerId} with role ${actor.role}` +
      (actor.role === 'manager' ? ' (managers may run queries)' : ''));
  }
}

export function requireAccessIn(ctx: GraphQLContext, level: Access, what: string): void {
  requireAccess(ctx.actor, level, ctx.services.config.config.auth.anonymous, what);
}

/**
 * The access a whole document needs, and the root field that needs it: the most demanding
 * root field of any of its operations. Runs before validation (unknown fields count as
 * queries, so nobody learns the schema from error messages without the right to read it).
 */
export function documentAccess(document: DocumentNode): { level: Access; what: string } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let best: { level: Access; what: string } = { level: 'signedIn', what: 'the query' };
  const raise = (level: Access, what: string) => {
    if (RANK[level] > RANK[best.level]) best = { level, what };
  };
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const field of rootFields(d.selectionSet, fragments, new Set())) {
      if (d.operation === 'mutation') raise('admin', `the mutation ${field}`);
      else if (d.operation === 'subscription') raise('admin', `the subscription ${field}`);
      else if (!OPEN_QUERY_FIELDS.has(field)) raise('read', field.startsWith('__') ? 'introspection' : `the query ${field}`);
      else if (best.what === 'the query' && field !== '__typename') best = { level: 'signedIn', what: `the query ${field}` };
    }
  }
  return best;
}

/** Names of the root fields of a selection set, through fragments (cycles are cut). */
function rootFields(set: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen: Set<string>): string[] {
  const out: string[] = [];
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) out.push(s.name.value);
    else if (s.kind === Kind.INLINE_FRAGMENT) out.push(...rootFields(s.selectionSet, fragments, seen));
    else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      const f = fragments.get(s.name.value);
      // an unknown fragment is a validation error later; it must not open anything now
      out.push(...(f ? rootFields(f.selectionSet, fragments, seen) : ['(unknown fragment)']));
    }
  }
  return out;
}

type Resolver<C> = (root: unknown, args: never, ctx: C, info: unknown) => unknown;

/**
 * Wrap every root resolver of a map with the access check, as a second line behind the
 * document check in plugin.ts: a resolver never runs for someone it is not meant for.
 */
export function guarded<M extends Record<string, Resolver<GraphQLContext>>>(level: Access, kind: 'query' | 'mutation', resolvers: M): M {
  const out: Record<string, Resolver<GraphQLContext>> = {};
  for (const [name, fn] of Object.entries(resolvers)) {
    out[name] = (root, args, ctx, info) => {
      requireAccessIn(ctx, level, `the ${kind} ${name}`);
      return fn(root, args, ctx, info);
    };
  }
  return out as M;
}
