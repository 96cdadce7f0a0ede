import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, basic } from '../support/auth.js';
import { needDisk } from '../support/peers.js';
import { startServer, type TestServer } from '../support/server.js';

/**
 * Issue 5: "a 2 GB upload with bounded server memory". The body is made as it is sent (one
 * 1 MiB chunk reused), so the process's memory can only grow by what the server holds; the
 * server runs in this process, and its resident size is sampled throughout. Both upload
 * routes: the raw PUT and multipart.
 */
const GiB = 2 ** 30;
const SIZE = 2 * GiB;
const CHUNK = 2 ** 20;
/** Growth allowed over the resident size before the upload: a tenth of the upload. */
const BOUND = 200 * 2 ** 20;

/** Byte i of every chunk: a pattern that shows a chunk that went missing or came twice. */
const pattern = Buffer.alloc(CHUNK);
for (let i = 0; i < CHUNK; i++) pattern[i] = (i * 7 + (i >> 8)) & 0xff;

function body(prefix: Uint8Array = new Uint8Array(0), suffix: Uint8Array = new Uint8Array(0)): ReadableStream<Uint8Array> {
  let sent = -1;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === -1) controller.enqueue(prefix);
      else if (sent < SIZE) controller.enqueue(pattern);
      else {
        controller.enqueue(suffix);
        controller.close();
        return;
      }
      sent += sent === -1 ? 1 : CHUNK;
    },
  });
}

/** Peak resident size while `work` runs, sampled every 25 ms. */
async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; before: number; peak: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 25);
  try {
    const result = await work();
    return { result, before, peak: Math.max(peak, process.memoryUsage.rss()) };
  } finally {
    clearInterval(timer);
  }
}

describe.skipIf(!needDisk(2.5 * SIZE, 'a 2 GB upload with bounded server memory'))('a 2 GB upload with bounded server memory', () => {
  let s: TestServer;
  let user: Record<string, string>;

  beforeAll(async () => {
    s = await startServer({ overrides: { auth: { anonymous: false }, uws: { maxUploadSize: 3 * GiB } } });
    const u = await addUser(s, 'uploader', 'user', { storageQuota: 3 * GiB });
    user = basic(u.username, u.password);
  });
  afterAll(async () => s?.stop());

  async function expectStored(path: string): Promise<void> {
    const st = await fetch(`${s.url}/api/files/stat?path=${encodeURIComponent(path)}`, { headers: user });
    expect(((await st.json()) as { size: number }).size).toBe(SIZE);
    // A range across the last chunk boundary before 1.5 GiB: the pattern, in place.
    const at = 1.5 * GiB - 100;
    const part = await fetch(`${s.url}/api/files/download?path=${encodeURIComponent(path)}`, { headers: { ...user, range: `bytes=${at}-${at + 199}` } });
    expect(part.status).toBe(206);
    const got = Buffer.from(await part.arrayBuffer());
    expect(got.equals(Buffer.concat([pattern.subarray(CHUNK - 100), pattern.subarray(0, 100)]))).toBe(true);
    // Room for the next upload in the quota and on the disk.
    await fetch(`${s.url}/api/files/delete`, { method: 'POST', headers: { ...user, 'content-type': 'application/json' }, body: JSON.stringify({ paths: [path] }) });
  }

  it('PUT of the raw body', { timeout: 180_000 }, async () => {
    const { result, before, peak } = await peakRss(() =>
      fetch(`${s.url}/api/files/content?path=${encodeURIComponent('~/big/raw.bin')}`, {
        method: 'PUT',
        headers: { ...user, 'content-type': 'application/octet-stream', 'content-length': String(SIZE) },
        body: body(),
        duplex: 'half',
      } as RequestInit),
    );
    expect(result.status).toBe(201);
    expect(peak - before, `resident size grew from ${before} to ${peak}`).toBeLessThan(BOUND);
    await expectStored('~/big/raw.bin');
  });

  it('multipart, as the file manager sends it', { timeout: 180_000 }, async () => {
    const boundary = 'vocloud-large-upload-boundary';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="multi.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const { result, before, peak } = await peakRss(() =>
      fetch(`${s.url}/api/files/upload?dir=${encodeURIComponent('~/big')}`, {
        method: 'POST',
        headers: { ...user, 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: body(head, tail),
        duplex: 'half',
      } as RequestInit),
    );
    expect(result.status, await result.clone().text()).toBe(201);
    expect(((await result.json()) as { files: { path: string; size: number }[] }).files).toEqual([{ path: '~/big/multi.bin', size: SIZE, renamed: false }]);
    expect(peak - before, `resident size grew from ${before} to ${peak}`).toBeLessThan(BOUND);
    await expectStored('~/big/multi.bin');
  });
});
