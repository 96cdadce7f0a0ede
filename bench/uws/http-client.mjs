// A small keep-alive HTTP client for the job workloads (autocannon drives the GET load). It
// stamps the moment each response has fully arrived, so latencies do not include the time the
// caller's continuation waited on this process's event loop.
import http from 'node:http';

/** Wall-clock milliseconds with sub-millisecond resolution (comparable to Date.now()). */
export const wallMs = () => performance.timeOrigin + performance.now();

export function createClient(maxSockets) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  /**
   * @returns {Promise<{ status: number, headers: http.IncomingHttpHeaders, body: string, sentAt: number, doneAt: number }>}
   */
  function request(method, url, { form, headers = {} } = {}) {
    return new Promise((resolve, reject) => {
      const body = form === undefined ? undefined : new URLSearchParams(form).toString();
      const sentAt = wallMs();
      const req = http.request(
        url,
        {
          method,
          agent,
          headers: {
            ...headers,
            ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}),
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), sentAt, doneAt: wallMs() }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
  return {
    get: (url, options) => request('GET', url, options),
    post: (url, form, options) => request('POST', url, { ...options, form }),
    close: () => agent.destroy(),
  };
}

/** Fail loudly with the server's answer when a response is not what the workload expects. */
export function expectStatus(res, status, what) {
  if (res.status !== status) throw new Error(`${what}: expected HTTP ${status}, got ${res.status}: ${res.body.slice(0, 300)}`);
  return res;
}
