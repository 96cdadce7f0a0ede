import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, UserService } from '@vocloud/core';
import { ADMIN_PASSWORD, DB_KIND, startServer, type TestServer } from '../support/server.js';
import { addUser, adminHeaders, basic, bearer, createToken, login, type Session } from '../support/auth.js';
import { createJobAs, data, gql } from './client.js';

/*
 * Who may run which GraphQL operation, over real HTTP, with anonymous use off (production):
 * every query and mutation × anonymous, user, manager, admin, disabled user, revoked token.
 * Refusals of the whole request answer 401/403 with a GraphQL error that says why; the
 * authentication hook answers for credentials that are bad in themselves (disabled account,
 * revoked token) before GraphQL runs. Refused mutations change nothing and audit nothing.
 */

type Who = 'anonymous' | 'user' | 'manager' | 'disabled' | 'revoked' | 'admin';
/** The admin goes last: its mutations really happen. */
const WHO: Who[] = ['anonymous', 'user', 'manager', 'disabled', 'revoked', 'admin'];

let s: TestServer;
const headers = {} as Record<Who, Record<string, string>>;
let pendingJob = '';
let doomedJob = '';

beforeAll(async () => {
  s = await startServer({ overrides: { auth: { anonymous: false } } });
  const u = await addUser(s, 'alice');
  const m = await addUser(s, 'mona', 'manager');
  const d = await addUser(s, 'dave');
  const r = await addUser(s, 'rita');
  for (const t of ['target-upd', 'target-dis', 'target-del', 'target-rst']) await addUser(s, t);
  const { token, id } = await createToken(s.url, basic(r.username, r.password), 'to revoke');
  await fetch(`${s.url}/api/tokens/${id}`, { method: 'DELETE', headers: basic(r.username, r.password) });
  await s.vocloud.resolve(UserService).update({ ownerId: 'admin', role: 'admin', isAdmin: true, userId: 1, via: 'basic' }, 'dave', { enabled: false });
  Object.assign(headers, {
    anonymous: {},
    user: basic(u.username, u.password),
    manager: basic(m.username, m.password),
    disabled: basic(d.username, d.password),
    revoked: bearer(token),
    admin: adminHeaders(),
  });
  pendingJob = await createJobAs(s.url, headers.user, 'noop');
  doomedJob = await createJobAs(s.url, headers.user, 'noop');
});
afterAll(async () => s?.stop());

interface Op {
  readonly name: string;
  readonly query: () => string;
}

const QUERIES: Op[] = [
  { name: 'me', query: () => '{ me { username role } }' },
  { name: 'users', query: () => '{ users { totalCount nodes { username } } }' },
  { name: 'user', query: () => '{ user(username: "alice") { username } }' },
  { name: 'jobs', query: () => '{ jobs { totalCount countsByPhase { phase count } } }' },
  { name: 'job', query: () => `{ job(id: "${pendingJob}") { id phase } }` },
  { name: 'jobTypes', query: () => '{ jobTypes { name } }' },
  { name: 'jobType', query: () => '{ jobType(name: "noop") { name enabled } }' },
  { name: 'nodes', query: () => '{ nodes { id alive } }' },
  { name: 'storageUsage', query: () => '{ storageUsage { totalCount } }' },
  { name: 'health', query: () => '{ health { available } }' },
  { name: 'auditLog', query: () => '{ auditLog { totalCount } }' },
  { name: 'introspection', query: () => '{ __schema { queryType { name } } }' },
];

const MUTATIONS: Op[] = [
  { name: 'createUser', query: () => 'mutation { createUser(input: { username: "made-here", email: "made@example.org" }) { username } }' },
  { name: 'updateUser', query: () => 'mutation { updateUser(username: "target-upd", input: { displayName: "Updated" }) { displayName } }' },
  { name: 'disableUser', query: () => 'mutation { disableUser(username: "target-dis") { enabled } }' },
  { name: 'deleteUser', query: () => 'mutation { deleteUser(username: "target-del") }' },
  { name: 'resetPassword', query: () => 'mutation { resetPassword(username: "target-rst") { expiresAt } }' },
  { name: 'revokeTokens', query: () => 'mutation { revokeTokens(username: "alice") }' },
  { name: 'createInvite', query: () => 'mutation { createInvite(role: user, days: 1) { expiresAt } }' },
  { name: 'setJobTypeEnabled', query: () => 'mutation { setJobTypeEnabled(name: "noop", enabled: true) { enabled } }' },
  { name: 'setJobTypeLimits', query: () => 'mutation { setJobTypeLimits(name: "noop", limits: { concurrency: 8 }) { limits { concurrency } } }' },
  { name: 'abortJob', query: () => `mutation { abortJob(id: "${pendingJob}") { phase } }` },
  { name: 'deleteJob', query: () => `mutation { deleteJob(id: "${doomedJob}") }` },
  { name: 'purgeJobs', query: () => 'mutation { purgeJobs(olderThan: "2000-01-01T00:00:00Z") }' },
];

/** What each caller gets: HTTP status, and the GraphQL error code when GraphQL answered. */
const READ: Record<Who, string> = { anonymous: '401 UNAUTHENTICATED', user: '403 FORBIDDEN', manager: '200', disabled: '403 hook', revoked: '401 hook', admin: '200' };
const SIGNED_IN: Record<Who, string> = { ...READ, user: '200' };
const WRITE: Record<Who, string> = { ...READ, manager: '403 FORBIDDEN' };

async function outcome(query: string, who: Who): Promise<{ verdict: string; message: string }> {
  const r = await gql(s.url, query, { headers: headers[who] });
  const error = r.body.errors?.[0];
  if (r.status === 200) {
    if (error) throw new Error(`${who}: HTTP 200 with errors: ${JSON.stringify(r.body.errors)}`);
    return { verdict: '200', message: '' };
  }
  if (!r.body.errors) return { verdict: `${r.status} hook`, message: (r.body as { error?: string }).error ?? r.body.text ?? '' };
  expect(r.body.data).toBeNull();
  return { verdict: `${r.status} ${error?.extensions?.code}`, message: error?.message ?? '' };
}

describe(`GraphQL authorisation (${DB_KIND})`, () => {
  for (const op of QUERIES) {
    it(`query ${op.name}: ${op.name === 'me' ? 'any signed-in user' : 'managers and admins'}`, async () => {
      const got: Partial<Record<Who, string>> = {};
      for (const who of WHO) {
        const { verdict, message } = await outcome(op.query(), who);
        got[who] = verdict;
        if (verdict.endsWith('UNAUTHENTICATED')) {
          const what = op.name === 'introspection' ? 'introspection' : `the query ${op.name}`;
          expect(message).toBe(`sign in first: ${what} needs ${op.name === 'me' ? 'a user' : 'a manager or an administrator'} (a session, an API token (Authorization: Bearer …) or HTTP Basic credentials)`);
        }
        if (verdict.endsWith('FORBIDDEN')) expect(message).toMatch(/is for managers \(read-only\) and administrators; you are signed in as alice with role user/);
      }
      expect(got).toEqual(op.name === 'me' ? SIGNED_IN : READ);
    });
  }

  it('every mutation: administrators only; refused ones change nothing and write no audit entry', async () => {
    const audit = s.vocloud.resolve(AuditLog);
    for (const op of MUTATIONS) {
      const got: Partial<Record<Who, string>> = {};
      for (const who of WHO) {
        const before = (await audit.list({ limit: 1, offset: 0 })).total;
        const { verdict, message } = await outcome(op.query(), who);
        got[who] = verdict;
        const after = (await audit.list({ limit: 1, offset: 0 })).total;
        expect(after - before, `${op.name} as ${who}: audit entries written`).toBe(who === 'admin' ? 1 : 0);
        if (who === 'manager') expect(message).toBe(`the mutation ${op.name} is for administrators only; you are signed in as mona with role manager (managers may run queries)`);
        if (who === 'anonymous') expect(message).toMatch(new RegExp(`^sign in first: the mutation ${op.name} needs an administrator`));
      }
      expect(got, op.name).toEqual(WRITE);
    }
    // the admin's changes happened, and only they
    const users = await data(s.url, '{ a: user(username: "target-del") { username } b: user(username: "target-dis") { enabled } c: user(username: "made-here") { username } }', headers.admin);
    expect(users).toEqual({ a: null, b: { enabled: false }, c: { username: 'made-here' } });
  });

  it('a document mixing an open field with an admin field needs the admin', async () => {
    const r = await gql(s.url, '{ me { username } users { totalCount } }', { headers: headers.user });
    expect(r.status).toBe(403);
    const viaFragment = await gql(s.url, '{ ...F } fragment F on Query { me { username } auditLog { totalCount } }', { headers: headers.user });
    expect(viaFragment.status).toBe(403);
    expect(viaFragment.body.errors?.[0]?.message).toMatch(/the query auditLog is for managers/);
  });

  it('unknown fields are refused for access before validation could describe the schema', async () => {
    const anon = await gql(s.url, '{ secretz }');
    expect(anon.status).toBe(401);
    expect(JSON.stringify(anon.body)).not.toMatch(/Did you mean|Cannot query field/);
    const admin = await gql(s.url, '{ secretz }', { headers: headers.admin });
    expect(admin.status).toBe(400);
    expect(admin.body.errors?.[0]).toMatchObject({ message: 'Cannot query field "secretz" on type "Query".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });

  describe('browser sessions and tokens', () => {
    let session: Session;
    beforeAll(async () => {
      session = await login(s.url, 'admin', ADMIN_PASSWORD);
    });

    it('a mutation with the session cookie needs the X-CSRF-Token header', async () => {
      const q = 'mutation { createInvite(days: 1) { role } }';
      const without = await gql(s.url, q, { headers: session.headers(false) });
      expect(without.status).toBe(403);
      expect((without.body as { error?: string }).error).toMatch(/X-CSRF-Token/);
      const withToken = await gql(s.url, q, { headers: session.headers(true) });
      expect(withToken.status).toBe(200);
      expect(withToken.body.data).toEqual({ createInvite: { role: 'user' } });
    });

    it('queries with the session cookie work over GET and POST; mutations are refused over GET', async () => {
      expect((await gql(s.url, '{ me { username via } }', { headers: session.headers(false), method: 'GET' })).body.data).toEqual({ me: { username: 'admin', via: 'session' } });
      const get = await gql(s.url, 'mutation { createInvite(days: 1) { role } }', { headers: headers.admin, method: 'GET' });
      expect(get.status).toBe(405);
      expect(get.body.errors?.[0]).toMatchObject({ message: 'Operation cannot be performed via a GET request', extensions: { code: 'METHOD_NOT_ALLOWED' } });
    });

    it('an admin API token works as Bearer; once revoked it does not', async () => {
      const { token, id } = await createToken(s.url, headers.admin, 'gql');
      expect((await data(s.url, '{ me { via } }', bearer(token))).me.via).toBe('token');
      await fetch(`${s.url}/api/tokens/${id}`, { method: 'DELETE', headers: headers.admin });
      const after = await gql(s.url, '{ me { via } }', { headers: bearer(token) });
      expect(after.status).toBe(401);
    });

    it('a disabled admin is refused at once, whatever the credentials', async () => {
      const other = await addUser(s, 'second-admin', 'admin');
      const h = basic(other.username, other.password);
      expect((await data(s.url, '{ me { role } }', h)).me.role).toBe('admin');
      await data(s.url, 'mutation { disableUser(username: "second-admin") { enabled } }', headers.admin);
      const r = await gql(s.url, 'mutation { createInvite { role } }', { headers: h });
      expect(r.status).toBe(403);
      expect((r.body as { error?: string }).error).toMatch(/disabled/);
    });
  });
});
