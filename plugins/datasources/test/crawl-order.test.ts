import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathFilter } from '../src/common/glob.js';
import { crawl } from '../src/net/crawl.js';
import { HttpClient } from '../src/net/http.js';
import { NetworkGuard } from '../src/net/guard.js';

/*
 * The crawl reads a folder's index page only when its turn comes (breadth first, with the next
 * few fetched ahead), so the first folder's files are yielded — and downloading — before the
 * later folders are read. A real HTTP server on loopback records the requests.
 */
const FOLDERS = ['a', 'b', 'c', 'd', 'e'];
const index = (links: string[]) => `<html><body><pre>\n<a href="../">../</a>\n${links.map((l) => `<a href="${l}">${l}</a>`).join('\n')}</pre></body></html>`;

let server: Server;
let base: string;
const requests: string[] = [];
const SLOW = ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'];
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    const html = (body: string) => res.writeHead(200, { 'content-type': 'text/html' }).end(body);
    if (path === '/data/') return html(index(FOLDERS.map((f) => `${f}/`)));
    const folder = /^\/data\/([a-e])\/$/.exec(path);
    if (folder) return html(index([`${folder[1]}1.fits`, `${folder[1]}2.fits`, ...(folder[1] === 'a' ? ['deeper/'] : [])]));
    if (path === '/data/a/deeper/') return html(index(['x.fits']));
    // /slow/: eight folders whose pages take 40 ms each, to see how many are fetched at once
    if (path === '/slow/') return html(index(SLOW.map((f) => `${f}/`)));
    const slow = /^\/slow\/(s\d)\/$/.exec(path);
    if (slow) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        html(index([`${slow[1]}.fits`]));
      }, 40);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/fits' }).end('SIMPLE  =                    T');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A crawl from `start` with a client of its own; what it records and notes goes to `notes`. */
function crawlFrom(start: string, notes: string[]) {
  const client = new HttpClient(new NetworkGuard(true), { connect: 5000, response: 5000, idle: 5000, body: 5000 }, 'vocloud-test');
  const items = crawl(start, {
    client,
    retry: { retries: 0, delay: 0.01 },
    signal: new AbortController().signal,
    depth: 5,
    filter: pathFilter([], []),
    maxPages: 100,
    record: (url, state, error) => notes.push(`${state} ${url} ${error}`),
    note: (t) => notes.push(t),
    query: start,
  });
  return { client, items };
}

describe('crawl order', () => {
  it("yields a folder's files before reading the next folder, and still finds every file breadth first", async () => {
    const notes: string[] = [];
    const { client, items } = crawlFrom(`${base}/data/`, notes);
    try {
      const first = await items.next();
      expect(first.value?.url).toBe(`${base}/data/a/a1.fits`);
      // the start page and the first folder have been read, and at most the next three
      // folders are being fetched ahead; the fifth waits for its turn
      expect(requests.slice(0, 2)).toEqual(['/data/', '/data/a/']);
      expect(requests.every((r) => ['/data/', '/data/a/', '/data/b/', '/data/c/', '/data/d/'].includes(r))).toBe(true);
      const rest: string[] = [first.value!.url];
      for await (const item of items) rest.push(item.url);
      expect(rest.map((u) => u.slice(base.length))).toEqual([
        '/data/a/a1.fits', '/data/a/a2.fits',
        '/data/b/b1.fits', '/data/b/b2.fits',
        '/data/c/c1.fits', '/data/c/c2.fits',
        '/data/d/d1.fits', '/data/d/d2.fits',
        '/data/e/e1.fits', '/data/e/e2.fits',
        '/data/a/deeper/x.fits',
      ]);
      expect(requests.slice(0, 2)).toEqual(['/data/', '/data/a/']);
      expect([...requests].sort()).toEqual(['/data/', '/data/a/', '/data/a/deeper/', '/data/b/', '/data/c/', '/data/d/', '/data/e/']);
      expect(notes).toEqual([]);
    } finally {
      client.close();
    }
  });

  it('fetches a few folder pages ahead, never more than four at once', async () => {
    const notes: string[] = [];
    const { client, items } = crawlFrom(`${base}/slow/`, notes);
    try {
      const got: string[] = [];
      for await (const item of items) got.push(item.url.slice(base.length));
      expect(got).toEqual(SLOW.map((f) => `/slow/${f}/${f}.fits`));
      expect(maxInFlight).toBeGreaterThan(1);
      expect(maxInFlight).toBeLessThanOrEqual(4);
      expect(notes).toEqual([]);
    } finally {
      client.close();
    }
  });
});
