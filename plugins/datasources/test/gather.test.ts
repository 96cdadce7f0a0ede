import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { IN_MEMORY_MAX, gather } from '../src/common/importer.js';

/** `n` chunks of `size` bytes, each filled with its index. */
async function* chunks(n: number, size: number, failAt = -1): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < n; i++) {
    if (i === failAt) throw new Error('the connection was reset');
    yield Buffer.alloc(size, i);
  }
}

async function bytesOf(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('gather (a body announced small, stored in one write)', () => {
  it('gives one buffer with every chunk in order', async () => {
    const got = await gather(chunks(5, 1000));
    expect(Buffer.isBuffer(got)).toBe(true);
    expect((got as Buffer).length).toBe(5000);
    expect([...(got as Buffer).subarray(0, 5000)].filter((_, i) => i % 1000 === 0)).toEqual([0, 1, 2, 3, 4]);
  });

  it('an empty body is an empty buffer', async () => {
    expect(await gather(chunks(0, 10))).toEqual(Buffer.alloc(0));
  });

  it('a body larger than announced goes on as a stream: nothing is lost and memory stays bounded', async () => {
    const size = 256 * 1024;
    const n = Math.ceil((3 * IN_MEMORY_MAX) / size);
    const got = await gather(chunks(n, size));
    expect(got).toBeInstanceOf(Readable);
    const all = await bytesOf(got as Readable);
    expect(all.length).toBe(n * size);
    for (let i = 0; i < n; i++) expect(all[i * size]).toBe(i);
  });

  it('a source that fails while gathering rejects with its error; one that fails after the switch fails the stream', async () => {
    await expect(gather(chunks(5, 1000, 3))).rejects.toThrow('the connection was reset');
    const size = 512 * 1024;
    const streamed = await gather(chunks(10, size, 6));
    await expect(bytesOf(streamed as Readable)).rejects.toThrow('the connection was reset');
  });
});
