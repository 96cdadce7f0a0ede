import { isIP } from 'node:net';
import { PassThrough } from 'node:stream';
import { Client, FTPError, type FileInfo } from 'basic-ftp';
import { ItemError, asItemError } from '../common/errors.js';
import { decodeNameBytes } from '../common/names.js';
import type { OpenedTransfer } from '../common/transfer.js';
import type { NetworkGuard } from './guard.js';

/** Where and how to log in; `path` and names are Latin-1 strings that carry the server's raw bytes. */
export interface FtpTarget {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean | 'implicit';
  readonly user: string;
  readonly password: string;
  /** Certificate authorities for FTPS (undefined = the system's). */
  readonly ca?: readonly string[] | undefined;
}

export interface FtpEntry {
  /** The name as the server's bytes (Latin-1 string), for commands. */
  readonly raw: string;
  /** The name for people and storage: UTF-8 when the bytes are UTF-8, else Latin-1. */
  readonly name: string;
  readonly kind: 'file' | 'directory' | 'other';
  readonly size?: number | undefined;
}

/**
 * basic-ftp's words for a control connection the server closed or broke (plain Errors, no
 * code). A server does that when it restarts, when a firewall drops an idle connection, and
 * when it cannot open a passive data port (pyftpdlib, with every port of the range in
 * TIME_WAIT after thousands of small files): a new connection usually works.
 */
const CONNECTION_LOST = /Server sent FIN packet unexpectedly|Server closed connection unexpectedly|Socket closed due to transmission error|Control socket is disconnected/;

/** FTP replies 4xx are transient (RFC 959), 5xx permanent; the message quotes the server. */
export function ftpError(err: unknown, what: string): ItemError {
  if (err instanceof FTPError) {
    const transient = err.code >= 400 && err.code < 500;
    return new ItemError(`${what}: FTP ${err.message.trim()}`, transient);
  }
  // also when wrapped: "Client is closed because …", "None of the available transfer strategies work. Last error response was '…'"
  if (err instanceof Error && CONNECTION_LOST.test(err.message)) {
    return new ItemError(`${what}: the FTP server closed the connection (${err.message})`, true);
  }
  const e = asItemError(err);
  return new ItemError(`${what}: ${e.message}`, e.transient, e.retryAfter);
}

/** Bytes of a user-given path (UTF-8) as the Latin-1 string the control connection sends verbatim. */
export function rawPath(path: string): string {
  return Buffer.from(path, 'utf8').toString('latin1');
}

/** A raw (Latin-1) path as a percent-encoded URL path. */
export function urlPath(raw: string): string {
  return [...Buffer.from(raw, 'latin1')]
    .map((b) => (/[A-Za-z0-9\-._~/!$&'()*+,;=:@]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

/**
 * A small pool of logged-in FTP connections (basic-ftp: passive mode, optional TLS). The host
 * is resolved and checked by the network guard once; every connection goes to that address
 * (TLS still verifies the host name). The control connection speaks Latin-1 so that names
 * that are not UTF-8 survive the round trip byte for byte.
 */
export class FtpPool {
  private idle: Client[] = [];
  private connections = 0;
  private waiting: (() => void)[] = [];
  private address: Promise<string> | null = null;
  private closed = false;

  constructor(
    private readonly target: FtpTarget,
    private readonly guard: NetworkGuard,
    /** Milliseconds for connects, replies and stalled transfers. */
    private readonly timeoutMs: number,
    private readonly size: number,
  ) {}

  private async connect(): Promise<Client> {
    this.address ??= withTimeout(this.guard.resolve(this.target.host), this.timeoutMs, `cannot resolve ${this.target.host} within ${this.timeoutMs / 1000} s`);
    const address = await this.address;
    const client = new Client(this.timeoutMs);
    client.ftp.encoding = 'latin1';
    try {
      await client.access({
        host: address,
        port: this.target.port,
        user: this.target.user,
        password: this.target.password,
        secure: this.target.secure,
        // The connection goes to the checked address; TLS checks the certificate against the
        // name asked for. TLS 1.2 at most: basic-ftp reuses the control connection's session
        // for data connections, which TLS 1.3 servers do not accept (basic-ftp issue #60; curl
        // and Cyberduck cap FTPS the same way).
        ...(this.target.secure
          ? {
              secureOptions: {
                maxVersion: 'TLSv1.2' as const,
                ...(isIP(this.target.host) ? {} : { servername: this.target.host }),
                ...(this.target.ca ? { ca: [...this.target.ca] } : {}),
              },
            }
          : {}),
      });
      client.ftp.encoding = 'latin1';
      await client.send('TYPE I');
      return client;
    } catch (err) {
      client.close();
      throw ftpError(err, `cannot log in to ${this.target.host}:${this.target.port}`);
    }
  }

  async acquire(): Promise<Client> {
    for (;;) {
      if (this.closed) throw new ItemError('the FTP connections are closed', false);
      const c = this.idle.pop();
      if (c && !c.closed) return c;
      if (c) {
        this.connections--;
        continue;
      }
      if (this.connections < this.size) {
        this.connections++;
        try {
          return await this.connect();
        } catch (err) {
          this.connections--;
          this.wake();
          throw err;
        }
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  release(client: Client, broken = false): void {
    if (broken || client.closed || this.closed) {
      client.close();
      this.connections--;
    } else {
      this.idle.push(client);
    }
    this.wake();
  }

  private wake(): void {
    this.waiting.shift()?.();
  }

  close(): void {
    this.closed = true;
    for (const c of this.idle) c.close();
    this.idle = [];
    for (const w of this.waiting.splice(0)) w();
  }

  /** A directory's entries (raw names kept). */
  async list(dir: string): Promise<FtpEntry[]> {
    const client = await this.acquire();
    let broken = false;
    try {
      const list = await client.list(dir);
      return list.map(entry);
    } catch (err) {
      broken = !(err instanceof FTPError);
      throw ftpError(err, `cannot list ${decodeNameBytes(Buffer.from(dir, 'latin1'))}`);
    } finally {
      this.release(client, broken);
    }
  }

  /** The size of a file (SIZE, on the control connection), or null when `path` is not a file. */
  async fileSize(path: string): Promise<number | null> {
    const client = await this.acquire();
    let broken = false;
    try {
      return await client.size(path);
    } catch (err) {
      if (err instanceof FTPError && err.code >= 500) return null;
      broken = !(err instanceof FTPError);
      throw ftpError(err, `cannot ask for the size of ${decodeNameBytes(Buffer.from(path, 'latin1'))}`);
    } finally {
      this.release(client, broken);
    }
  }

  /** Open a file from `offset` (REST) as a stream; the connection returns to the pool when the transfer ends. */
  async open(path: string, offset: number, size: number | undefined, signal: AbortSignal): Promise<OpenedTransfer> {
    const client = await this.acquire();
    const pass = new PassThrough();
    let finished = false;
    const abort = (): void => {
      if (!finished) client.close();
    };
    signal.addEventListener('abort', abort, { once: true });
    // A consumer that gives up (size limit, quota, abort) must not leave the transfer hanging.
    // A stream read to its end also closes, often before the server's 226 settles downloadTo:
    // that connection is fine and goes back to the pool (closing it cost a new login per file).
    pass.once('close', () => {
      if (!finished && !pass.readableEnded) client.close();
    });
    client.downloadTo(pass, path, offset).then(
      () => {
        finished = true;
        signal.removeEventListener('abort', abort);
        this.release(client);
      },
      (err: unknown) => {
        finished = true;
        signal.removeEventListener('abort', abort);
        this.release(client, true);
        pass.destroy(ftpError(err, 'transfer failed'));
      },
    );
    return {
      stream: pass,
      offset,
      length: size !== undefined ? Math.max(0, size - offset) : undefined,
      resumable: true,
    };
  }
}

function entry(f: FileInfo): FtpEntry {
  return {
    raw: f.name,
    name: decodeNameBytes(Buffer.from(f.name, 'latin1')),
    kind: f.isDirectory ? 'directory' : f.isFile ? 'file' : 'other',
    size: Number.isFinite(f.size) && f.size >= 0 ? f.size : undefined,
  };
}

/** `p`, or a transient ItemError after `ms` (DNS lookups have no timeout of their own). */
function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ItemError(message, true)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
