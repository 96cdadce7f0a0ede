import { inject, injectable } from 'tsyringe';
import type { Knex } from 'knex';
import { TOKENS } from '../tokens.js';
import type { Database } from '../db/database.js';
import type { LoadedConfig } from '../config/load.js';
import { ServiceError } from '../uws/errors.js';
import { UserService } from '../auth/user-service.js';

/** 413 for uploads, and the message a job's errorSummary carries: the quota is full. */
export class QuotaExceededError extends ServiceError {
  constructor(message: string) {
    super(413, message);
  }
}

/** 429: too many jobs waiting (queued limit). */
export class JobLimitError extends ServiceError {
  constructor(message: string) {
    super(429, message);
  }
}

export interface OwnerLimits {
  /** Bytes. */
  readonly storage: number;
  readonly maxRunningJobs: number;
  readonly maxQueuedJobs: number;
}

/** One owner's storage use and effective quota, in bytes (owner null = anonymous). */
export interface OwnerUsage {
  readonly owner: string | null;
  readonly bytes: number;
  readonly quota: number;
}

/** The key of an owner in storage_usage: the username, '' for anonymous. */
export function ownerKey(ownerId: string | null): string {
  return ownerId ?? '';
}

export function formatBytes(n: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/**
 * Storage quotas, kept exact: usage changes only by a conditional increment
 * (`bytes + :delta <= :quota`), so concurrent writers can never exceed a quota together.
 */
@injectable()
export class UsageService {
  private readonly knex: Knex;
  private readonly q: LoadedConfig['config']['quotas'];

  constructor(
    @inject(TOKENS.Database) db: Database,
    @inject(TOKENS.Config) config: LoadedConfig,
    @inject(UserService) private readonly users: UserService,
  ) {
    this.knex = db.knex;
    this.q = config.config.quotas;
  }

  async limits(ownerId: string | null): Promise<OwnerLimits> {
    if (ownerId === null) {
      return { storage: this.q.anonymousStorage, maxRunningJobs: this.q.anonymousMaxRunningJobs, maxQueuedJobs: this.q.anonymousMaxQueuedJobs };
    }
    const u = await this.users.cached(ownerId);
    return {
      storage: u?.storageQuota ?? this.q.storage,
      maxRunningJobs: u?.maxRunningJobs ?? this.q.maxRunningJobs,
      maxQueuedJobs: u?.maxQueuedJobs ?? this.q.maxQueuedJobs,
    };
  }

  /** Defaults the claim query uses for owners without their own limits. */
  get defaultRunning(): { user: number; anonymous: number } {
    return { user: this.q.maxRunningJobs, anonymous: this.q.anonymousMaxRunningJobs };
  }

  async usage(ownerId: string | null): Promise<number> {
    const row = await this.knex('storage_usage').where({ owner: ownerKey(ownerId) }).first();
    return row ? Number(row.bytes) : 0;
  }

  async all(): Promise<Map<string, number>> {
    const rows = (await this.knex('storage_usage').select('owner', 'bytes')) as { owner: string; bytes: string | number }[];
    return new Map(rows.map((r) => [r.owner, Number(r.bytes)]));
  }

  /** Admin view: every user's use and effective quota, largest use first. */
  async report(filter: { readonly search?: string; readonly limit: number; readonly offset: number }): Promise<{ owners: OwnerUsage[]; total: number }> {
    const q = this.knex('users as u').leftJoin('storage_usage as s', 's.owner', 'u.username');
    if (filter.search) q.whereILike('u.username', `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const [{ n }] = (await q.clone().count('* as n')) as [{ n: string | number }];
    const rows = (await q
      .select('u.username', 'u.storage_quota', this.knex.raw('coalesce(s.bytes, 0) as bytes'))
      .orderBy([{ column: 'bytes', order: 'desc' }, { column: 'u.username', order: 'asc' }])
      .limit(filter.limit)
      .offset(filter.offset)) as { username: string; storage_quota: string | number | null; bytes: string | number }[];
    return {
      total: Number(n),
      owners: rows.map((r) => ({ owner: r.username, bytes: Number(r.bytes), quota: r.storage_quota === null ? this.q.storage : Number(r.storage_quota) })),
    };
  }

  private describe(ownerId: string | null, quota: number, used: number, adding: number): string {
    const who = ownerId === null ? 'the anonymous storage quota' : `the storage quota of ${ownerId}`;
    return `${who} (${formatBytes(quota)}) would be exceeded: ${formatBytes(used)} used, ${formatBytes(adding)} more needed. Delete old jobs or files, or ask an administrator for more space.`;
  }

  /** Refuse before writing when the quota is already full. */
  async checkRoom(ownerId: string | null): Promise<void> {
    const { storage } = await this.limits(ownerId);
    const used = await this.usage(ownerId);
    if (used >= storage) throw new QuotaExceededError(this.describe(ownerId, storage, used, 1));
  }

  /** Add bytes to an owner's usage if the quota allows; throws QuotaExceededError (nothing changed) if not. */
  async charge(ownerId: string | null, bytes: number): Promise<void> {
    if (bytes <= 0) return this.credit(ownerId, -bytes);
    const key = ownerKey(ownerId);
    const { storage } = await this.limits(ownerId);
    // One statement: create the row or add to it, in both cases only within the quota.
    const res = await this.knex.raw(
      `INSERT INTO storage_usage (owner, bytes) SELECT ?, ?::bigint WHERE ?::bigint <= ?::bigint
       ON CONFLICT (owner) DO UPDATE SET bytes = storage_usage.bytes + excluded.bytes
       WHERE storage_usage.bytes + excluded.bytes <= ?::bigint
       RETURNING bytes`,
      [key, bytes, bytes, storage, storage],
    );
    if ((res.rows as unknown[]).length === 0) throw new QuotaExceededError(this.describe(ownerId, storage, await this.usage(ownerId), bytes));
  }

  async credit(ownerId: string | null, bytes: number): Promise<void> {
    if (bytes <= 0) return;
    await this.knex.raw('UPDATE storage_usage SET bytes = GREATEST(0, bytes - ?) WHERE owner = ?', [bytes, ownerKey(ownerId)]);
  }
}
