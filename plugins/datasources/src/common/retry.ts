import { setTimeout as sleep } from 'node:timers/promises';
import { ItemError, asItemError } from './errors.js';

export interface RetryPolicy {
  /** Further attempts after the first. */
  readonly retries: number;
  /** First delay in seconds; doubled each time, with jitter, capped at 30 s. */
  readonly delay: number;
}

const MAX_DELAY_S = 30;

/** The pause before attempt `attempt` (1 = the first retry), honouring Retry-After within the cap. */
export function backoffMs(policy: RetryPolicy, attempt: number, retryAfter?: number): number {
  const exp = policy.delay * 2 ** (attempt - 1);
  const jittered = exp * (0.5 + Math.random() * 0.5);
  const wanted = retryAfter !== undefined ? Math.max(retryAfter, jittered) : jittered;
  return Math.min(MAX_DELAY_S, wanted) * 1000;
}

/**
 * Run `fn` until it succeeds, fails with a permanent error, or has used up its retries. The
 * final error says how many attempts were made when there was more than one.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  signal: AbortSignal,
  fn: (attempt: number) => Promise<T>,
  onRetry?: (err: ItemError, attempt: number) => void,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (signal.aborted) throw err;
      const e = asItemError(err);
      if (!e.transient || attempt >= policy.retries) {
        if (attempt > 0) throw new ItemError(`${e.message} (after ${attempt + 1} attempts)`, e.transient);
        throw e;
      }
      onRetry?.(e, attempt + 1);
      await sleep(backoffMs(policy, attempt + 1, e.retryAfter), undefined, { signal }).catch(() => undefined);
      if (signal.aborted) throw e;
    }
  }
}
