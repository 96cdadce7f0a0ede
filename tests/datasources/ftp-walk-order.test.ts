import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathFilter } from '../../plugins/datasources/src/common/glob.js';
import { FtpPool } from '../../plugins/datasources/src/net/ftp.js';
import { walkFtp } from '../../plugins/datasources/src/net/ftp-walk.js';
import { NetworkGuard } from '../../plugins/datasources/src/net/guard.js';
import { needPeer, peers } from '../support/peers.js';
import { startFtpPeer, type FtpPeer } from './support/ftp-peer.js';

/*
 * The FTP walk lists a folder only when its turn comes (breadth first), so the first folder's
 * files are yielded — and downloading — before the later folders are listed. A real FTP server
 * (pyftpdlib) and the real connection pool; the pool's list calls are recorded on the way.
 */
const FOLDERS = ['a', 'b', 'c', 'd', 'e'];

describe.skipIf(!needPeer(peers.pyftpdlib(), 'the FTP walk order against a real FTP server'))('FTP walk order', () => {
  let ftp: FtpPeer;

  beforeAll(async () => {
    const top = mkdtempSync(join(tmpdir(), 'ds-ftp-order-'));
    const root = join(top, 'root');
    for (const f of FOLDERS) {
      mkdirSync(join(root, 'data', f), { recursive: true });
      writeFileSync(join(root, 'data', f, `${f}1.fits`), 'SIMPLE  =                    T');
      writeFileSync(join(root, 'data', f, `${f}2.fits`), 'SIMPLE  =                    T');
    }
    mkdirSync(join(root, 'data', 'a', 'deeper'));
    writeFileSync(join(root, 'data', 'a', 'deeper', 'x.fits'), 'SIMPLE  =                    T');
    chmodSync(root, 0o755);
    ftp = await startFtpPeer(root, 'astro', 'ftp-pass-123', top);
  });
  afterAll(async () => ftp?.stop());

  it("yields a folder's files before listing the next folder, and still finds every file breadth first", async () => {
    const pool = new FtpPool({ host: '127.0.0.1', port: ftp.port, secure: false, user: 'anonymous', password: 'anonymous@' }, new NetworkGuard(true), 5000, 2);
    const listed: string[] = [];
    const list = pool.list.bind(pool);
    pool.list = (dir: string) => {
      listed.push(dir);
      return list(dir);
    };
    const notes: string[] = [];
    const origin = `ftp://127.0.0.1:${ftp.port}`;
    const items = walkFtp('/data/', {
      pool,
      origin,
      retry: { retries: 0, delay: 0.01 },
      signal: new AbortController().signal,
      recursive: true,
      depth: 5,
      filter: pathFilter([], []),
      record: (url, state, error) => notes.push(`${state} ${url} ${error}`),
      note: (t) => notes.push(t),
      query: `${origin}/data/`,
    });
    try {
      // the server lists in its own order: the first folder is whichever it names first
      const first = await items.next();
      const folder = /^\/data\/([a-e])\/\1[12]\.fits$/.exec(first.value!.url.slice(origin.length))?.[1];
      expect(folder).toBeDefined();
      expect(listed).toEqual(['/data', `/data/${folder}`]);
      const all: string[] = [first.value!.url];
      for await (const item of items) all.push(item.url);
      const paths = all.map((u) => u.slice(origin.length));
      // each folder's two files together, the level below after the whole level
      expect(paths).toHaveLength(11);
      expect(paths.at(-1)).toBe('/data/a/deeper/x.fits');
      for (let i = 0; i < 10; i += 2) expect(paths[i]!.slice(0, 8)).toBe(paths[i + 1]!.slice(0, 8));
      expect(new Set(paths)).toEqual(new Set([...FOLDERS.flatMap((f) => [`/data/${f}/${f}1.fits`, `/data/${f}/${f}2.fits`]), '/data/a/deeper/x.fits']));
      expect(listed).toHaveLength(7);
      expect(listed.at(-1)).toBe('/data/a/deeper');
      expect(notes).toEqual([]);
    } finally {
      pool.close();
    }
  });
});
