// What a quiet spell costs the next import job: one vocloud server (PostgreSQL or PGlite), the
// benchmark's tree on the loopback HTTP server, --jobs `http` jobs one after another, a pause
// longer than executor.idleThreadTimeout, then two more jobs; per job the wall time and this
// process's user CPU. With --warm 0 the idle job thread ends during the pause and the job
// after it starts a new one (loading the plugin, V8 compiling its code again); with the
// default executor.warmThreads (1) a thread stays:
//   node bench/import/after-pause.mjs [--warm 1] [--pause 70] [--jobs 6] [--kind postgres|pglite] [--pg URL]
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startHttp } from './peers.mjs';
import { startVocloud, serverJob } from './server.mjs';
import { makeTree } from './tree.mjs';

const { values: o } = parseArgs({
  options: {
    warm: { type: 'string', default: '1' },
    pause: { type: 'string', default: '70' },
    jobs: { type: 'string', default: '6' },
    kind: { type: 'string', default: 'postgres' },
    pg: { type: 'string', default: process.env.VOCLOUD_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const tree = makeTree(2000, 40_000, 20);
const peer = await startHttp(tree.root);
const server = await startVocloud(o.kind, {
  pgUrl: o.pg,
  pluginOptions: { allowPrivateNetworks: true },
  executor: { warmThreads: Number(o.warm), idleThreadTimeout: 60 },
});
const job = async (label) => {
  const c0 = process.cpuUsage();
  const r = await serverJob(server, 'http', `${peer.url}/data/`, 8);
  const c = process.cpuUsage(c0);
  console.log(`${label}: wall ${r.seconds.toFixed(2)} s, user CPU ${(c.user / 1000).toFixed(0)} ms`);
};
try {
  for (let i = 0; i < Number(o.jobs); i++) await job(`job ${i + 1}`);
  await new Promise((r) => setTimeout(r, Number(o.pause) * 1000));
  await job(`after a ${o.pause} s pause (warmThreads ${o.warm})`);
  await job('the next');
} finally {
  await server.stop();
  await peer.stop();
  rmSync(tree.root, { recursive: true, force: true });
}
