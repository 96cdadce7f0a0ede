import type { FastifyRequest } from 'fastify';
import { ANONYMOUS, type Actor } from '../uws/model.js';

/**
 * Who makes a request. Authentication (sessions, tokens, Basic) sets `request.actor`; until a
 * user signs in, requests are anonymous.
 */
declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
}

export function actorOf(request: FastifyRequest): Actor {
  return request.actor ?? ANONYMOUS;
}

/** The base URL clients use to reach us: the configured public URL, or the request's own. */
export function baseUrlOf(request: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  return `${request.protocol}://${request.host}`;
}

/** True when the client prefers JSON (the web UI, scripts) over UWS XML. */
export function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  if (!accept.includes('application/json')) return false;
  const json = accept.indexOf('application/json');
  const xml = Math.min(...['text/xml', 'application/xml'].map((t) => (accept.includes(t) ? accept.indexOf(t) : Infinity)));
  return json < xml;
}

/** An AbortSignal that fires when the client closes the connection (long WAITs stop early). */
export function disconnectSignal(request: FastifyRequest, response: import('node:http').ServerResponse): AbortSignal {
  const controller = new AbortController();
  // The response (one per request, unlike the kept-alive socket) closes when it has been sent
  // or when the connection is gone; only the latter, before the answer, is a disconnect.
  response.once('close', () => {
    if (!response.writableEnded) controller.abort();
  });
  return controller.signal;
}
