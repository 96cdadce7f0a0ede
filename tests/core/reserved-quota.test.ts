import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ReservedQuota, type ReservationChannel } from '../../core/src/executor/reserved-quota.js';

/*
 * ReservedQuota's bookkeeping under overlapping writes, releases and refusals. The channel
 * below does what Executor.reserve/release/'quota-used' do with the owner's usage and the
 * job's `reserved` (a chunk ahead, the exact need when the chunk does not fit), answering after
 * a delay so that writes interleave the way they do over a MessagePort. The server-level
 * behaviour is in tests/identity/quotas.test.ts.
 */
class ExecutorBooks implements ReservationChannel {
  usage = 0;
  reserved = 0;
  constructor(
    private readonly quota: number,
    private readonly chunk: number,
  ) {}

  async reserve(need: number, used: number): Promise<number> {
    this.reserved -= used;
    await sleep(Math.random() * 3);
    for (const amount of [need + this.chunk, need]) {
      if (this.usage + amount <= this.quota) {
        this.usage += amount;
        this.reserved += amount;
        return amount;
      }
    }
    throw new Error(`the storage quota would be exceeded by ${need} bytes`);
  }
  async release(balance: number, used: number): Promise<void> {
    this.reserved -= used;
    await sleep(Math.random() * 3);
    this.usage -= balance;
    this.reserved -= balance;
  }
  report(used: number): void {
    this.reserved -= used;
  }
  async charge(): Promise<void> {
    throw new Error('only the owner writes here');
  }
  async credit(): Promise<void> {
    throw new Error('only the owner writes here');
  }
}

async function writers(quota: ReservedQuota, sizes: number[], onEach?: (i: number) => Promise<void>): Promise<number> {
  let stored = 0;
  await Promise.all(
    sizes.map(async (size, i) => {
      await sleep(Math.random() * 5);
      try {
        await quota.charge('owner', size);
        stored += size;
      } catch {
        /* refused: nothing stored */
      }
      await onEach?.(i);
    }),
  );
  return stored;
}

describe('ReservedQuota (a job thread paying its writes from quota reserved ahead)', () => {
  it('overlapping writes and releases: every byte paid for is charged once, and nothing stays reserved', async () => {
    for (let round = 0; round < 20; round++) {
      const books = new ExecutorBooks(1e9, 50);
      const quota = new ReservedQuota('owner', books);
      const sizes = Array.from({ length: 200 }, () => 1 + Math.floor(Math.random() * 40));
      // a result recorded now and then, while other writes wait for their grant
      const stored = await writers(quota, sizes, async (i) => (i % 37 === 0 ? quota.release() : undefined));
      await quota.release();
      expect(stored).toBe(sizes.reduce((a, b) => a + b, 0));
      expect(books.usage).toBe(stored);
      expect(books.reserved).toBe(0);
    }
  });

  it('at the edge of the quota: usage never passes it, and what was refused is not charged', async () => {
    for (let round = 0; round < 20; round++) {
      const books = new ExecutorBooks(1000, 200);
      const quota = new ReservedQuota('owner', books);
      const stored = await writers(quota, Array.from({ length: 120 }, () => 1 + Math.floor(Math.random() * 20)));
      expect(books.usage).toBeLessThanOrEqual(1000);
      await quota.release();
      expect(books.usage).toBe(stored);
      expect(books.reserved).toBe(0);
    }
  });

  it('freed bytes (a file replaced by a smaller one) join the balance and are given back', async () => {
    const books = new ExecutorBooks(1e9, 100);
    const quota = new ReservedQuota('owner', books);
    await quota.charge('owner', 500);
    await quota.charge('owner', -300);
    await quota.charge('owner', 250); // paid from the freed bytes and the chunk, no new grant needed
    await quota.release();
    expect(books.usage).toBe(450);
    expect(books.reserved).toBe(0);
  });
});
