import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DB_KIND, startServer, type TestServer } from '../support/server.js';
import { createJob, post, waitFinal } from '../support/uws.js';
import { jobJson, jobUrl, idOf, type JobJson } from '../support/observe.js';

/*
 * Restart survival: everything a client can see of a job — phase, parameters (uploaded files
 * too), results and phase history — is the same after the server stops and starts again on
 * the same data dir and database; QUEUED jobs are not lost and run after the restart.
 * Runs on PGlite, and on PostgreSQL when VOCLOUD_TEST_DATABASE_URL is set.
 */

const servers: TestServer[] = [];
afterAll(async () => {
  // Restarted servers share data dirs and databases: stop all first, then remove (idempotent).
  for (const s of servers) await s.stop({ keep: true }).catch(() => undefined);
  for (const s of servers) await s.stop().catch(() => undefined);
});

async function start(previous?: TestServer, overrides: Record<string, unknown> = {}): Promise<TestServer> {
  const s = await startServer({ ...(previous ? { dataDir: previous.dataDir, database: previous.database } : {}), overrides });
  servers.push(s);
  return s;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function upload(bytes: Uint8Array, extra: Record<string, string>): FormData {
  const fd = new FormData();
  fd.append('input', new Blob([Buffer.from(bytes)]), 'spectrum.bin');
  for (const [k, v] of Object.entries(extra)) fd.append(k, v);
  return fd;
}

/** What must not change across a restart (hrefs contain the port, which does). */
function durable(j: JobJson) {
  return {
    jobId: j.jobId,
    runId: j.runId,
    phase: j.phase,
    creationTime: j.creationTime,
    startTime: j.startTime,
    endTime: j.endTime,
    executionDuration: j.executionDuration,
    destruction: j.destruction,
    parameters: j.parameters.map((p) => ({ id: p.id, byReference: p.byReference, value: p.byReference ? '(file)' : p.value })),
    results: j.results.map((r) => ({ id: r.id, size: r.size, mimeType: r.mimeType })),
    errorSummary: j.errorSummary,
    history: j.history,
  };
}

describe(`restart survival (${DB_KIND})`, () => {
  it('jobs, parameters, uploaded files, results and phase history survive restarts; QUEUED jobs run after one', async () => {
    const bytes = new Uint8Array(randomBytes(70_000));
    const pendingBytes = new Uint8Array(randomBytes(1234));

    // 1. A node that does not execute: jobs stay PENDING and QUEUED.
    const a = await start(undefined, { executor: { enabled: false } });
    const pendingId = idOf(await createJob(a.url, 'files', upload(pendingBytes, { note: 'keep me' })));
    const queuedFilesId = idOf(await createJob(a.url, 'files', upload(bytes, { note: 'queued', PHASE: 'RUN' })));
    const queuedWaitId = idOf(await createJob(a.url, 'wait', { ms: 50, early: 'written before waiting', RUNID: 'restart-run', PHASE: 'RUN' }));
    const queuedNoopIds = await Promise.all(Array.from({ length: 5 }, async () => idOf(await createJob(a.url, 'noop', { PHASE: 'RUN' }))));
    const failId = idOf(await createJob(a.url, 'fail', { message: 'no flux column', PHASE: 'RUN' }));
    for (const [type, id] of [['files', queuedFilesId], ['wait', queuedWaitId], ['fail', failId], ...queuedNoopIds.map((i) => ['noop', i])] as const) {
      expect((await jobJson(jobUrl(a.url, type, id))).phase).toBe('QUEUED');
    }
    const pendingBefore = durable(await jobJson(jobUrl(a.url, 'files', pendingId)));
    await a.stop({ keep: true });

    // 2. Restart with an executor: the QUEUED jobs run; the PENDING one waits for its owner.
    const b = await start(a);
    const files = await waitFinal(jobUrl(b.url, 'files', queuedFilesId));
    expect(files.phase).toBe('COMPLETED');
    const summary = JSON.parse(await (await fetch(jobUrl(b.url, 'files', queuedFilesId) + '/results/summary.json')).text());
    expect(summary).toMatchObject({ size: bytes.length, sha256: sha256(bytes) });
    expect((await waitFinal(jobUrl(b.url, 'wait', queuedWaitId))).phase).toBe('COMPLETED');
    expect((await waitFinal(jobUrl(b.url, 'fail', failId))).phase).toBe('ERROR');
    for (const id of queuedNoopIds) expect((await waitFinal(jobUrl(b.url, 'noop', id))).phase).toBe('COMPLETED');

    const pendingAfter = durable(await jobJson(jobUrl(b.url, 'files', pendingId)));
    expect(pendingAfter).toEqual(pendingBefore);
    const uploaded = new Uint8Array(await (await fetch(jobUrl(b.url, 'files', pendingId) + '/parameters/input')).arrayBuffer());
    expect(sha256(uploaded)).toBe(sha256(pendingBytes));
    // The file uploaded before the restart is what the job reads after it.
    expect((await post(jobUrl(b.url, 'files', pendingId) + '/phase', { PHASE: 'RUN' })).status).toBe(303);
    expect((await waitFinal(jobUrl(b.url, 'files', pendingId))).phase).toBe('COMPLETED');
    const pendingSummary = JSON.parse(await (await fetch(jobUrl(b.url, 'files', pendingId) + '/results/summary.json')).text());
    expect(pendingSummary).toMatchObject({ size: pendingBytes.length, sha256: sha256(pendingBytes) });

    const all = [
      ['files', pendingId],
      ['files', queuedFilesId],
      ['wait', queuedWaitId],
      ['fail', failId],
      ...queuedNoopIds.map((i) => ['noop', i]),
    ] as const;
    const before = new Map<string, ReturnType<typeof durable>>();
    for (const [type, id] of all) before.set(id, durable(await jobJson(jobUrl(b.url, type, id))));

    const waitHistory = before.get(queuedWaitId)!.history!;
    expect(waitHistory.map((h) => h.phase)).toEqual(['QUEUED', 'EXECUTING', 'COMPLETED']);
    expect(waitHistory[0]!.reason).toMatch(/PHASE=RUN/);
    expect(before.get(pendingId)!.history!.map((h) => h.phase)).toEqual(['PENDING', 'QUEUED', 'EXECUTING', 'COMPLETED']);
    expect(before.get(failId)!.errorSummary?.message).toContain('no flux column');
    expect(before.get(queuedWaitId)!.runId).toBe('restart-run');
    await b.stop({ keep: true });

    // 3. Restart again: every job reads the same, results and uploads included.
    const c = await start(b, { executor: { enabled: false } });
    for (const [type, id] of all) expect(durable(await jobJson(jobUrl(c.url, type, id))), `${type} ${id}`).toEqual(before.get(id));
    const early = await fetch(jobUrl(c.url, 'wait', queuedWaitId) + '/results/early.txt');
    expect(early.status).toBe(200);
    expect(await early.text()).toBe('written before waiting');
    const copy = new Uint8Array(await (await fetch(jobUrl(c.url, 'files', queuedFilesId) + '/results/nested/copy.bin')).arrayBuffer());
    expect(sha256(copy)).toBe(sha256(bytes));
    const partial = await fetch(jobUrl(c.url, 'fail', failId) + '/results/partial.txt');
    expect(await partial.text()).toBe('written before failing');
    const input = new Uint8Array(await (await fetch(jobUrl(c.url, 'files', queuedFilesId) + '/parameters/input')).arrayBuffer());
    expect(sha256(input)).toBe(sha256(bytes));
    expect(existsSync(join(c.dataDir, 'storage', 'jobs', queuedFilesId, 'uploads'))).toBe(true);
    // End on a small request: a stop right after a file download waits for that kept-alive
    // connection (see shutdown.test.ts), which would only slow this test down.
    expect((await jobJson(jobUrl(c.url, 'noop', queuedNoopIds[0]!))).phase).toBe('COMPLETED');
  });
});
