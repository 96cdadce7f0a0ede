import { StorageError } from '@vocloud/sdk';

type Code = StorageError['code'];

/** What went wrong where: kept on the error for logs and tests, beyond the message. */
export interface WebHdfsErrorDetail {
  /** The WebHDFS operation, e.g. 'CREATE'. */
  readonly op: string;
  /** The HDFS path it was about. */
  readonly path: string;
  /** 'namenode' or 'datanode' (for HttpFS both are the HttpFS server). */
  readonly server: 'namenode' | 'datanode';
  /** HTTP status, when the server answered. */
  readonly status?: number;
  /** RemoteException.exception, e.g. 'AccessControlException'. */
  readonly exception?: string;
  readonly javaClassName?: string;
  /** True for AccessControlException, InvalidToken, SecurityException and 401/403 without a body. */
  readonly permission?: boolean;
}

/**
 * A StorageError from the WebHDFS backend. `code` is what core maps to an HTTP status;
 * `detail` says which server refused what, so an operator can act on the log line.
 */
export class WebHdfsError extends StorageError {
  constructor(
    code: Code,
    message: string,
    readonly detail: WebHdfsErrorDetail,
    options?: { cause?: unknown },
  ) {
    super(code, message);
    this.name = 'WebHdfsError';
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

// Hadoop's exception names (RemoteException.exception, or the last part of javaClassName).
const CODES: Record<string, Code> = {
  FileNotFoundException: 'not-found',
  FileAlreadyExistsException: 'exists',
  ParentNotDirectoryException: 'not-a-directory',
  InvalidPathException: 'invalid-path',
  PathComponentTooLongException: 'invalid-path',
  MaxDirectoryItemsExceededException: 'io',
};

const PERMISSION = new Set(['AccessControlException', 'InvalidToken', 'SecurityException', 'AuthorizationException', 'AuthenticationException']);

// Messages that tell an operator what to do, for failures that are about the cluster, not the path.
const HINTS: Record<string, string> = {
  SafeModeException: 'the namenode is in safe mode (read-only)',
  StandbyException: 'this namenode is the standby; point storage.webhdfs.url at the active namenode (or at HttpFS)',
  DSQuotaExceededException: 'the HDFS space quota of the folder is exceeded',
  NSQuotaExceededException: 'the HDFS name quota (number of files) of the folder is exceeded',
  RetriableException: 'the namenode asked to retry later',
};

function simpleName(exception: string, javaClassName?: string): string {
  // Some servers put the full class name into `exception`; the simple name is what we match.
  const name = exception.includes('.') ? exception.slice(exception.lastIndexOf('.') + 1) : exception;
  if (name) return name.replace(/^.*\$/, '');
  return javaClassName ? javaClassName.slice(javaClassName.lastIndexOf('.') + 1).replace(/^.*\$/, '') : 'RemoteException';
}

/** An error from a RemoteException JSON body (or from a status without one). */
export function remoteError(
  where: { op: string; path: string; server: 'namenode' | 'datanode'; origin: string; user: string },
  status: number,
  remote: { exception: string; message?: string; javaClassName?: string } | null,
  bodyText: string,
): WebHdfsError {
  const base = { op: where.op, path: where.path, server: where.server, status };
  if (!remote) {
    const snippet = bodyText.replace(/\s+/g, ' ').trim().slice(0, 200);
    const permission = status === 401 || status === 403;
    const what = permission ? `refused access as ${where.user}` : 'failed';
    return new WebHdfsError(
      status === 404 ? 'not-found' : 'io',
      `WebHDFS ${where.op} ${where.path} ${what}: HTTP ${status} from the ${where.server} at ${where.origin}${snippet ? ` (${snippet})` : ''}`,
      { ...base, permission },
    );
  }
  const name = simpleName(remote.exception, remote.javaClassName);
  const message = remote.message ?? '';
  const detail = { ...base, exception: name, javaClassName: remote.javaClassName };
  if (PERMISSION.has(name)) {
    return new WebHdfsError(
      'io',
      `HDFS permission denied for ${where.op} ${where.path} as ${where.user}: ${message || name}`,
      { ...detail, permission: true },
    );
  }
  const hint = HINTS[name];
  const code = CODES[name] ?? 'io';
  return new WebHdfsError(
    code,
    `WebHDFS ${where.op} ${where.path} failed on the ${where.server} at ${where.origin}: ${name}: ${hint ? `${hint} (${message})` : message}`,
    detail,
  );
}

interface ErrnoLike {
  code?: string;
  name?: string;
  message?: string;
  cause?: unknown;
}

/** An error for a request that got no usable answer: refused, timed out, cut off. */
export function transportError(
  where: { op: string; path: string; server: 'namenode' | 'datanode'; origin: string },
  err: unknown,
  timeouts: { connect: number; wait: number },
): WebHdfsError {
  if (err instanceof StorageError) return err as WebHdfsError;
  const e = (err ?? {}) as ErrnoLike;
  const code = e.code ?? (e.cause as ErrnoLike | undefined)?.code ?? '';
  const subject = `the ${where.server} at ${where.origin}`;
  let what: string;
  switch (code) {
    case 'ECONNREFUSED':
      what = `${subject} refused the connection`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      what = `the host of ${subject} cannot be resolved${where.server === 'datanode' ? ' (map it with storage.webhdfs.datanodeHosts)' : ''}`;
      break;
    case 'UND_ERR_CONNECT_TIMEOUT':
      what = `could not connect to ${subject} within ${timeouts.connect} s`;
      break;
    case 'UND_ERR_HEADERS_TIMEOUT':
      what = `${subject} did not answer within ${timeouts.wait} s`;
      break;
    case 'UND_ERR_BODY_TIMEOUT':
      what = `${subject} stopped sending data for ${timeouts.wait} s`;
      break;
    case 'UND_ERR_SOCKET':
    case 'ECONNRESET':
    case 'EPIPE':
      what = `${subject} closed the connection unexpectedly`;
      break;
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      what = `${subject} sent a body that does not match its Content-Length`;
      break;
    default:
      what = e.name === 'TimeoutError' ? `${subject} did not complete the request within ${timeouts.wait} s` : `${subject}: ${e.message ?? String(err)}`;
  }
  return new WebHdfsError('io', `WebHDFS ${where.op} ${where.path}: ${what}`, { op: where.op, path: where.path, server: where.server }, { cause: err });
}
