// Child process: one vocloud server with the no-op job type, on PGlite or PostgreSQL, in a
// process of its own so the load generator never shares its event loop. Started by
// children.mjs; reports its URL over IPC and stops gracefully on 'stop' (or SIGTERM).
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const spec = JSON.parse(process.argv[2] ?? '{}');
// --core DIR benchmarks another build of @vocloud/core (a branch, a patched copy) instead.
const { ConfigSchema, Vocloud, loadConfig } = await import(spec.core ? pathToFileURL(resolve(spec.core, 'dist', 'index.js')).href : '@vocloud/core');
const plugin = fileURLToPath(new URL('./noop-plugin.mjs', import.meta.url));

/** Keep only the settings this build of core knows (the config refuses unknown keys). */
function known(schema, values) {
  const out = {};
  for (const [key, value] of Object.entries(values)) {
    const sub = schema?.properties?.[key];
    if (!sub) continue;
    out[key] = value && typeof value === 'object' && !Array.isArray(value) && sub.properties ? known(sub, value) : value;
  }
  return out;
}

// The benchmark client is anonymous, as in the quick start; the per-user limits are opened so
// that they are checked on every job but never hold the workload back.
const unlimited = 1_000_000;
const config = loadConfig({
  noFile: true,
  env: {},
  overrides: {
    dataDir: spec.dataDir,
    database: spec.databaseUrl ? { url: spec.databaseUrl, poolMax: spec.poolMax } : {},
    log: { level: 'warn' },
    executor: { maxConcurrentJobs: spec.maxConcurrentJobs },
    plugins: [{ package: plugin }],
    ...known(ConfigSchema, {
      // The wake-up workload reads the vocloud_wait_requests gauge.
      server: { host: '127.0.0.1', port: 0, metricsPublic: true },
      // A fixed bootstrap password keeps core from printing a generated one.
      auth: { anonymous: true, bootstrapAdmin: { password: 'bench-admin-not-secret' } },
      quotas: { anonymousMaxQueuedJobs: unlimited, anonymousMaxRunningJobs: spec.maxConcurrentJobs },
    }),
  },
});

const vocloud = new Vocloud({ config });
const url = await vocloud.start();

let stopping = null;
function stop() {
  stopping ??= vocloud.stop().then(
    () => process.exit(0),
    (err) => {
      console.error('vocloud did not stop cleanly:', err);
      process.exit(1);
    },
  );
}
// A copy of the embedded database for the ceiling process (PGlite has one owner at a time).
async function dump(path) {
  const blob = await vocloud.database.dump();
  await writeFile(path, Buffer.from(await blob.arrayBuffer()));
}
// CPU profiles of single workloads (run.mjs --profile): the main thread, sampled by V8.
let session = null;
async function profile(command) {
  if (command.start) {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
  } else {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    session = null;
    await writeFile(command.stop, JSON.stringify(profile));
  }
}
const answer = (key, work) => work.then(() => process.send({ [key]: true }), (err) => process.send({ [key]: true, error: String(err) }));
process.on('message', (m) => {
  if (m === 'stop') stop();
  else if (m?.dump) answer('dumped', dump(m.dump));
  else if (m?.profile) answer('profiled', profile(m.profile));
});
process.on('SIGTERM', stop);
process.on('disconnect', stop);
process.send({ ready: url, pid: process.pid });
