import { inject, injectable } from 'tsyringe';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { TOKENS } from '../tokens.js';
import type { Database } from '../db/database.js';
import type { LoadedConfig } from '../config/load.js';
import { BadRequestError, ForbiddenError, NotFoundError, ServiceError, UnauthorizedError } from '../uws/errors.js';
import { ANONYMOUS, type Actor } from '../uws/model.js';
import { AuditLog } from './audit.js';
import { Mailer } from './mailer.js';
import { newToken, safeEqual, sha256, verifyPassword } from './secrets.js';
import { UserService } from './user-service.js';
import type { ApiToken, User } from './model.js';

/** 429: too many failed sign-ins. */
export class TooManyRequestsError extends ServiceError {
  constructor(message: string) {
    super(429, message);
  }
}

/** A reset link issued by an admin: the token is shown once, here. */
export interface AdminReset {
  readonly token: string;
  readonly link: string;
  readonly expiresAt: Date;
  /** True when the link was mailed to the account's address. */
  readonly mailed: boolean;
  /** Why mailing failed (the link still works). */
  readonly mailError: string | null;
}

function resetLink(baseUrl: string, token: string): string {
  return `${baseUrl}/reset-password?token=${encodeURIComponent(token)}`;
}

export const SESSION_COOKIE = 'vocloud_session';
export const TOKEN_PREFIX = 'vct_';

/** Credentials found on a request, as the HTTP layer extracts them. */
export type Credentials =
  | { readonly kind: 'none' }
  | { readonly kind: 'session'; readonly cookie: string }
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string };

export interface Authenticated {
  readonly actor: Actor;
  readonly user: User | null;
  /** For sessions: the CSRF token that unsafe requests must echo; and the session's hash. */
  readonly csrfToken?: string;
  readonly sessionHash?: string;
}

function actorOf(user: User, via: Actor['via']): Actor {
  return { ownerId: user.username, role: user.role, isAdmin: user.role === 'admin', userId: user.id, via };
}

function rowToToken(r: Record<string, unknown>): ApiToken {
  const d = (v: unknown) => (v ? new Date(v as string) : null);
  return {
    id: Number(r.id),
    name: r.name as string,
    prefix: r.prefix as string,
    createdAt: new Date(r.created_at as string),
    expiresAt: d(r.expires_at),
    lastUsedAt: d(r.last_used_at),
    revokedAt: d(r.revoked_at),
  };
}

/**
 * Authentication: password sign-in with a rate limit, browser sessions (httpOnly cookie + CSRF
 * token), personal API tokens (Bearer, or as the Basic password), HTTP Basic for VO clients,
 * and password reset by one-time link. Disabled users are refused on every path.
 */
@injectable()
export class AuthService {
  private readonly knex: Knex;
  private readonly cfg: LoadedConfig['config']['auth'];
  /** Basic auth runs scrypt; remember good credentials briefly so polling clients stay fast. */
  private readonly basicCache = new Map<string, { username: string; until: number }>();

  constructor(
    @inject(TOKENS.Database) db: Database,
    @inject(TOKENS.Config) private readonly config: LoadedConfig,
    @inject(UserService) private readonly users: UserService,
    @inject(AuditLog) private readonly audit: AuditLog,
    @inject(Mailer) private readonly mailer: Mailer,
    @inject(TOKENS.Logger) private readonly log: Logger,
  ) {
    this.knex = db.knex;
    this.cfg = config.config.auth;
  }

  // ------------------------------------------------------------------ sign-in

  private async rateLimited(username: string, ip: string): Promise<boolean> {
    const since = new Date(Date.now() - this.cfg.loginWindow * 1000);
    const count = async (column: 'username' | 'ip', value: string) => {
      const [{ n }] = (await this.knex('login_failures').where('at', '>', since).where(column, value).count('* as n')) as [{ n: string | number }];
      return Number(n);
    };
    return (await count('username', username)) >= this.cfg.loginAttempts || (await count('ip', ip)) >= this.cfg.loginAttemptsPerAddress;
  }

  private async recordFailure(username: string, ip: string): Promise<void> {
    await this.knex('login_failures').insert({ username, ip, at: this.knex.fn.now() });
    // keep the table small: failures older than the window are irrelevant
    await this.knex('login_failures').where('at', '<', new Date(Date.now() - this.cfg.loginWindow * 2000)).delete();
  }

  /** Check a name (or e-mail) and password; the same answer for unknown users and wrong passwords. */
  async checkPassword(login: string, password: string, ip: string): Promise<User> {
    const key = String(login).toLowerCase().slice(0, 256);
    if (await this.rateLimited(key, ip)) {
      throw new TooManyRequestsError(`too many failed sign-ins; wait ${Math.ceil(this.cfg.loginWindow / 60)} minutes or reset your password`);
    }
    const user = await this.users.byLogin(key);
    const ok = await verifyPassword(String(password), user?.passwordHash ?? null);
    if (!user || !ok) {
      await this.recordFailure(key, ip);
      throw new UnauthorizedError('wrong user name or password');
    }
    if (!user.enabled) throw new ForbiddenError('this account is disabled; contact an administrator');
    return user;
  }

  /** Password sign-in for the browser: a new session. */
  async login(login: string, password: string, meta: { ip: string; userAgent: string }): Promise<{ cookie: string; csrfToken: string; user: User; expiresAt: Date }> {
    const user = await this.checkPassword(login, password, meta.ip);
    const cookie = newToken();
    const csrfToken = newToken();
    const expiresAt = new Date(Date.now() + this.cfg.sessionTtl * 1000);
    await this.knex('sessions').insert({
      id_hash: sha256(cookie),
      user_id: user.id,
      csrf_token: csrfToken,
      created_at: this.knex.fn.now(),
      expires_at: expiresAt,
      last_seen_at: this.knex.fn.now(),
      user_agent: meta.userAgent.slice(0, 300),
      ip: meta.ip,
    });
    await this.users.touchLogin(user.id);
    return { cookie, csrfToken, user, expiresAt };
  }

  async logout(cookie: string): Promise<void> {
    await this.knex('sessions').where({ id_hash: sha256(cookie) }).delete();
  }

  // ------------------------------------------------------------------ authenticating requests

  async authenticate(credentials: Credentials, ip: string): Promise<Authenticated> {
    switch (credentials.kind) {
      case 'none':
        return { actor: ANONYMOUS, user: null };
      case 'session': {
        const hash = sha256(credentials.cookie);
        const row = await this.knex('sessions').where({ id_hash: hash }).where('expires_at', '>', this.knex.fn.now()).first();
        if (!row) throw new UnauthorizedError('your session has expired; sign in again');
        const user = await this.users.byId(Number(row.user_id));
        if (!user || !user.enabled) throw new UnauthorizedError('this account is disabled');
        return { actor: actorOf(user, 'session'), user, csrfToken: row.csrf_token as string, sessionHash: hash };
      }
      case 'bearer':
        return this.byToken(credentials.token, 'token');
      case 'basic': {
        if (credentials.password.startsWith(TOKEN_PREFIX)) {
          const a = await this.byToken(credentials.password, 'basic');
          if (a.user && a.user.username !== credentials.username.toLowerCase()) throw new UnauthorizedError('the token does not belong to this user');
          return a;
        }
        const key = sha256(`${credentials.username}\0${credentials.password}`);
        const hit = this.basicCache.get(key);
        if (hit && hit.until > Date.now()) {
          const user = await this.users.cached(hit.username);
          if (user?.enabled) return { actor: actorOf(user, 'basic'), user };
        }
        const user = await this.checkPassword(credentials.username, credentials.password, ip);
        this.basicCache.set(key, { username: user.username, until: Date.now() + 300_000 });
        if (this.basicCache.size > 10_000) this.basicCache.clear();
        return { actor: actorOf(user, 'basic'), user };
      }
    }
  }

  private async byToken(token: string, via: 'token' | 'basic'): Promise<Authenticated> {
    const row = await this.knex('api_tokens').where({ token_hash: sha256(token) }).first();
    if (!row || row.revoked_at) throw new UnauthorizedError('the API token is not valid (unknown or revoked)');
    if (row.expires_at && new Date(row.expires_at as string).getTime() <= Date.now()) {
      throw new UnauthorizedError('the API token has expired; create a new one in your settings');
    }
    const user = await this.users.byId(Number(row.user_id));
    if (!user || !user.enabled) throw new UnauthorizedError('this account is disabled');
    // last use is informative only: update at most once a minute
    if (!row.last_used_at || Date.now() - new Date(row.last_used_at as string).getTime() > 60_000) {
      await this.knex('api_tokens').update({ last_used_at: this.knex.fn.now() }).where({ id: row.id });
    }
    return { actor: actorOf(user, via), user };
  }

  /** Unsafe requests made with a session cookie must echo the session's CSRF token. */
  checkCsrf(auth: Authenticated, header: string | undefined): void {
    if (auth.actor.via !== 'session') return;
    if (!header || !auth.csrfToken || !safeEqual(header, auth.csrfToken)) {
      throw new ForbiddenError('missing or wrong X-CSRF-Token header (requests signed in with the session cookie must send it)');
    }
  }

  // ------------------------------------------------------------------ API tokens

  async createToken(actor: Actor, name: string, days: number | null): Promise<{ token: string; info: ApiToken }> {
    if (!actor.userId) throw new UnauthorizedError('sign in to create API tokens');
    if (typeof name !== 'string' || name.trim() === '' || name.length > 100) throw new BadRequestError('a token needs a name of 1–100 characters');
    const maxDays = this.cfg.tokenMaxDays;
    const lifetime = days ?? maxDays;
    if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > maxDays) throw new BadRequestError(`expiresInDays must be between 1 and ${maxDays}`);
    const token = newToken(TOKEN_PREFIX);
    const [row] = await this.knex('api_tokens')
      .insert({
        user_id: actor.userId,
        name: name.trim(),
        token_hash: sha256(token),
        prefix: token.slice(0, 10),
        created_at: this.knex.fn.now(),
        expires_at: new Date(Date.now() + lifetime * 86400_000),
      })
      .returning('*');
    return { token, info: rowToToken(row as Record<string, unknown>) };
  }

  async listTokens(userId: number): Promise<ApiToken[]> {
    const rows = await this.knex('api_tokens').where({ user_id: userId }).orderBy('id', 'desc');
    return rows.map(rowToToken);
  }

  async revokeToken(actor: Actor, id: number): Promise<void> {
    const q = this.knex('api_tokens').update({ revoked_at: this.knex.fn.now() }).where({ id }).whereNull('revoked_at');
    if (!actor.isAdmin) q.where({ user_id: actor.userId });
    if ((await q) === 0) throw new NotFoundError(`no active token ${id}`);
  }

  /** Admin: revoke every token and end every session of a user. */
  async revokeAll(actor: Actor, username: string): Promise<number> {
    const user = await this.users.require(username);
    const n = await this.knex('api_tokens').update({ revoked_at: this.knex.fn.now() }).where({ user_id: user.id }).whereNull('revoked_at');
    await this.knex('sessions').where({ user_id: user.id }).delete();
    await this.audit.record(actor, 'user.revokeTokens', 'user', username, null, { revoked: n });
    for (const [k, v] of this.basicCache) if (v.username === username) this.basicCache.delete(k);
    return n;
  }

  // ------------------------------------------------------------------ password reset

  /**
   * Start a reset: mail a one-time link to the account's address. Answers the same whether or not
   * the account exists, so it cannot be used to find accounts.
   */
  async requestReset(login: string, baseUrl: string): Promise<void> {
    const user = await this.users.byLogin(String(login).slice(0, 256));
    if (!user || !user.enabled) {
      this.log.info('password reset requested for an unknown or disabled account');
      return;
    }
    const { token } = await this.createResetToken(user.id);
    await this.mailer
      .send({
        to: user.email,
        subject: 'vocloud: reset your password',
        text:
          `Someone (hopefully you) asked to reset the password of the vocloud account '${user.username}'.\n\n` +
          `Open this link within ${Math.round(this.cfg.resetTokenTtl / 60)} minutes to choose a new password:\n` +
          `${resetLink(baseUrl, token)}\n\n` +
          `If you did not ask for this, ignore this mail; your password stays as it is.\n`,
      })
      .catch((err) => this.log.error({ err }, 'could not send the password-reset mail'));
  }

  /**
   * Admin: issue a one-time reset link for a user, to hand over in person or (sendMail) to mail
   * to the account's address. The audit entry says it was issued, never the token.
   */
  async adminReset(actor: Actor, username: string, baseUrl: string, sendMail: boolean): Promise<AdminReset> {
    const user = await this.users.require(username);
    const { token, expiresAt } = await this.createResetToken(user.id);
    const link = resetLink(baseUrl, token);
    let mailError: string | null = null;
    if (sendMail) {
      try {
        await this.mailer.send({
          to: user.email,
          subject: 'vocloud: set a new password',
          text:
            `An administrator started a password reset for your vocloud account '${user.username}'.\n\n` +
            `Open this link within ${Math.round(this.cfg.resetTokenTtl / 60)} minutes to choose a new password:\n${link}\n`,
        });
      } catch (err) {
        this.log.error({ err }, 'could not send the password-reset mail');
        mailError = (err as Error).message;
      }
    }
    const mailed = sendMail && mailError === null;
    await this.audit.record(actor, 'user.resetPassword', 'user', username, null, { expiresAt, mailed });
    return { token, link, expiresAt, mailed, mailError };
  }

  async createResetToken(userId: number): Promise<{ token: string; expiresAt: Date }> {
    const token = newToken('vcr_');
    const expiresAt = new Date(Date.now() + this.cfg.resetTokenTtl * 1000);
    await this.knex('password_resets').insert({ token_hash: sha256(token), user_id: userId, created_at: this.knex.fn.now(), expires_at: expiresAt });
    return { token, expiresAt };
  }

  /** Finish a reset: the token works once, before it expires; all sessions of the user end. */
  async confirmReset(token: string, password: string): Promise<void> {
    this.users.checkPassword(password);
    const rows = await this.knex('password_resets')
      .update({ used_at: this.knex.fn.now() })
      .where({ token_hash: sha256(String(token)) })
      .whereNull('used_at')
      .where('expires_at', '>', this.knex.fn.now())
      .returning('user_id');
    if (rows.length === 0) throw new BadRequestError('the reset link is not valid (unknown, used or expired); ask for a new one');
    const user = await this.users.byId(Number((rows[0] as { user_id: number }).user_id));
    if (!user) throw new BadRequestError('the account no longer exists');
    await this.users.setPassword(user.username, user.username, password);
  }
}
