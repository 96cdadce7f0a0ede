import type { FastifyRequest } from 'fastify';
import type { AuthService } from '../auth/auth-service.js';
import type { VocloudConfig } from '../config/schema.js';
import { actorOf } from '../http/request-context.js';
import { ForbiddenError } from '../uws/errors.js';
import type { Actor } from '../uws/model.js';
import { requireAccess } from './access.js';

/**
 * Who a subscription connection acts for. The upgrade request went through the authentication
 * hook like any request (Authorization header or session cookie); a client that cannot set
 * headers (a browser script with a token) puts `{ "authorization": "Bearer vct_…" }` in the
 * connection_init payload instead, which then wins. Either way only administrators get events.
 */

export function isWebSocketUpgrade(request: FastifyRequest): boolean {
  return String(request.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

function sameSite(origin: string, request: FastifyRequest, config: VocloudConfig): boolean {
  if (config.server.corsOrigins.includes(origin)) return true;
  try {
    const o = new URL(origin);
    if (config.server.publicUrl && new URL(config.server.publicUrl).origin === o.origin) return true;
    return o.host === request.host;
  } catch {
    return false;
  }
}

/**
 * Checks made on the HTTP upgrade, before any WebSocket exists: a signed-in non-admin is
 * refused (403) at once, and a session cookie only counts when the page is our own — a
 * WebSocket is not bound by CORS, so another site could otherwise ride an admin's session.
 * Anonymous upgrades pass: their credentials may come in connection_init.
 */
export function checkUpgrade(request: FastifyRequest, config: VocloudConfig): void {
  const actor = actorOf(request);
  const origin = request.headers.origin;
  if (actor.via === 'session' && origin && !sameSite(origin, request, config)) {
    throw new ForbiddenError(`a WebSocket opened by the page at ${origin.slice(0, 100)} may not use your session (server.corsOrigins lists the sites that may)`);
  }
  if (actor.role !== 'anonymous') requireAccess(actor, 'admin', false, 'a subscription');
}

/** The Bearer token in a connection_init payload; null when there is none. */
export function tokenOf(payload: unknown): string | null {
  if (!payload || typeof payload !== 'object') return null;
  const p = payload as Record<string, unknown>;
  const headers = p.headers && typeof p.headers === 'object' ? (p.headers as Record<string, unknown>) : {};
  const value = p.authorization ?? p.Authorization ?? headers.authorization ?? headers.Authorization;
  if (value === undefined || value === null) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(String(value).trim());
  if (!match) throw new ForbiddenError('connection_init: authorization must be "Bearer <API token>"; send Basic credentials or the session cookie with the upgrade request instead');
  return match[1]!;
}

/** The verdict on a connection_init: who the connection acts for, or why it is refused. */
export type ConnectionVerdict =
  | { readonly ok: true; readonly actor: Actor | null }
  | { readonly ok: false; readonly code: 4401 | 4403; readonly reason: string };

/**
 * Decide a connection at connection_init. `upgradeActor` is who the upgrade request
 * authenticated as (null when mercurius does not tell us: the subscriptions then check).
 * Close codes follow graphql-transport-ws: 4401 unauthenticated, 4403 forbidden.
 */
export async function verdictOnConnectionInit(auth: AuthService, payload: unknown, upgradeActor: Actor | null): Promise<ConnectionVerdict> {
  let actor = upgradeActor;
  try {
    const token = tokenOf(payload);
    if (token !== null) actor = (await auth.authenticate({ kind: 'bearer', token }, 'websocket')).actor;
    if (actor) requireAccess(actor, 'admin', false, 'a subscription');
    return { ok: true, actor: token !== null ? actor : null };
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    return { ok: false, code: status === 401 ? 4401 : 4403, reason: (err as Error).message };
  }
}

/** A close reason must fit in 123 bytes. */
export function closeReason(text: string): string {
  let out = text;
  while (Buffer.byteLength(out) > 123) out = `${out.slice(0, out.length - 2)}…`;
  return out;
}
