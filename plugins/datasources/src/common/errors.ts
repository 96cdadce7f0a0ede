/**
 * A failure of one item of an import (one file). `transient` failures (timeouts, resets,
 * HTTP 5xx/429, FTP 4xx, a dropped FTP connection) are tried again with backoff; the others
 * fail the item at once. The message is for the user and ends up in the manifest's `error`
 * column.
 */
export class ItemError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    /** Seconds the server asked us to wait (Retry-After). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ItemError';
  }
}

/** Network error codes worth another attempt. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE', 'EPROTO',
  // No local port for a new connection: every FTP file is a data connection, and each closed
  // one holds its port for a minute (TIME_WAIT); a busy machine runs out, for a while.
  'EADDRNOTAVAIL',
]);

/** Node's TLS verification failures: what the user needs is who can fix the trust, not a retry. */
const UNTRUSTED_CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_UNTRUSTED',
]);

/** Turn any error from a transfer into an ItemError with a message for the user. */
export function asItemError(err: unknown): ItemError {
  if (err instanceof ItemError) return err;
  const e = err as NodeJS.ErrnoException & { code?: string | number };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (e?.name === 'JobError') return new ItemError(e.message, false);
  if (code === 'ENOTFOUND') return new ItemError(`host not found (${e.message})`, false);
  if (code && TRANSIENT_CODES.has(code)) return new ItemError(`${describeCode(code)} (${e.message})`, true);
  if (code && UNTRUSTED_CERTIFICATE_CODES.has(code)) {
    return new ItemError(`${e.message}: the server's TLS certificate is not trusted here; if the server is right, an administrator can add its certificate authority to the data sources' trustedCertificates option`, false);
  }
  const msg = e?.message ?? String(err);
  if (/timeout|timed out/i.test(msg)) return new ItemError(msg, true);
  return new ItemError(msg, false);
}

function describeCode(code: string): string {
  switch (code) {
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'ECONNREFUSED':
      return 'the connection was refused';
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return 'the connection closed early';
    case 'EADDRNOTAVAIL':
      return 'no local port was free for a new connection (too many connections in the last minute)';
    default:
      return `network error ${code}`;
  }
}
