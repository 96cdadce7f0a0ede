import { GraphQLError, type ExecutionResult, type GraphQLFormattedError } from 'graphql/index.js';
import type { FastifyBaseLogger } from 'fastify';
import { statusOf } from '../http/errors.js';

/** extensions.code for each status a service error can carry. */
const CODES: Record<number, string> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  503: 'UNAVAILABLE',
};

interface LoggingContext {
  readonly reply?: { readonly log: FastifyBaseLogger; header(name: string, value: string): unknown } | null;
  readonly app?: { readonly log: FastifyBaseLogger } | null;
}

/** Errors mercurius wraps around several (validation): the list it carries. */
function innerErrors(e: GraphQLError): readonly GraphQLError[] | null {
  const inner = (e.originalError as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(inner) ? (inner as GraphQLError[]) : null;
}

/**
 * Every error leaves with `extensions.code` and a message meant for the client; errors that
 * are our fault are logged and leave as "internal server error". Errors of the whole request
 * (refused access, validation, limits) set the HTTP status; errors of single fields leave it
 * at 200, as GraphQL over HTTP expects.
 */
export function formatErrors(execution: ExecutionResult, ctx: LoggingContext): { statusCode: number; response: ExecutionResult } {
  const log = ctx.reply?.log ?? ctx.app?.log;
  let requestStatus: number | null = null;
  const out: GraphQLFormattedError[] = [];

  for (const error of execution.errors ?? []) {
    const inner = innerErrors(error);
    const original = error.originalError;
    if (inner) {
      // mercurius validation wrapper (400) or GET-with-mutation (405)
      const status = statusOf(original).status;
      requestStatus ??= status;
      const code = status === 400 ? 'GRAPHQL_VALIDATION_FAILED' : (CODES[status] ?? `HTTP_${status}`);
      for (const e of inner) {
        const json = typeof e.toJSON === 'function' ? e.toJSON() : { message: String((e as Error).message) };
        out.push({ ...json, extensions: { code, ...json.extensions } });
      }
      continue;
    }
    const json = error.toJSON();
    if (!original || original instanceof GraphQLError) {
      // graphql-js's own errors: bad variables, bad literals, non-null violations
      const code = json.extensions?.code ?? (error.path ? 'INTERNAL_SERVER_ERROR' : 'GRAPHQL_VALIDATION_FAILED');
      if (!error.path) requestStatus ??= 400;
      out.push({ ...json, extensions: { ...json.extensions, code } });
      continue;
    }
    const { status, message, internal } = statusOf(original);
    if (internal) log?.error({ err: original, path: error.path }, 'GraphQL resolver failed');
    else log?.debug({ status, message, path: error.path }, 'GraphQL request refused');
    if (!error.path) requestStatus ??= status;
    out.push({
      message,
      ...(json.locations ? { locations: json.locations } : {}),
      ...(json.path ? { path: json.path } : {}),
      extensions: { code: CODES[status] ?? (internal ? 'INTERNAL_SERVER_ERROR' : `HTTP_${status}`), status },
    });
  }

  const statusCode = execution.data ? 200 : (requestStatus ?? 200);
  // like every other 401 of the service: VO clients and browsers learn that Basic works
  if (statusCode === 401) ctx.reply?.header('WWW-Authenticate', 'Basic realm="vocloud", charset="UTF-8"');
  return { statusCode, response: { data: execution.data ?? null, errors: out as unknown as GraphQLError[] } };
}

/** A service error as a GraphQLError with its code, for paths that skip formatErrors (WebSocket). */
export function asGraphQLError(err: unknown): GraphQLError {
  if (err instanceof GraphQLError) return err;
  const { status, message } = statusOf(err);
  return new GraphQLError(message, { extensions: { code: CODES[status] ?? 'INTERNAL_SERVER_ERROR', status } });
}
