import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Agent } from 'undici';
import { ItemError } from '../common/errors.js';
import type { NetworkGuard } from './guard.js';

/** Bounds of every HTTP exchange, in milliseconds. */
export interface HttpTimeouts {
  readonly connect: number;
  readonly response: number;
  /** No byte of a body for this long: the transfer is stalled. */
  readonly idle: number;
  /** A whole document (an index page, a VOTable) read into memory must arrive within this. */
  readonly body: number;
}

export interface HttpCredentials {
  readonly username: string;
  readonly password: string;
  /** Credentials go to this origin only (never to another host a link or redirect points at). */
  readonly origin: string;
}

export interface HttpRequest {
  readonly url: string;
  readonly signal: AbortSignal;
  readonly headers?: Record<string, string>;
  readonly credentials?: HttpCredentials | undefined;
  readonly method?: 'GET' | 'HEAD';
  readonly maxRedirects?: number;
}

export interface HttpResponse {
  /** The URL that answered, after redirects. */
  readonly url: string;
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Readable;
}

const ignore = (): void => undefined;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const TRANSIENT_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Seconds from a Retry-After header (delta seconds or an HTTP date). */
export function retryAfterSeconds(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, (t - Date.now()) / 1000);
}

/** A parsed URL without user info; its own href when it has none (no copy, no parse: the crawl shows every file's URL). */
export function displayHref(u: URL): string {
  return u.username || u.password ? displayUrl(u.href) : u.href;
}

/** A URL without user info, for messages, manifests and provenance. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * A small HTTP(S) client on undici: keep-alive connection pools, every connection checked by
 * the network guard, connect and response timeouts, redirects (http/https only, at most
 * five), Basic credentials for one origin only. Bodies are streamed; the caller meters them.
 * undici rather than node:http: an import makes thousands of small requests, and undici spent
 * a third less CPU per request (docs/decisions.md).
 */
export class HttpClient {
  private readonly dispatcher: Agent;

  constructor(
    private readonly guard: NetworkGuard,
    private readonly timeouts: HttpTimeouts,
    private readonly userAgent: string,
    maxSockets = 32,
    /** Certificate authorities to trust (the system's and an admin's); undefined = the system's. */
    ca?: readonly string[],
  ) {
    this.dispatcher = new Agent({
      connections: maxSockets,
      // net.connect and tls.connect call the guard's lookup for every connection
      connect: { lookup: guard.lookup, timeout: timeouts.connect, ...(ca ? { ca: [...ca] } : {}) },
      headersTimeout: timeouts.response,
      // Callers watch bodies themselves (a stalled transfer is resumed, a document has a
      // deadline); undici's own watch is a backstop for a body nobody reads to the end.
      bodyTimeout: timeouts.idle * 2,
    });
  }

  /** Read a small document (index page, VOTable) within this client's timeouts. */
  readBody(res: HttpResponse, max: number, what: string): Promise<Buffer> {
    return readBody(res.body, max, what, this.timeouts.idle, this.timeouts.body);
  }

  close(): void {
    this.dispatcher.destroy().catch(() => undefined);
  }

  /** GET (or HEAD) `url`, following redirects; resolves when the final response's headers arrive. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    let url = req.url;
    const max = req.maxRedirects ?? 5;
    for (let hop = 0; ; hop++) {
      const res = await this.once(url, req);
      if (REDIRECTS.has(res.status) && res.headers.location) {
        res.body.resume();
        if (hop >= max) throw new ItemError(`too many redirects (more than ${max}), last to ${displayUrl(res.headers.location)}`, false);
        let next: URL;
        try {
          next = new URL(res.headers.location, url);
        } catch {
          throw new ItemError(`the server redirected to an invalid URL: ${res.headers.location.slice(0, 200)}`, false);
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new ItemError(`the server redirected to ${next.protocol} which is not HTTP(S)`, false);
        }
        url = next.toString();
        continue;
      }
      return res;
    }
  }

  /** GET, and turn a status other than 2xx into an ItemError that quotes the server. */
  async get(req: HttpRequest): Promise<HttpResponse> {
    const res = await this.request(req);
    if (res.status >= 200 && res.status < 300) return res;
    const snippet = await readSnippet(res.body, 1000);
    throw new ItemError(
      `HTTP ${res.status}${STATUS_CODES[res.status] ? ` ${STATUS_CODES[res.status]}` : ''} from ${displayUrl(res.url)}${snippet ? `: ${snippet}` : ''}`,
      TRANSIENT_STATUS.has(res.status),
      retryAfterSeconds(res.headers['retry-after']),
    );
  }

  private async once(url: string, req: HttpRequest): Promise<HttpResponse> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new ItemError(`not a valid URL: ${url.slice(0, 200)}`, false);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ItemError(`not an HTTP(S) URL: ${displayUrl(url)}`, false);
    this.guardLiteral(u);
    const headers: Record<string, string> = { 'user-agent': this.userAgent, accept: '*/*', ...(req.headers ?? {}) };
    const creds = req.credentials;
    if (creds && creds.origin === u.origin) {
      headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    } else if (u.username || u.password) {
      headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
    }
    try {
      const res = await this.dispatcher.request({
        origin: u.origin,
        path: `${u.pathname}${u.search}`,
        method: req.method ?? 'GET',
        headers,
        signal: req.signal,
      });
      // undici's body fails with "Request aborted" when destroyed unread (node:http's ended
      // quietly); a body given up on (an error status, a file refused) must not crash the job
      // thread. Readers see its errors through their own iteration.
      res.body.on('error', ignore);
      return { url, status: res.statusCode, headers: res.headers as IncomingHttpHeaders, body: res.body };
    } catch (err) {
      throw this.requestError(err, u, req.signal);
    }
  }

  /** undici's failures before a response, in the words of this client's callers. */
  private requestError(err: unknown, u: URL, signal: AbortSignal): unknown {
    // the caller's reason (a job abort, an attempt's deadline), not undici's "Request aborted"
    if (signal.aborted) return signal.reason instanceof Error ? signal.reason : err;
    const code = (err as { code?: unknown }).code;
    if (code === 'EVOCLOUDBLOCKED') return new ItemError((err as Error).message, false);
    if (code === 'UND_ERR_CONNECT_TIMEOUT') return new ItemError(`could not connect to ${u.host} within ${this.timeouts.connect / 1000} s`, true);
    if (code === 'UND_ERR_HEADERS_TIMEOUT') return new ItemError(`${u.host} did not answer within ${this.timeouts.response / 1000} s`, true);
    return err;
  }

  /** Node does not call `lookup` for IP literals: check those here. */
  private guardLiteral(u: URL): void {
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const why = /^[\d.]+$|:/.test(host) ? this.guard.refusal(host) : null;
    if (why && !why.includes('is not an IP address')) throw new ItemError(why, false);
  }
}

/** Up to `max` characters of a (error) body, on one line. */
export async function readSnippet(body: Readable, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of body) {
      chunks.push(c as Buffer);
      n += (c as Buffer).length;
      if (n >= max) break;
    }
  } catch {
    /* the snippet is a courtesy */
  } finally {
    body.destroy();
  }
  const text = Buffer.concat(chunks).toString('utf8').slice(0, max);
  const plain = /<html|<!doctype/i.test(text) ? text.replace(/<[^>]*>/g, ' ') : text;
  return plain.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/**
 * Read a whole (small) body, refusing more than `max` bytes, a stall longer than `idleMs` and
 * a body that takes longer than `totalMs` in all (a server that dribbles forever).
 */
export async function readBody(body: Readable, max: number, what: string, idleMs = 30_000, totalMs = 600_000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  let idle: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => body.destroy(new ItemError(`${what} stalled: no data for ${idleMs / 1000} s`, true)), idleMs);
  };
  const total = setTimeout(() => body.destroy(new ItemError(`${what} did not arrive within ${totalMs / 1000} s`, true)), totalMs);
  arm();
  try {
    for await (const c of body) {
      arm();
      n += (c as Buffer).length;
      if (n > max) {
        body.destroy();
        throw new ItemError(`${what} is larger than ${max} bytes`, false);
      }
      chunks.push(c as Buffer);
    }
  } finally {
    clearTimeout(idle);
    clearTimeout(total);
  }
  return Buffer.concat(chunks);
}
