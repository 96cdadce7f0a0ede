import type { FastifyInstance } from 'fastify';
import { BadRequestError } from '../uws/errors.js';

/**
 * Refuses numbers that validation let through as Infinity. ajv coerces a query value such as
 * `1e400` to Infinity and then skips `maximum` for it (its number keywords apply to finite
 * numbers only), and JSON.parse reads `1e400` in a body the same way: `limit=1e400` would
 * have lifted a listing's page limit, and `offset=1e20`-like values reached SQL. Runs after
 * validation, on the coerced values, so every route's schema gets the check.
 */
export function refuseNonFiniteNumbers(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    for (const [part, value] of [['querystring', request.query], ['params', request.params], ['body', request.body]] as const) {
      const where = nonFinite(value, 0);
      if (where !== null) throw new BadRequestError(`${part}${where} must be a finite number`);
    }
  });
}

/** The path of the first non-finite number in parsed input, or null; bounded depth and width. */
function nonFinite(value: unknown, depth: number): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : '';
  if (value === null || typeof value !== 'object' || depth > 8 || ArrayBuffer.isView(value)) return null;
  const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
  let seen = 0;
  for (const [key, v] of entries) {
    if (++seen > 10_000) return null;
    const inner = nonFinite(v, depth + 1);
    if (inner !== null) return `/${String(key)}${inner}`;
  }
  return null;
}
