// Command-line options of run.mjs, with the usage text as their one description.
import { parseArgs } from 'node:util';
import { DEFAULT_PG_URL } from './databases.mjs';

export const USAGE = `UWS benchmark: no-op job throughput, GET job under 50 connections beside a bare-fastify ceiling,
and WAIT=-1 wake-up delay, on PGlite and on PostgreSQL. Prints one table per database.

usage: npm run bench:uws -- [options]        (builds first)
       node bench/uws/run.mjs [options]

  --db pglite|postgres|both   databases to run on (default both)
  --jobs N          no-op jobs in the throughput run (default 3000; --quick 300)
  --concurrency N   clients creating jobs (default 16)
  --duration S      seconds of each GET round (default 10; --quick 3), after one warm-up each
  --rounds N        GET rounds, alternating vocloud and the ceiling; the median is shown (default 3; --quick 1)
  --samples N       WAIT wake-up samples (default 300; --quick 40)
  --executor N      executor.maxConcurrentJobs of the server (default 8)
  --pool N          database pool of the server and of the ceiling (default 10, core's default)
  --quick           a short smoke run
  --pg-url URL      PostgreSQL URL allowed to CREATE DATABASE (default $VOCLOUD_BENCH_DATABASE_URL or
                    ${DEFAULT_PG_URL}); each run uses a database of its own and drops it
  --profile DIR     V8 CPU profiles of the vocloud server's main thread, one per workload, to DIR
                    (summarise with: node bench/uws/profile-summary.mjs FILE)
  --json FILE       also write every figure as JSON
  --core DIR        benchmark another build of @vocloud/core: a package folder with dist/ whose imports
                    resolve (e.g. a patched copy with node_modules linked to this checkout's)
  --help            this text`;

function fail(message) {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function positiveInt(name, raw, fallback) {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} ${raw}: must be a positive integer`);
  return n;
}

/** Parse argv (without node and the script); exits with the usage text on bad input. */
export function parseOptions(argv) {
  const str = { type: 'string' };
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        db: { type: 'string', default: 'both' },
        jobs: str, concurrency: str, duration: str, rounds: str, samples: str, executor: str, pool: str,
        quick: { type: 'boolean', default: false },
        'pg-url': str, profile: str, json: str, core: str,
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    fail(err.message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const kinds = { both: ['pglite', 'postgres'], pglite: ['pglite'], postgres: ['postgres'] }[values.db];
  if (!kinds) fail(`--db ${values.db}: must be pglite, postgres or both`);
  const quick = values.quick;
  return {
    kinds,
    jobs: positiveInt('jobs', values.jobs, quick ? 300 : 3000),
    concurrency: positiveInt('concurrency', values.concurrency, 16),
    duration: positiveInt('duration', values.duration, quick ? 3 : 10),
    warmup: quick ? 1 : 3,
    rounds: positiveInt('rounds', values.rounds, quick ? 1 : 3),
    samples: positiveInt('samples', values.samples, quick ? 40 : 300),
    executor: positiveInt('executor', values.executor, 8),
    poolMax: positiveInt('pool', values.pool, 10),
    connections: 50,
    pgUrl: values['pg-url'] ?? process.env.VOCLOUD_BENCH_DATABASE_URL ?? DEFAULT_PG_URL,
    profile: values.profile,
    json: values.json,
    core: values.core,
  };
}
