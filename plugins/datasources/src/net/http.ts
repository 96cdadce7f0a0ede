import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
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
  readonly body: IncomingMessage;
}

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
 * A small HTTP(S) client on node:http: keep-alive connection pools, every connection checked
 * by the network guard, connect and response timeouts, redirects (http/https only, at most
 * five), Basic credentials for one origin only. Bodies are streamed; the caller meters them.
 */
export class HttpClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(
    private readonly guard: NetworkGuard,
    private readonly timeouts: HttpTimeouts,
    private readonly userAgent: string,
    maxSockets = 32,
    /** Certificate authorities to trust (the system's and an admin's); undefined = the system's. */
    ca?: readonly string[],
  ) {
    const lookup = guard.lookup as unknown as http.AgentOptions['lookup'];
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets, lookup } as http.AgentOptions);
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets, lookup, ...(ca ? { ca: [...ca] } : {}) } as https.AgentOptions);
  }

  /** Read a small document (index page, VOTable) within this client's timeouts. */
  readBody(res: HttpResponse, max: number, what: string): Promise<Buffer> {
    return readBody(res.body, max, what, this.timeouts.idle, this.timeouts.body);
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
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
      `HTTP ${res.status}${http.STATUS_CODES[res.status] ? ` ${http.STATUS_CODES[res.status]}` : ''} from ${displayUrl(res.url)}${snippet ? `: ${snippet}` : ''}`,
      TRANSIENT_STATUS.has(res.status),
      retryAfterSeconds(res.headers['retry-after']),
    );
  }

  private once(url: string, req: HttpRequest): Promise<HttpResponse> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return Promise.reject(new ItemError(`not a valid URL: ${url.slice(0, 200)}`, false));
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return Promise.reject(new ItemError(`not an HTTP(S) URL: ${displayUrl(url)}`, false));
    return this.guardLiteral(u).then(
      () =>
        new Promise<HttpResponse>((resolve, reject) => {
          const headers: Record<string, string> = { 'user-agent': this.userAgent, accept: '*/*', ...(req.headers ?? {}) };
          const creds = req.credentials;
          if (creds && creds.origin === u.origin) {
            headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
          } else if (u.username || u.password) {
            headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
          }
          const mod = u.protocol === 'https:' ? https : http;
          let settled = false;
          // one timer: first the connect deadline, then (once connected) the response deadline
          let timer: NodeJS.Timeout | undefined;
          const fail = (err: Error): void => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            req.signal.removeEventListener('abort', onAbort);
            reject(err);
          };
          const r = mod.request(u, {
            method: req.method ?? 'GET',
            headers,
            agent: u.protocol === 'https:' ? this.httpsAgent : this.httpAgent,
          });
          const onAbort = (): void => {
            r.destroy(req.signal.reason instanceof Error ? req.signal.reason : new Error('aborted'));
          };
          if (req.signal.aborted) onAbort();
          else req.signal.addEventListener('abort', onAbort, { once: true });
          timer = setTimeout(() => r.destroy(new ItemError(`could not connect to ${u.host} within ${this.timeouts.connect / 1000} s`, true)), this.timeouts.connect);
          r.on('socket', (socket) => {
            const connected = (): void => {
              clearTimeout(timer);
              timer = setTimeout(() => r.destroy(new ItemError(`${u.host} did not answer within ${this.timeouts.response / 1000} s`, true)), this.timeouts.response);
            };
            if ((socket as { connecting?: boolean }).connecting) socket.once('connect', connected);
            else connected();
          });
          r.on('response', (res) => {
            if (settled) {
              res.destroy();
              return;
            }
            settled = true;
            clearTimeout(timer);
            // the body may outlive this call: abort destroys it, then forget the listener
            res.once('close', () => req.signal.removeEventListener('abort', onAbort));
            resolve({ url, status: res.statusCode ?? 0, headers: res.headers, body: res });
          });
          r.on('error', (err) => {
            const e = err as NodeJS.ErrnoException;
            if (e.code === 'EVOCLOUDBLOCKED') fail(new ItemError(e.message, false));
            else fail(err);
          });
          r.end();
        }),
    );
  }

  /** Node does not call `lookup` for IP literals: check those here. */
  private async guardLiteral(u: URL): Promise<void> {
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const why = /^[\d.]+$|:/.test(host) ? this.guard.refusal(host) : null;
    if (why && !why.includes('is not an IP address')) throw new ItemError(why, false);
  }
}

/** Up to `max` characters of a (error) body, on one line. */
export async function readSnippet(body: IncomingMessage, max: number): Promise<string> {
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
export async function readBody(body: IncomingMessage, max: number, what: string, idleMs = 30_000, totalMs = 600_000): Promise<Buffer> {
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
