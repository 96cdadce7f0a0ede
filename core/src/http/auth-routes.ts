import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService } from '../auth/auth-service.js';
import { SESSION_COOKIE } from '../auth/auth-service.js';
import type { UserService } from '../auth/user-service.js';
import { publicView } from '../auth/user-service.js';
import type { User } from '../auth/model.js';
import type { UsageService } from '../quota/usage-service.js';
import type { VocloudConfig } from '../config/schema.js';
import { BadRequestError, UnauthorizedError } from '../uws/errors.js';
import { actorOf, baseUrlOf } from './request-context.js';

export interface AuthRouteOptions {
  readonly auth: AuthService;
  readonly users: UserService;
  readonly usage: UsageService;
  readonly config: VocloudConfig;
}

const tags = ['Accounts'];
const str = (maxLength = 1024) => ({ type: 'string', maxLength }) as const;

function userJson(u: User) {
  return { ...publicView(u), createdAt: u.createdAt.toISOString(), lastLoginAt: u.lastLoginAt?.toISOString() ?? null };
}

/** Sign-in, sign-out, registration, password change and reset, personal API tokens. */
export async function authRoutes(app: FastifyInstance, opts: AuthRouteOptions): Promise<void> {
  const { auth, users, usage, config } = opts;

  const secure = (request: FastifyRequest) =>
    config.auth.secureCookies === 'auto' ? request.protocol === 'https' || (config.server.publicUrl ?? '').startsWith('https:') : config.auth.secureCookies;

  const setSession = (request: FastifyRequest, reply: FastifyReply, cookie: string, expiresAt: Date) =>
    reply.setCookie(SESSION_COOKIE, cookie, { path: '/', httpOnly: true, sameSite: 'lax', secure: secure(request), expires: expiresAt });

  const me = async (request: FastifyRequest) => {
    const actor = actorOf(request);
    const limits = await usage.limits(actor.ownerId);
    const user = actor.ownerId ? await users.get(actor.ownerId) : null;
    return {
      user: user ? userJson(user) : null,
      role: actor.role,
      via: actor.via,
      csrfToken: request.csrfToken ?? null,
      usage: { storageBytes: await usage.usage(actor.ownerId), ...limits },
      anonymousAllowed: config.auth.anonymous,
      registration: config.auth.registration,
    };
  };

  app.get('/api/auth/session', { config: { public: true }, schema: { tags, summary: 'Who is signed in (or anonymous), the CSRF token, usage and limits' } }, async (request) =>
    me(request),
  );

  app.post<{ Body: { username: string; password: string } }>('/api/auth/login', {
    config: { public: true, noCsrf: true },
    schema: {
      tags,
      summary: 'Sign in with a user name (or e-mail) and password: sets the httpOnly session cookie',
      body: { type: 'object', required: ['username', 'password'], properties: { username: str(256), password: str() }, additionalProperties: false },
    },
  }, async (request, reply) => {
    const s = await auth.login(request.body.username, request.body.password, { ip: request.ip, userAgent: String(request.headers['user-agent'] ?? '') });
    setSession(request, reply, s.cookie, s.expiresAt);
    return { user: userJson(s.user), csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString() };
  });

  app.post('/api/auth/logout', { config: { public: true }, schema: { tags, summary: 'Sign out (ends the session)' } }, async (request, reply) => {
    const cookie = request.cookies?.[SESSION_COOKIE];
    if (cookie) await auth.logout(cookie);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.post<{ Body: { username: string; email: string; password: string; displayName?: string; organisation?: string; inviteCode?: string } }>('/api/auth/register', {
    config: { public: true, noCsrf: true },
    schema: {
      tags,
      summary: 'Create an account (when auth.registration is open, or invite with a code)',
      body: {
        type: 'object',
        required: ['username', 'email', 'password'],
        properties: { username: str(64), email: str(254), password: str(), displayName: str(200), organisation: str(200), inviteCode: str(200) },
        additionalProperties: false,
      },
    },
  }, async (request, reply) => {
    const user = await users.register(request.body);
    return reply.code(201).send({ user: userJson(user) });
  });

  app.post<{ Body: { currentPassword: string; newPassword: string } }>('/api/auth/password', {
    schema: {
      tags,
      summary: 'Change your password (other sessions end)',
      body: { type: 'object', required: ['currentPassword', 'newPassword'], properties: { currentPassword: str(), newPassword: str() }, additionalProperties: false },
    },
  }, async (request) => {
    const actor = actorOf(request);
    if (!actor.ownerId) throw new UnauthorizedError('sign in to change your password');
    await auth.checkPassword(actor.ownerId, request.body.currentPassword, request.ip);
    await users.setPassword(actor, actor.ownerId, request.body.newPassword, request.sessionHash);
    return { ok: true };
  });

  app.post<{ Body: { login: string } }>('/api/auth/password-reset', {
    config: { public: true, noCsrf: true },
    schema: {
      tags,
      summary: 'Mail a one-time password-reset link (the answer is the same whether the account exists or not)',
      body: { type: 'object', required: ['login'], properties: { login: str(256) }, additionalProperties: false },
    },
  }, async (request, reply) => {
    await auth.requestReset(request.body.login, baseUrlOf(request, config.server.publicUrl));
    return reply.code(202).send({ ok: true, message: 'if the account exists, a reset link is on its way by e-mail' });
  });

  app.post<{ Body: { token: string; password: string } }>('/api/auth/password-reset/confirm', {
    config: { public: true, noCsrf: true },
    schema: {
      tags,
      summary: 'Set a new password with the token from the reset link (works once)',
      body: { type: 'object', required: ['token', 'password'], properties: { token: str(200), password: str() }, additionalProperties: false },
    },
  }, async (request) => {
    await auth.confirmReset(request.body.token, request.body.password);
    return { ok: true };
  });

  app.get('/api/me', { schema: { tags, summary: 'Your account, storage usage and limits' } }, async (request) => me(request));

  app.get('/api/tokens', { schema: { tags, summary: 'Your personal API tokens (never the secrets)' } }, async (request) => {
    const actor = actorOf(request);
    if (!actor.userId) throw new UnauthorizedError('sign in to manage API tokens');
    return { tokens: await auth.listTokens(actor.userId) };
  });

  app.post<{ Body: { name: string; expiresInDays?: number } }>('/api/tokens', {
    schema: {
      tags,
      summary: 'Create a personal API token; the token is shown only in this answer',
      body: { type: 'object', required: ['name'], properties: { name: str(100), expiresInDays: { type: 'integer', minimum: 1 } }, additionalProperties: false },
    },
  }, async (request, reply) => {
    const { token, info } = await auth.createToken(actorOf(request), request.body.name, request.body.expiresInDays ?? null);
    return reply.code(201).send({ token, ...info });
  });

  app.delete<{ Params: { id: string } }>('/api/tokens/:id', {
    schema: { tags, summary: 'Revoke one of your API tokens', params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9]{1,15}$' } }, required: ['id'] } },
  }, async (request) => {
    const id = Number(request.params.id);
    if (!Number.isSafeInteger(id)) throw new BadRequestError('token id must be a number');
    await auth.revokeToken(actorOf(request), id);
    return { ok: true };
  });
}
