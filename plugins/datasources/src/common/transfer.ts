import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { ItemError, asItemError } from './errors.js';
import { backoffMs, type RetryPolicy } from './retry.js';

/** An open transfer of one file (or of its tail, when resuming). */
export interface OpenedTransfer {
  readonly stream: Readable;
  /** Byte offset of the first byte `stream` delivers (0 when a resume request was ignored). */
  readonly offset: number;
  /** Bytes `stream` will deliver, when the server said so. */
  readonly length?: number | undefined;
  /** The server can continue from an offset (HTTP ranges, FTP REST). */
  readonly resumable: boolean;
  readonly contentType?: string | undefined;
  /** A file name the server suggests (Content-Disposition, the URL after redirects). */
  readonly suggestedName?: string | undefined;
  /** Where the bytes really came from (after redirects), without credentials. */
  readonly finalUrl?: string | undefined;
}

export interface TransferLimits {
  /** Most bytes this file may have. */
  readonly maxBytes: number;
  readonly maxBytesReason: string;
  /** Milliseconds without a byte before the transfer counts as stalled. */
  readonly idleMs: number;
}

export interface TransferStats {
  bytes: number;
  resumes: number;
  readonly sha256: () => string;
}

/**
 * The bytes of one file as one stream, whatever happens underneath: a stalled or cut
 * connection, or a server that sends fewer bytes than it announced, is resumed from the byte
 * reached when the server supports it (up to `policy.retries` times); otherwise the stream
 * fails with an ItemError, and the caller's atomic write leaves nothing behind. Also meters
 * the bytes (size limit, sha256, progress).
 */
export async function* resumingBytes(
  first: OpenedTransfer,
  reopen: (offset: number) => Promise<OpenedTransfer>,
  limits: TransferLimits,
  policy: RetryPolicy,
  signal: AbortSignal,
  stats: TransferStats & { hash: ReturnType<typeof createHash> },
  onChunk: (n: number) => void,
): AsyncGenerator<Buffer> {
  let current = first;
  let offset = 0;
  const expected = first.length !== undefined ? first.offset + first.length : undefined;
  if (expected !== undefined && expected > limits.maxBytes) {
    first.stream.destroy();
    throw new ItemError(`${expected} bytes is more than ${limits.maxBytesReason}`, false);
  }
  for (;;) {
    try {
      for await (const chunk of idleLimited(current.stream, limits.idleMs)) {
        const buf = chunk as Buffer;
        offset += buf.length;
        if (offset > limits.maxBytes) throw new ItemError(`the file is larger than ${limits.maxBytesReason}`, false);
        stats.hash.update(buf);
        stats.bytes = offset;
        onChunk(buf.length);
        yield buf;
      }
      if (expected !== undefined && offset < expected) {
        throw new ItemError(`the server announced ${expected} bytes but sent only ${offset}`, true);
      }
      return;
    } catch (err) {
      current.stream.destroy();
      let e = asItemError(err);
      if (expected !== undefined && offset < expected && e.transient && !/announced/.test(e.message)) {
        e = new ItemError(`the server announced ${expected} bytes but sent only ${offset} (${e.message})`, true, e.retryAfter);
      }
      if (signal.aborted || !e.transient || !current.resumable || stats.resumes >= policy.retries) throw e;
      stats.resumes++;
      await sleep(backoffMs(policy, stats.resumes, e.retryAfter), undefined, { signal }).catch(() => undefined);
      if (signal.aborted) throw e;
      current = await reopen(offset);
      if (current.offset !== offset) {
        current.stream.destroy();
        throw new ItemError(`${e.message}; the server could not resume at byte ${offset}`, true);
      }
    }
  }
}

/** Iterate a stream, failing with a transient ItemError when no byte arrives for `ms`. */
async function* idleLimited(stream: Readable, ms: number): AsyncGenerator<unknown> {
  // one timer, pushed back per chunk (a new timer per chunk showed in an import's profile)
  const timer = setTimeout(() => stream.destroy(new ItemError(`no data for ${ms / 1000} s`, true)), ms);
  try {
    for await (const chunk of stream) {
      timer.refresh();
      yield chunk;
    }
  } finally {
    clearTimeout(timer);
  }
}

export function newStats(): TransferStats & { hash: ReturnType<typeof createHash> } {
  const hash = createHash('sha256');
  let digest: string | undefined;
  return {
    bytes: 0,
    resumes: 0,
    hash,
    sha256: () => (digest ??= hash.digest('hex')),
  };
}
