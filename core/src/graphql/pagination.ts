import { BadRequestError } from '../uws/errors.js';

/** The largest page a list query returns (the cost limit usually stops smaller ones first). */
export const MAX_PAGE = 1000;
const MAX_OFFSET = 10_000_000;

export interface PageArgs {
  readonly first?: number | null;
  readonly offset?: number | null;
}

/** `first`/`offset` as limit/offset, or a clear error. */
export function page(args: PageArgs, defaultSize: number): { limit: number; offset: number } {
  const limit = args.first ?? defaultSize;
  const offset = args.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_PAGE) throw new BadRequestError(`first must be between 0 and ${MAX_PAGE} (got ${limit})`);
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) throw new BadRequestError(`offset must be between 0 and ${MAX_OFFSET} (got ${offset})`);
  return { limit, offset };
}
