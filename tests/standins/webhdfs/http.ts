import type { IncomingMessage, ServerResponse } from 'node:http';
import { Namespace } from './namespace.js';
import { Remote, RemoteError } from './remote-error.js';
import type { StandInConfig } from './config.js';

/** A WebHDFS answer with a JSON body, as Jetty sends it. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache' });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const e = err instanceof RemoteError ? err : Remote.runtime(String((err as Error)?.message ?? err));
  sendJson(res, e.status, e.body());
}

/** The parts of a WebHDFS request every handler needs. */
export interface Call {
  path: string;
  op: string;
  query: URLSearchParams;
  user: string;
}

/**
 * Parse a request: /webhdfs/v1/<path>?op=…, the user from delegation= or user.name= (or the
 * default web user when security is off), and the CSRF header when the filter is on.
 */
export function parseCall(req: IncomingMessage, config: StandInConfig): Call {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const prefix = '/webhdfs/v1';
  if (!url.pathname.startsWith(prefix)) throw Remote.illegalArgument(`Not a WebHDFS path: ${url.pathname}`);
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname.slice(prefix.length)) || '/';
  } catch {
    throw Remote.illegalArgument(`Invalid path encoding: ${url.pathname}`);
  }
  if (config.csrfHeader && req.method !== 'GET' && req.headers[config.csrfHeader.toLowerCase()] === undefined) {
    throw Remote.illegalArgument('Missing Required Header for CSRF Vulnerability Protection');
  }
  const path = Namespace.normalise(decoded);
  const op = (url.searchParams.get('op') ?? '').toUpperCase();
  return { path, op, query: url.searchParams, user: identify(url.searchParams, config) };
}

function identify(q: URLSearchParams, config: StandInConfig): string {
  const token = q.get('delegation');
  if (token !== null) {
    const user = config.tokens[token];
    if (!user) throw Remote.invalidToken(`token (HDFS_DELEGATION_TOKEN token ${token.slice(0, 12)}…) can't be found in cache`);
    return user;
  }
  const name = q.get('user.name');
  if (name !== null && name !== '') return name;
  if (config.defaultUser === null) {
    throw Remote.security('Failed to obtain user group information: java.io.IOException: Security enabled but user not authenticated by filter');
  }
  return config.defaultUser;
}

/** Hadoop's parameter parsing: a bad value is a 400 IllegalArgumentException naming the parameter. */
export const param = {
  bool(q: URLSearchParams, name: string, def: boolean): boolean {
    const v = q.get(name);
    if (v === null || v === '') return def;
    if (/^true$/i.test(v)) return true;
    if (/^false$/i.test(v)) return false;
    throw Remote.illegalArgument(`Invalid value for webhdfs parameter "${name}": Failed to parse "${v}" to Boolean.`);
  },
  long(q: URLSearchParams, name: string, def: number | null, min = 0): number | null {
    const v = q.get(name);
    if (v === null || v === '' || v === 'null') return def;
    if (!/^-?\d+$/.test(v) || Number(v) < min) throw Remote.illegalArgument(`Invalid value for webhdfs parameter "${name}": ${name} = ${v} < ${min}`);
    return Number(v);
  },
  octal(q: URLSearchParams, name: string, def: number): number {
    const v = q.get(name);
    if (v === null || v === '') return def;
    if (!/^[01]?[0-7]{1,3}$/.test(v)) throw Remote.illegalArgument(`Invalid value for webhdfs parameter "${name}": Failed to parse "${v}" as a radix-8 short integer.`);
    return parseInt(v, 8);
  },
};

/** URL-encode an HDFS path segment by segment, for redirects. */
export function encodePath(path: string): string {
  return path === '/' ? '/' : `/${path.slice(1).split('/').map(encodeURIComponent).join('/')}`;
}
