import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { DB_KIND, createTestDatabase, startServer, type TestDatabase, type TestServer } from '../support/server.js';
import { startServeNode, tempDir } from '../support/cli.js';
import { createJob, waitFinal, waitPhase } from '../support/uws.js';
import { idOf, jobJson, jobUrl, until } from '../support/observe.js';

/*
 * A node that dies (SIGKILL) with a job EXECUTING must not leave the job EXECUTING forever:
 * a restart under the same node name ends it at once; any other node ends it when the dead
 * node's heartbeat is older than executor.deadAfter. The reason names the node.
 */

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
});

async function place(): Promise<{ dataDir: string; database: TestDatabase }> {
  const dataDir = await tempDir();
  const database = await createTestDatabase();
  cleanup.push(() => rm(dataDir, { recursive: true, force: true }), () => database.drop());
  return { dataDir, database };
}

async function track(s: TestServer): Promise<TestServer> {
  cleanup.push(() => s.stop({ keep: true }));
  return s;
}

/** Start a child node, get a job EXECUTING on it (with one result written), SIGKILL it. */
async function crashWithRunningJob(dataDir: string, database: TestDatabase, name: string): Promise<string> {
  const node = await startServeNode(dataDir, database, { overrides: { node: { name }, executor: { heartbeatInterval: 0.5 } } });
  cleanup.push(() => node.dispose());
  const url = await createJob(node.url, 'wait', { ms: 120_000, early: 'written before the crash', PHASE: 'RUN' });
  await waitPhase(url, 'EXECUTING');
  await until('the early result', async () => ((await jobJson(url)).results.length === 1 ? true : undefined));
  node.kill('SIGKILL');
  expect(await node.waitExit(10_000)).toEqual({ code: null, signal: 'SIGKILL' });
  return idOf(url);
}

describe(`crash of a node while a job is EXECUTING (${DB_KIND})`, () => {
  it('after a restart with the same node name the job is ERROR at once, with a reason naming the node', async () => {
    const { dataDir, database } = await place();
    const id = await crashWithRunningJob(dataDir, database, 'crashy-node');

    // deadAfter is long: only "same name, new process" can explain ending the job now.
    const restarted = await track(await startServer({ dataDir, database, overrides: { node: { name: 'crashy-node' }, executor: { deadAfter: 600 } } }));
    const job = await jobJson(jobUrl(restarted.url, 'wait', id));
    expect(job.phase).toBe('ERROR');
    expect(job.errorSummary?.message).toMatch(/crashy-node/);
    expect(job.errorSummary?.message).toMatch(/restarted/);
    expect(job.history!.at(-1)).toMatchObject({ phase: 'ERROR' });
    expect(job.history!.at(-1)!.reason).toMatch(/crashy-node/);
    // Results written before the crash are kept, as the message promises.
    expect(job.results.map((r) => r.id)).toEqual(['early.txt']);
    expect(await (await fetch(`${jobUrl(restarted.url, 'wait', id)}/results/early.txt`)).text()).toBe('written before the crash');

    // The restarted node works.
    expect((await waitFinal(await createJob(restarted.url, 'noop', { PHASE: 'RUN' }))).phase).toBe('COMPLETED');
  });

  it('another node ends the job when the dead node has sent no heartbeat for executor.deadAfter', async () => {
    const { dataDir, database } = await place();
    const id = await crashWithRunningJob(dataDir, database, 'lost-node');

    const deadAfter = 2;
    const other = await track(await startServer({ dataDir, database, overrides: { node: { name: 'other-node' }, executor: { deadAfter, heartbeatInterval: 0.5 } } }));
    const job = await until('the orphan ends in ERROR', async () => {
      const j = await jobJson(jobUrl(other.url, 'wait', id));
      return j.phase === 'EXECUTING' ? undefined : j;
    }, 15_000, 200);
    expect(job.phase).toBe('ERROR');
    expect(job.errorSummary?.message).toMatch(/lost-node#\w+/);
    expect(job.errorSummary?.message).toMatch(/stopped sending heartbeats/);
    // It was ended no sooner than deadAfter after the last heartbeat (both times from the database clock).
    const lastBeat = Date.parse(/last at (\S+?)\)/.exec(job.errorSummary!.message)![1]!);
    const endedAt = Date.parse(job.history!.at(-1)!.at);
    expect(endedAt - lastBeat).toBeGreaterThanOrEqual(deadAfter * 1000);
    expect(job.results.map((r) => r.id)).toEqual(['early.txt']);

    expect((await waitFinal(await createJob(other.url, 'noop', { PHASE: 'RUN' }))).phase).toBe('COMPLETED');
  });
});
