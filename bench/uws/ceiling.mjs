// Child process: the ceiling for GET job — a bare fastify route that reads one job row from
// the same database vocloud uses, with the plain driver (a pg pool of the same size, or PGlite
// loaded from a dump of vocloud's data directory) and sends it as JSON. No UWS, no XML, no container: what any
// fastify service on this database and machine can do at best.
import { readFile } from 'node:fs/promises';
import Fastify from 'fastify';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';

const spec = JSON.parse(process.argv[2] ?? '{}');
const SQL = 'SELECT * FROM jobs WHERE id = $1';

let query;
let close;
if (spec.databaseUrl) {
  const pool = new pg.Pool({ connectionString: spec.databaseUrl, max: spec.poolMax, application_name: 'vocloud-bench-ceiling' });
  query = async (id) => (await pool.query(SQL, [id])).rows[0];
  close = () => pool.end();
} else {
  // A clone of vocloud's embedded database, on disk like vocloud's.
  const db = await PGlite.create(spec.pgliteDir, { loadDataDir: new Blob([await readFile(spec.pgliteDump)]) });
  query = async (id) => (await db.query(SQL, [id])).rows[0];
  close = () => db.close();
}

const app = Fastify({ logger: false });
app.get('/row/:id', async (request, reply) => {
  const row = await query(request.params.id);
  if (!row) return reply.code(404).send({ error: 'no such row' });
  return row;
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });

let stopping = null;
function stop() {
  stopping ??= app
    .close()
    .then(close)
    .then(
      () => process.exit(0),
      (err) => {
        console.error('ceiling did not stop cleanly:', err);
        process.exit(1);
      },
    );
}
process.on('message', (m) => m === 'stop' && stop());
process.on('SIGTERM', stop);
process.on('disconnect', stop);
process.send({ ready: url, pid: process.pid });
