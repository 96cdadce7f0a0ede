import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';
import { createJob, getJob, post, waitFinal } from '../support/uws.js';

/*
 * Bad input on every UWS endpoint: a clear 4xx with a message, never a 500 or a hang, and
 * nothing lost or left behind when a request is rejected.
 */

let s: TestServer;
let base: string;

beforeAll(async () => {
  s = await startServer({ overrides: { uws: { maxUploadSize: 1024, maxUploadFiles: 3, maxParameterLength: 4096 }, server: { bodyLimit: 16384 } } });
  base = s.url;
});
afterAll(async () => s?.stop());

async function expect4xx(res: Response | Promise<Response>, status?: number, pattern?: RegExp): Promise<string> {
  const r = await res;
  const body = await r.text();
  expect(r.status, body).toBeGreaterThanOrEqual(400);
  expect(r.status, body).toBeLessThan(500);
  if (status !== undefined) expect(r.status, body).toBe(status);
  expect(body.trim().length, 'the error says why').toBeGreaterThan(5);
  if (pattern) expect(body).toMatch(pattern);
  return body;
}

function raw(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${base}${path}`, { redirect: 'manual', ...init });
}

/** GET a path exactly as written: fetch() would resolve dot segments before sending. */
function rawGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const path = url.slice(u.origin.length);
    request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

async function jobFolders(): Promise<string[]> {
  const dir = join(s.dataDir, 'storage', 'jobs');
  return existsSync(dir) ? readdir(dir) : [];
}

describe('job creation', () => {
  it('refuses unknown parameters, naming the accepted ones', async () => {
    await expect4xx(post(`${base}/uws/typed`, { count: 1, colour: 'red' }), 400, /unknown parameter 'colour'.*count, scale, mode/);
  });

  it('refuses values of the wrong type, out of range, or not in the enum', async () => {
    await expect4xx(post(`${base}/uws/typed`, { count: '12abc' }), 400, /not a number/);
    await expect4xx(post(`${base}/uws/typed`, { count: '0x10' }), 400, /not a number/);
    await expect4xx(post(`${base}/uws/typed`, { count: '2.5' }), 400, /integer/);
    await expect4xx(post(`${base}/uws/typed`, { count: 1000 }), 400, /count.*<= 100/);
    await expect4xx(post(`${base}/uws/typed`, { count: 1, verbose: 'maybe' }), 400, /boolean/);
    await expect4xx(post(`${base}/uws/typed`, { count: 1, grid: '{"x": 1,' }), 400, /JSON/);
    await expect4xx(post(`${base}/uws/typed`, { count: 1, bands: ['1', 'x'] }), 400, /not a number/);
    await expect4xx(post(`${base}/uws/typed`, { count: 1, count2: 3 }), 400, /unknown parameter/);
    await expect4xx(post(`${base}/uws/typed`, { count: [1, 2] }), 400, /one value/);
  });

  it('PHASE=RUN without a required parameter is refused and creates nothing', async () => {
    const before = await (await raw('/uws/typed')).text();
    await expect4xx(post(`${base}/uws/typed`, { PHASE: 'RUN' }), 400, /missing required parameter 'count'/);
    expect(await (await raw('/uws/typed')).text()).toBe(before);
  });

  it('refuses control characters and over-long values', async () => {
    await expect4xx(post(`${base}/uws/typed`, { count: 1, label: 'a\u0001b' }), 400, /control characters/);
    await expect4xx(post(`${base}/uws/typed`, { count: 1, label: 'x'.repeat(5000) }), 413, /longer than 4096 bytes/);
  });

  it('refuses bad EXECUTIONDURATION, DESTRUCTION, RUNID and PHASE values', async () => {
    for (const v of ['-5', 'abc', '1e3', '1.5', '']) await expect4xx(post(`${base}/uws/noop`, { EXECUTIONDURATION: v }), 400, /EXECUTIONDURATION/);
    for (const v of ['tomorrow', '2026-13-45T00:00:00Z', '2026-02-30T10:00:00Z', '2026-01-01T25:00:00Z']) {
      await expect4xx(post(`${base}/uws/noop`, { DESTRUCTION: v }), 400, /DESTRUCTION/);
    }
    await expect4xx(post(`${base}/uws/noop`, { RUNID: ['a', 'b'] }), 400, /RUNID was given 2 times/);
    await expect4xx(post(`${base}/uws/noop`, { PHASE: 'SUSPEND' }), 400, /only PHASE=RUN/);
    await expect4xx(post(`${base}/uws/noop`, { ACTION: 'DELETE' }), 400, /ACTION/);
  });

  it('refuses bodies that are not forms, and over-large forms', async () => {
    await expect4xx(raw('/uws/noop', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } }), 415);
    await expect4xx(raw('/uws/noop', { method: 'POST', body: 'x', headers: { 'content-type': 'text/csv' } }), 415);
    await expect4xx(post(`${base}/uws/typed`, { count: 1, label: 'y'.repeat(20000) }), 413, /too large/);
  });

  it('refuses bad UPLOAD references', async () => {
    await expect4xx(post(`${base}/uws/files`, { UPLOAD: 'input' }), 400, /expected name,uri/);
    await expect4xx(post(`${base}/uws/files`, { UPLOAD: 'input,ftp://example.org/x' }), 400, /param:partname or http/);
    await expect4xx(post(`${base}/uws/files`, { UPLOAD: 'input,param:nothere' }), 400, /no file part named 'nothere'/);
    await expect4xx(post(`${base}/uws/files`, { UPLOAD: 'input,http://127.0.0.1:1/secret' }), 400, /not fetched/);
    await expect4xx(post(`${base}/uws/files`, { input: '/etc/passwd' }), 400, /takes a file/);
  });

  it('refuses a file for a parameter that takes no file, and leaves nothing behind', async () => {
    const before = await jobFolders();
    const form = new FormData();
    form.append('count', '1');
    form.append('label', new Blob(['not a file parameter']), 'l.txt');
    await expect4xx(post(`${base}/uws/typed`, form), 400, /does not match a file parameter/);
    expect(await jobFolders()).toEqual(before);
  });

  it('refuses an upload over uws.maxUploadSize with 413, and leaves nothing behind', async () => {
    const before = await jobFolders();
    const form = new FormData();
    form.append('input', new Blob([new Uint8Array(5000)]), 'big.fits');
    await expect4xx(post(`${base}/uws/files`, form), 413, /larger than the limit of 1024 bytes/);
    expect(await jobFolders()).toEqual(before);
  });

  it('refuses too many files in one request', async () => {
    const form = new FormData();
    for (let i = 0; i < 5; i++) form.append(`input${i}`, new Blob(['x']), `f${i}.txt`);
    await expect4xx(post(`${base}/uws/files`, form), 413);
  });

  it('keeps uploads inside the job folder whatever the field or file name says', async () => {
    const form = new FormData();
    form.append('input', new Blob(['payload']), '../../../../etc/passwd');
    const url = await createJob(base, 'files', form);
    const job = await getJob(url);
    expect(job.parameters).toEqual([{ id: 'input', value: `${url}/parameters/input`, byReference: true }]);
    const id = url.split('/').pop()!;
    const files = await readdir(join(s.dataDir, 'storage', 'jobs', id, 'uploads'));
    expect(files).toEqual(['input.0']);
    const hostile = new FormData();
    hostile.append('../../escape', new Blob(['x']), 'x');
    await expect4xx(post(`${base}/uws/files`, hostile), 400);
    const nul = new FormData();
    nul.append('in\u0000put', new Blob(['x']), 'x');
    await expect4xx(post(`${base}/uws/files`, nul), 400);
  });

  it('refuses malformed multipart bodies', async () => {
    const headers = { 'content-type': 'multipart/form-data; boundary=XYZ' };
    await expect4xx(raw('/uws/noop', { method: 'POST', headers, body: '--XYZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated' }));
    await expect4xx(raw('/uws/noop', { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'no boundary' }));
    await expect4xx(raw('/uws/noop', { method: 'POST', headers, body: 'garbage without parts' }));
  });
});

describe('job resources', () => {
  it('answers 404 for hostile or unknown ids and job types', async () => {
    for (const path of [
      '/uws/noop/..%2F..%2Fetc%2Fpasswd',
      '/uws/noop/%00',
      `/uws/noop/${'a'.repeat(900)}`,
      '/uws/..%2F..%2F/phase',
      '/uws/noop/aaaaaaaaaaaaaaaa/phase',
      '/uws/noop/aaaaaaaaaaaaaaaa/results/x',
    ]) {
      const r = await raw(path);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.status, path).toBeLessThan(500);
      await r.text();
    }
    await expect4xx(raw('/uws/noop/aaaaaaaaaaaaaaaa', { method: 'DELETE' }), 404);
    // sent exactly as written (fetch would resolve the dot segments before sending)
    expect(await rawGet(`${base}/uws/%2e%2e/x`)).toBe(404);
  });

  it('refuses bad WAIT and PHASE values on GET job', async () => {
    const url = await createJob(base, 'noop');
    for (const q of ['WAIT=abc', 'WAIT=1.5', 'WAIT=', 'WAIT=1&PHASE=SLEEPING', 'WAIT=1&WAIT=2']) {
      await expect4xx(fetch(`${url}?${q}`), 400);
    }
  });

  it('refuses bad phase, executionduration, destruction and parameters requests', async () => {
    const url = await createJob(base, 'typed', { count: 1 });
    await expect4xx(post(`${url}/phase`, { PHASE: 'DANCE' }), 400, /only RUN and ABORT/);
    await expect4xx(post(`${url}/phase`, {}), 400, /missing PHASE/);
    await expect4xx(post(`${url}/phase`, { PHASE: ['RUN', 'ABORT'] }), 400, /2 times/);
    await expect4xx(post(`${url}/executionduration`, {}), 400, /missing EXECUTIONDURATION/);
    await expect4xx(post(`${url}/executionduration`, { EXECUTIONDURATION: 'soon' }), 400);
    await expect4xx(post(`${url}/destruction`, { DESTRUCTION: 'never' }), 400);
    await expect4xx(post(`${url}/parameters`, { PHASE: 'RUN' }), 400, /cannot be set through/);
    await expect4xx(post(`${url}/parameters`, { colour: 'red' }), 400, /unknown parameter/);
    await expect4xx(post(url, { ACTION: 'EXPLODE' }), 400, /only ACTION=DELETE/);
    const form = new FormData();
    form.append('file', new Blob(['x']), 'x');
    await expect4xx(post(`${url}/phase`, form), 400, /not accepted here/);
  });

  it('a rejected parameters POST changes nothing', async () => {
    const url = await createJob(base, 'typed', { count: 3, label: 'keep' });
    await expect4xx(post(`${url}/parameters`, { count: 1000 }), 400);
    await expect4xx(post(`${url}/parameters`, { label: 'new', colour: 'red' }), 400);
    expect((await getJob(url)).parameters).toEqual([
      { id: 'count', value: '3', byReference: false },
      { id: 'label', value: 'keep', byReference: false },
    ]);
  });

  it('result and parameter names cannot climb out of the job', async () => {
    const url = await createJob(base, 'noop', { PHASE: 'RUN' });
    for (const p of ['/results/..%2F..%2F..%2Fstorage', '/results/%2e%2e/parameters', '/results/../parameters', '/results/../../../noop', '/parameters/..%2Fresults', '/results/a%00b']) {
      expect(await rawGet(`${url}${p}`), p).toBe(404);
    }
  });
});

describe('after all that', () => {
  it('the service is still available and working', async () => {
    const avail = await (await raw('/availability')).text();
    expect(avail).toContain('<vosi:available>true</vosi:available>');
    const url = await createJob(base, 'noop', { PHASE: 'RUN' });
    expect((await waitFinal(url)).phase).toBe('COMPLETED');
  });
});
