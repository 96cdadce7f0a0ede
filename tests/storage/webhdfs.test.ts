import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidPathError, StorageError } from '@vocloud/sdk';
import { WebHdfsStorageBackend, type WebHdfsOptionsInput } from '../../core/src/storage/webhdfs-backend.js';
import { WebHdfsError } from '../../core/src/storage/webhdfs/errors.js';
import type { WebHdfsStandIn } from '../standins/webhdfs/index.js';
import { bytesOf, pattern, slowSource, standInWithHome, STANDIN_ROOT } from './backends.js';

/**
 * What only the WebHDFS backend has: the protocol itself (two-step data through a datanode,
 * LISTSTATUS_BATCH, rename2, auth), RemoteException errors, and a datanode or namenode that
 * misbehaves. All against the stand-in in tests/standins/webhdfs; timeouts are short here.
 */
let standIn: WebHdfsStandIn;
const opened: WebHdfsStorageBackend[] = [];

/** For the operation under a timing fault only, so a busy machine cannot fail the setup steps. */
const QUICK = { dataTimeout: 0.5 };

function backend(extra: Partial<WebHdfsOptionsInput> = {}, on: WebHdfsStandIn = standIn): WebHdfsStorageBackend {
  const b = new WebHdfsStorageBackend({ url: on.url, user: 'vocloud', root: STANDIN_ROOT, requestTimeout: 10, dataTimeout: 10, ...extra });
  opened.push(b);
  return b;
}

/** Run `body` against a stand-in of its own (other options than the shared one), closed after. */
async function withStandIn(
  options: Parameters<typeof standInWithHome>[0],
  body: (s: WebHdfsStandIn) => Promise<void>,
): Promise<void> {
  const s = await standInWithHome(options);
  try {
    await body(s);
  } finally {
    await s.close();
  }
}

async function failure(p: Promise<unknown>): Promise<WebHdfsError | StorageError | Error> {
  const err = await p.then(
    () => null,
    (e: unknown) => e as Error,
  );
  if (!err) throw new Error('expected a failure, got success');
  return err;
}

beforeAll(async () => {
  standIn = await standInWithHome({ tokens: { 'good-token': 'vocloud' } });
});
afterEach(() => standIn.resetFaults());
afterAll(async () => {
  await Promise.all(opened.map((b) => b.close()));
  await standIn?.close();
});

let n = 0;
const folder = () => `w-${++n}`;

describe('the protocol', () => {
  it('sends file data only to the datanode, after the namenode redirected there', async () => {
    const b = backend();
    const d = folder();
    const from = standIn.requests.length;
    await b.write(`${d}/f.bin`, pattern(100_000));
    expect(await bytesOf(await b.read(`${d}/f.bin`, { start: 10, end: 99 }))).toEqual(pattern(100_000).subarray(10, 100));
    const seen = standIn.requests.slice(from);
    expect(seen.filter((r) => r.server === 'namenode').every((r) => r.bodyBytes === 0)).toBe(true);
    const data = seen.filter((r) => r.server === 'datanode');
    expect(data.map((r) => `${r.method} ${r.op}`)).toEqual(['PUT CREATE', 'GET OPEN']);
    expect(data[0]?.bodyBytes).toBe(100_000);
    // Each datanode request follows a namenode request for the same operation and path.
    for (const r of data) {
      const i = seen.indexOf(r);
      expect(seen[i - 1]).toMatchObject({ server: 'namenode', op: r.op, path: r.path });
    }
  });

  it('writes to a temporary name beside the target and renames it into place', async () => {
    const b = backend();
    const d = folder();
    const from = standIn.requests.length;
    await b.write(`${d}/target.txt`, Buffer.from('x'));
    const create = standIn.requests.slice(from).find((r) => r.server === 'datanode' && r.op === 'CREATE');
    expect(create?.path).toMatch(new RegExp(`^${STANDIN_ROOT}/${d}/target\\.txt\\.part-[0-9a-f]{12}$`));
    expect(standIn.requests.slice(from).some((r) => r.op === 'RENAME' && r.path === create?.path)).toBe(true);
  });

  it('reads a page near the start of a big folder with only the LISTSTATUS_BATCH requests it needs', async () => {
    await withStandIn({ batchSize: 50 }, async (s) => {
      const b = backend({}, s);
      await b.mkdir('big');
      for (let i = 0; i < 400; i += 40) await Promise.all(Array.from({ length: 40 }, (_, j) => b.write(`big/${String(i + j).padStart(3, '0')}`, Buffer.from('x'))));
      const from = s.requests.length;
      const page = await b.list('big', { offset: 60, limit: 20 });
      expect(page.entries.map((e) => e.name)).toEqual(Array.from({ length: 20 }, (_, i) => String(60 + i).padStart(3, '0')));
      expect(page.total).toBe(400);
      expect(s.requests.slice(from).filter((r) => r.op === 'LISTSTATUS_BATCH')).toHaveLength(2);
    });
  });

  it('falls back to LISTSTATUS on a server without LISTSTATUS_BATCH, and remembers', async () => {
    await withStandIn({ listStatusBatch: false }, async (s) => {
      const b = backend({}, s);
      await b.write('d/a', Buffer.from('a'));
      await b.write('d/b', Buffer.from('b'));
      expect((await b.list('d')).entries.map((e) => e.name)).toEqual(['a', 'b']);
      expect((await b.list('d', { order: 'desc' })).entries.map((e) => e.name)).toEqual(['b', 'a']);
      expect(s.requests.filter((r) => r.op === 'LISTSTATUS_BATCH')).toHaveLength(1);
      expect(s.requests.filter((r) => r.op === 'LISTSTATUS')).toHaveLength(2);
    });
  });

  it('replaces files on a server that ignores renameoptions (as HttpFS does)', async () => {
    await withStandIn({ renameOptions: false }, async (s) => {
      const b = backend({}, s);
      await b.write('f', Buffer.from('one'));
      await b.write('f', Buffer.from('two'));
      expect((await bytesOf(await b.read('f'))).toString()).toBe('two');
      expect(await failure(b.write('f', Buffer.from('three'), { overwrite: false }))).toMatchObject({ code: 'exists' });
      await b.write('g', Buffer.from('g'));
      await b.move('g', 'f');
      expect((await bytesOf(await b.read('f'))).toString()).toBe('g');
      expect((await b.list('')).entries.map((e) => e.name)).toEqual(['f']);
    });
  });

  it('appends to an existing file; appending to nothing is not-found', async () => {
    const b = backend();
    const d = folder();
    await b.write(`${d}/log`, Buffer.from('line 1\n'));
    const entry = await b.append(`${d}/log`, Buffer.from('line 2\n'));
    expect(entry.size).toBe(14);
    expect((await bytesOf(await b.read(`${d}/log`))).toString()).toBe('line 1\nline 2\n');
    expect(await failure(b.append(`${d}/missing`, Buffer.from('x')))).toMatchObject({ code: 'not-found' });
  });

  it('rewrites datanode hosts of redirects with datanodeHosts', async () => {
    await withStandIn({ advertisedDatanodeHost: 'dn1.cluster.invalid' }, async (s) => {
      const b = backend({ datanodeHosts: { [`dn1.cluster.invalid:${s.datanodePort}`]: `127.0.0.1:${s.datanodePort}` } }, s);
      await b.write('f', Buffer.from('through a mapped datanode'));
      expect((await bytesOf(await b.read('f'))).toString()).toBe('through a mapped datanode');
    });
  });

  it('sends the CSRF header where the cluster requires it', async () => {
    await withStandIn({ csrfHeader: 'X-XSRF-HEADER' }, async (s) => {
      const without = await failure(backend({}, s).write('f', Buffer.from('x')));
      expect(without.message).toMatch(/CSRF/);
      const b = backend({ csrfHeader: 'X-XSRF-HEADER' }, s);
      await b.write('f', Buffer.from('x'));
      await b.delete('f');
    });
  });

  it("refuses names HDFS cannot hold (':') before any request", async () => {
    const b = backend();
    const from = standIn.requests.length;
    expect(await failure(b.write('a:b.fits', Buffer.from('x')))).toBeInstanceOf(InvalidPathError);
    expect(standIn.requests.length).toBe(from);
  });

  it('validates its options with a message naming the option', () => {
    expect(() => new WebHdfsStorageBackend({ url: 'ftp://namenode' })).toThrow(/storage\.webhdfs\.url/);
    expect(() => new WebHdfsStorageBackend({ url: 'http://nn:9870', filePermission: '999' })).toThrow(/filePermission/);
    expect(() => new WebHdfsStorageBackend({ url: 'http://nn:9870', root: 'relative' })).toThrow(/root/);
  });
});

describe('authentication and permissions', () => {
  it('an AccessControlException is a clear permission error', async () => {
    const b = backend({ user: 'mallory', root: `${STANDIN_ROOT}/private` });
    await backend().mkdir('private');
    // 8 MB: the datanode refuses before reading the data; the refusal must win over a broken pipe.
    const err = await failure(b.write('x.txt', slowSource(8 * 1024 * 1024, 256 * 1024, 0)));
    expect(err).toBeInstanceOf(WebHdfsError);
    expect(err).toMatchObject({ code: 'io', detail: { exception: 'AccessControlException', permission: true } });
    expect(err.message).toMatch(/HDFS permission denied .* as user 'mallory': Permission denied: user=mallory, access=WRITE/);
  });

  it("without user.name, requests run as the server's default web user, who may not write here", async () => {
    const b = backend({ user: undefined });
    const err = await failure(b.write(`${folder()}/x`, Buffer.from('x')));
    expect(err.message).toMatch(/permission denied .*default web user.*user=dr\.who/i);
  });

  it('a delegation token authenticates; an unknown one is a clear error', async () => {
    const good = backend({ user: undefined, delegationToken: 'good-token' });
    const d = folder();
    await good.write(`${d}/t`, Buffer.from('by token'));
    expect((await bytesOf(await good.read(`${d}/t`))).toString()).toBe('by token');
    const from = standIn.requests.length;
    const bad = backend({ user: undefined, delegationToken: 'forged' });
    const err = await failure(bad.stat(`${d}/t`));
    expect(err).toMatchObject({ code: 'io', detail: { exception: 'InvalidToken', permission: true } });
    expect(err.message).toMatch(/delegation token.*can't be found/);
    expect(standIn.requests.length).toBeGreaterThan(from);
  });
});

describe('RemoteException errors', () => {
  const remote = (op: string, status: number, exception: string, javaClassName: string, message: string) => {
    standIn.faults.namenodeError = { op, status, exception, javaClassName, message };
  };

  it('FileNotFoundException is not-found and FileAlreadyExistsException is exists', async () => {
    const b = backend();
    const d = folder();
    await b.write(`${d}/f`, Buffer.from('x'));
    remote('GETCONTENTSUMMARY', 404, 'FileNotFoundException', 'java.io.FileNotFoundException', 'File does not exist: /x');
    expect(await b.usage(`${d}/f`)).toBe(0);
    remote('MKDIRS', 403, 'FileAlreadyExistsException', 'org.apache.hadoop.fs.FileAlreadyExistsException', 'Path is not a directory');
    expect(await failure(b.mkdir(`${d}/g`))).toMatchObject({ code: 'exists' });
  });

  it('cluster conditions get a message that says what to do', async () => {
    const b = backend();
    remote('GETFILESTATUS', 403, 'StandbyException', 'org.apache.hadoop.ipc.StandbyException', 'Operation category READ is not supported in state standby');
    expect((await failure(b.stat('anything'))).message).toMatch(/standby; point storage\.webhdfs\.url at the active namenode/);
    remote('GETFILESTATUS', 403, 'SafeModeException', 'org.apache.hadoop.hdfs.server.namenode.SafeModeException', 'Name node is in safe mode.');
    expect((await failure(b.stat('anything'))).message).toMatch(/safe mode/);
  });

  it('a quota error during a write is reported and leaves no temporary file', async () => {
    const b = backend();
    const d = folder();
    await b.mkdir(d);
    remote('RENAME', 403, 'DSQuotaExceededException', 'org.apache.hadoop.hdfs.protocol.DSQuotaExceededException', 'The DiskSpace quota of /user is exceeded');
    const err = await failure(b.write(`${d}/big`, pattern(1000)));
    expect(err.message).toMatch(/space quota of the folder is exceeded/);
    standIn.resetFaults();
    expect(await standIn.ns.exists(`${STANDIN_ROOT}/${d}`)).toBe(true);
    expect((await backend().list(d)).total).toBe(0);
    expect(await backend().usage(d)).toBe(0);
  });

  it('an HTML page instead of WebHDFS JSON (a proxy or login page in front) is reported as such', async () => {
    let status = 200;
    const proxy = createServer((_req, res) => {
      res.writeHead(status, { 'Content-Type': 'text/html' });
      res.end(`<html><body>${status === 502 ? 'Bad Gateway' : 'Please sign in'}</body></html>`);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    try {
      const b = backend({ url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
      // The first request makes the storage root (MKDIRS, answered with {"boolean": true}).
      expect((await failure(b.list(''))).message).toMatch(/sent no valid boolean \(not JSON: <html><body>Please sign in/);
      status = 502;
      expect((await failure(b.stat('x'))).message).toMatch(/HTTP 502 from the namenode .*Bad Gateway/);
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });
});

describe('a misbehaving datanode or namenode', () => {
  /** After a failed write, with the faults off: no file, and no temporary file using space. */
  async function expectNothingLeft(b: WebHdfsStorageBackend, path: string): Promise<void> {
    standIn.resetFaults();
    expect(await b.stat(path)).toBeNull();
    expect(await b.usage(path.slice(0, path.lastIndexOf('/')))).toBe(0);
  }

  async function file(b: WebHdfsStorageBackend, size = 200_000): Promise<string> {
    const p = `${folder()}/f.bin`;
    await b.write(p, pattern(size));
    return p;
  }

  it('a datanode that never answers a read fails after dataTimeout', async () => {
    const b = backend();
    const p = await file(b);
    standIn.faults.datanode = 'hang';
    const t = Date.now();
    const err = await failure(backend(QUICK).read(p));
    expect(err.message).toMatch(/the datanode at http:\/\/127\.0\.0\.1:\d+ did not answer within 0\.5 s/);
    expect(Date.now() - t).toBeLessThan(5000);
  });

  it('a datanode that stalls in the middle of a file fails the stream', async () => {
    const b = backend();
    const p = await file(b);
    Object.assign(standIn.faults, { datanode: 'stall-read', bytes: 1000 });
    const err = await failure(bytesOf(await backend(QUICK).read(p)));
    expect(err.message).toMatch(/stopped sending data for 0\.5 s/);
  });

  it('a datanode that closes the connection before the promised length fails the stream', async () => {
    const b = backend();
    const p = await file(b);
    Object.assign(standIn.faults, { datanode: 'truncate', bytes: 5000 });
    const err = await failure((async () => bytesOf(await b.read(p)))());
    expect(err).toMatchObject({ code: 'io' });
    expect(err.message).toMatch(/WebHDFS OPEN .*f\.bin: the datanode at .* closed the connection unexpectedly \(after 5000 of 200000 bytes\)/);
  });

  it('a datanode that sends less or more than asked is caught, whatever its headers say', async () => {
    const b = backend();
    const p = await file(b);
    Object.assign(standIn.faults, { datanode: 'short-chunked', bytes: 5000 });
    expect((await failure(bytesOf(await b.read(p)))).message).toMatch(/ended the data after 5000 of 200000 bytes/);
    Object.assign(standIn.faults, { datanode: 'long-chunked', bytes: 10 });
    expect((await failure(bytesOf(await b.read(p, { start: 100, end: 199 })))).message).toMatch(/sent more than the 100 bytes the file has/);
  });

  it('a datanode error (500) fails a read and a write, and the write leaves nothing', async () => {
    const b = backend();
    const p = await file(b);
    standIn.faults.datanode = 'error-500';
    expect((await failure(b.read(p))).message).toMatch(/RuntimeException: stand-in datanode: injected failure/);
    const d = folder();
    expect((await failure(b.write(`${d}/new`, pattern(1000)))).message).toMatch(/RuntimeException/);
    await expectNothingLeft(b, `${d}/new`);
  });

  it('a datanode that never confirms an upload fails the write after dataTimeout, leaving nothing', async () => {
    const b = backend();
    const d = folder();
    standIn.faults.datanode = 'hang';
    expect((await failure(backend(QUICK).write(`${d}/f`, pattern(10_000)))).message).toMatch(/did not answer within 0\.5 s/);
    await expectNothingLeft(b, `${d}/f`);
  });

  it('a datanode that stops taking an upload fails the write, leaving nothing', async () => {
    const b = backend();
    const d = folder();
    standIn.faults.datanode = 'stop-reading';
    const t = Date.now();
    const err = await failure(backend(QUICK).write(`${d}/f`, slowSource(64 * 1024 * 1024, 1024 * 1024, 0)));
    expect(err.message).toMatch(/stopped taking data for 0\.5 s|did not answer within 0\.5 s/);
    expect(Date.now() - t).toBeLessThan(10_000);
    standIn.resetFaults();
    expect(await b.usage(d)).toBe(0);
  });

  it('a datanode that stores less than it was sent fails the write and keeps the old file', async () => {
    const b = backend();
    const p = await file(b, 100);
    Object.assign(standIn.faults, { datanode: 'short-write', bytes: 10 });
    expect((await failure(b.write(p, pattern(5000, 3)))).message).toMatch(/stored 10 bytes of the 5000 sent/);
    standIn.resetFaults();
    expect(await bytesOf(await b.read(p))).toEqual(pattern(100));
    expect((await b.list(p.slice(0, p.indexOf('/')))).total).toBe(1);
  });

  it('a namenode that does not answer fails after requestTimeout', async () => {
    const b = backend({ requestTimeout: 0.5 });
    standIn.faults.namenodeHang = 'GETFILESTATUS';
    const t = Date.now();
    expect((await failure(b.stat('x'))).message).toMatch(/namenode at http:\/\/127\.0\.0\.1:\d+ did not (answer|complete the request) within 0\.5 s/);
    expect(Date.now() - t).toBeLessThan(5000);
  });

  it('a namenode that is not there is a clear error', async () => {
    const s = await standInWithHome();
    const url = s.url;
    await s.close();
    const err = await failure(backend({ url }).stat('x'));
    expect(err.message).toMatch(/the namenode at http:\/\/127\.0\.0\.1:\d+ refused the connection/);
  });

  it('check() fails when no datanode takes data, even though the namenode answers', async () => {
    const b = backend();
    await b.check();
    standIn.faults.datanode = 'error-500';
    await expect(b.check()).rejects.toThrow(/datanode/);
  });
});

describe('a file replaced while it is being opened', () => {
  // The backend looks at the file (GETFILESTATUS) before the OPEN; another writer may replace it
  // in between. The reader must get one whole version, never the new file cut to the old length.
  it.each([
    ['a longer', 50_000],
    ['a shorter', 500],
  ])('by %s one: the reader gets the new file whole', async (_what, newSize) => {
    const b = backend();
    const d = folder();
    await b.write(`${d}/f`, pattern(5000));
    standIn.faults.namenodeHook = { op: 'OPEN', run: async () => void (await backend().write(`${d}/f`, pattern(newSize, 9))) };
    expect(await bytesOf(await b.read(`${d}/f`))).toEqual(pattern(newSize, 9));
  });
});

describe('streaming end to end', () => {
  it('read() hands over the first bytes while the datanode still holds the rest', async () => {
    const b = backend();
    const d = folder();
    await b.write(`${d}/f`, pattern(300_000));
    Object.assign(standIn.faults, { datanode: 'hold-read', bytes: 100_000 });
    const stream = await b.read(`${d}/f`);
    const first: Buffer[] = [];
    let got = 0;
    for await (const c of stream) {
      first.push(c as Buffer);
      got += (c as Buffer).length;
      if (got >= 100_000) break;
    }
    expect(got).toBe(100_000);
    standIn.release();
    // The read above stopped early; a new read gets it all once the datanode lets go.
    standIn.resetFaults();
    expect(await bytesOf(await b.read(`${d}/f`))).toEqual(pattern(300_000));
  });

  it('write() sends data before its source has ended (no whole-file buffering)', async () => {
    const b = backend();
    const d = folder();
    const start = standIn.datanodeBytesIn();
    async function* source(): AsyncGenerator<Uint8Array> {
      yield Buffer.alloc(1024 * 1024, 1);
      // Go on only once the datanode has the first megabyte: a buffering client never gets here.
      for (let waited = 0; standIn.datanodeBytesIn() - start < 1024 * 1024; waited += 10) {
        if (waited > 4000) throw new Error('the datanode got nothing before the source ended: the client buffers');
        await sleep(10);
      }
      yield Buffer.alloc(1024 * 1024, 2);
    }
    expect(await b.write(`${d}/f`, source())).toMatchObject({ size: 2 * 1024 * 1024 });
  });
});
