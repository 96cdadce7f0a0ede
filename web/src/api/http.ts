/**
 * The one place the UI talks HTTP: JSON in and out, the CSRF token on every unsafe request made
 * with the session cookie, and server errors turned into readable messages.
 */

/** An answer other than 2xx, with the server's own message when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;

/** Set by the session (sign-in, /api/auth/session); sent as X-CSRF-Token on unsafe requests. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function csrfHeaders(): Record<string, string> {
  return csrfToken ? { 'X-CSRF-Token': csrfToken } : {};
}

/** Listeners told when the server says the session is gone (401), so the UI can ask to sign in. */
const unauthorised = new Set<() => void>();
export function onUnauthorised(listener: () => void): () => void {
  unauthorised.add(listener);
  return () => unauthorised.delete(listener);
}

/** The message of an error answer: JSON {message}, UWS/plain text, or the status line. */
export async function errorOf(res: Response): Promise<ApiError> {
  let message = '';
  try {
    const text = await res.text();
    if (text.trim().startsWith('{')) {
      const body = JSON.parse(text) as { message?: string; error?: string; errors?: { message: string }[] };
      message = body.message ?? body.errors?.map((e) => e.message).join('; ') ?? body.error ?? '';
    } else {
      message = text.trim().slice(0, 500);
    }
  } catch {
    // the body could not be read; fall back to the status
  }
  if (!message) message = res.status === 0 ? 'the server cannot be reached' : `${res.status} ${res.statusText || 'error'}`;
  return new ApiError(res.status, message);
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface RequestOptions {
  method?: string;
  /** A JSON body (objects) or a ready body (FormData, URLSearchParams, Blob). */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** 'manual': a redirect counts as success and is not followed (UWS DELETE answers 303 to the whole job list). */
  redirect?: 'follow' | 'manual';
}

/** fetch with credentials, CSRF and errors as ApiError; the Response when it is 2xx or 3xx. */
export async function request(url: string, options: RequestOptions = {}): Promise<Response> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { ...(UNSAFE.has(method) ? csrfHeaders() : {}), ...options.headers };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData || options.body instanceof URLSearchParams || options.body instanceof Blob || typeof options.body === 'string') {
    body = options.body;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body, credentials: 'same-origin', signal: options.signal, redirect: options.redirect ?? 'follow' });
    if (res.type === 'opaqueredirect') return res;
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'the server cannot be reached; check your connection');
  }
  if (!res.ok) {
    const error = await errorOf(res);
    if (res.status === 401) for (const l of unauthorised) l();
    throw error;
  }
  return res;
}

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await request(url, { headers: { Accept: 'application/json' }, signal });
  return (await res.json()) as T;
}

export async function sendJson<T>(url: string, body: unknown, method = 'POST'): Promise<T> {
  const res = await request(url, { method, body, headers: { Accept: 'application/json' } });
  const text = await res.text();
  return (text ? JSON.parse(text) : {}) as T;
}

/** A query string from an object; arrays repeat the key, undefined and '' are left out. */
export function query(params: Record<string, string | number | boolean | undefined | readonly (string | number)[]>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '') continue;
    if (Array.isArray(v)) for (const x of v) q.append(k, String(x));
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * Upload with progress (fetch has no upload progress): XMLHttpRequest with the same CSRF and
 * error handling. Resolves with the parsed JSON answer.
 */
export function uploadWithProgress<T>(url: string, form: FormData, onProgress: (loaded: number, total: number) => void, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    for (const [k, v] of Object.entries(csrfHeaders())) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : 0);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve((xhr.responseText ? JSON.parse(xhr.responseText) : {}) as T);
        } catch {
          reject(new ApiError(xhr.status, 'the server sent an unreadable answer'));
        }
        return;
      }
      void errorOf(new Response(xhr.responseText, { status: xhr.status, statusText: xhr.statusText })).then(reject);
    };
    xhr.onerror = () => reject(new ApiError(0, 'the upload failed: the server cannot be reached'));
    xhr.onabort = () => reject(new DOMException('upload cancelled', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(form);
  });
}
