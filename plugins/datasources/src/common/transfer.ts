import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
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

/** How one file is read: where to reopen it, its limits, retries, abort signal, meters. */
export interface Transfer {
  /** The same file again from `offset` (a resume). */
  readonly reopen: (offset: number) => Promise<OpenedTransfer>;
  readonly limits: TransferLimits;
  readonly policy: RetryPolicy;
  readonly signal: AbortSignal;
  readonly stats: TransferStats & { hash: ReturnType<typeof createHash> };
  /** Called with the size of every chunk (progress, totals). */
  readonly onChunk: (n: number) => void;
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
 * the bytes (size limit, sha256, progress). `start`: bytes of the file already taken from
 * `first` (wholeBytes hands over a file that outgrew memory).
 */
export async function* resumingBytes(first: OpenedTransfer, t: Transfer, start = 0): AsyncGenerator<Buffer> {
  let current = first;
  let offset = start;
  const expected = announcedEnd(first, t.limits);
  for (;;) {
    try {
      for await (const chunk of idleLimited(current.stream, t.limits.idleMs)) {
        const buf = chunk as Buffer;
        offset = meter(buf, offset, t);
        yield buf;
      }
      checkComplete(expected, offset);
      return;
    } catch (err) {
      current = await resumeAfter(err, current, offset, expected, t);
    }
  }
}

/**
 * The whole of a file announced small, as one buffer: what resumingBytes does (metering,
 * resumption, the same errors), read with stream events instead of async iteration. An import
 * is mostly such files, each arriving in a chunk or two, and the three layers of async
 * iteration per file cost more than the bytes. A body that outgrows `max` (a source that
 * announced less) goes on as a stream: what came so far, then the rest through resumingBytes.
 */
export async function wholeBytes(first: OpenedTransfer, t: Transfer, max: number): Promise<Buffer | Readable> {
  let current = first;
  let offset = 0;
  const parts: Buffer[] = [];
  const expected = announcedEnd(first, t.limits);
  for (;;) {
    try {
      const ended = await pump(current.stream, t.limits.idleMs, (buf) => {
        offset = meter(buf, offset, t);
        parts.push(buf);
        return offset <= max;
      });
      if (!ended) {
        const from = current;
        // paused until the stream below reads on: an error meanwhile must not go unheard
        from.stream.on('error', ignore);
        const at = offset;
        return Readable.from(
          (async function* (): AsyncGenerator<Buffer> {
            yield* parts.splice(0);
            yield* resumingBytes(from, t, at);
          })(),
        );
      }
      checkComplete(expected, offset);
      return parts.length === 1 ? parts[0]! : Buffer.concat(parts, offset);
    } catch (err) {
      current = await resumeAfter(err, current, offset, expected, t);
    }
  }
}

/** The end the first response announced; a file announced larger than allowed is refused before a byte is read. */
function announcedEnd(first: OpenedTransfer, limits: TransferLimits): number | undefined {
  const expected = first.length !== undefined ? first.offset + first.length : undefined;
  if (expected !== undefined && expected > limits.maxBytes) {
    first.stream.destroy();
    throw new ItemError(`${expected} bytes is more than ${limits.maxBytesReason}`, false);
  }
  return expected;
}

/** Count, limit and hash one chunk; returns the new offset. */
function meter(buf: Buffer, offset: number, t: Transfer): number {
  const end = offset + buf.length;
  if (end > t.limits.maxBytes) throw new ItemError(`the file is larger than ${t.limits.maxBytesReason}`, false);
  t.stats.hash.update(buf);
  t.stats.bytes = end;
  t.onChunk(buf.length);
  return end;
}

function checkComplete(expected: number | undefined, offset: number): void {
  if (expected !== undefined && offset < expected) {
    throw new ItemError(`the server announced ${expected} bytes but sent only ${offset}`, true);
  }
}

/**
 * After a transfer failed at `offset`: the same file reopened from there when the failure is
 * transient, the server can resume and retries are left; otherwise the failure, as an ItemError.
 */
async function resumeAfter(err: unknown, current: OpenedTransfer, offset: number, expected: number | undefined, t: Transfer): Promise<OpenedTransfer> {
  const { policy, signal, stats } = t;
  current.stream.destroy();
  let e = asItemError(err);
  if (expected !== undefined && offset < expected && e.transient && !/announced/.test(e.message)) {
    e = new ItemError(`the server announced ${expected} bytes but sent only ${offset} (${e.message})`, true, e.retryAfter);
  }
  if (signal.aborted || !e.transient || !current.resumable || stats.resumes >= policy.retries) throw e;
  stats.resumes++;
  await sleep(backoffMs(policy, stats.resumes, e.retryAfter), undefined, { signal }).catch(() => undefined);
  if (signal.aborted) throw e;
  const next = await t.reopen(offset);
  if (next.offset !== offset) {
    next.stream.destroy();
    throw new ItemError(`${e.message}; the server could not resume at byte ${offset}`, true);
  }
  return next;
}

const ignore = (): void => undefined;

/** What a stream that closed before its end fails with (as Node's own iteration says it). */
function prematureClose(): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

/**
 * Feed a stream's chunks to `take` until it ends (true) or `take` says stop (false: the
 * stream is left paused, its unread bytes in place). Fails with a transient ItemError when no
 * byte arrives for `ms`, with the stream's error, or when it closes before its end.
 */
function pump(stream: Readable, ms: number, take: (chunk: Buffer) => boolean): Promise<boolean> {
  if (stream.readableEnded) return Promise.resolve(true);
  if (stream.destroyed) return Promise.reject(stream.errored ?? prematureClose());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const stalled = new ItemError(`no data for ${ms / 1000} s`, true);
      // a stream already destroyed says nothing more: fail here rather than wait forever
      if (stream.destroyed) finish(stalled, false);
      else stream.destroy(stalled);
    }, ms);
    const finish = (err: unknown, ended: boolean): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (err) reject(err);
      else resolve(ended);
    };
    const onData = (chunk: Buffer): void => {
      timer.refresh();
      let more: boolean;
      try {
        more = take(chunk);
      } catch (err) {
        finish(err, false);
        return;
      }
      if (!more) {
        stream.pause();
        finish(undefined, false);
      }
    };
    const onEnd = (): void => finish(undefined, true);
    const onError = (err: Error): void => finish(err, false);
    const onClose = (): void => {
      if (!stream.readableEnded) finish(prematureClose(), false);
    };
    stream.on('error', onError);
    stream.on('end', onEnd);
    stream.on('close', onClose);
    stream.on('data', onData);
  });
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
