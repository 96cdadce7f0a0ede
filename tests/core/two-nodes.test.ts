import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateLatest, openDatabase, pendingMigrations } from '@vocloud/core';
import { TEST_PG_URL, TEST_PLUGIN, createTestDatabase, startServer, type TestDatabase } from '../support/server.js';
import { needPeer, peers } from '../support/peers.js';
import { runCli, startServeNode, tempDir, type ServeProcess } from '../support/cli.js';
import { createJob } from '../support/uws.js';
import { idOf, listJobs, until } from '../support/observe.js';

/*
 * Two `vocloud serve` processes (distinct node names) on one PostgreSQL database and one
 * shared storage: every job runs exactly once (claims are FOR UPDATE SKIP LOCKED), and both
 * nodes take work.
 */

const ADMIN_URL = TEST_PG_URL ?? `postgres://postgres@${process.env.PGHOST ?? '127.0.0.1'}:${process.env.PGPORT ?? '5432'}/postgres`;
const JOBS = { noop: 160, wait: 80 };

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
});

/** Run `tasks` with at most `width` in flight. */
async function inParallel<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]!();
      }
    }),
  );
  return out;
}

describe.skipIf(!needPeer(peers.postgres(), 'two nodes on one PostgreSQL never run the same job twice'))('two nodes on one PostgreSQL', () => {
  it('never run the same job twice, and both nodes do work', async () => {
    const dataDir = await tempDir();
    const database: TestDatabase = await createTestDatabase(ADMIN_URL);
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }), () => database.drop());
    const runLog = join(dataDir, 'runs.log');
    const options = (name: string) => ({
      plugins: [{ package: TEST_PLUGIN, options: { runLog } }],
      // Anonymous jobs; their owner limits are out of the way so only the claims are tested.
      overrides: { node: { name }, executor: { maxConcurrentJobs: 4, pollInterval: 1 }, quotas: { anonymousMaxRunningJobs: 100, anonymousMaxQueuedJobs: 1000 } },
    });
    // Migrate once, then start the nodes one after the other (starting at the same moment
    // is the next test's subject).
    const migrated = await runCli(['migrate'], { cwd: dataDir, env: { DATABASE_URL: database.url! } });
    expect(migrated.code, migrated.stderr).toBe(0);
    const nodes: ServeProcess[] = [];
    for (const name of ['node-a', 'node-b']) nodes.push(await startServeNode(dataDir, database, options(name)));
    for (const n of nodes) cleanup.push(() => n.dispose());

    const tasks = [
      ...Array.from({ length: JOBS.noop }, (_, i) => () => createJob(nodes[i % 2]!.url, 'noop', { PHASE: 'RUN' })),
      ...Array.from({ length: JOBS.wait }, (_, i) => () => createJob(nodes[i % 2]!.url, 'wait', { ms: 20, PHASE: 'RUN' })),
    ];
    const ids = (await inParallel(tasks, 12)).map(idOf);
    expect(new Set(ids).size).toBe(JOBS.noop + JOBS.wait);

    await until('every job COMPLETED', async () => {
      const done = (await listJobs(nodes[0]!.url, 'noop', '?PHASE=COMPLETED')).length + (await listJobs(nodes[1]!.url, 'wait', '?PHASE=COMPLETED')).length;
      return done === ids.length ? true : undefined;
    }, 60_000, 250);
    for (const type of ['noop', 'wait']) {
      const notCompleted = (await listJobs(nodes[0]!.url, type)).filter((j) => j.phase !== 'COMPLETED');
      expect(notCompleted).toEqual([]);
    }

    // The run log: one line per job, from both processes.
    const lines = (await readFile(runLog, 'utf8')).trim().split('\n').map((l) => l.split(' '));
    const runs = new Map<string, number>();
    for (const [id] of lines) runs.set(id!, (runs.get(id!) ?? 0) + 1);
    expect([...runs.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(lines).toHaveLength(ids.length);
    expect(new Set(runs.keys())).toEqual(new Set(ids));
    const pids = new Set(lines.map(([, pid]) => Number(pid)));
    expect(pids).toEqual(new Set(nodes.map((n) => n.pid)));

    // The database agrees: one start per job, and both nodes claimed jobs.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const twice = await client.query(`SELECT job_id, count(*) AS n FROM job_phase_history WHERE phase = 'EXECUTING' GROUP BY job_id HAVING count(*) > 1`);
      expect(twice.rows).toEqual([]);
      const attempts = await client.query(`SELECT DISTINCT attempts FROM jobs`);
      expect(attempts.rows).toEqual([{ attempts: 1 }]);
      const byNode = await client.query(`SELECT split_part(node_id, '#', 1) AS node, count(*)::int AS n FROM jobs GROUP BY 1 ORDER BY 1`);
      expect(byNode.rows.map((r) => r.node)).toEqual(['node-a', 'node-b']);
      for (const r of byNode.rows) expect(r.n).toBeGreaterThan(0);
    } finally {
      await client.end();
    }

    for (const n of nodes) n.kill('SIGTERM');
    for (const n of nodes) expect(await n.waitExit(20_000)).toEqual({ code: 0, signal: null });
  });

  it('two nodes starting at the same moment on one fresh database both come up', async () => {
    for (let round = 0; round < 2; round++) {
      const database: TestDatabase = await createTestDatabase(ADMIN_URL);
      cleanup.push(() => database.drop());
      const started = await Promise.allSettled([startServer({ database }), startServer({ database })]);
      for (const r of started) {
        if (r.status === 'fulfilled') cleanup.push(async () => (await r.value.stop({ keep: true }), rm(r.value.dataDir, { recursive: true, force: true })));
      }
      const failures = started.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String((r.reason as Error).message ?? r.reason));
      expect(failures).toEqual([]);
    }
  });

  it('two nodes migrating a fresh database at the same moment both succeed', async () => {
    // What each node's start does first (Vocloud.start → migrateLatest), at exactly the same
    // time; starting whole servers leaves the overlap to chance.
    const failures: string[] = [];
    for (let round = 0; round < 3; round++) {
      const database: TestDatabase = await createTestDatabase(ADMIN_URL);
      cleanup.push(() => database.drop());
      const dbs = await Promise.all([openDatabase({ url: database.url! }), openDatabase({ url: database.url! })]);
      try {
        const results = await Promise.allSettled(dbs.map((db) => migrateLatest(db)));
        for (const r of results) if (r.status === 'rejected') failures.push(String((r.reason as Error).message ?? r.reason));
        expect(await pendingMigrations(dbs[0]!.knex)).toEqual([]);
      } finally {
        for (const db of dbs) await db.close();
      }
    }
    expect(failures).toEqual([]);
  });
});
