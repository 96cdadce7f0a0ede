import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserService } from '@vocloud/core';
import { startServer, type TestServer } from '../support/server.js';
import { addUser, adminHeaders, basic, bearer, createToken } from '../support/auth.js';
import { formBody, waitFinal } from '../support/uws.js';

/*
 * The authorisation matrix: every REST route and UWS resource × every kind of caller →
 * the expected status. Anonymous use is off, as in production. Job resources are checked on a
 * job of user A (a fresh one for each destructive request). The GraphQL operations have a
 * matrix of their own in tests/graphql.
 */

type Who = 'anonymous' | 'userA' | 'userB' | 'manager' | 'admin' | 'disabled' | 'revoked';
const WHO: Who[] = ['anonymous', 'userA', 'userB', 'manager', 'admin', 'disabled', 'revoked'];

let s: TestServer;
const headers = {} as Record<Who, Record<string, string>>;

beforeAll(async () => {
  s = await startServer({ overrides: { auth: { anonymous: false } } });
  const a = await addUser(s, 'usera');
  const b = await addUser(s, 'userb');
  const m = await addUser(s, 'mgr', 'manager');
  const d = await addUser(s, 'gone');
  const r = await addUser(s, 'revokee');
  const { token, id } = await createToken(s.url, basic(r.username, r.password), 'to revoke');
  await fetch(`${s.url}/api/tokens/${id}`, { method: 'DELETE', headers: basic(r.username, r.password) });
  await s.vocloud.resolve(UserService).update({ ownerId: 'admin', role: 'admin', isAdmin: true, userId: 1, via: 'basic' }, 'gone', { enabled: false });
  Object.assign(headers, {
    anonymous: {},
    userA: basic(a.username, a.password),
    userB: basic(b.username, b.password),
    manager: basic(m.username, m.password),
    admin: adminHeaders(),
    disabled: basic(d.username, d.password),
    revoked: bearer(token),
  });
});
afterAll(async () => s?.stop());

/** A job of user A: PENDING noop, or a failed job (for …/error), with a result and an upload. */
async function jobOfA(kind: 'pending' | 'failed' | 'files' = 'pending'): Promise<string> {
  let res: Response;
  if (kind === 'files') {
    const f = new FormData();
    f.append('input', new Blob(['abc']), 'a.txt');
    f.append('PHASE', 'RUN');
    res = await fetch(`${s.url}/uws/files`, { method: 'POST', headers: headers.userA, body: f, redirect: 'manual' });
  } else {
    const type = kind === 'failed' ? 'fail' : 'noop';
    res = await fetch(`${s.url}/uws/${type}`, { method: 'POST', headers: headers.userA, body: formBody(kind === 'failed' ? { PHASE: 'RUN' } : {}), redirect: 'manual' });
  }
  const url = res.headers.get('location')!;
  if (kind !== 'pending') await waitFinal(url, 30_000, headers.userA);
  return url;
}

interface Row {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Path or URL; given user A's job URL when the row needs a job. */
  readonly target: string | ((job: string) => string);
  readonly job?: 'pending' | 'failed' | 'files';
  readonly body?: Record<string, string> | 'json-token';
  readonly expect: Record<Who, number>;
}

const OWN = { anonymous: 401, userA: 200, userB: 404, manager: 404, admin: 200, disabled: 403, revoked: 401 };
const OWN_REDIRECT = { anonymous: 401, userA: 303, userB: 404, manager: 404, admin: 303, disabled: 403, revoked: 401 };
const ANY_USER = { anonymous: 401, userA: 200, userB: 200, manager: 200, admin: 200, disabled: 403, revoked: 401 };
const PUBLIC = { anonymous: 200, userA: 200, userB: 200, manager: 200, admin: 200, disabled: 403, revoked: 401 };

const ROWS: Row[] = [
  // UWS job list
  { name: 'GET job list', method: 'GET', target: '/uws/noop', expect: ANY_USER },
  { name: 'POST create job', method: 'POST', target: '/uws/noop', body: {}, expect: { anonymous: 401, userA: 303, userB: 303, manager: 303, admin: 303, disabled: 403, revoked: 401 } },
  { name: 'POST create restricted job', method: 'POST', target: '/uws/restricted', body: {}, expect: { anonymous: 401, userA: 403, userB: 403, manager: 303, admin: 303, disabled: 403, revoked: 401 } },
  { name: 'GET job list OWNER=usera', method: 'GET', target: '/uws/noop?OWNER=usera', expect: { anonymous: 401, userA: 403, userB: 403, manager: 403, admin: 200, disabled: 403, revoked: 401 } },
  // UWS job resources (user A's job)
  { name: 'GET job', method: 'GET', target: (j) => j, expect: OWN },
  { name: 'GET job WAIT', method: 'GET', target: (j) => `${j}?WAIT=0`, expect: OWN },
  { name: 'GET phase', method: 'GET', target: (j) => `${j}/phase`, expect: OWN },
  { name: 'GET executionduration', method: 'GET', target: (j) => `${j}/executionduration`, expect: OWN },
  { name: 'GET destruction', method: 'GET', target: (j) => `${j}/destruction`, expect: OWN },
  { name: 'GET quote', method: 'GET', target: (j) => `${j}/quote`, expect: OWN },
  { name: 'GET owner', method: 'GET', target: (j) => `${j}/owner`, expect: OWN },
  { name: 'GET error', method: 'GET', job: 'failed', target: (j) => `${j}/error`, expect: OWN },
  { name: 'GET parameters', method: 'GET', target: (j) => `${j}/parameters`, expect: OWN },
  { name: 'GET parameters/{name}', method: 'GET', job: 'files', target: (j) => `${j}/parameters/input`, expect: OWN },
  { name: 'GET results', method: 'GET', job: 'files', target: (j) => `${j}/results`, expect: OWN },
  { name: 'GET results/{id}', method: 'GET', job: 'files', target: (j) => `${j}/results/summary.json`, expect: OWN },
  { name: 'POST phase RUN', method: 'POST', target: (j) => `${j}/phase`, body: { PHASE: 'RUN' }, expect: OWN_REDIRECT },
  { name: 'POST phase ABORT', method: 'POST', target: (j) => `${j}/phase`, body: { PHASE: 'ABORT' }, expect: OWN_REDIRECT },
  { name: 'POST executionduration', method: 'POST', target: (j) => `${j}/executionduration`, body: { EXECUTIONDURATION: '30' }, expect: OWN_REDIRECT },
  { name: 'POST destruction', method: 'POST', target: (j) => `${j}/destruction`, body: { DESTRUCTION: new Date(Date.now() + 86400_000).toISOString() }, expect: OWN_REDIRECT },
  { name: 'POST parameters', method: 'POST', target: (j) => `${j}/parameters`, body: {}, expect: OWN_REDIRECT },
  { name: 'POST ACTION=DELETE', method: 'POST', target: (j) => j, body: { ACTION: 'DELETE' }, expect: OWN_REDIRECT },
  { name: 'DELETE job', method: 'DELETE', target: (j) => j, expect: OWN_REDIRECT },
  // JSON API
  { name: 'GET /api/job-types', method: 'GET', target: '/api/job-types', expect: ANY_USER },
  { name: 'GET /api/me', method: 'GET', target: '/api/me', expect: ANY_USER },
  { name: 'GET /api/tokens', method: 'GET', target: '/api/tokens', expect: ANY_USER },
  { name: 'POST /api/tokens', method: 'POST', target: '/api/tokens', body: 'json-token', expect: { anonymous: 401, userA: 201, userB: 201, manager: 201, admin: 201, disabled: 403, revoked: 401 } },
  { name: 'DELETE /api/tokens/999999', method: 'DELETE', target: '/api/tokens/999999', expect: { anonymous: 401, userA: 404, userB: 404, manager: 404, admin: 404, disabled: 403, revoked: 401 } },
  { name: 'GET /metrics', method: 'GET', target: '/metrics', expect: { anonymous: 401, userA: 403, userB: 403, manager: 200, admin: 200, disabled: 403, revoked: 401 } },
  // public
  { name: 'GET /availability', method: 'GET', target: '/availability', expect: PUBLIC },
  { name: 'GET /capabilities', method: 'GET', target: '/capabilities', expect: PUBLIC },
  { name: 'GET /docs/json', method: 'GET', target: '/docs/json', expect: PUBLIC },
  { name: 'GET /api/health', method: 'GET', target: '/api/health', expect: PUBLIC },
  { name: 'GET /api/auth/session', method: 'GET', target: '/api/auth/session', expect: PUBLIC },
];

describe('authorisation matrix', () => {
  for (const row of ROWS) {
    it(row.name, async () => {
      const got: Partial<Record<Who, number>> = {};
      for (const who of WHO) {
        const job = typeof row.target === 'function' ? await jobOfA(row.job ?? 'pending') : '';
        const target = typeof row.target === 'function' ? row.target(job) : `${s.url}${row.target}`;
        const init: RequestInit = { method: row.method, headers: { ...headers[who] }, redirect: 'manual' };
        if (row.body === 'json-token') {
          init.body = JSON.stringify({ name: 'matrix' });
          (init.headers as Record<string, string>)['content-type'] = 'application/json';
        } else if (row.body) {
          init.body = formBody(row.body);
        }
        const res = await fetch(target, init);
        await res.arrayBuffer();
        got[who] = res.status;
      }
      expect(got).toEqual(row.expect);
    });
  }
});
