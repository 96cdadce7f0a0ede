import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import { isResponse, firstProblem, type FileStatus, type ResponseName, type ResponseOf } from './protocol.js';
import { remoteError, transportError, WebHdfsError } from './errors.js';
import { CheckedLength, UploadBody, type Source } from './streams.js';

/** How to reach WebHDFS; times in milliseconds. */
export interface WebHdfsClientOptions {
  /** http(s)://namenode:port, with or without the /webhdfs/v1 prefix (HttpFS and gateways alike). */
  readonly url: string;
  /** user.name, for clusters without Kerberos. */
  readonly user?: string;
  /** A delegation token (URL-safe encoded), for secure clusters; wins over `user`. */
  readonly delegationToken?: string;
  readonly connectTimeoutMs: number;
  /** Budget of one metadata request to the namenode, answer included. */
  readonly requestTimeoutMs: number;
  /** How long a datanode may stay silent: no answer, no bytes sent or taken. */
  readonly dataTimeoutMs: number;
  /** Rewrites of the host:port in datanode redirects. */
  readonly datanodeHosts?: Readonly<Record<string, string>>;
  /** Header sent on PUT, POST and DELETE when the cluster has dfs.webhdfs.rest-csrf.enabled. */
  readonly csrfHeader?: string;
}

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';
type Params = Record<string, string | number | boolean | undefined>;
type Server = 'namenode' | 'datanode';

const ERROR_BODY_LIMIT = 64 * 1024;

/** Read at most ERROR_BODY_LIMIT bytes of a body (an error page can be anything) and drop the rest. */
async function readSome(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= ERROR_BODY_LIMIT) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A small WebHDFS REST client on undici: the operations the storage backend needs, the
 * two-step CREATE/APPEND/OPEN through a datanode redirect (followed here, so no data is ever
 * sent to the namenode), RemoteException errors, and timeouts on every step.
 */
export class WebHdfsClient {
  /** The base URL, ending in /webhdfs/v1. */
  readonly base: URL;
  /** Who the cluster sees, for messages. */
  readonly identity: string;
  private readonly agent: Agent;

  constructor(private readonly o: WebHdfsClientOptions) {
    const u = new URL(o.url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`WebHDFS url must be http(s)://…, not '${o.url}'`);
    let prefix = u.pathname.replace(/\/+$/, '');
    if (!prefix.endsWith('/webhdfs/v1')) prefix += '/webhdfs/v1';
    u.pathname = prefix;
    u.search = '';
    u.hash = '';
    this.base = u;
    this.identity = o.delegationToken ? 'the user of the delegation token' : o.user ? `user '${o.user}'` : "the server's default web user";
    this.agent = new Agent({
      connect: { timeout: o.connectTimeoutMs },
      keepAliveTimeout: 10_000,
      headersTimeout: o.dataTimeoutMs,
      bodyTimeout: o.dataTimeoutMs,
    });
  }

  /** The URL of an operation on an absolute HDFS path; authentication goes in the query, as WebHDFS defines. */
  url(path: string, op: string, params: Params = {}): string {
    const segments = path.split('/').filter((s) => s !== '').map(encodeURIComponent);
    const query: Params = { op, ...params };
    if (this.o.delegationToken) query.delegation = this.o.delegationToken;
    else if (this.o.user) query['user.name'] = this.o.user;
    const q = Object.entries(query)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&');
    return `${this.base.origin}${this.base.pathname}/${segments.join('/')}?${q}`;
  }

  private headers(method: Method, extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { ...extra };
    if (this.o.csrfHeader && method !== 'GET') h[this.o.csrfHeader] = 'vocloud';
    return h;
  }

  private where(op: string, path: string, server: Server, origin: string) {
    return { op, path, server, origin, user: this.identity };
  }

  private timeouts(server: Server) {
    return { connect: this.o.connectTimeoutMs / 1000, wait: (server === 'namenode' ? this.o.requestTimeoutMs : this.o.dataTimeoutMs) / 1000 };
  }

  private failure(where: ReturnType<WebHdfsClient['where']>, status: number, text: string): WebHdfsError {
    const json = parseJson(text);
    return remoteError(where, status, isResponse('RemoteException', json) ? json.RemoteException : null, text);
  }

  private badShape(where: ReturnType<WebHdfsClient['where']>, name: ResponseName, json: unknown, text: string): WebHdfsError {
    const why = json === undefined ? `not JSON: ${text.replace(/\s+/g, ' ').slice(0, 120)}` : firstProblem(name, json);
    return new WebHdfsError('io', `WebHDFS ${where.op} ${where.path}: the ${where.server} at ${where.origin} sent no valid ${name} (${why})`, {
      op: where.op,
      path: where.path,
      server: where.server,
    });
  }

  /** One metadata request to the namenode; returns the status and the body text (errors thrown). */
  private async metadata(method: Method, op: string, path: string, params?: Params): Promise<{ status: number; text: string }> {
    const where = this.where(op, path, 'namenode', this.base.origin);
    let status: number;
    let text: string;
    try {
      const res = await request(this.url(path, op, params), {
        method,
        dispatcher: this.agent,
        headers: this.headers(method),
        signal: AbortSignal.timeout(this.o.requestTimeoutMs),
        headersTimeout: this.o.requestTimeoutMs,
        bodyTimeout: this.o.requestTimeoutMs,
        maxRedirections: 0,
      });
      status = res.statusCode;
      text = status >= 400 ? await readSome(res.body) : await res.body.text();
    } catch (err) {
      throw transportError(where, err, this.timeouts('namenode'));
    }
    if (status >= 400) throw this.failure(where, status, text);
    return { status, text };
  }

  private async json<N extends ResponseName>(method: Method, op: string, path: string, name: N, params?: Params): Promise<ResponseOf<N>> {
    const { text } = await this.metadata(method, op, path, params);
    const json = parseJson(text);
    if (!isResponse(name, json)) throw this.badShape(this.where(op, path, 'namenode', this.base.origin), name, json, text);
    return json;
  }

  /** GETFILESTATUS; null when the path does not exist. */
  async getFileStatus(path: string): Promise<FileStatus | null> {
    try {
      return (await this.json('GET', 'GETFILESTATUS', path, 'FileStatus')).FileStatus;
    } catch (err) {
      // A file in the middle of the path means "no such path" too (POSIX ENOTDIR, local backend: null).
      if (err instanceof WebHdfsError && (err.code === 'not-found' || err.code === 'not-a-directory')) return null;
      throw err;
    }
  }

  /** LISTSTATUS: the whole folder in one answer (for a file: the file itself, with pathSuffix ''). */
  async listStatus(path: string): Promise<FileStatus[]> {
    return (await this.json('GET', 'LISTSTATUS', path, 'FileStatuses')).FileStatuses.FileStatus;
  }

  /** LISTSTATUS_BATCH: the entries after `startAfter` (in the namenode's order), and how many remain. */
  async listStatusBatch(path: string, startAfter?: string): Promise<{ entries: FileStatus[]; remaining: number }> {
    const r = await this.json('GET', 'LISTSTATUS_BATCH', path, 'DirectoryListing', { startAfter });
    return { entries: r.DirectoryListing.partialListing.FileStatuses.FileStatus, remaining: r.DirectoryListing.remainingEntries };
  }

  /** GETCONTENTSUMMARY: bytes under a path (replication not counted); null when it does not exist. */
  async contentLength(path: string): Promise<number | null> {
    try {
      return (await this.json('GET', 'GETCONTENTSUMMARY', path, 'ContentSummary')).ContentSummary.length;
    } catch (err) {
      if (err instanceof WebHdfsError && err.code === 'not-found') return null;
      throw err;
    }
  }

  /** MKDIRS (parents included). */
  async mkdirs(path: string, permission?: string): Promise<void> {
    const r = await this.json('PUT', 'MKDIRS', path, 'boolean', { permission });
    if (!r.boolean) {
      throw new WebHdfsError('io', `WebHDFS MKDIRS ${path}: the namenode answered false`, { op: 'MKDIRS', path, server: 'namenode' });
    }
  }

  /**
   * RENAME. With `option` the namenode runs rename2 (POSIX-like: fails or replaces, never
   * moves *into* an existing folder) and answers with an empty 200: returns 'done'. A server
   * that ignores renameoptions (HttpFS) runs the old rename and answers {"boolean": …}: that
   * boolean is returned and the caller decides.
   */
  async rename(src: string, dst: string, option?: 'OVERWRITE' | 'NONE'): Promise<'done' | boolean> {
    const { text } = await this.metadata('PUT', 'RENAME', src, { destination: dst, renameoptions: option });
    const json = parseJson(text);
    if (json === null && option) return 'done';
    if (isResponse('boolean', json)) return json.boolean;
    throw this.badShape(this.where('RENAME', src, 'namenode', this.base.origin), 'boolean', json, text);
  }

  /** DELETE; false when there was nothing to delete. */
  async delete(path: string, recursive: boolean): Promise<boolean> {
    return (await this.json('DELETE', 'DELETE', path, 'boolean', { recursive })).boolean;
  }

  /**
   * Step one of OPEN, CREATE and APPEND: ask the namenode (no body sent) and get the datanode
   * URL from its 307 (or from the JSON of a server that answers 200 with a Location).
   */
  private async locate(method: Method, op: string, path: string, params: Params): Promise<URL> {
    const where = this.where(op, path, 'namenode', this.base.origin);
    let status: number;
    let location: string | string[] | undefined;
    let text: string;
    try {
      const res = await request(this.url(path, op, params), {
        method,
        dispatcher: this.agent,
        headers: this.headers(method),
        signal: AbortSignal.timeout(this.o.requestTimeoutMs),
        headersTimeout: this.o.requestTimeoutMs,
        bodyTimeout: this.o.requestTimeoutMs,
        maxRedirections: 0,
      });
      status = res.statusCode;
      location = res.headers.location;
      text = await readSome(res.body);
    } catch (err) {
      throw transportError(where, err, this.timeouts('namenode'));
    }
    if (status >= 400) throw this.failure(where, status, text);
    let target: string | undefined;
    if ((status === 307 || status === 308) && typeof location === 'string') target = location;
    else if (status === 200) {
      const json = parseJson(text);
      if (isResponse('Location', json)) target = json.Location;
    }
    const fail = (why: string) => new WebHdfsError('io', `WebHDFS ${op} ${path}: the namenode at ${this.base.origin} ${why}`, { op, path, server: 'namenode', status });
    if (!target) throw fail(`answered HTTP ${status} instead of redirecting to a datanode (307)`);
    let u: URL;
    try {
      u = new URL(target, this.base);
    } catch {
      throw fail(`redirected to an invalid URL '${target.slice(0, 200)}'`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw fail(`redirected to a non-HTTP URL '${u.protocol}'`);
    const mapped = this.o.datanodeHosts?.[u.host];
    if (mapped) u.host = mapped;
    return u;
  }

  /**
   * OPEN from `offset` (`length` bytes, or to the end when undefined), as a stream that fails
   * (with a WebHdfsError) unless `expected` bytes arrive — or as many as `recheck` (a fresh look
   * at the file) says there are now — and when the datanode stalls for dataTimeout.
   */
  async open(path: string, range: { offset: number; length?: number; expected: number; recheck: () => Promise<number> }): Promise<Readable> {
    const { offset, length, expected } = range;
    const target = await this.locate('GET', 'OPEN', path, { offset, length });
    const where = this.where('OPEN', path, 'datanode', target.origin);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(target, {
        method: 'GET',
        dispatcher: this.agent,
        headersTimeout: this.o.dataTimeoutMs,
        bodyTimeout: this.o.dataTimeoutMs,
        maxRedirections: 0,
      });
    } catch (err) {
      throw transportError(where, err, this.timeouts('datanode'));
    }
    if (res.statusCode !== 200) {
      let text = '';
      try {
        text = await readSome(res.body);
      } catch {
        // the status is enough
      }
      throw this.failure(where, res.statusCode, text);
    }
    const body = res.body;
    const out = new CheckedLength(expected, range.recheck, (m) => new WebHdfsError('io', `WebHDFS OPEN ${path}: ${m}`, { op: 'OPEN', path, server: 'datanode' }));
    body.on('error', (err) => {
      const e = transportError(where, err, this.timeouts('datanode'));
      out.destroy(new WebHdfsError(e.code, `${e.message} (after ${out.seen} of ${expected} bytes)`, e.detail, { cause: err }));
    });
    // A reader that gives up early (a client that went away) releases the datanode connection.
    out.on('close', () => {
      if (!body.destroyed) body.destroy();
    });
    body.pipe(out);
    return out;
  }

  /** CREATE: the two steps; returns the bytes sent. */
  async create(path: string, source: Source, params: { overwrite: boolean; permission?: string; replication?: number; blocksize?: number }): Promise<number> {
    return this.upload('PUT', 'CREATE', path, source, params);
  }

  /** APPEND to an existing file: the two steps; returns the bytes sent. */
  async append(path: string, source: Source): Promise<number> {
    return this.upload('POST', 'APPEND', path, source, {});
  }

  private async upload(method: 'PUT' | 'POST', op: 'CREATE' | 'APPEND', path: string, source: Source, params: Params): Promise<number> {
    const target = await this.locate(method, op, path, params);
    const where = this.where(op, path, 'datanode', target.origin);
    const abort = new AbortController();
    const stalled = new WebHdfsError('io', `WebHDFS ${op} ${path}: the datanode at ${target.origin} stopped taking data for ${this.o.dataTimeoutMs / 1000} s`, {
      op,
      path,
      server: 'datanode',
    });
    const body = new UploadBody(source, this.o.dataTimeoutMs, () => abort.abort(stalled));
    const headers = this.headers(method, { 'content-type': 'application/octet-stream' });
    if (source instanceof Uint8Array) headers['content-length'] = String(source.byteLength);
    let status: number;
    let text: string;
    try {
      const res = await request(target, {
        method,
        body,
        headers,
        dispatcher: this.agent,
        signal: abort.signal,
        headersTimeout: this.o.dataTimeoutMs,
        bodyTimeout: this.o.dataTimeoutMs,
        maxRedirections: 0,
      });
      status = res.statusCode;
      text = await readSome(res.body);
    } catch (err) {
      body.destroy();
      // The caller's own source failing is the caller's error, not the datanode's.
      if (body.sourceError) throw body.sourceError;
      if (abort.signal.aborted) throw stalled;
      throw transportError(where, err, this.timeouts('datanode'));
    }
    if (body.sourceError) throw body.sourceError;
    if (status >= 400) throw this.failure(where, status, text);
    if (status !== 200 && status !== 201) {
      throw new WebHdfsError('io', `WebHDFS ${op} ${path}: the datanode at ${target.origin} answered HTTP ${status}`, { op, path, server: 'datanode', status });
    }
    return body.bytes;
  }

  /** Close the connection pool. */
  async close(): Promise<void> {
    await this.agent.close();
  }
}
