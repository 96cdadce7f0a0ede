import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService, Credentials } from '../auth/auth-service.js';
import { SESSION_COOKIE } from '../auth/auth-service.js';
import { UnauthorizedError } from '../uws/errors.js';
import { sendError } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for requests signed in with the session cookie: what unsafe requests must echo. */
    csrfToken?: string;
    sessionHash?: string;
  }
  interface FastifyContextConfig {
    /** Reachable without credentials even when anonymous access is off. */
    public?: boolean;
    /** Unsafe request that needs no CSRF token (sign-in has no session yet). */
    noCsrf?: boolean;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Credentials on a request: Authorization (Bearer or Basic) wins over the session cookie. */
export function credentialsOf(request: FastifyRequest): Credentials {
  const header = request.headers.authorization;
  if (header) {
    const [scheme, value = ''] = header.split(/\s+/, 2);
    switch (scheme?.toLowerCase()) {
      case 'bearer':
        if (!value) throw new UnauthorizedError('empty Bearer token');
        return { kind: 'bearer', token: value };
      case 'basic': {
        const decoded = Buffer.from(value, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon < 1) throw new UnauthorizedError('malformed Basic credentials');
        return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
      }
      default:
        throw new UnauthorizedError(`unsupported Authorization scheme '${String(scheme).slice(0, 20)}'; use Bearer (API token) or Basic`);
    }
  }
  const cookie = request.cookies?.[SESSION_COOKIE];
  return cookie ? { kind: 'session', cookie } : { kind: 'none' };
}

/**
 * Authenticate every request and set `request.actor`; refuse anonymous requests to non-public
 * routes unless the config allows anonymous use; require the CSRF token on unsafe requests made
 * with the session cookie. 401 answers carry WWW-Authenticate so VO clients know to send Basic.
 */
export function installAuthentication(app: FastifyInstance, auth: AuthService, anonymousAllowed: boolean): void {
  app.addHook('onRequest', async (request, reply) => {
    const isPublic = request.routeOptions.config?.public === true;
    try {
      const result = await auth.authenticate(credentialsOf(request), request.ip);
      if (result.actor.via === 'anonymous' && !anonymousAllowed && !isPublic && request.routeOptions.url !== undefined) {
        throw new UnauthorizedError('sign in, or send an API token (Authorization: Bearer …) or HTTP Basic credentials');
      }
      request.actor = result.actor;
      if (result.csrfToken) request.csrfToken = result.csrfToken;
      if (result.sessionHash) request.sessionHash = result.sessionHash;
      if (UNSAFE.has(request.method) && request.routeOptions.config?.noCsrf !== true) {
        auth.checkCsrf(result, request.headers['x-csrf-token'] as string | undefined);
      }
    } catch (err) {
      if (err instanceof UnauthorizedError) {
        // an expired session on a public route is just anonymous
        if (isPublic && credentialsOf(request).kind === 'session') {
          reply.clearCookie(SESSION_COOKIE, { path: '/' });
          return;
        }
        reply.header('WWW-Authenticate', 'Basic realm="vocloud", charset="UTF-8"');
      }
      return sendError(request, reply, err);
    }
  });
}
