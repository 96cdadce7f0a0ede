import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobStore, QueuedLimitReached, migrateLatest, openDatabase, type Database } from '@vocloud/core';
import { DB_KIND, createTestDatabase, type TestDatabase } from '../support/server.js';

/*
 * The scheduler's claim and the queued-jobs limit, at the JobStore: each is one statement
 * (migration 005's functions take the lock), so these check what the statement decides —
 * FIFO order, owners' running limits, per-type caps, and that a claim which looks at only
 * the head of a long queue still reaches the jobs behind it on the next claim.
 */

const NODE = 'claim-test-node';
const LIMITS = { anonymous: 2, user: 8 };
let database: TestDatabase;
let db: Database;
let store: JobStore;
let seq = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDatabase({ url: database.url });
  await migrateLatest(db);
  store = new JobStore(db);
});

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

async function queue(jobType: string, ownerId: string | null, n = 1): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `c${DB_KIND[0]}${(seq++).toString().padStart(6, '0')}`;
    await store.insert(
      { id, jobType, runId: null, ownerId, executionDuration: 60, destruction: new Date(Date.now() + 86_400_000), targetDir: null, parameters: [{ name: 'i', value: String(i), byReference: false, filePath: null, fileSize: null }] },
      'QUEUED',
      'test',
    );
    ids.push(id);
  }
  return ids;
}

const claim = (caps: Record<string, number>, limit: number) => store.claim(NODE, new Map(Object.entries(caps)), limit, LIMITS);

/** End everything this test left running or queued, so the next test starts empty. */
async function clear(): Promise<void> {
  await db.knex('jobs').whereIn('phase', ['QUEUED', 'EXECUTING']).update({ phase: 'ABORTED' });
}

describe(`claiming queued jobs (${DB_KIND})`, () => {
  it('claims the oldest first and returns them EXECUTING on this node, with their parameters', async () => {
    const ids = await queue('noop', 'ann', 3);
    const got = await claim({ noop: 8 }, 2);
    expect(got.map((j) => j.id)).toEqual(ids.slice(0, 2));
    for (const j of got) {
      expect(j.phase).toBe('EXECUTING');
      expect(j.nodeId).toBe(NODE);
      expect(j.startTime).toBeInstanceOf(Date);
      expect(j.attempts).toBe(1);
      expect(j.parameters).toEqual([expect.objectContaining({ name: 'i', byReference: false })]);
    }
    expect((await store.history(ids[0]!)).map((h) => h.phase)).toEqual(['QUEUED', 'EXECUTING']);
    expect(await store.getPhase(ids[2]!)).toBe('QUEUED');
    await clear();
  });

  it("an owner at their running limit is passed over; an owner with fewer free slots than queued jobs gets only those slots, and the next claim reaches the jobs behind theirs", async () => {
    // 100 anonymous jobs (more than one claim looks at), then one of another owner.
    const anonymous = await queue('noop', null, 100);
    const [bobs] = await queue('noop', 'bob');
    const first = await claim({ noop: 64 }, 8);
    expect(first.map((j) => j.id)).toEqual(anonymous.slice(0, LIMITS.anonymous));
    const second = await claim({ noop: 64 }, 6);
    expect(second.map((j) => j.id)).toEqual([bobs]);
    expect(await claim({ noop: 64 }, 5)).toEqual([]);
    await clear();
  });

  it('a type at its cap is claimed up to the cap, and a claim without it reaches the other types behind', async () => {
    const ones = await queue('one', 'ann', 70);
    const [two] = await queue('two', 'ann');
    const first = await claim({ one: 1, two: 8 }, 8);
    expect(first.map((j) => j.id)).toEqual([ones[0]]);
    // The scheduler claims again with the capacity it has left: none for 'one'.
    const second = await claim({ one: 0, two: 8 }, 7);
    expect(second.map((j) => j.id)).toEqual([two]);
    await clear();
  });

  it('nothing is claimed with no capacity, and a job claimed once is not claimed again', async () => {
    await queue('noop', 'ann', 2);
    expect(await claim({ noop: 0 }, 8)).toEqual([]);
    expect(await claim({ noop: 8 }, 0)).toEqual([]);
    const a = await claim({ noop: 8 }, 8);
    expect(a).toHaveLength(2);
    expect(await claim({ noop: 8 }, 8)).toEqual([]);
    await clear();
  });
});

describe(`the queued-jobs limit (${DB_KIND})`, () => {
  it('refuses an insert at the limit with the count, and counts each owner apart', async () => {
    const job = (id: string, ownerId: string | null) => ({ id, jobType: 'noop', runId: null, ownerId, executionDuration: 60, destruction: new Date(Date.now() + 86_400_000), targetDir: null, parameters: [] });
    await store.insert(job('qa1', 'carl'), 'QUEUED', 'test', 2);
    await store.insert(job('qa2', 'carl'), 'QUEUED', 'test', 2);
    const refused = await store.insert(job('qa3', 'carl'), 'QUEUED', 'test', 2).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(QueuedLimitReached);
    expect((refused as QueuedLimitReached).queued).toBe(2);
    expect(await store.getPhase('qa3')).toBeNull();
    // Another owner and anonymous users have limits of their own; PENDING jobs do not count.
    await store.insert(job('qb1', 'dora'), 'QUEUED', 'test', 2);
    await store.insert(job('qn1', null), 'QUEUED', 'test', 1);
    await expect(store.insert(job('qn2', null), 'QUEUED', 'test', 1)).rejects.toBeInstanceOf(QueuedLimitReached);
    await store.insert(job('qp1', 'carl'), 'PENDING', 'test', 2);
    // Queueing a PENDING job obeys the same limit; below it, the job is QUEUED.
    await expect(store.queue('qp1', 'carl', 2, 'PHASE=RUN')).rejects.toBeInstanceOf(QueuedLimitReached);
    expect(await store.getPhase('qp1')).toBe('PENDING');
    expect((await store.queue('qp1', 'carl', 3, 'PHASE=RUN'))?.phase).toBe('QUEUED');
    // A job not PENDING is not queued again (null), limit or not.
    expect(await store.queue('qp1', 'carl', 10, 'PHASE=RUN')).toBeNull();
    await clear();
  });

  it.each([7, 30])('concurrent inserts of one owner stop exactly at a limit of %i', async (limit) => {
    // A limit below the lock's stripes is counted under the whole lock from the first create;
    // a larger one first under one stripe each, and only near the limit under the whole lock.
    const job = (id: string) => ({ id, jobType: 'noop', runId: null, ownerId: `erin${limit}`, executionDuration: 60, destruction: new Date(Date.now() + 86_400_000), targetDir: null, parameters: [] });
    const outcomes = await Promise.allSettled(Array.from({ length: 3 * limit }, (_, i) => store.insert(job(`qc${limit}-${i}`), 'QUEUED', 'test', limit)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(limit);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(QueuedLimitReached);
    await clear();
  });
});
