// UWS benchmark (issue 3): on PGlite and on PostgreSQL, (1) end-to-end throughput of no-op jobs
// created with PHASE=RUN until COMPLETED, (2) GET job requests per second under 50 connections,
// beside the same load on a bare fastify route reading one row of the same database (the
// ceiling), (3) the delay from a phase change to the return of a waiting GET job?WAIT=-1.
// Servers run in child processes of their own; this process is the load generator. Options:
// see options.mjs or `node bench/uws/run.mjs --help`. Results and diagnosis: docs/benchmarks/uws.md.
import { writeFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startChild } from './children.mjs';
import { createRunDatabase, withAdminClient } from './databases.mjs';
import { withCpu } from './cpu.mjs';
import { describeMachine } from './machine.mjs';
import { parseOptions } from './options.mjs';
import { databaseTable } from './report.mjs';
import { getLoad, jobsOutcome, runJobs, waitWakeup } from './workloads.mjs';

const opts = parseOptions(process.argv.slice(2));
const { kinds, pgUrl } = opts;
const profileDir = opts.profile ? resolve(opts.profile) : null;
const coreDir = opts.core ? resolve(opts.core) : undefined;
if (profileDir) await mkdir(profileDir, { recursive: true });

const machine = await describeMachine({ coreDir, ...(kinds.includes('postgres') ? { pgUrl } : {}) });
const command = `node bench/uws/run.mjs ${process.argv.slice(2).join(' ')}`.trim();
console.log(
  `UWS benchmark — vocloud ${machine.vocloud}; ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB; Node ${machine.node}; ` +
    `PGlite ${machine.pglite}${machine.postgres ? `; PostgreSQL ${machine.postgres}` : ''}; load average at start ${machine.loadAverage.join(' ')}`,
);
console.log(`command: ${command}${coreDir ? `   (core from ${coreDir})` : ''}`);
console.log(
  `settings: ${opts.jobs} jobs by ${opts.concurrency} clients; GET ${opts.connections} connections, ${opts.rounds} × ${opts.duration} s (+${opts.warmup} s warm-up); ` +
    `${opts.samples} wake-up samples; executor.maxConcurrentJobs ${opts.executor}; database pool ${opts.poolMax}`,
);

/** A URL without its password, for the JSON record. */
function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

const log = (msg) => process.stderr.write(`  ${msg}\n`);

/** PostgreSQL backend pids serving `applications` in the run's database (for CPU accounting). */
function backendsOf(db, applications) {
  if (!db.databaseUrl) return undefined;
  return () =>
    withAdminClient(pgUrl, async (c) =>
      (await c.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = ANY($2)', [db.name, applications])).rows.map((r) => r.pid),
    );
}

// Ctrl-C: the children die with the terminal's signal; drop the run's database before leaving.
let currentDb = null;
process.once('SIGINT', () => {
  log('interrupted; removing the run database');
  Promise.resolve(currentDb?.drop()).finally(() => process.exit(130));
});

async function benchDatabase(kind) {
  const db = await createRunDatabase(kind, pgUrl);
  currentDb = db;
  const spec = { dataDir: db.dataDir, databaseUrl: db.databaseUrl, poolMax: opts.poolMax, maxConcurrentJobs: opts.executor, core: coreDir };
  let server = null;
  let ceilingServer = null;
  try {
    log(`${kind}: starting vocloud`);
    server = await startChild('server.mjs', spec);
    const vocloudWho = { server: server.pid, backends: backendsOf(db, ['vocloud', 'vocloud-listen']) };
    // With --profile, each workload's CPU profile of the vocloud server goes to its own file.
    const profiled = async (name, fn) => {
      if (!profileDir) return fn();
      await server.ask({ profile: { start: true } }, 'profiled');
      try {
        return await fn();
      } finally {
        await server.ask({ profile: { stop: join(profileDir, `vocloud-${kind}-${name}.cpuprofile`) } }, 'profiled');
      }
    };

    log(`${kind}: warm-up jobs`);
    await runJobs(server.url, { jobs: Math.min(200, opts.jobs), concurrency: opts.concurrency });
    log(`${kind}: ${opts.jobs} no-op jobs by ${opts.concurrency} clients`);
    const jobRun = await profiled('jobs', () => withCpu(vocloudWho, () => runJobs(server.url, { jobs: opts.jobs, concurrency: opts.concurrency })));
    const { ids: allIds, ...throughput } = await jobsOutcome(jobRun.result);
    const ids = allIds.slice(0, 1000);

    // The ceiling reads the same rows: on PostgreSQL the same database, on PGlite a clone of it.
    log(`${kind}: starting the ceiling (bare fastify)`);
    const ceilingSpec = { databaseUrl: db.databaseUrl, poolMax: opts.poolMax };
    if (kind === 'pglite') {
      const dumpFile = join(db.dataDir, 'ceiling.tar');
      await server.ask({ dump: dumpFile }, 'dumped');
      Object.assign(ceilingSpec, { pgliteDump: dumpFile, pgliteDir: join(db.dataDir, 'ceiling-db') });
    }
    ceilingServer = await startChild('ceiling.mjs', ceilingSpec);
    const ceilingWho = { server: ceilingServer.pid, backends: backendsOf(db, ['vocloud-bench-ceiling']) };

    // Rounds alternate between the two servers, so both see the same background load.
    const ours = { url: server.url, paths: ids.map((id) => `/uws/noop/${id}`), who: vocloudWho, rounds: [] };
    const ceiling = { url: ceilingServer.url, paths: ids.map((id) => `/row/${id}`), who: ceilingWho, rounds: [] };
    const load = { connections: opts.connections, duration: opts.duration };
    for (const target of [ours, ceiling]) await getLoad(target.url, target.paths, { ...load, duration: opts.warmup });
    for (let round = 1; round <= opts.rounds; round++) {
      for (const [name, target] of [['vocloud', ours], ['ceiling', ceiling]]) {
        log(`${kind}: GET round ${round}/${opts.rounds}, ${name}, ${opts.connections} connections`);
        const measure = () => withCpu(target.who, () => getLoad(target.url, target.paths, load));
        const r = target === ours && round === 1 ? await profiled('get', measure) : await measure();
        target.rounds.push({ ...r.result, cpu: r.cpu });
      }
    }
    await ceilingServer.stop();
    ceilingServer = null;

    log(`${kind}: WAIT wake-up, ${opts.samples} samples`);
    const wakeup = await profiled('wakeup', () => withCpu(vocloudWho, () => waitWakeup(server.url, { samples: opts.samples })));
    await server.stop();
    server = null;

    return {
      kind,
      throughput: { ...throughput, cpu: jobRun.cpu },
      get: ours.rounds,
      ceiling: ceiling.rounds,
      wakeup: { ...wakeup.result, cpu: wakeup.cpu },
    };
  } finally {
    await ceilingServer?.stop();
    await server?.stop();
    await db.drop();
    currentDb = null;
  }
}

const results = [];
for (const kind of kinds) {
  const r = await benchDatabase(kind);
  results.push(r);
  const title = kind === 'pglite' ? `PGlite ${machine.pglite} (embedded; the targets are for PostgreSQL)` : `PostgreSQL ${machine.postgres}`;
  console.log(`\n${title}\n${databaseTable(r, machine.cores, opts.executor)}`);
}
if (opts.json) {
  await writeFile(opts.json, JSON.stringify({ date: new Date().toISOString(), command, machine, settings: { ...opts, pgUrl: redact(pgUrl) }, results }, null, 2));
  console.log(`\nfigures written to ${opts.json}`);
}
if (profileDir) console.log(`CPU profiles of the vocloud server in ${profileDir} (node bench/uws/profile-summary.mjs FILE)`);
