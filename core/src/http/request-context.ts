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
export function disconnectSignal(request: FastifyRequest): AbortSignal {
  const controller = new AbortController();
  const onClose = () => {
    if (!request.raw.complete || request.raw.destroyed || request.socket.destroyed) controller.abort();
  };
  request.raw.socket.once('close', onClose);
  return controller.signal;
}
