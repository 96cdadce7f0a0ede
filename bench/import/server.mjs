// A vocloud server for the import benchmark (PGlite or a fresh PostgreSQL database, the
// data-source plugin loaded, an admin to run jobs as) and one import job run through it.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Vocloud, createLogger, loadConfig } from '@vocloud/core';
import { started, stop } from './peers.mjs';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const ADMIN = { authorization: `Basic ${Buffer.from('admin:bench-admin-password').toString('base64')}` };

/**
 * Start a server: `kind` is 'pglite' or 'postgres' (a database created on `pgUrl`, dropped by
 * stop()). `plugin` may name another build of the plugin (a folder) to compare two builds;
 * `executor` adds executor settings.
 */
export async function startVocloud(kind, { pgUrl, pluginOptions, plugin = '@vocloud/plugin-datasources', executor = {} }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-import-vocloud-'));
  let database = {};
  let drop = async () => undefined;
  if (kind === 'postgres') {
    const name = `bench_import_${Date.now().toString(36)}`;
    await run('psql', [pgUrl, '-q', '-c', `CREATE DATABASE ${name}`]);
    const u = new URL(pgUrl);
    u.pathname = `/${name}`;
    database = { url: u.toString() };
    drop = async () => void (await run('psql', [pgUrl, '-q', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]).catch(() => undefined));
  }
  const config = loadConfig({
    noFile: true,
    env: {},
    overrides: {
      dataDir,
      database,
      server: { host: '127.0.0.1', port: 0 },
      log: { level: 'warn' },
      auth: { anonymous: false, bootstrapAdmin: { username: 'admin', password: 'bench-admin-password' } },
      executor: { pollInterval: 1, ...executor },
      plugins: [{ package: plugin, options: pluginOptions }],
    },
  });
  const vocloud = new Vocloud({ config, logger: createLogger({ ...config.config.log, level: 'error', pretty: false }) });
  const url = await vocloud.start();
  return {
    url,
    dataDir,
    /** `keep`: leave the files (a series of runs deletes them at its end, see run.mjs). */
    async stop({ keep = false } = {}) {
      await vocloud.stop();
      if (!keep) rmSync(dataDir, { recursive: true, force: true });
      await drop();
    },
  };
}

/**
 * The same server in a process of its own (`server-process.mjs`), as deployed: run.mjs's own
 * work between jobs (checking copies, reading the tree, the in-process importer rows) then
 * shares neither the server's event loop nor its heap and garbage collector.
 */
export async function startVocloudProcess(kind, options) {
  const child = spawn(process.execPath, [join(here, 'server-process.mjs'), JSON.stringify({ kind, ...options })], { stdio: ['pipe', 'pipe', 'pipe'] });
  const [, url, dataDir] = await started(child, /READY (\S+) (\S+)\n/, 'the vocloud server');
  return { url, dataDir, pid: child.pid, stop: () => stop(child, 30_000) };
}

/** Run a recursive import job of `type` from `url` as the admin; its seconds and where the files are. */
export async function serverJob(server, type, url, n) {
  const target = `~/b-${type}-${n}-${Date.now()}`;
  let phase = '';
  const t0 = process.hrtime.bigint();
  const body = new URLSearchParams({ url, recursive: 'true', depth: '5', target, concurrency: String(n), PHASE: 'RUN' });
  const res = await fetch(`${server.url}/uws/${type}`, { method: 'POST', headers: ADMIN, body, redirect: 'manual' });
  const job = res.headers.get('location');
  if (!job) throw new Error(`${type} job not created: HTTP ${res.status} ${await res.text()}`);
  for (;;) {
    const xml = await (await fetch(`${job}?WAIT=30`, { headers: ADMIN })).text();
    phase = /<uws:phase>(\w+)</.exec(xml)?.[1] ?? '';
    if (['COMPLETED', 'ERROR', 'ABORTED'].includes(phase)) break;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (phase !== 'COMPLETED') {
    // the job's own account of what went wrong, so a failed run says what to look at
    const xml = await (await fetch(job, { headers: ADMIN })).text();
    const summary = /<uws:message>([\s\S]*?)<\/uws:message>/.exec(xml)?.[1] ?? '(no error summary)';
    throw new Error(`${type} job ${job} ended ${phase}: ${summary}`);
  }
  // the admin's home on the server's local storage
  const homes = join(server.dataDir, 'storage', 'home');
  const owner = readdirSync(homes)[0];
  return { seconds, dir: join(homes, owner, target.slice(2)) };
}
