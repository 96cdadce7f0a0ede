import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KIND, startServer, type TestServer } from '../support/server.js';
import { createJob, post, waitFinal, waitPhase } from '../support/uws.js';
import { jobJson } from '../support/observe.js';

/*
 * executionDuration is enforced: a job that runs longer ends ABORTED with an errorSummary
 * that says why — whether it cooperates (stops on its AbortSignal) or not (its thread is
 * terminated after executor.abortGrace). The node has ONE slot here, so a later job can only
 * complete once the stopped job's thread is really gone.
 */

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ overrides: { executor: { maxConcurrentJobs: 1, abortGrace: 1 } } });
});
afterAll(async () => {
  await s?.stop();
});

const EXCEEDED = /exceeded its executionDuration of 1 s/;

describe(`executionDuration (${DB_KIND})`, () => {
  it('a cooperative job running past its executionDuration ends ABORTED with a reason, keeping the results it wrote', async () => {
    const url = await createJob(s.url, 'wait', { ms: 60_000, early: 'kept', EXECUTIONDURATION: 1, PHASE: 'RUN' });
    const job = await waitFinal(url, 20_000);
    expect(job.phase).toBe('ABORTED');
    expect(job.executionDuration).toBe(1);
    expect(job.errorSummary?.message).toMatch(EXCEEDED);
    expect(job.results.map((r) => r.id)).toEqual(['early.txt']);
    const history = (await jobJson(url)).history!;
    expect(history.map((h) => h.phase)).toEqual(['QUEUED', 'EXECUTING', 'ABORTED']);
    expect(history[2]!.reason).toMatch(EXCEEDED);
  });

  it('a job that ignores the abort is stopped too (its thread terminated after abortGrace), and the node keeps working', async () => {
    const url = await createJob(s.url, 'hang', { EXECUTIONDURATION: 1, PHASE: 'RUN' });
    const job = await waitFinal(url, 20_000);
    expect(job.phase).toBe('ABORTED');
    expect(job.errorSummary?.message).toMatch(EXCEEDED);
    // One slot: this completes only if the hung thread was terminated and the slot freed.
    expect((await waitFinal(await createJob(s.url, 'noop', { PHASE: 'RUN' }), 20_000)).phase).toBe('COMPLETED');
  });

  it('PHASE=ABORT stops a job that ignores it, and the node keeps working', async () => {
    const url = await createJob(s.url, 'hang', { PHASE: 'RUN' });
    await waitPhase(url, 'EXECUTING');
    expect((await post(`${url}/phase`, { PHASE: 'ABORT' })).status).toBe(303);
    expect((await waitFinal(url)).phase).toBe('ABORTED');
    expect((await waitFinal(await createJob(s.url, 'wait', { ms: 10, PHASE: 'RUN' }), 20_000)).phase).toBe('COMPLETED');
  });

  it('a job within its executionDuration completes', async () => {
    const job = await waitFinal(await createJob(s.url, 'wait', { ms: 200, EXECUTIONDURATION: 5, PHASE: 'RUN' }));
    expect(job.phase).toBe('COMPLETED');
    expect(job.errorSummary).toBeUndefined();
  });
});
