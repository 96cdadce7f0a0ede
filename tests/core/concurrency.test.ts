import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ADMIN_PASSWORD, DB_KIND, REPO, TEST_PLUGIN, startServer, type TestServer } from '../support/server.js';
import { createJob, post, waitFinal, type Form } from '../support/uws.js';
import { jobJson, maxOverlap } from '../support/observe.js';

/*
 * Concurrency limits: a node never runs more jobs at once than executor.maxConcurrentJobs,
 * nor more of one type than that type's limits.concurrency; queued jobs start as slots free
 * up — also when the oldest queued jobs are waiting for a limit of their own. Observed from
 * each job's startTime and endTime (set when it is claimed and when it ends; a slot is only
 * reused after its job's end is recorded).
 */

const SLOTS_PLUGIN = join(REPO, 'tests', 'fixtures', 'slots-plugin.mjs');
const plugins = [
  { package: TEST_PLUGIN },
  { package: SLOTS_PLUGIN, options: { types: [{ name: 'one', concurrency: 1 }, { name: 'two', concurrency: 2 }] } },
];

/** Run jobs to their end and return their [start, end) intervals. */
async function runAll(urls: string[]): Promise<{ type: string; start: number; end: number }[]> {
  const out = [];
  for (const url of urls) {
    const done = await waitFinal(url, 30_000);
    expect(done.phase).toBe('COMPLETED');
    const j = await jobJson(url);
    // Every job waited in the queue as QUEUED first, then ran once.
    expect(j.history!.map((h) => h.phase)).toEqual(['QUEUED', 'EXECUTING', 'COMPLETED']);
    out.push({ type: j.jobType, start: Date.parse(j.startTime!), end: Date.parse(j.endTime!) });
  }
  return out;
}

async function createMany(base: string, jobType: string, n: number, form: Form): Promise<string[]> {
  const urls: string[] = [];
  for (let i = 0; i < n; i++) urls.push(await createJob(base, jobType, form));
  return urls;
}

describe(`node-wide and per-type limits (${DB_KIND})`, () => {
  let s: TestServer;
  beforeAll(async () => {
    // The owner's own running limit is out of the way here: only node and type limits count.
    s = await startServer({ plugins, overrides: { executor: { maxConcurrentJobs: 3 }, quotas: { anonymousMaxRunningJobs: 100, anonymousMaxQueuedJobs: 1000 } } });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('never more jobs EXECUTING than executor.maxConcurrentJobs; queued jobs run as slots free up', async () => {
    // wait allows 8 at once per type; the node allows 3.
    const urls = await Promise.all(Array.from({ length: 8 }, () => createJob(s.url, 'wait', { ms: 400, PHASE: 'RUN' })));
    const runs = await runAll(urls);
    expect(maxOverlap(runs)).toBe(3);
  });

  it('never more jobs of a type EXECUTING than its limits.concurrency, while other types use the free slots', async () => {
    const urls = [...(await createMany(s.url, 'one', 4, { ms: 300, PHASE: 'RUN' })), ...(await createMany(s.url, 'two', 4, { ms: 300, PHASE: 'RUN' }))];
    const runs = await runAll(urls);
    expect(maxOverlap(runs.filter((r) => r.type === 'one'))).toBe(1);
    expect(maxOverlap(runs.filter((r) => r.type === 'two'))).toBe(2);
    expect(maxOverlap(runs)).toBe(3);
  });

  it('a long queue of a type at its limit does not hold back other types', async () => {
    const backlog = await createMany(s.url, 'one', 70, { ms: 5000, PHASE: 'RUN' });
    const other = await createJob(s.url, 'two', { ms: 10, PHASE: 'RUN' });
    expect((await waitFinal(other, 10_000)).phase).toBe('COMPLETED');
    await Promise.all(backlog.map((u) => post(`${u}/phase`, { PHASE: 'ABORT' })));
  });
});

describe(`owners' running limits (${DB_KIND})`, () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ plugins, overrides: { executor: { maxConcurrentJobs: 4 }, quotas: { anonymousMaxRunningJobs: 1, anonymousMaxQueuedJobs: 1000 } } });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it("a long queue of one owner waiting for its running limit does not hold back another owner's job", async () => {
    const backlog = await createMany(s.url, 'wait', 70, { ms: 5000, PHASE: 'RUN' });
    // The bootstrap admin is another owner, with a running limit of its own.
    const admin = { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` };
    const res = await post(`${s.url}/uws/noop`, { PHASE: 'RUN' }, admin);
    expect(res.status, await res.clone().text()).toBe(303);
    const other = res.headers.get('location')!;
    // Three of the four slots are free: it runs at once, not after the other owner's backlog.
    const end = Date.now() + 10_000;
    let phase = 'QUEUED';
    while (phase !== 'COMPLETED' && Date.now() < end) {
      const r = await fetch(`${other}?WAIT=2`, { headers: { ...admin, accept: 'application/json' } });
      phase = ((await r.json()) as { phase: string }).phase;
    }
    expect(phase).toBe('COMPLETED');
    await Promise.all(backlog.map((u) => post(`${u}/phase`, { PHASE: 'ABORT' })));
  });
});
