// Child process for bench:storage: the ceiling of any Node HTTP file service on this machine.
// node:http with nothing else: PUT /name streams the body to that file in place (1 MiB writes,
// like vocloud's local backend; an existing file is truncated and rewritten), GET /name streams
// it back. No routing, auth, path checks, quota or atomic rename.
import http from 'node:http';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const dir = process.argv[2];
const CHUNK = 1024 * 1024;
const server = http.createServer(async (req, res) => {
  const file = join(dir, `bare-${req.url.replace(/[^a-z0-9-]/gi, '')}.bin`);
  try {
    if (req.method === 'PUT') {
      await pipeline(req, createWriteStream(file, { highWaterMark: CHUNK }));
      res.writeHead(201).end();
    } else {
      res.writeHead(200, { 'content-length': statSync(file).size, 'content-type': 'application/octet-stream' });
      await pipeline(createReadStream(file, { highWaterMark: CHUNK }), res);
    }
  } catch (err) {
    if (!res.headersSent) res.writeHead(500).end(String(err));
    else res.destroy();
  }
});
server.listen(0, '127.0.0.1', () => process.send?.({ url: `http://127.0.0.1:${server.address().port}` }));
process.on('message', (m) => {
  if (m === 'stop') server.close(() => process.exit(0));
});
