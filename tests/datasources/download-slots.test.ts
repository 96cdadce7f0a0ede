import { describe, expect, it } from 'vitest';
import { Slots } from '../../plugins/datasources/src/common/pool.js';

/*
 * The download slots of an import (importer.ts): at most `limit` transfers from the source at
 * once; an item gives its slot back as soon as its body is in memory, while its file and
 * sidecar are still being stored, and the next item in line takes it.
 */
/** A take waits while every slot is held, and gets its slot once `holder` gives one back. */
async function expectWaitsFor(slots: Slots, holder: () => void): Promise<void> {
  let got = false;
  const taken = slots.take().then((release) => ((got = true), release));
  await new Promise((r) => setTimeout(r, 10));
  expect(got).toBe(false);
  holder();
  (await taken)();
}

describe('download slots', () => {
  it('lets `limit` holders in, then the waiting ones in the order they came, as slots are given back', async () => {
    const slots = new Slots(2);
    const order: string[] = [];
    const a = await slots.take();
    const b = await slots.take();
    const c = slots.take().then((release) => (order.push('c'), release));
    const d = slots.take().then((release) => (order.push('d'), release));
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    b();
    const releaseC = await c;
    expect(order).toEqual(['c']);
    a();
    const releaseD = await d;
    expect(order).toEqual(['c', 'd']);
    releaseC();
    releaseD();
    // all four given back: two slots free again, no more
    const e = await slots.take();
    const f = await slots.take();
    await expectWaitsFor(slots, e);
    f();
  });

  it('giving a slot back twice frees it once (an early release, then the finally)', async () => {
    const slots = new Slots(1);
    const a = await slots.take();
    a();
    a();
    await expectWaitsFor(slots, await slots.take());
  });
});
