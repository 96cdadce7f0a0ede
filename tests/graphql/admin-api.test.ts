import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type ReceivedMail } from '../support/smtp.js';
import { join } from 'node:path';
import { DB_KIND, TEST_PLUGIN, startServer, type TestServer } from '../support/server.js';
import { addUser, adminHeaders, basic, bearer, createToken } from '../support/auth.js';
import { jobFromXml, post } from '../support/uws.js';
import { createJobAs, data, gql } from './client.js';

/*
 * The admin API's queries and mutations against a real server: what each returns, that each
 * mutation writes exactly one audit entry with the state before and after, and that bad input
 * gets a clear error (and no audit entry). Anonymous use is on here, as in the quick start.
 */

let mails: ReceivedMail[] = [];
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let s: TestServer;
const admin = adminHeaders();
let alice: Record<string, string>;
let bob: Record<string, string>;

beforeAll(async () => {
  smtp = await startSmtpSink();
  mails = smtp.mails;
  const smtpPort = smtp.port;
  s = await startServer({
    plugins: [{ package: TEST_PLUGIN }, { package: join(import.meta.dirname, 'secret-plugin.mjs') }],
    overrides: {
      auth: { registration: 'invite' },
      quotas: { storage: 1_000_000 },
      mail: { transport: 'smtp', from: 'vocloud <noreply@vocloud.test>', smtp: { host: '127.0.0.1', port: smtpPort } },
    },
  });
  const a = await addUser(s, 'alice', 'user', { organisation: 'Ondřejov' });
  const b = await addUser(s, 'bob');
  alice = basic(a.username, a.password);
  bob = basic(b.username, b.password);
});
afterAll(async () => {
  await s?.stop();
  await smtp?.close();
});

const q = (query: string, variables?: Record<string, unknown>) => data(s.url, query, admin, variables);

interface AuditEntry {
  id: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: any;
  after: any;
  at: string;
}

async function auditTotal(): Promise<number> {
  return (await q('{ auditLog(first: 0) { totalCount } }')).auditLog.totalCount;
}

/** Run a mutation; it must write exactly one audit entry, which is returned with the result. */
async function audited(query: string, variables?: Record<string, unknown>): Promise<{ result: any; entry: AuditEntry }> {
  const before = await auditTotal();
  const result = await q(query, variables);
  const { auditLog } = await q('{ auditLog(first: 2) { totalCount nodes { id at actor action targetType targetId before after } } }');
  expect(auditLog.totalCount - before, `audit entries written by ${query.slice(0, 60)}`).toBe(1);
  const entry = auditLog.nodes[0] as AuditEntry;
  expect(entry.actor).toBe('admin');
  expect(Date.now() - Date.parse(entry.at)).toBeLessThan(60_000);
  return { result, entry };
}

/** A request that must fail with `code` and write no audit entry; returns the message. */
async function refused(query: string, code: string, headers = admin): Promise<string> {
  const before = await auditTotal();
  const r = await gql(s.url, query, { headers });
  const error = r.body.errors?.[0];
  expect(error?.extensions?.code, JSON.stringify(r.body)).toBe(code);
  expect(await auditTotal()).toBe(before);
  return error!.message;
}

const createJob = (headers: Record<string, string>, jobType: string, form: Record<string, string> | FormData = {}) => createJobAs(s.url, headers, jobType, form);

async function phaseOf(id: string): Promise<string> {
  return (await q(`{ job(id: "${id}") { phase } }`)).job?.phase ?? 'GONE';
}

async function waitPhase(id: string, phases: string[], timeoutMs = 20_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const p = await phaseOf(id);
    if (phases.includes(p)) return p;
    if (Date.now() > end) throw new Error(`job ${id} is ${p}, not ${phases.join('/')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe(`GraphQL admin API (${DB_KIND})`, () => {
  describe('users', () => {
    it('createUser makes an account; the audit entry holds its state, never the password', async () => {
      const { result, entry } = await audited(
        `mutation { createUser(input: { username: "carol", email: "carol@example.org", password: "a-long-password-1", displayName: "Carol",
           organisation: "ASU", role: manager, storageQuota: 5000000000, maxRunningJobs: 2 }) {
           username email displayName organisation role enabled storageQuota maxRunningJobs maxQueuedJobs hasPassword
           limits { storageQuota maxRunningJobs maxQueuedJobs } storageUsed createdAt lastLoginAt } }`,
      );
      expect(result.createUser).toMatchObject({
        username: 'carol', email: 'carol@example.org', displayName: 'Carol', organisation: 'ASU', role: 'manager', enabled: true,
        storageQuota: 5_000_000_000, maxRunningJobs: 2, maxQueuedJobs: null, hasPassword: true,
        limits: { storageQuota: 5_000_000_000, maxRunningJobs: 2, maxQueuedJobs: 100 }, storageUsed: 0, lastLoginAt: null,
      });
      expect(entry).toMatchObject({ action: 'user.create', targetType: 'user', targetId: 'carol', before: null });
      expect(entry.after).toMatchObject({ username: 'carol', role: 'manager', storageQuota: 5_000_000_000 });
      expect(JSON.stringify(entry)).not.toMatch(/a-long-password-1|password_hash|scrypt/);
      // the account works
      expect((await data(s.url, '{ me { role } }', basic('carol', 'a-long-password-1'))).me.role).toBe('manager');
      expect(await refused('mutation { createUser(input: { username: "carol", email: "c2@example.org" }) { username } }', 'CONFLICT')).toMatch(/carol.*taken/);
      expect(await refused('mutation { createUser(input: { username: "Bad Name", email: "x@example.org" }) { username } }', 'BAD_USER_INPUT')).toMatch(/user name/);
      expect(await refused('mutation { createUser(input: { username: "dan", email: "x@example.org", password: "short" }) { username } }', 'BAD_USER_INPUT')).toMatch(/password/);
    });

    it('users filters by search, role and enabled, and pages with a total count', async () => {
      for (const n of ['page1', 'page2', 'page3', 'page4']) await addUser(s, n, 'user', { organisation: 'Paging Inc' });
      const all = await q('{ users(filter: { search: "paging" }, first: 2, offset: 1) { totalCount nodes { username } } }');
      expect(all.users).toEqual({ totalCount: 4, nodes: [{ username: 'page2' }, { username: 'page3' }] });
      const managers = await q('{ users(filter: { role: manager }) { nodes { username } } }');
      expect(managers.users.nodes.map((u: any) => u.username)).toContain('carol');
      expect(managers.users.nodes.every((u: any) => u.username !== 'alice')).toBe(true);
      const org = await q('{ users(filter: { search: "ondřejov" }) { nodes { username organisation } } }');
      expect(org.users.nodes).toEqual([{ username: 'alice', organisation: 'Ondřejov' }]);
      expect((await q('{ user(username: "nobody-here") { username } }')).user).toBeNull();
      expect(await refused('{ users(first: 5000) { totalCount } }', 'BAD_USER_INPUT')).toMatch(/first must be between 0 and 1000/);
      expect(await refused('{ users(offset: -1) { totalCount } }', 'BAD_USER_INPUT')).toMatch(/offset/);
    });

    it('updateUser changes what is given; null returns a limit to the default; the audit entry has before and after', async () => {
      await q('mutation { updateUser(username: "bob", input: { maxQueuedJobs: 3 }) { username } }');
      const { result, entry } = await audited(
        'mutation { updateUser(username: "bob", input: { displayName: "Bob B.", maxQueuedJobs: null, storageQuota: 123456789012 }) { displayName maxQueuedJobs storageQuota limits { maxQueuedJobs storageQuota } email } }',
      );
      expect(result.updateUser).toEqual({ displayName: 'Bob B.', maxQueuedJobs: null, storageQuota: 123456789012, limits: { maxQueuedJobs: 100, storageQuota: 123456789012 }, email: 'bob@example.org' });
      expect(entry).toMatchObject({ action: 'user.update', targetId: 'bob' });
      expect(entry.before).toMatchObject({ displayName: '', maxQueuedJobs: 3, storageQuota: null });
      expect(entry.after).toMatchObject({ displayName: 'Bob B.', maxQueuedJobs: null, storageQuota: 123456789012 });
      expect(await refused('mutation { updateUser(username: "bob", input: { email: null }) { username } }', 'BAD_USER_INPUT')).toBe('email cannot be null; leave it out to keep the current value');
      expect(await refused('mutation { updateUser(username: "bob", input: { email: "not-an-address" }) { username } }', 'BAD_USER_INPUT')).toMatch(/not an e-mail address/);
      expect(await refused('mutation { updateUser(username: "admin", input: { role: user }) { username } }', 'FORBIDDEN')).toMatch(/cannot demote or disable yourself/);
      expect(await refused('mutation { updateUser(username: "ghost", input: { displayName: "x" }) { username } }', 'NOT_FOUND')).toMatch(/no user 'ghost'/);
      expect(await refused('mutation { updateUser(username: "bob", input: { maxRunningJobs: -1 }) { username } }', 'BAD_USER_INPUT')).toMatch(/maxRunningJobs/);
    });

    it('disableUser stops the account at once and is audited as user.disable', async () => {
      const d = await addUser(s, 'doomed');
      expect((await fetch(`${s.url}/api/me`, { headers: basic(d.username, d.password) })).status).toBe(200);
      const { result, entry } = await audited('mutation { disableUser(username: "doomed") { enabled } }');
      expect(result.disableUser.enabled).toBe(false);
      expect(entry).toMatchObject({ action: 'user.disable', targetId: 'doomed', before: { enabled: true }, after: { enabled: false } });
      expect((await fetch(`${s.url}/api/me`, { headers: basic(d.username, d.password) })).status).toBe(403);
      expect((await q('{ users(filter: { enabled: false }) { nodes { username } } }')).users.nodes).toEqual([{ username: 'doomed' }]);
    });

    it('deleteUser removes the account; an admin cannot delete their own', async () => {
      await addUser(s, 'leaving');
      const { result, entry } = await audited('mutation { deleteUser(username: "leaving") }');
      expect(result.deleteUser).toBe(true);
      expect(entry).toMatchObject({ action: 'user.delete', targetId: 'leaving', after: null });
      expect(entry.before).toMatchObject({ username: 'leaving', email: 'leaving@example.org' });
      expect((await q('{ user(username: "leaving") { username } }')).user).toBeNull();
      expect(await refused('mutation { deleteUser(username: "admin") }', 'FORBIDDEN')).toMatch(/cannot delete your own account/);
    });

    it('resetPassword hands out a one-time link, and mails it through SMTP when asked', async () => {
      const target = await addUser(s, 'forgetful');
      const { result, entry } = await audited('mutation { resetPassword(username: "forgetful", sendMail: true) { token link expiresAt mailed mailError } }');
      const reset = result.resetPassword;
      expect(reset).toMatchObject({ mailed: true, mailError: null });
      expect(reset.link).toBe(`${s.url}/reset-password?token=${encodeURIComponent(reset.token)}`);
      expect(Date.parse(reset.expiresAt)).toBeGreaterThan(Date.now());
      expect(entry).toMatchObject({ action: 'user.resetPassword', targetId: 'forgetful', before: null, after: { mailed: true } });
      expect(JSON.stringify(entry)).not.toContain(reset.token);
      const mail = mails.find((m) => m.to === 'forgetful@example.org');
      expect(mail?.body.replace(/=\r?\n/g, '').replace(/=3D/g, '=')).toContain(reset.token);
      const confirm = (password: string) =>
        fetch(`${s.url}/api/auth/password-reset/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: reset.token, password }) });
      expect((await confirm('brand-new-password-1')).status).toBe(200);
      expect((await confirm('brand-new-password-2')).status).toBe(400); // once only
      expect((await fetch(`${s.url}/api/me`, { headers: basic('forgetful', 'brand-new-password-1') })).status).toBe(200);
      expect((await fetch(`${s.url}/api/me`, { headers: basic('forgetful', target.password) })).status).toBe(401);
      // without sendMail nothing is mailed
      const n = mails.length;
      expect((await q('mutation { resetPassword(username: "forgetful") { mailed } }')).resetPassword.mailed).toBe(false);
      expect(mails.length).toBe(n);
    });

    it('revokeTokens revokes every token of a user', async () => {
      const t1 = await createToken(s.url, alice, 'one');
      const t2 = await createToken(s.url, alice, 'two');
      expect((await fetch(`${s.url}/api/me`, { headers: bearer(t1.token) })).status).toBe(200);
      const { result, entry } = await audited('mutation { revokeTokens(username: "alice") }');
      expect(result.revokeTokens).toBe(2);
      expect(entry).toMatchObject({ action: 'user.revokeTokens', targetId: 'alice', after: { revoked: 2 } });
      for (const t of [t1, t2]) expect((await fetch(`${s.url}/api/me`, { headers: bearer(t.token) })).status).toBe(401);
    });

    it('createInvite issues a code that registration accepts once, with the role it names', async () => {
      const { result, entry } = await audited('mutation { createInvite(role: manager, days: 2, note: "for Eve") { code role expiresAt } }');
      const { code, role, expiresAt } = result.createInvite;
      expect(code).toMatch(/^vci_/);
      expect(role).toBe('manager');
      expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(86400_000);
      expect(entry).toMatchObject({ action: 'invite.create', targetType: 'invite', after: { role: 'manager', note: 'for Eve' } });
      expect(JSON.stringify(entry)).not.toContain(code);
      const register = (username: string) =>
        fetch(`${s.url}/api/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, email: `${username}@example.org`, password: 'eve-password-123', inviteCode: code }),
        });
      expect((await register('eve')).status).toBe(201);
      expect((await register('eve2')).status).toBe(403);
      expect((await q('{ user(username: "eve") { role } }')).user.role).toBe('manager');
      expect(await refused('mutation { createInvite(days: 400) { code } }', 'BAD_USER_INPUT')).toMatch(/1 to 365 days/);
    });
  });

  describe('job types', () => {
    it('jobTypes shows effective and plugin limits, overrides, flags, the parameter schema and job counts', async () => {
      await createJob(alice, 'noop');
      const { jobTypes } = await q(
        '{ jobTypes { name kind title version source restricted enabled limits { concurrency defaultExecutionDuration maxExecutionDuration } pluginLimits { concurrency } overrides { enabled concurrency } parameterSchema jobCounts { phase count } } }',
      );
      const byName = new Map(jobTypes.map((t: any) => [t.name, t]));
      expect([...byName.keys()].sort()).toEqual(['cpu', 'fail', 'files', 'hang', 'noop', 'restricted', 'store', 'typed', 'wait', 'with-secret']);
      expect(byName.get('restricted')).toMatchObject({ restricted: true, enabled: true });
      expect(byName.get('wait')).toMatchObject({
        kind: 'worker',
        restricted: false,
        limits: { concurrency: 8, defaultExecutionDuration: 600, maxExecutionDuration: 3600 },
        pluginLimits: { concurrency: 8 },
        overrides: { enabled: null, concurrency: null },
      });
      expect(byName.get('wait').parameterSchema.properties.ms).toMatchObject({ type: 'integer', minimum: 0, default: 1000 });
      expect(byName.get('noop').jobCounts).toEqual([{ phase: 'PENDING', count: expect.any(Number) }]);
      expect((await q('{ jobType(name: "no-such") { name } }')).jobType).toBeNull();
    });

    it('setJobTypeEnabled false refuses new jobs of the type until it is enabled again', async () => {
      const { result, entry } = await audited('mutation { setJobTypeEnabled(name: "cpu", enabled: false) { enabled overrides { enabled } } }');
      expect(result.setJobTypeEnabled).toEqual({ enabled: false, overrides: { enabled: false } });
      expect(entry).toMatchObject({ action: 'jobType.setEnabled', targetType: 'jobType', targetId: 'cpu', before: { enabled: true }, after: { enabled: false } });
      const res = await post(`${s.url}/uws/cpu`, {}, alice);
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/disabled by an administrator/);
      await q('mutation { setJobTypeEnabled(name: "cpu", enabled: true) { enabled } }');
      expect((await post(`${s.url}/uws/cpu`, {}, alice)).status).toBe(303);
      expect(await refused('mutation { setJobTypeEnabled(name: "nope", enabled: true) { enabled } }', 'NOT_FOUND')).toMatch(/no job type 'nope'/);
    });

    it('setJobTypeLimits checks the values, applies them to new jobs, and null returns to the plugin value', async () => {
      const set = (limits: string) => `mutation { setJobTypeLimits(name: "wait", limits: ${limits}) { limits { concurrency defaultExecutionDuration maxExecutionDuration } overrides { concurrency defaultExecutionDuration maxExecutionDuration } } }`;
      expect(await refused(set('{ concurrency: 0 }'), 'BAD_USER_INPUT')).toBe('concurrency must be a whole number from 1 to 10000 (got 0)');
      expect(await refused(set('{ defaultExecutionDuration: -5 }'), 'BAD_USER_INPUT')).toMatch(/defaultExecutionDuration must be a whole number from 0/);
      expect(await refused(set('{ defaultExecutionDuration: 5000 }'), 'BAD_USER_INPUT')).toMatch(/between 1 and maxExecutionDuration \(3600 s\)/);
      expect(await refused(set('{ maxExecutionDuration: 100 }'), 'BAD_USER_INPUT')).toMatch(/defaultExecutionDuration \(600 s\) must be between 1 and maxExecutionDuration \(100 s\)/);
      expect(await refused(set('{ }'), 'BAD_USER_INPUT')).toMatch(/give at least one/);

      const { result, entry } = await audited(set('{ concurrency: 3, defaultExecutionDuration: 30, maxExecutionDuration: 60 }'));
      expect(result.setJobTypeLimits).toEqual({
        limits: { concurrency: 3, defaultExecutionDuration: 30, maxExecutionDuration: 60 },
        overrides: { concurrency: 3, defaultExecutionDuration: 30, maxExecutionDuration: 60 },
      });
      expect(entry).toMatchObject({
        action: 'jobType.setLimits',
        targetId: 'wait',
        before: { limits: { concurrency: 8, defaultExecutionDuration: 600, maxExecutionDuration: 3600 } },
        after: { limits: { concurrency: 3, defaultExecutionDuration: 30, maxExecutionDuration: 60 } },
      });
      // a new UWS job gets the new default, and asking for more than the cap gets the cap
      const job = async (form: Record<string, string>) => {
        const id = await createJob(alice, 'wait', form);
        return jobFromXml(await (await fetch(`${s.url}/uws/wait/${id}`, { headers: alice })).text()).executionDuration;
      };
      expect(await job({})).toBe(30);
      expect(await job({ EXECUTIONDURATION: '500' })).toBe(60);

      const back = await q(set('{ concurrency: null, defaultExecutionDuration: null, maxExecutionDuration: null }'));
      expect(back.setJobTypeLimits).toEqual({
        limits: { concurrency: 8, defaultExecutionDuration: 600, maxExecutionDuration: 3600 },
        overrides: { concurrency: null, defaultExecutionDuration: null, maxExecutionDuration: null },
      });
    });
  });

  describe('jobs', () => {
    it('jobs filters by owner, type, phase and creation time, pages, and counts per phase', async () => {
      const start = new Date();
      await new Promise((r) => setTimeout(r, 20));
      const a1 = await createJob(alice, 'typed', {});
      const a2 = await createJob(alice, 'noop', { PHASE: 'RUN' });
      const b1 = await createJob(bob, 'typed', {});
      const anon = await createJob({}, 'typed', {});
      await waitPhase(a2, ['COMPLETED']);
      const jobs = (filter: string, extra = '') =>
        q(`{ jobs(filter: ${filter}${extra}) { totalCount nodes { id ownerId jobType phase } countsByPhase { phase count } } }`).then((d) => d.jobs);
      const after = `createdAfter: "${start.toISOString()}"`;

      const mine = await jobs(`{ owner: "alice", ${after} }`);
      expect(mine.nodes.map((j: any) => j.id).sort()).toEqual([a1, a2].sort());
      expect(mine.nodes[0].id).toBe(a2); // newest first
      const typed = await jobs(`{ jobType: "typed", ${after} }`);
      expect(typed.nodes.map((j: any) => j.id).sort()).toEqual([a1, b1, anon].sort());
      const anonymous = await jobs(`{ owner: "anonymous", ${after} }`);
      expect(anonymous.nodes).toEqual([{ id: anon, ownerId: null, jobType: 'typed', phase: 'PENDING' }]);
      const done = await jobs(`{ phases: [COMPLETED], ${after} }`);
      expect(done.nodes.map((j: any) => j.id)).toEqual([a2]);
      // counts ignore the phase filter: they say what the other phases hold
      expect(done.countsByPhase.find((c: any) => c.phase === 'PENDING').count).toBe(3);
      expect(done.countsByPhase.find((c: any) => c.phase === 'COMPLETED').count).toBe(1);
      expect(done.countsByPhase).toHaveLength(10);
      const page = await jobs(`{ ${after} }`, ', first: 2, offset: 1');
      expect(page.totalCount).toBe(4);
      expect(page.nodes).toHaveLength(2);
      const before = await jobs(`{ createdBefore: "${start.toISOString()}", owner: "alice", jobType: "typed" }`);
      expect(before.nodes.map((j: any) => j.id)).not.toContain(a1);
      expect(await refused('{ jobs(filter: { createdAfter: "yesterday" }) { totalCount } }', 'GRAPHQL_VALIDATION_FAILED')).toMatch(/ISO 8601/);
    });

    it('job(id) shows parameters and results; an unknown id is null', async () => {
      const f = new FormData();
      f.append('input', new Blob(['hello, spectra']), 'in.txt');
      f.append('note', 'a note');
      f.append('PHASE', 'RUN');
      const id = await createJob(alice, 'files', f);
      await waitPhase(id, ['COMPLETED']);
      const { job } = await q(`{ job(id: "${id}") { id ownerId phase progress startTime endTime error { message } parameters { name value byReference fileSize } results { name mimeType size } } }`);
      expect(job).toMatchObject({ id, ownerId: 'alice', phase: 'COMPLETED', progress: 1, error: null });
      expect(job.parameters).toEqual(expect.arrayContaining([{ name: 'note', value: 'a note', byReference: false, fileSize: null }, expect.objectContaining({ name: 'input', byReference: true, fileSize: 14 })]));
      expect(job.results.map((r: any) => r.name).sort()).toEqual(['nested/copy.bin', 'stream.txt', 'summary.json']);
      // the same through the list
      const { jobs } = await q(`{ jobs(filter: { owner: "alice", jobType: "files" }) { nodes { id results { name } } } }`);
      expect(jobs.nodes.find((j: any) => j.id === id).results).toHaveLength(3);
      expect((await q('{ job(id: "nonexistent0000") { id } }')).job).toBeNull();
      expect((await q('{ job(id: "../../etc") { id } }')).job).toBeNull();
    });

    it('secret parameters are never shown, not even to admins', async () => {
      const id = await createJob(alice, 'with-secret', { user: 'astro', password: 'hunter2-very-secret' });
      const r = await gql(s.url, `{ job(id: "${id}") { parameters { name value } } jobs(filter: { jobType: "with-secret" }) { nodes { parameters { name value } } } }`, { headers: admin });
      expect(r.body.data.job.parameters).toEqual(expect.arrayContaining([{ name: 'user', value: 'astro' }, { name: 'password', value: '(hidden)' }]));
      expect(JSON.stringify(r.body)).not.toContain('hunter2');
      expect(JSON.stringify(r.body)).not.toContain('vocloud-secret:');
    });

    it('abortJob aborts a running job of any owner; the audit entry has its phase before and after', async () => {
      const id = await createJob(bob, 'wait', { ms: '30000', PHASE: 'RUN' });
      await waitPhase(id, ['EXECUTING']);
      const { result, entry } = await audited(`mutation { abortJob(id: "${id}", reason: "maintenance") { id phase } }`);
      expect(result.abortJob).toEqual({ id, phase: 'ABORTED' });
      expect(entry).toMatchObject({
        action: 'job.abort',
        targetType: 'job',
        targetId: id,
        before: { phase: 'EXECUTING', ownerId: 'bob', jobType: 'wait' },
        after: { phase: 'ABORTED', reason: 'maintenance' },
      });
    });

    it('abortJob of a finished job is a conflict; of an unknown job, not found — neither is audited', async () => {
      const id = await createJob(alice, 'noop', { PHASE: 'RUN' });
      await waitPhase(id, ['COMPLETED']);
      expect(await refused(`mutation { abortJob(id: "${id}") { phase } }`, 'CONFLICT')).toMatch(/cannot abort a job that is COMPLETED/);
      expect(await refused('mutation { abortJob(id: "nonexistent0000") { phase } }', 'NOT_FOUND')).toMatch(/no job 'nonexistent0000'/);
    });

    it('deleteJob removes a job of any owner with its files, and gives the storage back', async () => {
      const f = new FormData();
      f.append('input', new Blob([new Uint8Array(5000)]), 'big.bin');
      f.append('PHASE', 'RUN');
      const id = await createJob(bob, 'files', f);
      await waitPhase(id, ['COMPLETED']);
      const used = async () => (await q('{ user(username: "bob") { storageUsed } }')).user.storageUsed;
      const before = await used();
      const { job } = await q(`{ job(id: "${id}") { parameters { fileSize } results { size } } }`);
      const held = job.parameters.reduce((n: number, p: any) => n + (p.fileSize ?? 0), 0) + job.results.reduce((n: number, r: any) => n + r.size, 0);
      expect(held).toBeGreaterThan(10_000);
      expect(before).toBeGreaterThanOrEqual(held);
      const { result, entry } = await audited(`mutation { deleteJob(id: "${id}") }`);
      expect(result.deleteJob).toBe(true);
      expect(entry).toMatchObject({ action: 'job.delete', targetId: id, before: { phase: 'COMPLETED', ownerId: 'bob', jobType: 'files' }, after: null });
      expect(await phaseOf(id)).toBe('GONE');
      expect(await used()).toBe(before - held);
    });

    it('purgeJobs destroys finished jobs older than the date and nothing else', async () => {
      const done = await createJob(alice, 'noop', { PHASE: 'RUN' });
      await waitPhase(done, ['COMPLETED']);
      const pending = await createJob(alice, 'typed', {});
      expect(await refused('mutation { purgeJobs(olderThan: "2000-01-01T00:00:00Z", phases: [PENDING]) }', 'BAD_USER_INPUT')).toMatch(/finished jobs only.*not PENDING/);
      expect(await refused(`mutation { purgeJobs(olderThan: "${new Date(Date.now() + 3600_000).toISOString()}") }`, 'BAD_USER_INPUT')).toMatch(/future/);
      expect((await q('mutation { purgeJobs(olderThan: "2000-01-01T00:00:00Z") }')).purgeJobs).toBe(0);
      const cutoff = new Date().toISOString();
      const { result, entry } = await audited(`mutation { purgeJobs(olderThan: "${cutoff}", phases: [COMPLETED]) }`);
      expect(result.purgeJobs).toBeGreaterThanOrEqual(1);
      expect(entry).toMatchObject({ action: 'job.purge', targetType: 'job', targetId: null, before: { olderThan: cutoff, phases: ['COMPLETED'] }, after: { purged: result.purgeJobs } });
      expect(await phaseOf(done)).toBe('GONE');
      expect(await phaseOf(pending)).toBe('PENDING');
      const left = await q(`{ jobs(filter: { phases: [COMPLETED], createdBefore: "${cutoff}" }) { totalCount } }`);
      expect(left.jobs.totalCount).toBe(0);
    });
  });

  describe('system', () => {
    it('storageUsage lists bytes per user against each quota, largest first, and the anonymous share', async () => {
      const f = new FormData();
      f.append('input', new Blob([new Uint8Array(2000)]), 'x.bin');
      f.append('PHASE', 'RUN');
      await waitPhase(await createJob(alice, 'files', f), ['COMPLETED']);
      const { storageUsage } = await q('{ storageUsage(first: 3) { totalCount nodes { owner bytes quota fraction } anonymous { owner bytes quota } } }');
      expect(storageUsage.totalCount).toBeGreaterThan(5);
      expect(storageUsage.nodes).toHaveLength(3);
      const bytes = storageUsage.nodes.map((n: any) => n.bytes);
      expect([...bytes].sort((x, y) => y - x)).toEqual(bytes);
      const a = (await q('{ storageUsage(search: "alice") { nodes { owner bytes quota fraction } } }')).storageUsage.nodes[0];
      expect(a.owner).toBe('alice');
      expect(a.bytes).toBeGreaterThan(4000);
      expect(a.quota).toBe(1_000_000);
      expect(a.fraction).toBeCloseTo(a.bytes / 1_000_000, 10);
      expect(a.bytes).toBe((await q('{ user(username: "alice") { storageUsed } }')).user.storageUsed);
      expect(storageUsage.anonymous).toMatchObject({ owner: null, quota: 1024 ** 3 });
    });

    it('nodes shows this node alive, with its capacity and load; health shows the checks', async () => {
      const { nodes, health } = await q('{ nodes(aliveOnly: true) { id name roles alive maxConcurrentJobs runningJobs load heartbeatAt stoppedAt } health { available upSince checks { name ok detail } } }');
      expect(nodes).toHaveLength(1);
      expect(nodes[0]).toMatchObject({ alive: true, roles: ['api', 'executor'], stoppedAt: null });
      expect(nodes[0].load).toBe(nodes[0].runningJobs / nodes[0].maxConcurrentJobs);
      expect(Date.now() - Date.parse(nodes[0].heartbeatAt)).toBeLessThan(5000);
      expect(health.available).toBe(true);
      expect(health.checks.map((c: any) => [c.name, c.ok])).toEqual([['database', true], ['storage', true]]);
    });

    it('auditLog filters by actor, action, target and time, newest first', async () => {
      const since = new Date().toISOString();
      await q('mutation { updateUser(username: "bob", input: { organisation: "A" }) { username } }');
      await q('mutation { updateUser(username: "bob", input: { organisation: "B" }) { username } }');
      const { auditLog } = await q(`{ auditLog(filter: { action: "user.update", targetId: "bob", actor: "admin", since: "${since}" }) { totalCount nodes { after } } }`);
      expect(auditLog.totalCount).toBe(2);
      expect(auditLog.nodes.map((n: any) => n.after.organisation)).toEqual(['B', 'A']);
      const paged = await q(`{ auditLog(filter: { targetType: "user" }, first: 1, offset: 1) { totalCount nodes { action } } }`);
      expect(paged.auditLog.nodes).toHaveLength(1);
      expect((await q('{ auditLog(filter: { actor: "nobody" }) { totalCount } }')).auditLog.totalCount).toBe(0);
    });

    it('me answers anonymous callers when anonymous use is on; GraphiQL is off unless configured', async () => {
      expect((await data(s.url, '{ me { username role via user { username } } }', {})).me).toEqual({ username: null, role: 'anonymous', via: 'anonymous', user: null });
      expect((await data(s.url, '{ me { username user { organisation } } }', alice)).me).toEqual({ username: 'alice', user: { organisation: 'Ondřejov' } });
      expect((await fetch(`${s.url}/graphiql`, { headers: admin })).status).toBe(404);
    });
  });
});
