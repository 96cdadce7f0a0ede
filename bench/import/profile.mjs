// Where a server import job spends its time: one vocloud server (PGlite or PostgreSQL), the
// benchmark's tree on the loopback HTTP (or FTP) server, and a few `http` (`ftp`) jobs, under
// the CPU profiler. With --cpu-prof each thread of the process (the server's main thread and
// the executor thread that runs the jobs) writes its own profile of its whole life; --out
// also writes main-jobs.cpuprofile, the main thread while the jobs run only (no start-up):
//   node --cpu-prof --cpu-prof-dir /tmp/prof bench/import/profile.mjs --out /tmp/prof [--kind pglite|postgres] [--type http|ftp] [--jobs 3] [--files 2000]
//   node bench/import/profile-callers.mjs /tmp/prof/<file>.cpuprofile --jobs 3
//   node bench/uws/profile-summary.mjs /tmp/prof/<file>.cpuprofile
// The profiles of the static HTTP server and pyftpdlib (child processes) are not taken.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFtp, startHttp } from './peers.mjs';
import { startVocloud, serverJob } from './server.mjs';
import { inventory, makeTree, sidecarProblems } from './tree.mjs';

const { values: o } = parseArgs({
  options: {
    kind: { type: 'string', default: 'pglite' },
    type: { type: 'string', default: 'http' },
    jobs: { type: 'string', default: '3' },
    files: { type: 'string', default: '2000' },
    size: { type: 'string', default: '40000' },
    folders: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '8' },
    pg: { type: 'string', default: process.env.VOCLOUD_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    out: { type: 'string' },
  },
});
const tree = makeTree(Number(o.files), Number(o.size), Number(o.folders));
const source = inventory(tree.data);
const peer = o.type === 'ftp' ? await startFtp(tree.root) : await startHttp(tree.root);
const server = await startVocloud(o.kind, { pgUrl: o.pg, pluginOptions: { allowPrivateNetworks: true } });
const session = o.out ? new Session() : null;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
try {
  for (let i = 0; i < Number(o.jobs); i++) {
    const r = await serverJob(server, o.type, `${peer.url}/data/`, Number(o.concurrency));
    const got = inventory(r.dir);
    const problems = sidecarProblems(r.dir);
    const ok = got.digest === source.digest && problems.length === 0;
    console.log(`${o.type} job ${i + 1} on ${o.kind}: ${r.seconds.toFixed(2)} s, ${(source.count / r.seconds).toFixed(0)} files/s${ok ? '' : ' — MISMATCH'}`);
  }
} finally {
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(o.out, { recursive: true }); // --cpu-prof-dir is made only at exit
    writeFileSync(join(o.out, 'main-jobs.cpuprofile'), JSON.stringify(profile));
    session.disconnect();
  }
  await server.stop();
  await peer.stop();
  rmSync(tree.root, { recursive: true, force: true });
}
