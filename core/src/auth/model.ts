import type { Role } from '../uws/model.js';

export type { Role } from '../uws/model.js';
export const ROLES: readonly Role[] = ['user', 'manager', 'admin'];

/** A user account as services see it (never with its password hash). */
export interface User {
  readonly id: number;
  readonly username: string;
  readonly email: string;
  readonly displayName: string;
  readonly organisation: string;
  readonly role: Role;
  readonly enabled: boolean;
  /** Bytes; null = the configured default. */
  readonly storageQuota: number | null;
  readonly maxRunningJobs: number | null;
  readonly maxQueuedJobs: number | null;
  readonly createdAt: Date;
  readonly lastLoginAt: Date | null;
  readonly hasPassword: boolean;
}

/** What an admin (or registration) may set on a user. */
export interface UserInput {
  email?: string;
  displayName?: string;
  organisation?: string;
  role?: Role;
  enabled?: boolean;
  storageQuota?: number | null;
  maxRunningJobs?: number | null;
  maxQueuedJobs?: number | null;
}

export interface ApiToken {
  readonly id: number;
  readonly name: string;
  readonly prefix: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** Usernames are lower case, so ownerIds compare simply; these are never accounts. */
export const USERNAME = /^[a-z][a-z0-9._-]{1,31}$/;
export const RESERVED_USERNAMES = new Set(['anonymous', 'system', 'root', 'nobody']);

export function rowToUser(r: Record<string, unknown>): User {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: Number(r.id),
    username: r.username as string,
    email: r.email as string,
    displayName: (r.display_name as string) ?? '',
    organisation: (r.organisation as string) ?? '',
    role: r.role as Role,
    enabled: Boolean(r.enabled),
    storageQuota: num(r.storage_quota),
    maxRunningJobs: num(r.max_running_jobs),
    maxQueuedJobs: num(r.max_queued_jobs),
    createdAt: new Date(r.created_at as string),
    lastLoginAt: r.last_login_at ? new Date(r.last_login_at as string) : null,
    hasPassword: r.password_hash !== null && r.password_hash !== undefined,
  };
}
