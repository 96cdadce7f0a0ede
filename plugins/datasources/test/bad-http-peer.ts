import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP server on loopback with the misbehaviours an import must survive: 404, 500, flaky
 * 503s, a hanging server, a dribbling one, a server that announces more bytes than it sends
 * (with and without range support), index pages with loops, hostile and non-UTF-8 names.
 */
export interface BadPeer {
  readonly url: string;
  readonly hits: Map<string, number>;
  readonly file: Buffer;
  close(): Promise<void>;
}

const page = (links: string[]) => `<html><body><h1>Index</h1><a href="?C=N;O=D">Name</a>\n${links.map((l) => `<a href="${l}">${l}</a>`).join('\n')}</body></html>`;

export async function startBadPeer(file: Buffer): Promise<BadPeer> {
  const hits = new Map<string, number>();
  const etag = `"${createHash('sha1').update(file).digest('hex')}"`;
  const sockets = new Set<import('node:net').Socket>();

  function sendFile(req: IncomingMessage, res: ServerResponse, body: Buffer, opts: { ranges: boolean; lieTo?: number }) {
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range && opts.ranges) {
      const start = Number(range[1]);
      res.writeHead(206, { 'content-type': 'application/fits', 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}`, etag, 'accept-ranges': 'bytes' });
      res.end(body.subarray(start));
      return;
    }
    const headers: Record<string, string | number> = { 'content-type': 'application/fits', 'content-length': body.length, etag };
    if (opts.ranges) headers['accept-ranges'] = 'bytes';
    res.writeHead(200, headers);
    if (opts.lieTo !== undefined) {
      res.write(body.subarray(0, opts.lieTo));
      // cut the connection: the client got fewer bytes than Content-Length said
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    res.end(body);
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const n = hits.get(path)!;
    if (path === '/files/a.fits' || path === '/tree/a.fits' || path === '/tree/sub/c.fits' || path === '/tree/sub/deeper/d.fits' || path === '/tree/b.fits') return sendFile(req, res, file, { ranges: true });
    if (path === '/tree/' || path === '/tree/loop/' || path === '/tree/loop/loop/') {
      return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
        page(['../', 'a.fits', 'b.fits', 'sub/', 'loop/', 'http://127.0.0.2:1/elsewhere.fits', '..%2F..%2Fetc%2Fpasswd', 'a%2F..%2F..%2Fb', 'caf%E9.fits', 'x%01y.fits', 'x_y.fits', 'a/../../../escape.fits', 'skip.txt']),
      );
    }
    if (path === '/tree/sub/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(page(['../', 'c.fits', 'deeper/']));
    if (path === '/tree/sub/deeper/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(page(['d.fits']));
    if (path.startsWith('/tree/')) {
      return sendFile(req, res, Buffer.from(`content of ${path}`), { ranges: false });
    }
    if (path === '/404.fits') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('no such spectrum');
    if (path === '/500.fits') return void res.writeHead(500, { 'content-type': 'text/html' }).end('<html><body><h1>Internal error</h1> database down</body></html>');
    if (path === '/flaky.fits') {
      if (n <= 2) return void res.writeHead(503, { 'retry-after': '0' }).end('busy');
      return sendFile(req, res, file, { ranges: true });
    }
    if (path === '/hang.fits') return; // never answers
    if (path === '/slow-index/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<html><body>');
      const t = setInterval(() => res.write('<a href="x.fits">x</a>\n'), 100);
      res.on('close', () => clearInterval(t));
      return;
    }
    if (path === '/dribble.fits') {
      res.writeHead(200, { 'content-type': 'application/fits', 'content-length': 1000 });
      const t = setInterval(() => res.write('x'), 100);
      res.on('close', () => clearInterval(t));
      return;
    }
    if (path === '/stall.fits') {
      res.writeHead(200, { 'content-type': 'application/fits', 'content-length': 1000 });
      res.write('x'.repeat(10)); // then nothing: idle timeout
      return;
    }
    if (path === '/lying-range.fits') return sendFile(req, res, file, { ranges: true, ...(req.headers.range ? {} : { lieTo: 10_000 }) });
    if (path === '/lying.fits') return sendFile(req, res, file, { ranges: false, lieTo: 10_000 });
    if (path === '/moved') return void res.writeHead(302, { location: '/files/a.fits' }).end();
    if (path === '/named') {
      res.writeHead(200, { 'content-type': 'application/fits', 'content-disposition': 'attachment; filename="../../evil.fits"' });
      return void res.end(file);
    }
    res.writeHead(404).end();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    file,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
