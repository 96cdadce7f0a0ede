import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { WriteBehind } from '../src/common/write-behind.js';

/* Sidecar writes trail the downloads: bounded in flight and in waiting, all done by flush(). */

/** A task that runs until the test lets it finish. */
function gated(log: { running: number; most: number; done: number[] }, i: number) {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const task = async () => {
    log.running++;
    log.most = Math.max(log.most, log.running);
    await gate;
    log.running--;
    log.done.push(i);
  };
  return { task, open };
}

describe('WriteBehind', () => {
  it('runs at most `parallel` tasks, makes add() wait while the queue is full, and flush() waits for all', async () => {
    const w = new WriteBehind(2, 3);
    const log = { running: 0, most: 0, done: [] as number[] };
    const tasks = Array.from({ length: 6 }, (_, i) => gated(log, i));
    for (const t of tasks.slice(0, 5)) await w.add(t.task); // 2 run, 3 wait: room for all
    let sixthQueued = false;
    const sixth = w.add(tasks[5]!.task).then(() => (sixthQueued = true));
    await tick();
    expect(log.running).toBe(2);
    expect(sixthQueued).toBe(false);
    tasks[0]!.open();
    await sixth;
    let flushed = false;
    const flush = w.flush().then(() => (flushed = true));
    await tick();
    expect(flushed).toBe(false);
    for (const t of tasks) t.open();
    await flush;
    expect(log.done.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(log.most).toBe(2);
  });

  it('a failing task does not stop the others; flush() of an idle queue returns at once', async () => {
    const w = new WriteBehind(1, 10);
    await w.flush();
    const done: string[] = [];
    await w.add(async () => {
      throw new Error('disk full');
    });
    await w.add(async () => void done.push('second'));
    await w.flush();
    expect(done).toEqual(['second']);
  });
});
