import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidPathError, StorageError } from '@vocloud/sdk';
import { ServiceError } from '../uws/errors.js';
import { wantsJson } from './request-context.js';

/** Map any error to a status and a message for the client — in this one place. */
export function statusOf(err: unknown): { status: number; message: string; internal: boolean } {
  if (err instanceof ServiceError) return { status: err.statusCode, message: err.message, internal: false };
  if (err instanceof InvalidPathError) return { status: 400, message: err.message, internal: false };
  if (err instanceof StorageError) {
    const status = err.code === 'not-found' ? 404 : err.code === 'exists' ? 409 : err.code === 'io' ? 500 : 400;
    return { status, message: err.message, internal: status === 500 };
  }
  const e = err as FastifyError & { code?: string; part?: unknown };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, message: 'request body too large (server.bodyLimit); send large data as a multipart file upload', internal: false };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, message: `unsupported Content-Type; use application/x-www-form-urlencoded or multipart/form-data`, internal: false };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, message: e.message, internal: false };
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
    case 'FST_REQ_FILE_TOO_LARGE':
      return { status: 413, message: e.message, internal: false };
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'FST_PROTO_VIOLATION':
      return { status: 400, message: `malformed multipart request: ${e.message}`, internal: false };
  }
  if (e.validation) return { status: 400, message: e.message, internal: false };
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, message: e.message, internal: false };
  }
  // busboy reports malformed multipart bodies as plain Errors
  if (/^(Unexpected end of (form|multipart data)|Malformed part header|Multipart: Boundary not found)/.test(e.message ?? '')) {
    return { status: 400, message: `malformed multipart request: ${e.message}`, internal: false };
  }
  return { status: 500, message: 'internal server error; the details are in the server log', internal: true };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const { status, message, internal } = statusOf(err);
  if (internal) request.log.error({ err }, 'request failed');
  else request.log.debug({ status, message }, 'request refused');
  if (wantsJson(request) || isJsonApi(request)) return reply.code(status).type('application/json').send({ error: message, statusCode: status });
  return reply.code(status).type('text/plain; charset=utf-8').send(`${message}\n`);
}

/** The JSON API answers errors in JSON whatever the Accept header; UWS and VOSI in text. */
function isJsonApi(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || request.url.startsWith('/graphql');
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => sendError(request, reply, err));
  app.setNotFoundHandler((request, reply) => {
    const message = `no resource at ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`;
    if (wantsJson(request) || isJsonApi(request)) return reply.code(404).send({ error: message, statusCode: 404 });
    return reply.code(404).type('text/plain; charset=utf-8').send(`${message}\n`);
  });
}
