import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { post } from '../support/uws.js';

/** A small GraphQL client over real HTTP and a real graphql-ws WebSocket client, for tests. */

export interface GqlResponse {
  readonly status: number;
  /** Parsed JSON, or { text } when the server answered something else (the authentication hook's 401). */
  readonly body: { data?: any; errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[]; text?: string };
}

export async function gql(
  base: string,
  query: string,
  options: { headers?: Record<string, string>; variables?: Record<string, unknown>; method?: 'GET' | 'POST'; operationName?: string } = {},
): Promise<GqlResponse> {
  const { headers = {}, variables, method = 'POST', operationName } = options;
  let res: Response;
  if (method === 'GET') {
    const qs = new URLSearchParams({ query });
    if (variables) qs.set('variables', JSON.stringify(variables));
    if (operationName) qs.set('operationName', operationName);
    res = await fetch(`${base}/graphql?${qs}`, { headers: { accept: 'application/json', ...headers } });
  } else {
    res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, ...(variables ? { variables } : {}), ...(operationName ? { operationName } : {}) }),
    });
  }
  const text = await res.text();
  let body: GqlResponse['body'];
  try {
    body = JSON.parse(text);
  } catch {
    body = { text };
  }
  return { status: res.status, body };
}

/** The data of a response that must have succeeded, or a failure that says why not. */
export async function data(base: string, query: string, headers: Record<string, string>, variables?: Record<string, unknown>): Promise<any> {
  const r = await gql(base, query, { headers, ...(variables ? { variables } : {}) });
  if (r.status !== 200 || r.body.errors) throw new Error(`GraphQL failed (HTTP ${r.status}): ${JSON.stringify(r.body).slice(0, 500)}`);
  return r.body.data;
}

/** A WebSocket that sends extra headers (and an Origin) with its upgrade request. */
function socketWith(headers: Record<string, string>) {
  return class extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  };
}

export interface Subscriber {
  readonly client: Client;
  /** Close frames and errors the connection reported. */
  readonly closes: { code: number; reason: string }[];
  dispose(): Promise<void>;
}

export function subscriber(base: string, options: { headers?: Record<string, string>; connectionParams?: Record<string, unknown> } = {}): Subscriber {
  const closes: { code: number; reason: string }[] = [];
  const client = createClient({
    url: `${base.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: socketWith(options.headers ?? {}),
    ...(options.connectionParams ? { connectionParams: options.connectionParams } : {}),
    retryAttempts: 0,
    lazy: true,
    on: {
      closed: (event) => {
        const e = event as { code?: number; reason?: string };
        closes.push({ code: e.code ?? 0, reason: String(e.reason ?? '') });
      },
    },
  });
  return { client, closes, dispose: () => Promise.resolve(client.dispose()) };
}

/** Events of one subscription as they arrive, with a way to wait for the next ones. */
export class Events<T = any> {
  readonly items: T[] = [];
  error: unknown = null;
  completed = false;
  private wake: (() => void) | null = null;
  readonly stop: () => void;

  constructor(client: Client, query: string, variables?: Record<string, unknown>) {
    this.stop = client.subscribe<T>(
      { query, ...(variables ? { variables } : {}) },
      {
        next: (value) => {
          if (value.errors) this.error = value.errors;
          else this.items.push(value.data as T);
          this.wake?.();
        },
        error: (err) => {
          this.error = err;
          this.wake?.();
        },
        complete: () => {
          this.completed = true;
          this.wake?.();
        },
      },
    );
  }

  /** Resolve when `ready(items)` holds; fail on an error, completion or timeout. */
  async until(ready: (items: T[]) => boolean, timeoutMs = 15_000, what = 'the expected events'): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (ready(this.items)) return this.items;
      if (this.error) throw new Error(`subscription failed while waiting for ${what}: ${describeError(this.error)}`);
      if (this.completed) throw new Error(`subscription completed before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.items).slice(0, 1000)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /** Wait until the subscription fails, and say how. */
  async failure(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!this.error && !this.completed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (!this.error) throw new Error(`expected the subscription to fail; got ${JSON.stringify(this.items).slice(0, 300)}${this.completed ? ' and completion' : ''}`);
    return describeError(this.error);
  }
}

export function describeError(err: unknown): string {
  if (Array.isArray(err)) return err.map((e) => (e as { message?: string }).message ?? JSON.stringify(e)).join('; ');
  const e = err as { message?: string; code?: number; reason?: string };
  if (typeof e?.code === 'number') return `closed ${e.code} ${e.reason ?? ''}`.trim();
  return e?.message ?? JSON.stringify(err);
}

/** Create a UWS job as the caller `headers` sign in as; returns its id. */
export async function createJobAs(base: string, headers: Record<string, string>, jobType: string, form: Record<string, string> | FormData = {}): Promise<string> {
  const res = await post(`${base}/uws/${jobType}`, form, headers);
  if (res.status !== 303) throw new Error(`create ${jobType}: HTTP ${res.status} ${await res.text()}`);
  return res.headers.get('location')!.split('/').pop()!;
}
