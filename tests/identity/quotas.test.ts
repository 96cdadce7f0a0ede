import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageService } from '@vocloud/core';
import { startServer, type TestServer } from '../support/server.js';
import { addUser, basic, bearer, createToken } from '../support/auth.js';
import { formBody, waitFinal } from '../support/uws.js';

/*
 * Quotas, enforced: queued and running job limits, storage quota on uploads and on results a
 * running job writes, exact usage under concurrent writers, bytes given back on deletion.
 */

let s: TestServer;
let base: string;
beforeAll(async () => {
  s = await startServer({ overrides: { auth: { anonymous: false } } });
  base = s.url;
});
afterAll(async () => s?.stop());

async function create(headers: Record<string, string>, jobType: string, body: FormData | Record<string, string | number>) {
  return fetch(`${base}/uws/${jobType}`, {
    method: 'POST',
    headers,
    body: body instanceof FormData ? body : formBody(body),
    redirect: 'manual',
  });
}

const usageOf = (owner: string) => s.vocloud.resolve(UsageService).usage(owner);

describe('job limits', () => {
  it('40 concurrent creates at the queued limit: exactly the limit is accepted, the rest refused', async () => {
    const api = await startServer({ overrides: { auth: { anonymous: false }, executor: { enabled: false } } });
    try {
      const u = await addUser(api, 'quincy', 'user', { maxQueuedJobs: 5 });
      // a token, not Basic: scrypt per request would spread the requests out in time
      const h = bearer((await createToken(api.url, basic(u.username, u.password))).token);
      const statuses = await Promise.all(
        Array.from({ length: 40 }, async () => (await fetch(`${api.url}/uws/noop`, { method: 'POST', headers: h, body: formBody({ PHASE: 'RUN' }), redirect: 'manual' })).status),
      );
      expect(statuses.filter((x) => x === 303)).toHaveLength(5);
      expect(statuses.filter((x) => x === 429)).toHaveLength(35);
      const list = await (await fetch(`${api.url}/uws/noop?PHASE=QUEUED`, { headers: h })).text();
      expect(list.match(/<uws:jobref /g)).toHaveLength(5);
    } finally {
      await api.stop();
    }
  });

  it('a job over the queued limit is refused at creation with a clear reason', async () => {
    const api = await startServer({ overrides: { auth: { anonymous: false }, executor: { enabled: false } } });
    try {
      const u = await addUser(api, 'quinn', 'user', { maxQueuedJobs: 2 });
      const h = basic(u.username, u.password);
      for (let i = 0; i < 2; i++) {
        expect((await fetch(`${api.url}/uws/noop`, { method: 'POST', headers: h, body: formBody({ PHASE: 'RUN' }), redirect: 'manual' })).status).toBe(303);
      }
      const third = await fetch(`${api.url}/uws/noop`, { method: 'POST', headers: h, body: formBody({ PHASE: 'RUN' }), redirect: 'manual' });
      expect(third.status).toBe(429);
      expect(await third.text()).toMatch(/2 jobs waiting in QUEUED and the limit is 2/);
      // creating PENDING is fine; running it is refused the same way
      const pending = await fetch(`${api.url}/uws/noop`, { method: 'POST', headers: h, redirect: 'manual' });
      expect(pending.status).toBe(303);
      const run = await fetch(`${pending.headers.get('location')}/phase`, { method: 'POST', headers: h, body: formBody({ PHASE: 'RUN' }), redirect: 'manual' });
      expect(run.status).toBe(429);
      expect(await (await fetch(`${pending.headers.get('location')}/phase`, { headers: h })).text()).toBe('PENDING');
    } finally {
      await api.stop();
    }
  });

  it('a job over the running limit stays QUEUED until a slot of its owner frees', async () => {
    const u = await addUser(s, 'rex', 'user', { maxRunningJobs: 1 });
    const h = basic(u.username, u.password);
    const urls: string[] = [];
    for (let i = 0; i < 3; i++) urls.push((await create(h, 'wait', { ms: 700, PHASE: 'RUN' })).headers.get('location')!);
    let maxExecuting = 0;
    const end = Date.now() + 20_000;
    for (;;) {
      const phases = await Promise.all(urls.map(async (url) => (await (await fetch(`${url}/phase`, { headers: h })).text())));
      maxExecuting = Math.max(maxExecuting, phases.filter((p) => p === 'EXECUTING').length);
      if (phases.every((p) => p === 'COMPLETED') || Date.now() > end) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(maxExecuting).toBe(1);
    for (const url of urls) expect((await (await fetch(`${url}/phase`, { headers: h })).text())).toBe('COMPLETED');
  });
});

describe('storage quota', () => {
  it('an upload that would pass the quota is refused with 413 naming the quota; nothing is charged', async () => {
    const u = await addUser(s, 'uma', 'user', { storageQuota: 1000 });
    const h = basic(u.username, u.password);
    const form = (n: number) => {
      const f = new FormData();
      f.append('input', new Blob([new Uint8Array(n)]), 'x.bin');
      return f;
    };
    expect((await create(h, 'files', form(600))).status).toBe(303);
    expect(await usageOf('uma')).toBe(600);
    const over = await create(h, 'files', form(600));
    expect(over.status).toBe(413);
    expect(await over.text()).toMatch(/storage quota of uma \(1\.00 kB\) would be exceeded: 600 bytes used/);
    expect(await usageOf('uma')).toBe(600);
  });

  it('a running job whose results pass the quota ends in ERROR with a message naming the quota', async () => {
    const u = await addUser(s, 'xena', 'user', { storageQuota: 2500 });
    const h = basic(u.username, u.password);
    const f = new FormData();
    f.append('input', new Blob([new Uint8Array(1200)]), 'in.bin');
    f.append('PHASE', 'RUN');
    const url = (await create(h, 'files', f)).headers.get('location')!;
    const job = await waitFinal(url, 30_000, h);
    expect(job.phase).toBe('ERROR');
    expect(job.errorSummary?.message).toMatch(/storage quota of xena \(2\.50 kB\) would be exceeded/);
    // the upload and the results that fitted are counted, the refused one is not
    const results = await (await fetch(`${url}/results`, { headers: h })).text();
    const sizes = [...results.matchAll(/size="(\d+)"/g)].map((m) => Number(m[1]));
    expect(await usageOf('xena')).toBe(1200 + sizes.reduce((a, b) => a + b, 0));
    expect(await usageOf('xena')).toBeLessThanOrEqual(2500);
  });

  it('usage stays exact with many concurrent writers at the edge of the quota', async () => {
    const u = await addUser(s, 'zed', 'user', { storageQuota: 10_000 });
    const h = basic(u.username, u.password);
    const attempts = await Promise.all(
      Array.from({ length: 24 }, () => {
        const f = new FormData();
        f.append('input', new Blob([new Uint8Array(1000)]), 'c.bin');
        return create(h, 'files', f);
      }),
    );
    const accepted = attempts.filter((r) => r.status === 303);
    const refused = attempts.filter((r) => r.status === 413);
    expect(accepted.length + refused.length).toBe(24);
    expect(accepted).toHaveLength(10);
    expect(await usageOf('zed')).toBe(10_000);
    // deleting jobs gives their bytes back, exactly
    await Promise.all(accepted.map((r) => fetch(r.headers.get('location')!, { method: 'DELETE', headers: h, redirect: 'manual' })));
    expect(await usageOf('zed')).toBe(0);
  });

  it('a completed job’s results count, and deleting the job gives them back', async () => {
    const u = await addUser(s, 'yuri');
    const h = basic(u.username, u.password);
    const f = new FormData();
    f.append('input', new Blob(['0123456789']), 'ten.txt');
    f.append('PHASE', 'RUN');
    const url = (await create(h, 'files', f)).headers.get('location')!;
    const done = await waitFinalAs(url, h);
    expect(done).toBe('COMPLETED');
    const results = await (await fetch(`${url}/results`, { headers: h })).text();
    const sizes = [...results.matchAll(/size="(\d+)"/g)].map((m) => Number(m[1]));
    expect(await usageOf('yuri')).toBe(10 + sizes.reduce((a, b) => a + b, 0));
    await fetch(url, { method: 'DELETE', headers: h, redirect: 'manual' });
    expect(await usageOf('yuri')).toBe(0);
  });
});

describe("a job's own storage writes (paid from a reservation in its thread)", () => {
  const MiB = 1024 * 1024;

  async function store(h: Record<string, string>, params: Record<string, string | number | boolean>) {
    const url = (await create(h, 'store', { ...params, PHASE: 'RUN' } as Record<string, string | number>)).headers.get('location')!;
    const job = await waitFinal(url, 60_000, h);
    const results = await (await fetch(`${url}/results`, { headers: h })).text();
    const sizes = [...results.matchAll(/size="(\d+)"/g)].map((m) => Number(m[1]));
    const report = job.phase === 'COMPLETED' ? ((await (await fetch(`${url}/results/report.json`, { headers: h })).json()) as { ok: number; refused: number; first: string | null }) : null;
    return { job, report, resultBytes: sizes.reduce((a, b) => a + b, 0) };
  }

  it('300 concurrent writes: each stored, and afterwards usage is exactly the files and results (nothing left reserved)', async () => {
    const u = await addUser(s, 'rhea', 'user', { storageQuota: 64 * MiB });
    const h = basic(u.username, u.password);
    const { job, report, resultBytes } = await store(h, { dir: '~/many', count: 300, size: 1000, concurrency: 8 });
    expect(job.phase).toBe('COMPLETED');
    expect(report).toEqual({ ok: 300, refused: 0, first: null });
    expect(await usageOf('rhea')).toBe(300 * 1000 + resultBytes);
  });

  it('at the edge of the quota: what fits is stored, the rest refused naming the quota, and usage never passes it', async () => {
    const u = await addUser(s, 'sola', 'user', { storageQuota: 20_500 });
    const h = basic(u.username, u.password);
    const { job, report, resultBytes } = await store(h, { dir: '~/edge', count: 30, size: 1000, concurrency: 6 });
    expect(job.phase).toBe('COMPLETED');
    expect(report!.ok).toBe(20);
    expect(report!.refused).toBe(10);
    expect(report!.first).toMatch(/storage quota of sola \(20\.5 kB\) would be exceeded/);
    expect(await usageOf('sola')).toBe(20 * 1000 + resultBytes);
    expect(await usageOf('sola')).toBeLessThanOrEqual(20_500);
  });

  it('a file replaced by a smaller one and a deleted file give their bytes back exactly', async () => {
    const u = await addUser(s, 'tara', 'user', { storageQuota: 64 * MiB });
    const h = basic(u.username, u.password);
    const { job, resultBytes } = await store(h, { dir: '~/shrink', count: 10, size: 5000, shrinkTo: 200, remove: true });
    expect(job.phase).toBe('COMPLETED');
    expect(await usageOf('tara')).toBe(8 * 5000 + 200 + resultBytes);
  });

  it('a result may use the room the reservation held: it is given back before the result is charged', async () => {
    // the first write reserves its bytes and a chunk of 8 MiB ahead; 12 MiB of result only fit
    // in the 20 MiB quota when that chunk is given back first
    const u = await addUser(s, 'uri', 'user', { storageQuota: 20 * MiB });
    const h = basic(u.username, u.password);
    const { job, resultBytes } = await store(h, { dir: '~/room', count: 1, size: 1000, resultSize: 12 * MiB });
    expect(job.errorSummary?.message ?? null).toBeNull();
    expect(job.phase).toBe('COMPLETED');
    expect(resultBytes).toBeGreaterThan(12 * MiB);
    expect(await usageOf('uri')).toBe(1000 + resultBytes);
  });
});

describe('restricted job types', () => {
  it('users get 403, managers and admins may run them', async () => {
    const user = await addUser(s, 'ursula');
    const manager = await addUser(s, 'manny', 'manager');
    const refused = await create(basic(user.username, user.password), 'restricted', {});
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/restricted to managers/);
    expect((await create(basic(manager.username, manager.password), 'restricted', {})).status).toBe(303);
  });
});

function jobXml(xml: string): { phase: string; message: string } {
  return { phase: /<uws:phase>(\w+)</.exec(xml)![1]!, message: /<uws:message>([^<]*)</.exec(xml)?.[1] ?? '' };
}

async function waitFinalAs(url: string, headers: Record<string, string>): Promise<string> {
  for (let i = 0; i < 30; i++) {
    const phase = jobXml(await (await fetch(`${url}?WAIT=5`, { headers })).text()).phase;
    if (['COMPLETED', 'ERROR', 'ABORTED'].includes(phase)) return phase;
  }
  return 'TIMEOUT';
}

