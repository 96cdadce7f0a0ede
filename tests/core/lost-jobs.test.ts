import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KIND, startServer, type TestServer } from '../support/server.js';
import { createJob, getJob, waitFinal, waitPhase } from '../support/uws.js';
import { idOf, jobJson, until } from '../support/observe.js';

/*
 * A job must not stay EXECUTING on a live node that does not run it. The executor tries a job's
 * last database write again; when even that fails (or a claim never reached the executor), the
 * node's heartbeat finds the job EXECUTING there but not in its executor, and ends it in ERROR
 * with the reason. The database's refusals here are real: a trigger on the jobs table.
 */

let s: TestServer;
beforeAll(async () => {
  // the refusals below are logged as warnings and errors, as they should be: kept, not printed
  s = await startServer({ logLevel: 'silent' });
});
afterAll(() => s.stop());

const knex = () => s.vocloud.database.knex;

async function nodeId(): Promise<string> {
  const row = await knex()('nodes').select('id').whereNull('stopped_at').first();
  return row.id as string;
}

/** Make the database refuse the first `times` moves of a job to COMPLETED (a sequence counts them: it survives the refused statement's rollback). */
async function refuseCompletion(times: number): Promise<() => Promise<number>> {
  await knex().raw('CREATE SEQUENCE IF NOT EXISTS refused_completions');
  await knex().raw(`
    CREATE OR REPLACE FUNCTION refuse_completion() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.phase = 'EXECUTING' AND NEW.phase = 'COMPLETED' AND nextval('refused_completions') <= ${times} THEN
        RAISE EXCEPTION 'the database refuses to record the end of job %', OLD.id;
      END IF;
      RETURN NEW;
    END $$`);
  await knex().raw('DROP TRIGGER IF EXISTS refuse_completion ON jobs');
  await knex().raw('CREATE TRIGGER refuse_completion BEFORE UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION refuse_completion()');
  return async () => {
    await knex().raw('DROP TRIGGER IF EXISTS refuse_completion ON jobs');
    const { rows } = (await knex().raw('SELECT last_value, is_called FROM refused_completions')) as { rows: { last_value: string; is_called: boolean }[] };
    await knex().raw('DROP SEQUENCE refused_completions');
    return rows[0]!.is_called ? Number(rows[0]!.last_value) : 0;
  };
}

describe(`jobs lost by their live node (${DB_KIND})`, () => {
  it('a refused end of a job is tried again, and the job completes once', async () => {
    const restore = await refuseCompletion(2);
    try {
      const url = await createJob(s.url, 'noop', { PHASE: 'RUN' });
      expect((await waitFinal(url)).phase).toBe('COMPLETED');
      expect((await jobJson(url)).history!.map((h) => h.phase)).toEqual(['QUEUED', 'EXECUTING', 'COMPLETED']);
    } finally {
      expect(await restore()).toBe(3); // two refused attempts, the third recorded
    }
  });

  it('a job EXECUTING on this node that its executor does not run is left alone while newly claimed, then ends in ERROR', async () => {
    const url = await createJob(s.url, 'noop'); // PENDING: the executor never takes it
    const id = idOf(url);
    // as if claimed by this node just now, the claim never reaching its executor
    await knex()('jobs').update({ phase: 'EXECUTING', node_id: await nodeId(), start_time: knex().fn.now() }).where({ id });
    await sleep(2000); // four heartbeats: within the grace after a claim
    expect((await jobJson(url)).phase).toBe('EXECUTING');
    await knex()('jobs').update({ start_time: new Date(Date.now() - 60_000) }).where({ id });
    const job = await until('the lost job ends', async () => {
      const j = await jobJson(url);
      return j.phase === 'EXECUTING' ? undefined : j;
    }, 10_000);
    expect(job.phase).toBe('ERROR');
    expect(job.errorSummary).toMatchObject({ type: 'transient' });
    expect(job.errorSummary!.message).toMatch(/lost track of it .*run the job again/);
    expect(job.history!.at(-1)).toMatchObject({ phase: 'ERROR', reason: expect.stringMatching(/executor node lost track/) });
  });

  it('a notification of its queueing that arrives after the claim does not stop a running job', async () => {
    // QUEUED is notified when a job is queued; the scheduler's claim may return before that
    // notification reaches the executor. Sent again here, while the job runs.
    const url = await createJob(s.url, 'wait', { ms: 4000, PHASE: 'RUN' });
    await waitPhase(url, 'EXECUTING');
    let answered = false;
    const woken = getJob(url, '?WAIT=30').finally(() => (answered = true));
    // sent until it wakes the WAIT (which may not be parked yet at the first one)
    for (let i = 0; i < 20 && !answered; i++) {
      await knex().raw('SELECT pg_notify(?, ?)', ['vocloud_job', `${idOf(url)} QUEUED`]);
      await sleep(100);
    }
    // the notifications arrived (they woke the WAIT while the job still ran) ...
    expect((await woken).phase).toBe('EXECUTING');
    // ... and the job ran on to its end
    const job = await waitFinal(url);
    expect(job.phase).toBe('COMPLETED');
    expect((await jobJson(url)).history!.map((h) => h.phase)).toEqual(['QUEUED', 'EXECUTING', 'COMPLETED']);
  });

  it('a job the executor runs is not ended, however long ago it started', async () => {
    const url = await createJob(s.url, 'wait', { ms: 3000, PHASE: 'RUN' });
    await waitPhase(url, 'EXECUTING');
    await knex()('jobs').update({ start_time: new Date(Date.now() - 3600_000) }).where({ id: idOf(url) });
    expect((await waitFinal(url)).phase).toBe('COMPLETED');
  });

  it('when its end is refused for good, the job ends in ERROR instead of staying EXECUTING', async () => {
    const restore = await refuseCompletion(1000);
    try {
      const url = await createJob(s.url, 'noop', { PHASE: 'RUN' });
      // the executor's retries (~7.5 s), then the claim grace (10 s after the start)
      const job = await waitFinal(url, 40_000);
      expect(job.phase).toBe('ERROR');
      expect(job.errorSummary!.message).toMatch(/lost track of it/);
    } finally {
      expect(await restore()).toBeGreaterThanOrEqual(5); // the executor tried five times
    }
  });
});
