// CPU of server import jobs: one vocloud server (PGlite or PostgreSQL), the benchmark's tree on
// the loopback HTTP server, and --jobs `http` jobs one after another; per job the wall time,
// this process's user and system CPU (the server's threads: main, executor, libuv's pool, GC),
// its two busiest threads' CPU (from /proc/self/task: the executor thread that runs the job
// and its writer thread of small files, in either order) and the source server's CPU (from
// /proc). Medians leave out the first two jobs (plugin
// loading, JIT warm-up). CPU varies less than wall time on a shared machine, so two builds are
// compared by running this from each checkout in turn, a few times:
//   node bench/import/job-cpu.mjs [--kind pglite|postgres] [--jobs 7] [--files 2000] [--pg URL] [--keep]
// Nothing is deleted before the end (see run.mjs: ext4 without a journal and freed inodes);
// with --keep not even then (the folders are named at the end), so runs taken in turns do not
// pay for each other's deletions: delete them all after the series.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startHttp } from './peers.mjs';
import { startVocloud, serverJob } from './server.mjs';
import { makeTree } from './tree.mjs';

const { values: o } = parseArgs({
  options: {
    kind: { type: 'string', default: 'postgres' },
    jobs: { type: 'string', default: '7' },
    files: { type: 'string', default: '2000' },
    keep: { type: 'boolean', default: false },
    pg: { type: 'string', default: process.env.VOCLOUD_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const TICK = 100; // USER_HZ
const cpuOf = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / TICK) * 1000;
};
/** CPU of each thread of this process, by thread id. */
const threadCpu = () => {
  const byThread = new Map();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      byThread.set(tid, cpuOf(`self/task/${tid}`));
    } catch {
      // the thread ended while we looked
    }
  }
  return byThread;
};
const tree = makeTree(Number(o.files), 40_000, 20);
const peer = await startHttp(tree.root);
const server = await startVocloud(o.kind, { pgUrl: o.pg, pluginOptions: { allowPrivateNetworks: true } });
const rows = [];
try {
  for (let i = 0; i < Number(o.jobs); i++) {
    const source0 = cpuOf(peer.pid);
    const threads0 = threadCpu();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await serverJob(server, 'http', `${peer.url}/data/`, 8);
    const cpu = process.cpuUsage(cpu0);
    const [wall, user, system, source] = [performance.now() - t0, cpu.user / 1000, cpu.system / 1000, cpuOf(peer.pid) - source0];
    const [busiest = 0, second = 0] = [...threadCpu()].map(([tid, ms]) => ms - (threads0.get(tid) ?? 0)).sort((a, b) => b - a);
    rows.push([wall, user, system, source, busiest, second]);
    console.log(`job ${i + 1}: wall ${wall.toFixed(0)} ms, user ${user.toFixed(0)} ms, system ${system.toFixed(0)} ms, busiest thread ${busiest.toFixed(0)} ms, next ${second.toFixed(0)} ms, source server ${source.toFixed(0)} ms`);
  }
} finally {
  await server.stop({ keep: o.keep });
  await peer.stop();
  if (o.keep) console.log(`kept: ${tree.root} ${server.dataDir}`);
  else rmSync(tree.root, { recursive: true, force: true });
}
const steady = rows.length > 3 ? rows.slice(2) : rows;
const median = (k) => steady.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(steady.length / 2)];
console.log(`median of jobs ${rows.length - steady.length + 1}–${rows.length} (${o.kind}): wall ${median(0).toFixed(0)} ms, user ${median(1).toFixed(0)} ms, system ${median(2).toFixed(0)} ms, busiest thread ${median(4).toFixed(0)} ms, next ${median(5).toFixed(0)} ms, source server ${median(3).toFixed(0)} ms`);
