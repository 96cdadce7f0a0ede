import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DB_KIND, TEST_PLUGIN, startServer } from '../support/server.js';
import { createJob, waitFinal } from '../support/uws.js';

/*
 * executor.warmThreads: job threads that outlive executor.idleThreadTimeout, so that a job
 * after a quiet spell runs in a thread that has its plugins loaded and its code compiled. Seen
 * from the test plugin's run log, which names the thread (worker_threads.threadId, unique in
 * the process) each job ran in.
 */

/** Two jobs, a pause longer than the idle timeout between them: the threads they ran in. */
async function threadsAcrossPause(warmThreads: number): Promise<number[]> {
  const dir = await mkdtemp(join(tmpdir(), 'vocloud-warm-'));
  const runLog = join(dir, 'runs.log');
  const s = await startServer({ plugins: [{ package: TEST_PLUGIN, options: { runLog } }], overrides: { executor: { warmThreads, idleThreadTimeout: 0.2 } } });
  try {
    for (let i = 0; i < 2; i++) {
      expect((await waitFinal(await createJob(s.url, 'noop', { PHASE: 'RUN' }))).phase).toBe('COMPLETED');
      // piscina ends an idle thread beyond minThreads once idleTimeout has passed
      if (i === 0) await sleep(1500);
    }
    const lines = (await readFile(runLog, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
    return lines.map((l) => Number(l.split(' ')[2]));
  } finally {
    await s.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

describe(`warm job threads (${DB_KIND})`, () => {
  it('with warmThreads 1 the job after a pause runs in the same thread as the one before it', async () => {
    const [first, second] = await threadsAcrossPause(1);
    expect(first).toBeGreaterThan(0);
    expect(second).toBe(first);
  });

  it('with warmThreads 0 the idle thread has ended and the next job starts a new one', async () => {
    const [first, second] = await threadsAcrossPause(0);
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first!);
  });
});
