// A static file server with autoindex-style pages for the import benchmark, run in a child
// process of its own so that serving does not share an event loop with the importer. Serves
// `root` on 127.0.0.1 (port from argv, 0 = any) with Content-Length, ETag and byte ranges;
// prints "READY <port>".
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, normalize } from 'node:path';

const [root, portArg = '0'] = process.argv.slice(2);
const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
  if (path.includes('..')) return void res.writeHead(400).end();
  const full = join(root, path);
  try {
    const st = await stat(full);
    if (st.isDirectory()) {
      if (!path.endsWith('/')) return void res.writeHead(301, { location: `${path}/` }).end();
      const names = (await readdir(full, { withFileTypes: true })).map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
      const html = `<html><head><title>Index of ${path}</title></head><body><h1>Index of ${path}</h1><pre><a href="../">../</a>\n${names.map((n) => `<a href="${encodeURI(n)}">${n}</a>`).join('\n')}</pre></body></html>`;
      return void res.writeHead(200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(html) }).end(html);
    }
    const etag = `"${st.size}-${st.mtimeMs}"`;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    res.writeHead(range ? 206 : 200, {
      'content-type': path.endsWith('.fits') ? 'application/fits' : 'application/octet-stream',
      'content-length': st.size - start,
      etag,
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${st.size - 1}/${st.size}` } : {}),
    });
    createReadStream(full, { start }).pipe(res);
  } catch {
    res.writeHead(404).end();
  }
});
server.keepAliveTimeout = 30_000;
server.listen(Number(portArg), '127.0.0.1', () => console.log(`READY ${server.address().port}`));
// the benchmark holds our stdin open: when it ends, however it ended, so do we
process.stdin.on('end', () => process.exit(0)).resume();
