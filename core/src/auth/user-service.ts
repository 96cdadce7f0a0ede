import { inject, injectable } from 'tsyringe';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { TOKENS } from '../tokens.js';
import type { Database } from '../db/database.js';
import type { LoadedConfig } from '../config/load.js';
import { BadRequestError, ForbiddenError, NotFoundError, ServiceError } from '../uws/errors.js';
import type { Actor } from '../uws/model.js';
import { AuditLog } from './audit.js';
import { hashPassword, newToken, sha256 } from './secrets.js';
import { RESERVED_USERNAMES, ROLES, USERNAME, rowToUser, type Role, type User, type UserInput } from './model.js';

const EMAIL = /^[^\s@]+@[^\s@.][^\s@]*$/;

/** 409: the name or e-mail is taken. */
export class ConflictError extends ServiceError {
  constructor(message: string) {
    super(409, message);
  }
}

export interface UserFilter {
  readonly search?: string;
  readonly role?: Role;
  readonly enabled?: boolean;
  readonly limit: number;
  readonly offset: number;
}

export interface NewUser extends UserInput {
  username: string;
  email: string;
  password?: string;
}

/**
 * User accounts: creation (admin, registration, bootstrap), changes, deletion, passwords and
 * invites. Every change by an admin writes an audit entry with the before and after state.
 */
@injectable()
export class UserService {
  private readonly knex: Knex;
  private readonly auth: LoadedConfig['config']['auth'];
  /** Short-lived cache of users by name: every authenticated request needs one. */
  private readonly cache = new Map<string, { user: User | null; until: number }>();

  constructor(
    @inject(TOKENS.Database) private readonly db: Database,
    @inject(TOKENS.Config) config: LoadedConfig,
    @inject(AuditLog) private readonly audit: AuditLog,
    @inject(TOKENS.Logger) private readonly log: Logger,
  ) {
    this.knex = db.knex;
    this.auth = config.config.auth;
  }

  checkPassword(password: string): void {
    if (typeof password !== 'string' || password.length < this.auth.passwordMinLength) {
      throw new BadRequestError(`the password must have at least ${this.auth.passwordMinLength} characters`);
    }
    if (password.length > 1024) throw new BadRequestError('the password is longer than 1024 characters');
  }

  private checkInput(input: UserInput): void {
    if (input.email !== undefined && (!EMAIL.test(input.email) || input.email.length > 254)) {
      throw new BadRequestError(`'${input.email.slice(0, 64)}' is not an e-mail address`);
    }
    if (input.role !== undefined && !ROLES.includes(input.role)) throw new BadRequestError(`role must be one of ${ROLES.join(', ')}`);
    for (const key of ['displayName', 'organisation'] as const) {
      const v = input[key];
      if (v !== undefined && (typeof v !== 'string' || v.length > 200)) throw new BadRequestError(`${key} must be text of at most 200 characters`);
    }
    for (const key of ['storageQuota', 'maxRunningJobs', 'maxQueuedJobs'] as const) {
      const v = input[key];
      if (v !== undefined && v !== null && (!Number.isInteger(v) || v < 0)) throw new BadRequestError(`${key} must be a whole number >= 0, or null for the default`);
    }
  }

  static checkUsername(username: string): void {
    if (typeof username !== 'string' || !USERNAME.test(username)) {
      throw new BadRequestError('a user name is 2–32 characters: lower-case letters, digits, dot, dash or underscore, starting with a letter');
    }
    if (RESERVED_USERNAMES.has(username)) throw new BadRequestError(`'${username}' is reserved`);
  }

  async create(actor: Actor | string, input: NewUser, trx?: Knex.Transaction): Promise<User> {
    UserService.checkUsername(input.username);
    this.checkInput(input);
    if (input.password !== undefined) this.checkPassword(input.password);
    const run = async (t: Knex.Transaction) => {
      const clash = await t('users').where('username', input.username).orWhereRaw('lower(email) = lower(?)', [input.email]).first();
      if (clash) {
        throw new ConflictError(clash.username === input.username ? `the user name '${input.username}' is taken` : 'an account with this e-mail address exists');
      }
      const [row] = await t('users')
        .insert({
          username: input.username,
          email: input.email,
          display_name: input.displayName ?? '',
          organisation: input.organisation ?? '',
          role: input.role ?? 'user',
          enabled: input.enabled ?? true,
          password_hash: input.password !== undefined ? await hashPassword(input.password) : null,
          storage_quota: input.storageQuota ?? null,
          max_running_jobs: input.maxRunningJobs ?? null,
          max_queued_jobs: input.maxQueuedJobs ?? null,
          created_at: t.fn.now(),
          password_changed_at: input.password !== undefined ? t.fn.now() : null,
        })
        .returning('*');
      const user = rowToUser(row as Record<string, unknown>);
      await this.audit.record(actor, 'user.create', 'user', user.username, null, publicView(user), t);
      return user;
    };
    try {
      return await (trx ? run(trx) : this.knex.transaction(run));
    } catch (err) {
      // two requests creating the same name at once: the database's unique index decides
      if ((err as { code?: string }).code === '23505') throw new ConflictError(`the user name '${input.username}' or its e-mail address is taken`);
      throw err;
    }
  }

  async get(username: string): Promise<User | null> {
    const row = await this.knex('users').where({ username }).first();
    return row ? rowToUser(row) : null;
  }

  async require(username: string): Promise<User> {
    const u = await this.get(username);
    if (!u) throw new NotFoundError(`no user '${username.slice(0, 64)}'`);
    return u;
  }

  /** A user by name, cached for a second: disabling takes effect within that second everywhere. */
  async cached(username: string): Promise<User | null> {
    const hit = this.cache.get(username);
    if (hit && hit.until > Date.now()) return hit.user;
    const user = await this.get(username);
    this.cache.set(username, { user, until: Date.now() + 1000 });
    if (this.cache.size > 10_000) this.cache.clear();
    return user;
  }

  private forget(username: string): void {
    this.cache.delete(username);
  }

  async byId(id: number): Promise<User | null> {
    const row = await this.knex('users').where({ id }).first();
    return row ? rowToUser(row) : null;
  }

  async byLogin(login: string): Promise<(User & { passwordHash: string | null }) | null> {
    const row = await this.knex('users').where('username', login.toLowerCase()).orWhereRaw('lower(email) = lower(?)', [login]).first();
    return row ? { ...rowToUser(row), passwordHash: row.password_hash as string | null } : null;
  }

  async list(filter: UserFilter): Promise<{ users: User[]; total: number }> {
    const q = this.knex('users');
    if (filter.search) {
      const like = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q.where((w) => w.whereILike('username', like).orWhereILike('email', like).orWhereILike('display_name', like).orWhereILike('organisation', like));
    }
    if (filter.role) q.where('role', filter.role);
    if (filter.enabled !== undefined) q.where('enabled', filter.enabled);
    const [{ n }] = (await q.clone().count('* as n')) as [{ n: string | number }];
    const rows = await q.select('*').orderBy('username').limit(filter.limit).offset(filter.offset);
    return { users: rows.map(rowToUser), total: Number(n) };
  }

  async count(): Promise<number> {
    const [{ n }] = (await this.knex('users').count('* as n')) as [{ n: string | number }];
    return Number(n);
  }

  /** `action` names the change in the audit log (disabling is 'user.disable'). */
  async update(actor: Actor, username: string, input: UserInput, action = 'user.update'): Promise<User> {
    this.checkInput(input);
    return this.knex.transaction(async (t) => {
      const before = await t('users').where({ username }).forUpdate().first();
      if (!before) throw new NotFoundError(`no user '${username.slice(0, 64)}'`);
      if (actor.ownerId === username && (input.role !== undefined && input.role !== 'admin' || input.enabled === false) && before.role === 'admin') {
        throw new ForbiddenError('you cannot demote or disable yourself; ask another admin');
      }
      if (input.email !== undefined) {
        const clash = await t('users').whereRaw('lower(email) = lower(?)', [input.email]).whereNot({ username }).first();
        if (clash) throw new ConflictError('an account with this e-mail address exists');
      }
      const patch: Record<string, unknown> = {};
      if (input.email !== undefined) patch.email = input.email;
      if (input.displayName !== undefined) patch.display_name = input.displayName;
      if (input.organisation !== undefined) patch.organisation = input.organisation;
      if (input.role !== undefined) patch.role = input.role;
      if (input.enabled !== undefined) patch.enabled = input.enabled;
      if (input.storageQuota !== undefined) patch.storage_quota = input.storageQuota;
      if (input.maxRunningJobs !== undefined) patch.max_running_jobs = input.maxRunningJobs;
      if (input.maxQueuedJobs !== undefined) patch.max_queued_jobs = input.maxQueuedJobs;
      const [row] = Object.keys(patch).length ? await t('users').update(patch).where({ username }).returning('*') : [before];
      const user = rowToUser(row as Record<string, unknown>);
      if (input.enabled === false) await t('sessions').where({ user_id: user.id }).delete();
      await this.audit.record(actor, action, 'user', username, publicView(rowToUser(before)), publicView(user), t);
      this.forget(username);
      return user;
    });
  }

  async delete(actor: Actor, username: string): Promise<void> {
    if (actor.ownerId === username) throw new ForbiddenError('you cannot delete your own account; ask another admin');
    await this.knex.transaction(async (t) => {
      const before = await t('users').where({ username }).first();
      if (!before) throw new NotFoundError(`no user '${username.slice(0, 64)}'`);
      await t('users').where({ username }).delete();
      await this.audit.record(actor, 'user.delete', 'user', username, publicView(rowToUser(before)), null, t);
    });
    this.forget(username);
  }

  /** Set a new password; other sessions of the user end (a stolen session does not survive). */
  async setPassword(actor: Actor | string, username: string, password: string, keepSessionHash?: string): Promise<void> {
    this.checkPassword(password);
    const hash = await hashPassword(password);
    await this.knex.transaction(async (t) => {
      const row = await t('users').where({ username }).first();
      if (!row) throw new NotFoundError(`no user '${username.slice(0, 64)}'`);
      await t('users').update({ password_hash: hash, password_changed_at: t.fn.now() }).where({ username });
      const q = t('sessions').where({ user_id: row.id });
      if (keepSessionHash) q.whereNot('id_hash', keepSessionHash);
      await q.delete();
      await this.audit.record(actor, 'user.password', 'user', username, null, null, t);
    });
    this.forget(username);
  }

  async touchLogin(id: number): Promise<void> {
    await this.knex('users').update({ last_login_at: this.knex.fn.now() }).where({ id });
  }

  // ------------------------------------------------------------------ invites

  async createInvite(actor: Actor, role: Role, days: number, note = ''): Promise<{ code: string; expiresAt: Date }> {
    if (!ROLES.includes(role)) throw new BadRequestError(`role must be one of ${ROLES.join(', ')}`);
    if (!Number.isInteger(days) || days < 1 || days > 365) throw new BadRequestError('an invite is valid for 1 to 365 days');
    const code = newToken('vci_');
    const expiresAt = new Date(Date.now() + days * 86400_000);
    await this.knex('invites').insert({
      code_hash: sha256(code),
      created_by: actor.ownerId ?? 'system',
      role,
      note: note.slice(0, 200),
      created_at: this.knex.fn.now(),
      expires_at: expiresAt,
    });
    await this.audit.record(actor, 'invite.create', 'invite', null, null, { role, expiresAt, note });
    return { code, expiresAt };
  }

  /** Use an invite code inside the registration transaction; returns the role it grants. */
  async redeemInvite(code: string, username: string, t: Knex.Transaction): Promise<Role> {
    const n = await t('invites')
      .update({ used_by: username, used_at: t.fn.now() })
      .where({ code_hash: sha256(code) })
      .whereNull('used_at')
      .where('expires_at', '>', t.fn.now())
      .returning('role');
    if (n.length === 0) throw new ForbiddenError('the invite code is not valid (unknown, used or expired); ask an administrator for a new one');
    return (n[0] as { role: Role }).role;
  }

  /** Registration per auth.registration: open, invite (a code) or closed. */
  async register(input: NewUser & { inviteCode?: string; password: string }): Promise<User> {
    const mode = this.auth.registration;
    if (mode === 'closed') throw new ForbiddenError('registration is closed on this service; ask an administrator for an account');
    return this.knex.transaction(async (t) => {
      let role: Role = 'user';
      if (mode === 'invite') {
        if (!input.inviteCode) throw new ForbiddenError('registration needs an invite code from an administrator');
        role = await this.redeemInvite(input.inviteCode, input.username, t);
      }
      return this.create(input.username, { ...input, role, enabled: true }, t);
    });
  }

  /** On first start with no users: create the bootstrap admin (password from config or random, printed once). */
  async bootstrap(): Promise<void> {
    // Nodes starting together take turns, so exactly one creates the admin.
    await this.db.exclusive('vocloud:bootstrap', () => this.bootstrapOnce());
  }

  private async bootstrapOnce(): Promise<void> {
    if ((await this.count()) > 0) return;
    const { username, password } = this.auth.bootstrapAdmin;
    const chosen = password ?? newToken().slice(0, 20);
    try {
      await this.create('system', { username, email: `${username}@localhost`, password: chosen, role: 'admin', displayName: 'Administrator' });
    } catch (err) {
      if (err instanceof ConflictError) return; // another node bootstrapped at the same moment
      throw err;
    }
    if (password) this.log.info(`created the first admin '${username}' with the configured password`);
    else this.log.warn(`created the first admin '${username}' with password ${chosen} — shown only now; sign in and change it`);
  }
}

/** A user as it goes into the audit log and APIs (no hash). */
export function publicView(u: User): Record<string, unknown> {
  return {
    username: u.username,
    email: u.email,
    displayName: u.displayName,
    organisation: u.organisation,
    role: u.role,
    enabled: u.enabled,
    storageQuota: u.storageQuota,
    maxRunningJobs: u.maxRunningJobs,
    maxQueuedJobs: u.maxQueuedJobs,
  };
}
