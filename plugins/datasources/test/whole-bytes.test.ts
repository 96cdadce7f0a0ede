import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { IN_MEMORY_MAX } from '../src/common/importer.js';
import { newStats, wholeBytes, type OpenedTransfer, type Transfer, type TransferLimits } from '../src/common/transfer.js';

const limits: TransferLimits = { maxBytes: 64 * 1024 * 1024, maxBytesReason: 'the maximum file size of 64 MB', idleMs: 300 };
const policy = { retries: 2, delay: 0.01 };
const never = new AbortController().signal;

/** `n` chunks of `size` bytes, each filled with its index; the stream fails before chunk `failAt`. */
function chunks(n: number, size: number, failAt = -1): Readable {
  return Readable.from(
    (async function* () {
      for (let i = 0; i < n; i++) {
        if (i === failAt) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
        yield Buffer.alloc(size, i);
      }
    })(),
    { objectMode: false },
  );
}

function opened(stream: Readable, o: Partial<OpenedTransfer> = {}): OpenedTransfer {
  return { stream, offset: 0, resumable: false, ...o };
}

const noReopen = (): Promise<OpenedTransfer> => Promise.reject(new Error('not resumable'));

/** A transfer with the test's limits and retries; `o` replaces any part. */
function transfer(o: Partial<Transfer> = {}): Transfer {
  return { reopen: noReopen, limits, policy, signal: never, stats: newStats(), onChunk: () => undefined, ...o };
}

async function bytesOf(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('wholeBytes (a body announced small, read whole with stream events)', () => {
  it('gives one buffer with every chunk in order, metered and hashed', async () => {
    const stats = newStats();
    let counted = 0;
    const got = await wholeBytes(opened(chunks(5, 1000), { length: 5000 }), transfer({ stats, onChunk: (n) => (counted += n) }), IN_MEMORY_MAX);
    expect(Buffer.isBuffer(got)).toBe(true);
    const buf = got as Buffer;
    expect(buf.length).toBe(5000);
    expect([0, 1000, 2000, 3000, 4000].map((i) => buf[i])).toEqual([0, 1, 2, 3, 4]);
    expect(counted).toBe(5000);
    expect(stats.bytes).toBe(5000);
    expect(stats.sha256()).toBe(createHash('sha256').update(buf).digest('hex'));
  });

  it('an empty body is an empty buffer', async () => {
    const got = await wholeBytes(opened(chunks(0, 10), { length: 0 }), transfer(), IN_MEMORY_MAX);
    expect(got).toEqual(Buffer.alloc(0));
  });

  it('a body larger than announced goes on as a stream: nothing is lost, and memory holds at most about `max`', async () => {
    const size = 256 * 1024;
    const n = Math.ceil((3 * IN_MEMORY_MAX) / size);
    const stats = newStats();
    const got = await wholeBytes(opened(chunks(n, size), { length: 1000 }), transfer({ stats }), IN_MEMORY_MAX);
    expect(got).toBeInstanceOf(Readable);
    // only what outgrew the limit was read before the hand-over
    expect(stats.bytes).toBeLessThanOrEqual(IN_MEMORY_MAX + size);
    const all = await bytesOf(got as Readable);
    expect(all.length).toBe(n * size);
    for (let i = 0; i < n; i++) expect(all[i * size]).toBe(i);
    expect(stats.sha256()).toBe(createHash('sha256').update(all).digest('hex'));
  });

  it('a failure while gathering rejects with a clear error; one after the hand-over fails the stream', async () => {
    await expect(wholeBytes(opened(chunks(5, 1000, 3)), transfer(), IN_MEMORY_MAX)).rejects.toThrow(
      /the connection was reset/,
    );
    const size = 512 * 1024;
    const streamed = await wholeBytes(opened(chunks(10, size, 6)), transfer(), IN_MEMORY_MAX);
    await expect(bytesOf(streamed as Readable)).rejects.toThrow(/the connection was reset/);
  });

  it('a body that stops sending fails by the idle limit, and one that is cut early says how much came', async () => {
    const stall = new PassThrough();
    stall.write(Buffer.alloc(10));
    await expect(wholeBytes(opened(stall, { length: 1000 }), transfer(), IN_MEMORY_MAX)).rejects.toThrow(
      /no data for 0.3 s/,
    );
    const cut = new PassThrough();
    cut.end(Buffer.alloc(10));
    await expect(wholeBytes(opened(cut, { length: 1000 }), transfer(), IN_MEMORY_MAX)).rejects.toThrow(
      'the server announced 1000 bytes but sent only 10',
    );
    const closed = new PassThrough();
    closed.write(Buffer.alloc(10));
    setTimeout(() => closed.destroy(), 20);
    await expect(wholeBytes(opened(closed, { length: 1000 }), transfer(), IN_MEMORY_MAX)).rejects.toThrow(
      /announced 1000 bytes but sent only 10 \(the connection closed early/,
    );
  });

  it('a cut transfer is resumed from the byte reached, and the whole file comes out once', async () => {
    const file = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
    const first = new PassThrough();
    first.write(file.subarray(0, 1200));
    setTimeout(() => first.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), 20);
    const asked: number[] = [];
    const reopen = async (offset: number): Promise<OpenedTransfer> => {
      asked.push(offset);
      return { stream: Readable.from([file.subarray(offset)]), offset, length: file.length - offset, resumable: true };
    };
    const stats = newStats();
    const got = await wholeBytes({ stream: first, offset: 0, length: file.length, resumable: true }, transfer({ reopen, stats }), IN_MEMORY_MAX);
    expect(asked).toEqual([1200]);
    expect(stats.resumes).toBe(1);
    expect(Buffer.compare(got as Buffer, file)).toBe(0);
    expect(stats.sha256()).toBe(createHash('sha256').update(file).digest('hex'));
  });

  it('a file over the limit is refused by its announced size before a byte is read, or while it streams', async () => {
    const small = { ...limits, maxBytes: 1500, maxBytesReason: 'the maximum file size of 1.5 kB' };
    const announced = chunks(3, 1000);
    await expect(wholeBytes(opened(announced, { length: 3000 }), transfer({ limits: small }), IN_MEMORY_MAX)).rejects.toThrow(
      '3000 bytes is more than the maximum file size of 1.5 kB',
    );
    expect(announced.destroyed).toBe(true);
    await expect(wholeBytes(opened(chunks(3, 1000)), transfer({ limits: small }), IN_MEMORY_MAX)).rejects.toThrow(
      'the file is larger than the maximum file size of 1.5 kB',
    );
  });
});
