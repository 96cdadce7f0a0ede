import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KIND, startServer, type TestServer } from '../support/server.js';
import { createJob, post, waitFinal, waitPhase } from '../support/uws.js';
import { idOf, jobJson, listJobs, until } from '../support/observe.js';

/*
 * Destruction is enforced by the reaper (uws.reaperInterval = 1 s in tests): the job and every
 * file of it go (policy delete), or it becomes ARCHIVED with its results removed (policy
 * archive). A job still running at its destruction time is stopped. The nodes here have ONE
 * slot, so a later job completing proves the destroyed job's thread has ended.
 */

const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
const jobDir = (s: TestServer, id: string) => join(s.dataDir, 'storage', 'jobs', id);

function withUpload(extra: Record<string, string>): FormData {
  const fd = new FormData();
  fd.append('input', new Blob([new Uint8Array(4096).fill(7)]), 'data.bin');
  for (const [k, v] of Object.entries(extra)) fd.append(k, v);
  return fd;
}

/** The job's storage folder is removed just after its row (so a 404 may come first). */
async function removed(dir: string): Promise<void> {
  await until(`${dir} to be removed`, async () => (existsSync(dir) ? undefined : true), 5_000, 50).catch((err: Error) => {
    const left = existsSync(dir) ? readdirSync(dir, { recursive: true }).join(', ') : '';
    throw new Error(`${err.message}; still there: ${left}`);
  });
}

async function gone(url: string): Promise<true> {
  return until(`${url} to answer 404`, async () => ((await fetch(url)).status === 404 ? true : undefined), 15_000, 100);
}

describe(`destruction, policy delete (${DB_KIND})`, () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ overrides: { executor: { maxConcurrentJobs: 1, abortGrace: 5 } } });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('a finished job whose destruction passes is removed (404), with its files gone from storage', async () => {
    const url = await createJob(s.url, 'files', withUpload({ PHASE: 'RUN' }));
    expect((await waitFinal(url)).phase).toBe('COMPLETED');
    const dir = jobDir(s, idOf(url));
    expect(existsSync(join(dir, 'uploads'))).toBe(true);
    expect(existsSync(join(dir, 'results'))).toBe(true);
    expect((await post(`${url}/destruction`, { DESTRUCTION: soon(1000) })).status).toBe(303);
    await gone(url);
    expect((await fetch(`${url}/results/summary.json`)).status).toBe(404);
    await removed(dir);
    expect((await listJobs(s.url, 'files')).map((j) => j.id)).not.toContain(idOf(url));
  });

  it('a PENDING job whose destruction passes is removed with its uploaded files', async () => {
    const url = await createJob(s.url, 'files', withUpload({ DESTRUCTION: soon(1000) }));
    expect(existsSync(join(jobDir(s, idOf(url)), 'uploads'))).toBe(true);
    await gone(url);
    await removed(jobDir(s, idOf(url)));
  });

  it('a running job reaching its destruction is stopped and removed', async () => {
    const url = await createJob(s.url, 'wait', { ms: 120_000, early: 'x', DESTRUCTION: soon(2000), PHASE: 'RUN' });
    await waitPhase(url, 'EXECUTING');
    await gone(url);
    // One slot: this runs only once the destroyed job has stopped.
    expect((await waitFinal(await createJob(s.url, 'noop', { PHASE: 'RUN' }), 15_000)).phase).toBe('COMPLETED');
    await removed(jobDir(s, idOf(url)));
  });

  it('a running job that ignores the stop request leaves no files behind when it is destroyed', async () => {
    // cpu spins 2.5 s without looking at its signal, then writes a result: after its job
    // was destroyed. abortGrace (5 s) lets it get that far.
    const url = await createJob(s.url, 'cpu', { ms: 2500, DESTRUCTION: soon(1000), PHASE: 'RUN' });
    await gone(url);
    expect((await waitFinal(await createJob(s.url, 'noop', { PHASE: 'RUN' }), 20_000)).phase).toBe('COMPLETED');
    await removed(jobDir(s, idOf(url)));
  });
});

describe(`destruction, policy archive (${DB_KIND})`, () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ overrides: { uws: { destructionPolicy: 'archive' }, executor: { maxConcurrentJobs: 1, abortGrace: 5 } } });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('a finished job whose destruction passes becomes ARCHIVED: results gone, listed only with PHASE=ARCHIVED', async () => {
    const url = await createJob(s.url, 'files', withUpload({ RUNID: 'to-archive', PHASE: 'RUN' }));
    const done = await waitFinal(url);
    expect(done.phase).toBe('COMPLETED');
    expect(done.results.length).toBeGreaterThan(0);
    const id = idOf(url);
    expect((await post(`${url}/destruction`, { DESTRUCTION: soon(1000) })).status).toBe(303);
    const archived = await until('ARCHIVED', async () => {
      const j = await jobJson(url);
      return j.phase === 'ARCHIVED' ? j : undefined;
    }, 15_000);
    expect(archived.results).toEqual([]);
    expect(archived.runId).toBe('to-archive');
    expect(archived.history!.map((h) => h.phase)).toEqual(['QUEUED', 'EXECUTING', 'COMPLETED', 'ARCHIVED']);
    expect((await fetch(`${url}/results/summary.json`)).status).toBe(404);
    await removed(jobDir(s, id));
    // The uploaded file went with the results (the parameter stays, as metadata).
    const input = await fetch(`${url}/parameters/input`);
    expect(input.status).toBeLessThan(500);
    expect((await input.arrayBuffer()).byteLength).not.toBe(4096);
    expect((await listJobs(s.url, 'files')).map((j) => j.id)).not.toContain(id);
    expect(await listJobs(s.url, 'files', '?PHASE=ARCHIVED')).toEqual([expect.objectContaining({ id, phase: 'ARCHIVED' })]);
    // The reaper leaves it at that: it stays ARCHIVED on later sweeps.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await jobJson(url)).phase).toBe('ARCHIVED');
  });

  it('a running job reaching its destruction is stopped, then ARCHIVED', async () => {
    const url = await createJob(s.url, 'wait', { ms: 120_000, DESTRUCTION: soon(2000), PHASE: 'RUN' });
    await waitPhase(url, 'EXECUTING');
    const archived = await until('ARCHIVED', async () => {
      const j = await jobJson(url);
      return j.phase === 'ARCHIVED' ? j : undefined;
    }, 15_000);
    expect(archived.history!.map((h) => h.phase)).toEqual(['QUEUED', 'EXECUTING', 'ABORTED', 'ARCHIVED']);
    expect((await waitFinal(await createJob(s.url, 'noop', { PHASE: 'RUN' }), 15_000)).phase).toBe('COMPLETED');
  });

  it('a running job that ignores the stop request adds no results to its ARCHIVED job and leaves no files', async () => {
    const url = await createJob(s.url, 'cpu', { ms: 2500, DESTRUCTION: soon(1000), PHASE: 'RUN' });
    await until('ARCHIVED', async () => ((await jobJson(url)).phase === 'ARCHIVED' ? true : undefined), 15_000);
    // One slot: once this completes, the cpu job's thread has ended (and tried to add spin.txt).
    expect((await waitFinal(await createJob(s.url, 'noop', { PHASE: 'RUN' }), 20_000)).phase).toBe('COMPLETED');
    const archived = await jobJson(url);
    expect(archived.phase).toBe('ARCHIVED');
    expect(archived.results).toEqual([]);
    await removed(jobDir(s, idOf(url)));
  });
});
