import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, DB_KIND, TEST_PLUGIN, createTestDatabase, startServer, type TestDatabase, type TestServer } from '../support/server.js';
import { startServeNode, tempDir, type ServeProcess } from '../support/cli.js';
import { createJob, waitFinal, waitPhase } from '../support/uws.js';
import { idOf, jobJson, jobUrl, until } from '../support/observe.js';

/*
 * Graceful shutdown of a real `vocloud serve` process on SIGTERM: running jobs get
 * executor.shutdownGrace to finish; the rest go back to QUEUED (partial results dropped) and
 * run after the restart; nothing new is claimed while draining; the process exits 0.
 */

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
});

describe(`graceful shutdown on SIGTERM (${DB_KIND})`, () => {
  it('a job that finishes within shutdownGrace completes, one that does not is requeued and runs after the restart, and the process exits 0', async () => {
    const dataDir = await tempDir();
    const database: TestDatabase = await createTestDatabase();
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }), () => database.drop());
    const runLog = join(dataDir, 'runs.log');
    const plugins = [{ package: TEST_PLUGIN, options: { runLog } }];

    const node: ServeProcess = await startServeNode(dataDir, database, {
      plugins,
      overrides: { node: { name: 'graceful' }, executor: { shutdownGrace: 2 } },
    });
    cleanup.push(() => node.dispose());
    const short = await createJob(node.url, 'wait', { ms: 1000, PHASE: 'RUN' });
    const long = await createJob(node.url, 'wait', { ms: 5000, early: 'dropped on requeue', PHASE: 'RUN' });
    await waitPhase(short, 'EXECUTING');
    await waitPhase(long, 'EXECUTING');
    await until('the early result', async () => ((await jobJson(long)).results.length === 1 ? true : undefined));

    node.kill('SIGTERM');
    // While draining, the node says it is unavailable and claims nothing new.
    await until('availability false', async () => ((await (await fetch(`${node.url}/availability`)).text()).includes('>false<') ? true : undefined), 5_000, 50);
    const late = await createJob(node.url, 'noop', { PHASE: 'RUN' });

    const exit = await node.waitExit(30_000);
    expect(exit, node.output()).toEqual({ code: 0, signal: null });

    // After the restart the requeued job and the late one run; their histories tell the rest.
    const again: TestServer = await startServer({ dataDir, database, plugins });
    cleanup.push(() => again.stop({ keep: true }));
    expect((await jobJson(jobUrl(again.url, 'wait', idOf(short)))).phase).toBe('COMPLETED');
    const rerun = await waitFinal(jobUrl(again.url, 'wait', idOf(long)), 30_000);
    expect(rerun.phase).toBe('COMPLETED');
    // Partial results of the interrupted run were dropped; the rerun wrote its own.
    expect(rerun.results.map((r) => r.id)).toEqual(['early.txt']);
    const history = (await jobJson(jobUrl(again.url, 'wait', idOf(long)))).history!;
    expect(history.map((h) => h.phase)).toEqual(['QUEUED', 'EXECUTING', 'QUEUED', 'EXECUTING', 'COMPLETED']);
    expect(history[2]!.reason).toMatch(/requeued.*shut down/);
    // The job queued while the node drained was not started by it.
    expect((await waitFinal(jobUrl(again.url, 'noop', idOf(late)))).phase).toBe('COMPLETED');
    const lateHistory = (await jobJson(jobUrl(again.url, 'noop', idOf(late)))).history!;
    expect(lateHistory.map((h) => h.phase)).toEqual(['QUEUED', 'EXECUTING', 'COMPLETED']);
    expect(lateHistory[1]!.reason).not.toMatch(/graceful#/);
    await again.stop({ keep: true });

    const runs = (await readFile(runLog, 'utf8')).trim().split('\n').map((l) => l.split(' ')[0]);
    expect(runs.filter((id) => id === idOf(short))).toHaveLength(1);
    expect(runs.filter((id) => id === idOf(long))).toHaveLength(2);
    expect(runs.filter((id) => id === idOf(late))).toHaveLength(1);
  });

  it('a client blocked in WAIT=-1 does not hold up the shutdown: it is answered and the process exits 0', async () => {
    const dataDir = await tempDir();
    const database: TestDatabase = await createTestDatabase();
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }), () => database.drop());
    // uws.maxWait is the default 60 s; shutdownGrace 2 s.
    const node = await startServeNode(dataDir, database, { overrides: { executor: { shutdownGrace: 2 } } });
    cleanup.push(() => node.dispose());
    const job = await createJob(node.url, 'noop');
    const waiting = fetch(`${job}?WAIT=-1`).then(
      async (r) => ({ status: r.status, body: await r.text() }),
      (err: Error) => ({ status: 0, body: String(err) }),
    );
    const admin = { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` };
    await until('the WAIT to be parked', async () => (/^vocloud_wait_requests 1$/m.test(await (await fetch(`${node.url}/metrics`, { headers: admin })).text()) ? true : undefined));
    node.kill('SIGTERM');
    // Nothing runs: only the open WAIT (and its kept-alive connection) could delay the exit.
    expect(await node.waitExit(15_000), node.output()).toEqual({ code: 0, signal: null });
    const answer = await waiting;
    expect(answer.status, answer.body).toBe(200);
    expect(answer.body).toContain('PENDING');
  });
});
