import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localJobStorage } from '@vocloud/sdk/testing';
import { QuotaCheck } from '../src/common/quota.js';

/*
 * The check before a download: an item whose announced size cannot fit in the owner's quota
 * is refused with the quota named; the owner's numbers are asked for once, not per item.
 */

async function counted(quotaBytes: number) {
  const storage = localJobStorage(await mkdtemp(join(tmpdir(), 'ds-quota-')), { quotaBytes });
  let asked = 0;
  return {
    storage: { quota: () => (asked++, storage.quota()) },
    asked: () => asked,
  };
}

describe('QuotaCheck', () => {
  it('lets what fits through and refuses what does not, naming the quota and what is free', async () => {
    const s = await counted(100_000);
    const q = new QuotaCheck(s.storage, 'alice', true);
    expect(await q.refuse(50_000)).toBeNull();
    expect(await q.refuse(200_000)).toBe('not downloaded: 200 kB with its provenance file does not fit in the storage quota of alice (100 kB; 0 bytes used, 100 kB free)');
    // the numbers were read once: the refusal came within a second of them
    expect(s.asked()).toBe(1);
  });

  it('counts what the job stored since, and the room a sidecar takes', async () => {
    const s = await counted(100_000);
    const q = new QuotaCheck(s.storage, null, true);
    expect(await q.refuse(40_000)).toBeNull();
    q.stored(60_000);
    expect(await q.refuse(38_000)).toBe('not downloaded: 38 kB with its provenance file does not fit in the anonymous storage quota (100 kB; 60 kB used, 40 kB free)');
    q.stored(-60_000);
    expect(await q.refuse(95_000)).toBeNull();
    expect(await q.refuse(97_000)).not.toBeNull(); // 97 kB + a sidecar's room > 100 kB
  });

  it('checks nothing for a target outside the owner\'s files, or when core cannot tell', async () => {
    const s = await counted(10);
    expect(await new QuotaCheck(s.storage, 'mona', false).refuse(1e12)).toBeNull();
    expect(s.asked()).toBe(0);
    let asked = 0;
    const broken = new QuotaCheck({ quota: () => (asked++, Promise.reject(new Error('no rpc'))) }, 'alice', true);
    expect(await broken.refuse(1e12)).toBeNull();
    expect(await broken.refuse(1e12)).toBeNull();
    expect(asked).toBe(1);
  });
});
