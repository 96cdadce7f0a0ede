import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type ReceivedMail } from '../support/smtp.js';
import { AuthService, UserService } from '@vocloud/core';
import { ADMIN_PASSWORD, startServer, type TestServer } from '../support/server.js';
import { addUser, adminHeaders, basic, bearer, createToken, login } from '../support/auth.js';
import { createJob, formBody } from '../support/uws.js';

/*
 * Identity: password sign-in with sessions and CSRF, personal API tokens, HTTP Basic, disabled
 * users, registration modes, password change and reset (mail through a real SMTP server on
 * loopback), the sign-in rate limit, and the first admin.
 */

let mails: ReceivedMail[] = [];
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let smtpPort = 0;
let s: TestServer;
let base: string;

beforeAll(async () => {
  smtp = await startSmtpSink();
  mails = smtp.mails;
  smtpPort = smtp.port;
  s = await startServer({
    overrides: {
      auth: { anonymous: false, registration: 'open', loginAttempts: 5, loginWindow: 60, resetTokenTtl: 60 },
      mail: { transport: 'smtp', from: 'vocloud <noreply@vocloud.test>', smtp: { host: '127.0.0.1', port: smtpPort } },
    },
  });
  base = s.url;
});
afterAll(async () => {
  await s?.stop();
  await smtp?.close();
});

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('sessions', () => {
  it('sign-in sets an httpOnly, SameSite session cookie and gives a CSRF token', async () => {
    const u = await addUser(s, 'sally');
    const res = await fetch(`${base}/api/auth/login`, json({ username: 'sally', password: u.password }));
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^vocloud_session=[\w-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const body = (await res.json()) as any;
    expect(body.user).toMatchObject({ username: 'sally', role: 'user' });
    expect(body.user).not.toHaveProperty('passwordHash');
    expect(body.csrfToken.length).toBeGreaterThan(30);
  });

  it('unsafe requests with the session cookie need the CSRF token; safe ones do not', async () => {
    const u = await addUser(s, 'carl');
    const session = await login(base, 'carl', u.password);
    expect((await fetch(`${base}/uws/noop`, { headers: session.headers() })).status).toBe(200);
    const forged = await fetch(`${base}/uws/noop`, { method: 'POST', headers: session.headers(), redirect: 'manual' });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toMatch(/X-CSRF-Token/);
    const wrong = await fetch(`${base}/uws/noop`, { method: 'POST', headers: { ...session.headers(), 'x-csrf-token': 'guess' }, redirect: 'manual' });
    expect(wrong.status).toBe(403);
    const ok = await fetch(`${base}/uws/noop`, { method: 'POST', headers: session.headers(true), redirect: 'manual' });
    expect(ok.status).toBe(303);
  });

  it('sign-out ends the session', async () => {
    const u = await addUser(s, 'olga');
    const session = await login(base, 'olga', u.password);
    expect((await fetch(`${base}/api/auth/logout`, { method: 'POST', headers: session.headers(true) })).status).toBe(200);
    expect((await fetch(`${base}/uws/noop`, { headers: session.headers() })).status).toBe(401);
  });

  it('a wrong password and an unknown user get the same answer', async () => {
    const a = await fetch(`${base}/api/auth/login`, json({ username: 'sally', password: 'wrong-password-here' }));
    const b = await fetch(`${base}/api/auth/login`, json({ username: 'nosuchuser', password: 'wrong-password-here' }));
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(await a.text()).toBe(await b.text());
  });

  it('too many failed sign-ins are refused with 429, even with the right password then', async () => {
    const u = await addUser(s, 'mallory');
    for (let i = 0; i < 5; i++) await fetch(`${base}/api/auth/login`, json({ username: 'mallory', password: `bad-${i}-password` }));
    const locked = await fetch(`${base}/api/auth/login`, json({ username: 'mallory', password: u.password }));
    expect(locked.status).toBe(429);
    expect(await locked.text()).toMatch(/too many failed sign-ins/);
  });
});

describe('API tokens and Basic', () => {
  it('a token is shown once, works as Bearer and as the Basic password, and stops working when revoked', async () => {
    const u = await addUser(s, 'tina');
    const session = await login(base, 'tina', u.password);
    const { token, id } = await createToken(base, session.headers(true), 'laptop');
    expect(token).toMatch(/^vct_[\w-]{40,}$/);
    const list = (await (await fetch(`${base}/api/tokens`, { headers: session.headers() })).json()) as any;
    expect(list.tokens).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain(token); // never shown again
    expect(list.tokens[0]).toMatchObject({ name: 'laptop', prefix: token.slice(0, 10), revokedAt: null });

    const viaBearer = await fetch(`${base}/api/me`, { headers: bearer(token) });
    expect(((await viaBearer.json()) as any).user.username).toBe('tina');
    const viaBasic = await fetch(`${base}/api/me`, { headers: basic('tina', token) });
    expect(((await viaBasic.json()) as any).via).toBe('basic');
    expect((await fetch(`${base}/api/me`, { headers: basic('someoneelse', token) })).status).toBe(401);

    // Bearer requests need no CSRF token (no cookie is involved)
    const job = await fetch(`${base}/uws/noop`, { method: 'POST', headers: bearer(token), redirect: 'manual' });
    expect(job.status).toBe(303);

    expect((await fetch(`${base}/api/tokens/${id}`, { method: 'DELETE', headers: session.headers(true) })).status).toBe(200);
    const revoked = await fetch(`${base}/api/me`, { headers: bearer(token) });
    expect(revoked.status).toBe(401);
    expect(await revoked.text()).toMatch(/not valid/);
  });

  it('tokens are stored hashed: the database never holds the token', async () => {
    const u = await addUser(s, 'hans');
    const { token } = await createToken(base, basic('hans', u.password), 'ci');
    const rows = await s.vocloud.database.knex('api_tokens').select('*');
    expect(JSON.stringify(rows)).not.toContain(token);
    const users = await s.vocloud.database.knex('users').where({ username: 'hans' }).first();
    expect(users.password_hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(users.password_hash).not.toContain(u.password);
  });

  it('an expired token is refused with a message saying so', async () => {
    const u = await addUser(s, 'ernie');
    const { token, id } = await createToken(base, basic('ernie', u.password), 'short', 1);
    await s.vocloud.database.knex('api_tokens').update({ expires_at: new Date(Date.now() - 1000) }).where({ id });
    const res = await fetch(`${base}/api/me`, { headers: bearer(token) });
    expect(res.status).toBe(401);
    expect(await res.text()).toMatch(/expired/);
  });

  it('HTTP Basic with the password works for VO clients; 401s carry WWW-Authenticate', async () => {
    const u = await addUser(s, 'vera');
    const res = await fetch(`${base}/uws/noop`, { headers: basic('vera', u.password) });
    expect(res.status).toBe(200);
    const anon = await fetch(`${base}/uws/noop`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Basic realm="vocloud"/);
    expect((await fetch(`${base}/uws/noop`, { headers: basic('vera', 'not-her-password') })).status).toBe(401);
    expect((await fetch(`${base}/uws/noop`, { headers: { authorization: 'Digest abc' } })).status).toBe(401);
    expect((await fetch(`${base}/uws/noop`, { headers: { authorization: 'Basic !!!' } })).status).toBe(401);
  });
});

describe('disabled users', () => {
  it('cannot sign in, and their sessions, tokens and Basic credentials stop working at once', async () => {
    const u = await addUser(s, 'dora');
    const session = await login(base, 'dora', u.password);
    const { token } = await createToken(base, session.headers(true));
    expect((await fetch(`${base}/api/me`, { headers: basic('dora', u.password) })).status).toBe(200);
    await s.vocloud.resolve(UserService).update({ ownerId: 'admin', role: 'admin', isAdmin: true, userId: 1, via: 'basic' }, 'dora', { enabled: false });
    const signIn = await fetch(`${base}/api/auth/login`, json({ username: 'dora', password: u.password }));
    expect(signIn.status).toBe(403);
    expect(await signIn.text()).toMatch(/disabled/);
    expect((await fetch(`${base}/api/me`, { headers: session.headers() })).status).toBe(401);
    expect((await fetch(`${base}/api/me`, { headers: bearer(token) })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 1100)); // the user cache lives one second
    expect((await fetch(`${base}/api/me`, { headers: basic('dora', u.password) })).status).toBeGreaterThanOrEqual(401);
  });
});

describe('registration and passwords', () => {
  it('open registration creates a user who can sign in; bad names and weak passwords are refused', async () => {
    const ok = await fetch(`${base}/api/auth/register`, json({ username: 'newbie', email: 'newbie@example.org', password: 'a-long-enough-pass' }));
    expect(ok.status).toBe(201);
    await login(base, 'newbie', 'a-long-enough-pass');
    const taken = await fetch(`${base}/api/auth/register`, json({ username: 'newbie', email: 'other@example.org', password: 'a-long-enough-pass' }));
    expect(taken.status).toBe(409);
    const bad = await fetch(`${base}/api/auth/register`, json({ username: '../admin', email: 'x@example.org', password: 'a-long-enough-pass' }));
    expect(bad.status).toBe(400);
    const reserved = await fetch(`${base}/api/auth/register`, json({ username: 'anonymous', email: 'y@example.org', password: 'a-long-enough-pass' }));
    expect(reserved.status).toBe(400);
    const weak = await fetch(`${base}/api/auth/register`, json({ username: 'weakling', email: 'w@example.org', password: 'short' }));
    expect(weak.status).toBe(400);
    expect(await weak.text()).toMatch(/at least 10 characters/);
  });

  it('changing the password needs the current one and ends the other sessions', async () => {
    const u = await addUser(s, 'pat');
    const a = await login(base, 'pat', u.password);
    const b = await login(base, 'pat', u.password);
    const wrong = await fetch(`${base}/api/auth/password`, json({ currentPassword: 'nope-nope-nope', newPassword: 'brand-new-password' }, a.headers(true)));
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${base}/api/auth/password`, json({ currentPassword: u.password, newPassword: 'brand-new-password' }, a.headers(true)));
    expect(ok.status).toBe(200);
    expect((await fetch(`${base}/api/me`, { headers: a.headers() })).status).toBe(200); // this one stays
    expect((await fetch(`${base}/api/me`, { headers: b.headers() })).status).toBe(401); // the others end
    await login(base, 'pat', 'brand-new-password');
  });

  it('a reset link arrives by real SMTP, works once, and only before it expires', async () => {
    const u = await addUser(s, 'rita');
    mails.length = 0;
    const asked = await fetch(`${base}/api/auth/password-reset`, json({ login: 'rita@example.org' }));
    expect(asked.status).toBe(202);
    const unknown = await fetch(`${base}/api/auth/password-reset`, json({ login: 'nobody@example.org' }));
    expect(unknown.status).toBe(202); // the same answer: no account discovery
    for (let i = 0; i < 50 && mails.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toBe('rita@example.org');
    const text = mails[0]!.text; // quoted-printable undone by the sink
    const token = decodeURIComponent(/reset-password\?token=(\S+)/.exec(text)![1]!);
    expect(token).toMatch(/^vcr_/);
    const done = await fetch(`${base}/api/auth/password-reset/confirm`, json({ token, password: 'reset-password-ok' }));
    expect(done.status).toBe(200);
    await login(base, 'rita', 'reset-password-ok');
    expect((await fetch(`${base}/api/auth/login`, json({ username: 'rita', password: u.password }))).status).toBe(401);
    const again = await fetch(`${base}/api/auth/password-reset/confirm`, json({ token, password: 'another-password-x' }));
    expect(again.status).toBe(400);
    expect(await again.text()).toMatch(/not valid/);

    const user = await s.vocloud.resolve(UserService).require('rita');
    const { token: old } = await s.vocloud.resolve(AuthService).createResetToken(user.id);
    await s.vocloud.database.knex('password_resets').update({ expires_at: new Date(Date.now() - 1000) });
    expect((await fetch(`${base}/api/auth/password-reset/confirm`, json({ token: old, password: 'too-late-password' }))).status).toBe(400);
  });
});

describe('registration modes', () => {
  it('closed refuses, invite needs a valid unused code', async () => {
    const closed = await startServer({ overrides: { auth: { registration: 'closed' } } });
    try {
      const r = await fetch(`${closed.url}/api/auth/register`, json({ username: 'x1', email: 'x1@example.org', password: 'a-long-enough-pass' }));
      expect(r.status).toBe(403);
      expect(await r.text()).toMatch(/closed/);
    } finally {
      await closed.stop();
    }
    const invite = await startServer({ overrides: { auth: { registration: 'invite' } } });
    try {
      const admin = { ownerId: 'admin', role: 'admin' as const, isAdmin: true, userId: 1, via: 'basic' as const };
      const { code } = await invite.vocloud.resolve(UserService).createInvite(admin, 'manager', 7, 'for the SOM workshop');
      const none = await fetch(`${invite.url}/api/auth/register`, json({ username: 'y1', email: 'y1@example.org', password: 'a-long-enough-pass' }));
      expect(none.status).toBe(403);
      const ok = await fetch(`${invite.url}/api/auth/register`, json({ username: 'y1', email: 'y1@example.org', password: 'a-long-enough-pass', inviteCode: code }));
      expect(ok.status).toBe(201);
      expect(((await ok.json()) as any).user.role).toBe('manager');
      const reused = await fetch(`${invite.url}/api/auth/register`, json({ username: 'y2', email: 'y2@example.org', password: 'a-long-enough-pass', inviteCode: code }));
      expect(reused.status).toBe(403);
    } finally {
      await invite.stop();
    }
  });
});

describe('first admin', () => {
  it('the bootstrap admin exists with the configured password, and only once', async () => {
    const me = (await (await fetch(`${base}/api/me`, { headers: adminHeaders() })).json()) as any;
    expect(me.user).toMatchObject({ username: 'admin', role: 'admin' });
    await s.vocloud.resolve(UserService).bootstrap(); // users exist: nothing happens
    expect(await s.vocloud.resolve(UserService).count()).toBeGreaterThan(1);
    expect((await fetch(`${base}/api/me`, { headers: basic('admin', ADMIN_PASSWORD) })).status).toBe(200);
  });
});

describe('ownership', () => {
  it('ownerId is the username; other users get 404, admins see all, OWNER is for admins', async () => {
    const a = await addUser(s, 'alice');
    const b = await addUser(s, 'bob');
    const res = await fetch(`${base}/uws/noop`, { method: 'POST', headers: basic('alice', a.password), redirect: 'manual' });
    const url = res.headers.get('location')!;
    const own = await fetch(`${url}/owner`, { headers: basic('alice', a.password) });
    expect(await own.text()).toBe('alice');
    expect((await fetch(url, { headers: basic('bob', b.password) })).status).toBe(404);
    expect((await fetch(`${url}/phase`, { method: 'POST', headers: basic('bob', b.password), body: formBody({ PHASE: 'RUN' }), redirect: 'manual' })).status).toBe(404);
    expect((await fetch(url, { method: 'DELETE', headers: basic('bob', b.password), redirect: 'manual' })).status).toBe(404);
    expect((await fetch(url, { headers: adminHeaders() })).status).toBe(200);
    const bobsList = await (await fetch(`${base}/uws/noop`, { headers: basic('bob', b.password) })).text();
    expect(bobsList).not.toContain(url);
    const adminList = await (await fetch(`${base}/uws/noop?OWNER=alice`, { headers: adminHeaders() })).text();
    expect(adminList).toContain(url);
    expect((await fetch(`${base}/uws/noop?OWNER=alice`, { headers: basic('bob', b.password) })).status).toBe(403);
    void createJob;
  });
});
