import { UserService, type Role } from '@vocloud/core';
import { ADMIN_PASSWORD, type TestServer } from './server.js';

/** Helpers for tests that act as different users over real HTTP. */

export function basic(username: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export const adminHeaders = () => basic('admin', ADMIN_PASSWORD);

/** Create a user directly through the service (the admin API is GraphQL, tested on its own). */
export async function addUser(s: TestServer, username: string, role: Role = 'user', extra: Record<string, unknown> = {}): Promise<{ username: string; password: string }> {
  const password = `pw-${username}-0123456789`;
  await s.vocloud.resolve(UserService).create('test', { username, email: `${username}@example.org`, password, role, ...extra });
  return { username, password };
}

export interface Session {
  /** Cookie header value. */
  readonly cookie: string;
  readonly csrf: string;
  headers(unsafe?: boolean): Record<string, string>;
}

export async function login(base: string, username: string, password: string): Promise<Session> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: HTTP ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  const body = (await res.json()) as { csrfToken: string };
  return {
    cookie,
    csrf: body.csrfToken,
    headers(unsafe = false) {
      return { cookie, ...(unsafe ? { 'x-csrf-token': body.csrfToken } : {}) };
    },
  };
}

export async function createToken(base: string, headers: Record<string, string>, name = 'test', expiresInDays?: number): Promise<{ token: string; id: number }> {
  const res = await fetch(`${base}/api/tokens`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ name, ...(expiresInDays ? { expiresInDays } : {}) }),
  });
  if (res.status !== 201) throw new Error(`create token: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as { token: string; id: number };
}
