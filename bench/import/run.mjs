// Import benchmark (issue 7): 2,000 files of 40 kB in 20 folders, served on loopback by a
// static HTTP server with index pages and by pyftpdlib. In the same run: `wget -r` of the same
// tree (HTTP and FTP), parallel curl (HTTP), and vocloud's importer — with storage discarded,
// in the sdk's test harness (local disk) and as a real UWS job on a vocloud server (PGlite and
// PostgreSQL, quota accounting, provenance sidecars checked against each file). Prints a table
// of rates and ratios to wget. Run after `npm run build` (profile.mjs: where a job's time goes):
//   node bench/import/run.mjs [--files 2000] [--size 40000] [--folders 20] [--concurrency 8] [--rounds 3] [--warmup 5] [--pg URL|none]
// Each round runs every tool once, wget first; a tool's ratio to wget is taken within its round
// (the machine's load changes between rounds), and the table shows the median over rounds.
// Before the rounds, each vocloud variant runs --warmup imports of each protocol, outside the
// table: a deployed server has loaded its plugins and compiled its hot paths long before (its
// job thread stays, executor.warmThreads). V8 takes about five imports of 2,000 files to get
// there (the first takes three to four times as long; job-cpu.mjs shows the CPU per job fall).
// The first import of each variant, cold, is printed below the table.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { resolvePluginExport } from '@vocloud/sdk';
import { runWorkerForTest } from '@vocloud/sdk/testing';
import plugin from '@vocloud/plugin-datasources';
import { startFtp, startHttp } from './peers.mjs';
import { startVocloudProcess, serverJob } from './server.mjs';
import { inventory, makeTree, sidecarProblems } from './tree.mjs';
import { runDiscarding } from './null-storage.mjs';

const USAGE = 'usage: node bench/import/run.mjs [--files 2000] [--size 40000] [--folders 20] [--concurrency 8|4,8] [--rounds 3] [--warmup 5] [--pg URL|none]\n(copies go to os.tmpdir(): set TMPDIR to measure on another file system)';
let o;
try {
  ({ values: o } = parseArgs({
    options: {
      files: { type: 'string', default: '2000' },
      size: { type: 'string', default: '40000' },
      folders: { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '8' },
      // PostgreSQL for the server variant that production deployments use ('none' to skip)
      pg: { type: 'string', default: process.env.VOCLOUD_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
      rounds: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '5' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (err) {
  console.error(`${err.message}\n${USAGE}`);
  process.exit(2);
}
if (o.help) {
  console.log(USAGE);
  process.exit(0);
}
const run = promisify(execFile);
const FILES = Number(o.files);
const SIZE = Number(o.size);
const FOLDERS = Number(o.folders);
const CONCURRENCY = o.concurrency.split(',').map(Number);
const PG = o.pg;
const ROUNDS = Number(o.rounds);
const WARMUP = Number(o.warmup);
const OPTIONS = { allowPrivateNetworks: true };

const log = (m) => process.stderr.write(`  ${m}\n`);

/**
 * Every row starts with nothing left to write back: the rows before it wrote hundreds of MB,
 * and the kernel's flusher writes pages out 30 s after they were dirtied — in the middle of
 * whichever row runs then (the later rows of a round, the first of the next). Not timed.
 */
async function settle() {
  await run('sync');
  await portsFree(PORTS_NEEDED);
}

/**
 * An FTP import of the tree opens a data connection per file, and each leaves a socket in
 * TIME_WAIT for 60 s on the loopback. A round's FTP rows and the warm-ups, one after another,
 * fill the whole ephemeral port range; pyftpdlib then cannot open a passive port and drops
 * the control connection. Every row starts with room for its connections instead (not timed;
 * the total wait is printed under the table).
 */
const PORTS_NEEDED = 3 * FILES;
let portWaitMs = 0;
async function portsFree(needed) {
  const rangeFile = '/proc/sys/net/ipv4/ip_local_port_range';
  if (!existsSync(rangeFile)) return; // not Linux: no /proc to count sockets in
  const [low, high] = readFileSync(rangeFile, 'utf8').trim().split(/\s+/).map(Number);
  const range = high - low + 1;
  const t0 = Date.now();
  while (range - timeWaitSockets() < needed && Date.now() - t0 < 70_000) await new Promise((r) => setTimeout(r, 1000));
  portWaitMs += Date.now() - t0;
}

/** Sockets in TIME_WAIT (state 06 in /proc/net/tcp and tcp6). */
function timeWaitSockets() {
  let n = 0;
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'latin1').split('\n')) if (line.trim().split(/\s+/)[3] === '06') n++;
  }
  return n;
}

async function timed(fn) {
  await settle();
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
  leftovers.push(storageRoot);
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

/**
 * The disk alone, no network, no vocloud: the tree's bytes (read beforehand) written by plain
 * node:fs, 8 at a time — once as wget writes them (each file created in place), once as vocloud
 * must (each file and a ~300-byte provenance sidecar beside it, both to a temporary name and
 * renamed). On a machine where creating a file is dear, the second is the floor of any import
 * that keeps a sidecar per file.
 */
async function diskFloor(atomicWithSidecars) {
  const files = [];
  for (const night of readdirSync(tree.data).sort()) {
    for (const f of readdirSync(join(tree.data, night)).sort()) files.push([night, f, readFileSync(join(tree.data, night, f))]);
  }
  const dest = mkdtempSync(join(tmpdir(), 'bench-import-floor-'));
  const sidecar = Buffer.from(JSON.stringify({ source: `${'x'.repeat(60)}`, retrieved: new Date().toISOString(), size: SIZE, sha256: 'f'.repeat(64), job: { id: 'x'.repeat(16), type: 'http' } }));
  let next = 0;
  const seconds = await timed(() =>
    Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < files.length) {
          const [night, f, bytes] = files[next++];
          const dir = join(dest, 'data', night);
          await mkdir(dir, { recursive: true });
          if (!atomicWithSidecars) {
            await writeFile(join(dir, f), bytes);
            continue;
          }
          await writeFile(join(dir, `${f}.part`), bytes);
          await rename(join(dir, `${f}.part`), join(dir, f));
          await writeFile(join(dir, `${f}.provenance.json.part`), sidecar);
          await rename(join(dir, `${f}.provenance.json.part`), join(dir, `${f}.provenance.json`));
        }
      }),
    ),
  );
  leftovers.push(dest);
  return seconds;
}

/**
 * Copies made during the run, deleted only at its end. On ext4 without a journal (this kind of
 * machine), creating a file skips every inode of its group freed in the last minutes, reading
 * each one's inode block (fs/ext4/ialloc.c, recently_deleted): a tool that ran right after a
 * deletion of thousands of files paid ~1 ms per new file for the one before it.
 */
const leftovers = [];

/** The file system the copies go to, and for ext4 whether it has a journal (see above). */
async function fileSystemNote() {
  const out = await run('findmnt', ['-n', '-o', 'SOURCE,FSTYPE', '--target', tmpdir()]).then((r) => r.stdout.trim(), () => '');
  const [source = '?', type = '?'] = out.split(/\s+/);
  if (type !== 'ext4') return `${tmpdir()} on ${type}`;
  const journal = existsSync(`/proc/fs/jbd2/${basename(source)}-8`);
  return `${tmpdir()} on ext4 ${journal ? 'with a journal' : 'without a journal (new files skip inodes freed in the last minutes: the run deletes nothing until its end)'}`;
}

const servers = new Map();

/**
 * One server of each kind for the whole run (later rounds reuse it, as a deployment would),
 * each in a process of its own, as deployed: the run's own work between jobs (reading the
 * tree, checking copies, the in-process importer rows) does not share its heap or GC.
 */
async function viaServer(kind, type, url, n) {
  if (!servers.has(kind)) servers.set(kind, await startVocloudProcess(kind, { pgUrl: PG, pluginOptions: OPTIONS }));
  await settle();
  return serverJob(servers.get(kind), type, url, n);
}

let pgAvailable = false;
if (PG !== 'none') {
  pgAvailable = await run('psql', [PG, '-q', '-c', 'SELECT 1']).then(() => true, () => false);
  if (!pgAvailable) log(`PostgreSQL at ${PG.replace(/:[^:@/]*@/, ':***@')} not reachable: the server variant runs on PGlite only`);
}
const KINDS = pgAvailable ? ['pglite', 'postgres'] : ['pglite'];

const tree = makeTree(FILES, SIZE, FOLDERS);
const source = inventory(tree.data);
log(`tree: ${source.count} files, ${(source.bytes / 1e6).toFixed(1)} MB in ${FOLDERS} folders (digest ${source.digest})`);
const http = await startHttp(tree.root);
const ftp = await startFtp(tree.root);
const rows = [];
let currentRound = 0;
// vocloud's copies must also have a sidecar per file that describes it (size, sha256)
const record = (protocol, tool, seconds, dir, sidecars = false) => {
  if (dir === null) {
    rows.push({ protocol, tool, seconds, files: source.count, ok: 'n/a', round: currentRound });
    log(`${protocol} ${tool}: ${seconds.toFixed(2)} s`);
    return;
  }
  const got = inventory(dir);
  const problems = sidecars ? sidecarProblems(dir) : [];
  const ok = got.count === source.count && got.digest === source.digest && problems.length === 0;
  rows.push({ protocol, tool, seconds, files: got.count, ok, round: currentRound });
  const why = problems.length ? `${problems.length} sidecar problem(s), first: ${problems[0]}` : `${got.count} files, digest ${got.digest}`;
  log(`${protocol} ${tool}: ${seconds.toFixed(2)} s${ok ? '' : ` — MISMATCH (${why})`}`);
};

/** Each variant's first import (before any warm-up): what a user waits after a restart. */
const cold = [];
const firstOf = (label, seconds, i) => {
  if (i === 0) cold.push(`${label} ${seconds.toFixed(2)} s`);
};

try {
  for (let i = 0; i < WARMUP; i++) {
    for (const [type, url] of [['http', `${http.url}/data/`], ['ftp', `${ftp.url}/data/`]]) {
      for (const n of CONCURRENCY) {
        firstOf(`${type} importer, storage discarded`, await discarding(type, url, n), i);
        firstOf(`${type} importer, harness`, (await harness(type, url, n)).seconds, i);
        for (const kind of KINDS) firstOf(`${type} job on ${kind === 'postgres' ? 'PostgreSQL' : 'PGlite'}`, (await viaServer(kind, type, url, n)).seconds, i);
      }
    }
    log(`warm-up ${i + 1} of ${WARMUP} done (not in the table)`);
  }
  for (let round = 0; round < ROUNDS; round++) {
    currentRound = round;
    const scratch = mkdtempSync(join(tmpdir(), 'bench-import-ref-'));
    const wgetHttp = join(scratch, 'wget-http');
    record('HTTP', 'wget -r', await wget(`${http.url}/data/`, wgetHttp), join(wgetHttp, 'data'));
    record('disk', 'node:fs, files only, created in place (what wget writes)', await diskFloor(false), null);
    record('disk', 'node:fs, file + sidecar, each atomic (what vocloud writes)', await diskFloor(true), null);
    for (const n of CONCURRENCY) {
      const dest = join(scratch, `curl-${n}`);
      mkdirSync(dest);
      record('HTTP', `curl --parallel-max ${n} (file list given)`, await curlParallel(http.url, dest, n), join(dest, 'data'));
    }
    for (const n of CONCURRENCY) {
      record('HTTP', `vocloud importer, ${n} at a time (storage discarded)`, await discarding('http', `${http.url}/data/`, n), null);
      const h = await harness('http', `${http.url}/data/`, n);
      record('HTTP', `vocloud importer, ${n} at a time (harness, local disk)`, h.seconds, h.dir, true);
      for (const kind of KINDS) {
        const s = await viaServer(kind, 'http', `${http.url}/data/`, n);
        record('HTTP', `vocloud http job, ${n} at a time (server, ${kind === 'postgres' ? 'PostgreSQL' : 'PGlite'}, quota)`, s.seconds, s.dir, true);
      }
    }
    const wgetFtp = join(scratch, 'wget-ftp');
    record('FTP', 'wget -r', await wget(`${ftp.url}/data/`, wgetFtp), join(wgetFtp, 'data'));
    for (const n of CONCURRENCY) {
      record('FTP', `vocloud importer, ${n} at a time (storage discarded)`, await discarding('ftp', `${ftp.url}/data/`, n), null);
      const h = await harness('ftp', `${ftp.url}/data/`, n);
      record('FTP', `vocloud importer, ${n} at a time (harness, local disk)`, h.seconds, h.dir, true);
      for (const kind of KINDS) {
        const s = await viaServer(kind, 'ftp', `${ftp.url}/data/`, n);
        record('FTP', `vocloud ftp job, ${n} at a time (server, ${kind === 'postgres' ? 'PostgreSQL' : 'PGlite'}, quota)`, s.seconds, s.dir, true);
      }
    }
    leftovers.push(scratch);
  }
} finally {
  for (const dir of leftovers) rmSync(dir, { recursive: true, force: true });
  await http.stop();
  await ftp.stop();
  for (const server of servers.values()) await server.stop();
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
// the disk-only rows are compared with HTTP's wget: how much of wget's time the writes alone take
const wgetIn = (protocol, round) => rows.find((r) => r.protocol === (protocol === 'disk' ? 'HTTP' : protocol) && r.tool === 'wget -r' && r.round === round)?.seconds;
console.log(`\nImport benchmark — ${FILES} files × ${SIZE / 1000} kB in ${FOLDERS} folders on loopback; Node ${process.version}; ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${ROUNDS} round(s), medians`);
console.log(`copies written to ${await fileSystemNote()}; every row starts after a sync (nothing left to write back)`);
console.log(`each vocloud variant first ran ${WARMUP} import(s) of each protocol, not in the table (a deployed server is warm; the cold first imports are below)`);
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
console.log("The 'disk' rows are node:fs alone (no network, bytes already in memory), compared with HTTP's wget: the floor of the writes each way on this machine.");
console.log(`Before rows, ${(portWaitMs / 1000).toFixed(0)} s in all (not timed) went to waiting for sockets in TIME_WAIT to free ${PORTS_NEEDED} loopback ports: an FTP import opens a data connection per file.`);
if (cold.length) console.log(`First import of each variant, cold (a new process, before V8 has compiled the hot paths): ${cold.join('; ')}.`);
rmSync(tree.root, { recursive: true, force: true });
