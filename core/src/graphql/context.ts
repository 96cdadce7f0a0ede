import type { FastifyRequest } from 'fastify';
import type { AppServices } from '../http/app.js';
import { actorOf, baseUrlOf } from '../http/request-context.js';
import type { Actor } from '../uws/model.js';

/** What every resolver gets: who asks, and the services it may call. */
export interface GraphQLContext {
  readonly actor: Actor;
  readonly services: AppServices;
  /** Base URL for links handed out (password-reset links). */
  readonly baseUrl: string;
}

export function contextOf(request: FastifyRequest, services: AppServices): GraphQLContext {
  return { actor: actorOf(request), services, baseUrl: baseUrlOf(request, services.config.config.server.publicUrl) };
}

const memos = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * A lookup shared by every field of one request (storage use of all users, job counts of all
 * types), so a page of 100 users costs one query instead of 100.
 */
export function once<T>(ctx: GraphQLContext, key: string, load: () => Promise<T>): Promise<T> {
  let memo = memos.get(ctx);
  if (!memo) memos.set(ctx, (memo = new Map()));
  let hit = memo.get(key) as Promise<T> | undefined;
  if (!hit) memo.set(key, (hit = load()));
  return hit;
}
