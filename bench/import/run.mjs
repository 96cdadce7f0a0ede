// Import benchmark (issue 7): 2,000 files of 40 kB in 20 folders, served on loopback by a
// static HTTP server with index pages and by pyftpdlib. In the same run: `wget -r` of the same
// tree (HTTP and FTP), parallel curl (HTTP), and vocloud's importer — alone in the sdk's test
// harness (local disk) and as a real UWS job on a vocloud server (PGlite, quota accounting,
// provenance sidecars). Prints a table of rates and ratios to wget. Run after `npm run build`:
//   node bench/import/run.mjs [--files 2000] [--size 40000] [--folders 20] [--concurrency 8] [--rounds 3] [--pg URL|none]
// Each round runs every tool once, wget first; a tool's ratio to wget is taken within its round
// (the machine's load changes between rounds), and the table shows the median over rounds.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolvePluginExport } from '@vocloud/sdk';
import { runWorkerForTest } from '@vocloud/sdk/testing';
import plugin from '@vocloud/plugin-datasources';
import { Vocloud, createLogger, loadConfig } from '@vocloud/core';
import { startFtp, startHttp } from './peers.mjs';
import { runDiscarding } from './null-storage.mjs';

const run = promisify(execFile);
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const FILES = Number(arg('files', 2000));
const SIZE = Number(arg('size', 40_000));
const FOLDERS = Number(arg('folders', 20));
const CONCURRENCY = String(arg('concurrency', '8')).split(',').map(Number);
// PostgreSQL for the server variant that production deployments use ('none' to skip)
const PG = arg('pg', process.env.VOCLOUD_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const ROUNDS = Number(arg('rounds', 3));
const OPTIONS = { allowPrivateNetworks: true };

const log = (m) => process.stderr.write(`  ${m}\n`);

/** Every file below `dir` with its size, and a digest of all contents in path order. */
function inventory(dir) {
  const files = [];
  const walk = (d, rel) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, `${rel}${e.name}/`);
      else if (!e.name.endsWith('.provenance.json') && e.name !== 'index.html' && !e.name.startsWith('.listing')) files.push({ rel: `${rel}${e.name}`, path: p, size: statSync(p).size });
    }
  };
  walk(dir, '');
  files.sort((a, b) => (a.rel < b.rel ? -1 : 1));
  const h = createHash('sha256');
  for (const f of files) h.update(f.rel.split('/').pop()).update(readFileSync(f.path));
  return { count: files.length, bytes: files.reduce((n, f) => n + f.size, 0), digest: h.digest('hex').slice(0, 12) };
}

function makeTree() {
  const root = mkdtempSync(join(tmpdir(), 'bench-import-src-'));
  const data = join(root, 'data');
  mkdirSync(data);
  const per = Math.ceil(FILES / FOLDERS);
  for (let i = 0; i < FILES; i++) {
    const dir = join(data, `night${String(Math.floor(i / per)).padStart(3, '0')}`);
    if (i % per === 0) mkdirSync(dir);
    writeFileSync(join(dir, `spec${String(i).padStart(5, '0')}.fits`), randomBytes(SIZE));
  }
  // pyftpdlib runs as nobody when we are root: the tree must be readable
  for (const d of [root, data, ...readdirSync(data).map((n) => join(data, n))]) chmodSync(d, 0o755);
  return { root, data };
}

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function wget(url, dest) {
  return timed(() => run('wget', ['-r', '-np', '-nH', '-q', '-l', 'inf', '-e', 'robots=off', '-R', 'index.html*', '-P', dest, url], { maxBuffer: 1 << 26 }));
}

async function curlParallel(base, dest, n) {
  // the file list is known (as a curl user would have it from a listing): one config line pair per file
  const cfg = join(dest, '..', `curl-${n}.cfg`);
  const lines = [];
  for (const night of readdirSync(tree.data).sort()) {
    for (const f of readdirSync(join(tree.data, night)).sort()) lines.push(`url = "${base}/data/${night}/${f}"`, `output = "${dest}/data/${night}/${f}"`);
  }
  writeFileSync(cfg, `${lines.join('\n')}\n`);
  return timed(() => run('curl', ['-s', '--parallel', '--parallel-max', String(n), '--create-dirs', '-K', cfg], { maxBuffer: 1 << 26 }));
}

async function harness(type, url, n) {
  const def = resolvePluginExport(plugin, OPTIONS, 'bench').find((t) => t.name === type);
  const storageRoot = mkdtempSync(join(tmpdir(), 'bench-import-dst-'));
  let outcome;
  const seconds = await timed(async () => {
    outcome = await runWorkerForTest(def, { url, recursive: true, depth: 5, target: '~/b', concurrency: n }, { storageRoot, ownerId: 'bench' });
  });
  if (outcome.phase !== 'COMPLETED') throw new Error(`${type} import ended ${outcome.phase}: ${outcome.error}`);
  return { seconds, dir: join(storageRoot, 'home', 'b') };
}

async function discarding(type, url, n) {
  const def = resolvePluginExport(plugin, OPTIONS, 'bench').find((t) => t.name === type);
  return timed(() => runDiscarding(def, { url, recursive: true, depth: 5, target: '~/b', concurrency: n }));
}

const servers = new Map();

/** A vocloud server on PGlite ('pglite') or on a fresh PostgreSQL database ('postgres'). */
async function serverFor(kind) {
  if (servers.has(kind)) return servers.get(kind);
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-import-vocloud-'));
  let database = {};
  let drop = async () => undefined;
  if (kind === 'postgres') {
    const name = `bench_import_${Date.now().toString(36)}`;
    await run('psql', [PG, '-q', '-c', `CREATE DATABASE ${name}`]);
    const u = new URL(PG);
    u.pathname = `/${name}`;
    database = { url: u.toString() };
    drop = async () => void (await run('psql', [PG, '-q', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]).catch(() => undefined));
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
      executor: { pollInterval: 1 },
      plugins: [{ package: '@vocloud/plugin-datasources', options: OPTIONS }],
    },
  });
  const vocloud = new Vocloud({ config, logger: createLogger({ ...config.config.log, level: 'error', pretty: false }) });
  const server = { vocloud, url: await vocloud.start(), dataDir, drop };
  servers.set(kind, server);
  return server;
}

async function viaServer(kind, type, url, n) {
  const server = await serverFor(kind);
  const auth = { authorization: `Basic ${Buffer.from('admin:bench-admin-password').toString('base64')}` };
  const target = `~/b-${type}-${n}-${Date.now()}`;
  let phase = '';
  const seconds = await timed(async () => {
    const body = new URLSearchParams({ url, recursive: 'true', depth: '5', target, concurrency: String(n), PHASE: 'RUN' });
    const res = await fetch(`${server.url}/uws/${type}`, { method: 'POST', headers: auth, body, redirect: 'manual' });
    const job = res.headers.get('location');
    for (;;) {
      const xml = await (await fetch(`${job}?WAIT=30`, { headers: auth })).text();
      phase = /<uws:phase>(\w+)</.exec(xml)?.[1] ?? '';
      if (['COMPLETED', 'ERROR', 'ABORTED'].includes(phase)) break;
    }
  });
  if (phase !== 'COMPLETED') throw new Error(`${type} job ended ${phase}`);
  // the admin's home on the server's local storage
  const homes = join(server.dataDir, 'storage', 'home');
  const owner = readdirSync(homes)[0];
  return { seconds, dir: join(homes, owner, target.slice(2)) };
}

let pgAvailable = false;
if (PG !== 'none') {
  pgAvailable = await run('psql', [PG, '-q', '-c', 'SELECT 1']).then(() => true, () => false);
  if (!pgAvailable) log(`PostgreSQL at ${PG.replace(/:[^:@/]*@/, ':***@')} not reachable: the server variant runs on PGlite only`);
}
const KINDS = pgAvailable ? ['pglite', 'postgres'] : ['pglite'];

const tree = makeTree();
const source = inventory(tree.data);
log(`tree: ${source.count} files, ${(source.bytes / 1e6).toFixed(1)} MB in ${FOLDERS} folders (digest ${source.digest})`);
const http = await startHttp(tree.root);
const ftp = await startFtp(tree.root);
const rows = [];
let currentRound = 0;
const record = (protocol, tool, seconds, dir) => {
  if (dir === null) {
    rows.push({ protocol, tool, seconds, files: source.count, ok: 'n/a', round: currentRound });
    log(`${protocol} ${tool}: ${seconds.toFixed(2)} s`);
    return;
  }
  const got = inventory(dir);
  const ok = got.count === source.count && got.digest === source.digest;
  rows.push({ protocol, tool, seconds, files: got.count, ok, round: currentRound });
  log(`${protocol} ${tool}: ${seconds.toFixed(2)} s${ok ? '' : ` — MISMATCH (${got.count} files, digest ${got.digest})`}`);
};

try {
  for (let round = 0; round < ROUNDS; round++) {
    currentRound = round;
    const scratch = mkdtempSync(join(tmpdir(), 'bench-import-ref-'));
    const wgetHttp = join(scratch, 'wget-http');
    record('HTTP', 'wget -r', await wget(`${http.url}/data/`, wgetHttp), join(wgetHttp, 'data'));
    for (const n of CONCURRENCY) {
      const dest = join(scratch, `curl-${n}`);
      mkdirSync(dest);
      record('HTTP', `curl --parallel-max ${n} (file list given)`, await curlParallel(http.url, dest, n), join(dest, 'data'));
    }
    for (const n of CONCURRENCY) {
      record('HTTP', `vocloud importer, ${n} at a time (storage discarded)`, await discarding('http', `${http.url}/data/`, n), null);
      const h = await harness('http', `${http.url}/data/`, n);
      record('HTTP', `vocloud importer, ${n} at a time (harness, local disk)`, h.seconds, h.dir);
      for (const kind of KINDS) {
        const s = await viaServer(kind, 'http', `${http.url}/data/`, n);
        record('HTTP', `vocloud http job, ${n} at a time (server, ${kind === 'postgres' ? 'PostgreSQL' : 'PGlite'}, quota)`, s.seconds, s.dir);
      }
    }
    const wgetFtp = join(scratch, 'wget-ftp');
    record('FTP', 'wget -r', await wget(`${ftp.url}/data/`, wgetFtp), join(wgetFtp, 'data'));
    for (const n of CONCURRENCY) {
      record('FTP', `vocloud importer, ${n} at a time (storage discarded)`, await discarding('ftp', `${ftp.url}/data/`, n), null);
      const h = await harness('ftp', `${ftp.url}/data/`, n);
      record('FTP', `vocloud importer, ${n} at a time (harness, local disk)`, h.seconds, h.dir);
      for (const kind of KINDS) {
        const s = await viaServer(kind, 'ftp', `${ftp.url}/data/`, n);
        record('FTP', `vocloud ftp job, ${n} at a time (server, ${kind === 'postgres' ? 'PostgreSQL' : 'PGlite'}, quota)`, s.seconds, s.dir);
      }
    }
    rmSync(scratch, { recursive: true, force: true });
  }
} finally {
  await http.stop();
  await ftp.stop();
  for (const server of servers.values()) await server.vocloud.stop();
}

// per (protocol, tool): the median time, and the median of the ratios to wget in the same round
const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const groups = new Map();
for (const r of rows) {
  const k = `${r.protocol}\u0000${r.tool}`;
  if (!groups.has(k)) groups.set(k, []);
  groups.get(k).push(r);
}
const wgetIn = (protocol, round) => rows.find((r) => r.protocol === protocol && r.tool === 'wget -r' && r.round === round)?.seconds;
console.log(`\nImport benchmark — ${FILES} files × ${SIZE / 1000} kB in ${FOLDERS} folders on loopback; Node ${process.version}; ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${ROUNDS} round(s), medians`);
console.log(`command: node bench/import/run.mjs ${process.argv.slice(2).join(' ')}`.trim());
console.log('\n| protocol | tool | s (median) | files/s | MB/s | × wget (median of rounds) | × wget per round | files ok |');
console.log('|---|---|---:|---:|---:|---:|---|---|');
for (const list of groups.values()) {
  const r0 = list[0];
  const seconds = median(list.map((r) => r.seconds));
  const ratios = list.map((r) => wgetIn(r.protocol, r.round) / r.seconds);
  const ok = list.every((r) => r.ok === 'n/a') ? 'n/a' : list.every((r) => r.ok === true) ? 'yes' : 'NO';
  console.log(`| ${r0.protocol} | ${r0.tool} | ${seconds.toFixed(2)} | ${(r0.files / seconds).toFixed(0)} | ${((r0.files * SIZE) / 1e6 / seconds).toFixed(1)} | ${median(ratios).toFixed(2)} | ${ratios.map((x) => x.toFixed(2)).join(' ')} | ${ok} |`);
}
console.log('\nvocloud writes a provenance sidecar next to every file (two atomic writes per file) and a manifest; wget and curl write the files only.');
rmSync(tree.root, { recursive: true, force: true });
for (const server of servers.values()) {
  rmSync(server.dataDir, { recursive: true, force: true });
  await server.drop();
}
