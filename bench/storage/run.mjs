// npm run bench:storage — throughput of the file manager API against a plain `cp` of the same
// data in the same run, and listing latency of a 100,000-file folder. Prints a table.
//
//   node bench/storage/run.mjs [--big-mb 1024] [--rounds 3] [--small 10000] [--small-kb 40] [--list 100000] [--quick]
//
// The server runs in a child process of its own (bench/storage/server.mjs), so the load
// generator does not share its event loop; its peak RSS is sampled during the big upload.
import { fork, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, openAsBlob, mkdirSync, readFileSync, existsSync, createWriteStream } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const quick = args.includes('--quick');
const BIG_MB = opt('big-mb', quick ? 128 : 1024);
const SMALL = opt('small', quick ? 1000 : 10000);
const SMALL_KB = opt('small-kb', 40);
const LIST = opt('list', quick ? 20000 : 100000);
const ROUNDS = opt('rounds', quick ? 2 : 3);

const work = mkdtempSync(join(tmpdir(), 'vocloud-bench-storage-'));
const dataDir = join(work, 'var');
const src = join(work, 'src');
mkdirSync(src);

function seconds(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function startServer(script = './server.mjs', arg = JSON.stringify({ dataDir })) {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [arg], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  return { child, url };
}

console.log(`preparing: ${BIG_MB} MB file, ${SMALL} × ${SMALL_KB} kB files, a ${LIST}-file folder in ${work}`);
const bigFile = join(src, 'big.fits');
{
  const out = createWriteStream(bigFile);
  const chunk = randomBytes(1024 * 1024);
  for (let i = 0; i < BIG_MB; i++) if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  await new Promise((r) => out.end(r));
}
const smallDir = join(src, 'small');
mkdirSync(smallDir);
const smallBody = randomBytes(SMALL_KB * 1024);
for (let i = 0; i < SMALL; i++) writeFileSync(join(smallDir, `spec-${String(i).padStart(6, '0')}.fits`), smallBody);

const { child, url } = await startServer();
const rows = [];
try {
  // -------------------------------------------------------------- one big file
  // Each round times cp, the API's four transfers, the same PUT (twice) and GET through a bare
  // node:http server (bare-server.mjs) and a pipe (`cat | cat`), every one followed by sync.
  // cp moves the bytes inside the kernel (copy_file_range); every HTTP service copies them
  // through user space, so the bare server and the pipe are the ceilings on this machine. The
  // disk's speed swings between rounds on a shared machine: ratios are taken within a round.
  const curl = (args) => execFileSync('curl', ['-sS', '--fail', '-o', '/dev/null', ...args]);
  const timed = (fn) => {
    execFileSync('sync');
    const t = process.hrtime.bigint();
    fn();
    execFileSync('sync');
    return seconds(t);
  };
  const put = (base, path) => curl(['-T', bigFile, '-H', 'content-type: application/octet-stream', '-H', 'expect:', `${base}${path}`]);
  const bare = await startServer('./bare-server.mjs', work);
  let peak = rssOf(child.pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(child.pid))), 50);
  const before = rssOf(child.pid);
  const big = [];
  const api = (path) => `${url}/api/files/content?path=${encodeURIComponent(path)}`;
  for (let round = 0; round < ROUNDS; round++) {
    const r = {};
    const name = `big-${round}.fits`;
    r.cp = timed(() => execFileSync('cp', [bigFile, join(work, `cp-${name}`)]));
    // PUT …/content of a new file: the raw body streams to storage (the API for large files)
    r.put = timed(() => put(api(`~/bench/${name}`), ''));
    // PUT overwrite=true of the same name: written beside it, then renamed over it (atomic)
    r.replace = timed(() => put(`${api(`~/bench/${name}`)}&overwrite=true`, ''));
    // multipart (what a browser form sends)
    r.multipart = timed(() => curl(['-F', `file=@${bigFile};filename=multipart-${name}`, '-H', 'expect:', `${url}/api/files/upload?dir=${encodeURIComponent('~/bench')}`]));
    r.download = timed(() => execFileSync('curl', ['-sS', '--fail', '-o', join(work, 'down-big.fits'), `${url}/api/files/download?path=${encodeURIComponent(`~/bench/${name}`)}`]));
    r.barePut = timed(() => put(bare.url, `/r${round}`));
    r.bareReplace = timed(() => put(bare.url, `/r${round}`));
    r.bareGet = timed(() => execFileSync('curl', ['-sS', '--fail', '-o', join(work, 'bare-down.bin'), `${bare.url}/r${round}`]));
    r.pipe = timed(() => execFileSync('bash', ['-c', 'cat "$1" | cat > "$2"', 'pipe', bigFile, join(work, `pipe-${name}`)]));
    big.push(r);
    console.log(`round ${round + 1}: ${Object.entries(r).map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(', ')}`);
    // the round's copies go, so a full run needs a few GB of disk, not ten
    // (curl: a pooled fetch connection idle since the last round may be closed under it)
    curl(['-X', 'POST', '-H', 'content-type: application/json', '--data', JSON.stringify({ paths: [`~/bench/${name}`, `~/bench/multipart-${name}`] }), `${url}/api/files/delete`]);
    for (const f of [`cp-${name}`, `bare-r${round}.bin`, `pipe-${name}`]) rmSync(join(work, f), { force: true });
  }
  clearInterval(sampler);
  bare.child.send('stop');
  await new Promise((r) => bare.child.once('exit', r));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const mb = BIG_MB;
  const bigRow = (name, key, bareKey) => ({
    name, size: `${mb} MB`, api: mb / median(big.map((r) => r[key])), cp: mb / median(big.map((r) => r.cp)),
    apiS: median(big.map((r) => r[key])), cpS: median(big.map((r) => r.cp)),
    vsCp: median(big.map((r) => r.cp / r[key])), vsBare: median(big.map((r) => r[bareKey] / r[key])),
    rounds: big.map((r) => (r.cp / r[key]).toFixed(2)).join(' '),
  });
  rows.push(
    bigRow('upload 1 file (PUT, new)', 'put', 'barePut'),
    bigRow('replace 1 file (PUT overwrite=true)', 'replace', 'bareReplace'),
    bigRow('upload 1 file (multipart)', 'multipart', 'barePut'),
    bigRow('download 1 file', 'download', 'bareGet'),
  );
  const ceilings = {
    pipe: median(big.map((r) => r.cp / r.pipe)),
    barePut: median(big.map((r) => r.cp / r.barePut)),
    bareGet: median(big.map((r) => r.cp / r.bareGet)),
  };

  // -------------------------------------------------------------- many small files
  let t0 = process.hrtime.bigint();
  execFileSync('cp', ['-r', smallDir, join(work, 'cp-small')]);
  execFileSync('sync');
  const cpSmall = seconds(t0);

  const names = Array.from({ length: SMALL }, (_, i) => `spec-${String(i).padStart(6, '0')}.fits`);
  const batch = 250;
  const batches = [];
  for (let i = 0; i < names.length; i += batch) batches.push(names.slice(i, i + batch));
  t0 = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < batches.length) {
        const b = batches[next++];
        const f = new FormData();
        for (const n of b) f.append('file', new Blob([smallBody]), `small/${n}`);
        const r = await fetch(`${url}/api/files/upload?dir=${encodeURIComponent('~/bench')}`, { method: 'POST', body: f });
        if (r.status !== 201) throw new Error(`small upload failed: ${r.status} ${await r.text()}`);
      }
    }),
  );
  execFileSync('sync');
  const apiUpSmall = seconds(t0);

  t0 = process.hrtime.bigint();
  let k = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (k < names.length) {
        const n = names[k++];
        const r = await fetch(`${url}/api/files/download?path=${encodeURIComponent(`~/bench/small/${n}`)}`);
        await r.arrayBuffer();
      }
    }),
  );
  const apiDownSmall = seconds(t0);
  const smallMb = (SMALL * SMALL_KB) / 1024;
  const smallRow = (name, apiS) => ({ name, size: `${SMALL_KB} kB each`, api: smallMb / apiS, cp: smallMb / cpSmall, apiS, cpS: cpSmall, vsCp: cpSmall / apiS });
  rows.push(smallRow(`upload ${SMALL} files`, apiUpSmall), smallRow(`download ${SMALL} files`, apiDownSmall));

  // -------------------------------------------------------------- listing a huge folder
  const bigDir = join(dataDir, 'storage', 'home', '@anonymous', 'huge');
  mkdirSync(bigDir, { recursive: true });
  for (let i = 0; i < LIST; i++) writeFileSync(join(bigDir, `s${String(i).padStart(7, '0')}.fits`), '');
  const latencies = [];
  const queries = [
    { offset: 0, sort: 'name' },
    { offset: Math.floor(LIST / 2), sort: 'name' },
    { offset: LIST - 200, sort: 'name', order: 'desc' },
    { offset: 0, sort: 'size' },
    { offset: Math.min(1000, LIST - 200), sort: 'modified', order: 'desc' },
  ];
  for (let round = 0; round < 4; round++) {
    for (const q of queries) {
      const p = new URLSearchParams({ path: '~/huge', limit: '200', offset: String(q.offset), sort: q.sort, ...(q.order ? { order: q.order } : {}) });
      const t = process.hrtime.bigint();
      const r = await fetch(`${url}/api/files?${p}`);
      const body = await r.json();
      if (body.total !== LIST || body.entries.length !== 200) throw new Error(`listing returned ${body.total}/${body.entries?.length}`);
      latencies.push({ q, ms: seconds(t) * 1000 });
    }
  }
  // The rows above find the sizes gathered ahead (the first page by name starts that) or
  // cached. Here the folder has just changed (a file made and removed: its mtime moved), so
  // a sort by size must read and stat() all of it while the client waits.
  const cold = [];
  for (let round = 0; round < 4; round++) {
    writeFileSync(join(bigDir, 'changed'), '');
    rmSync(join(bigDir, 'changed'));
    const p = new URLSearchParams({ path: '~/huge', limit: '200', offset: '0', sort: 'size', order: round % 2 ? 'desc' : 'asc' });
    const t = process.hrtime.bigint();
    const body = await (await fetch(`${url}/api/files?${p}`)).json();
    if (body.total !== LIST || body.entries.length !== 200) throw new Error(`listing returned ${body.total}/${body.entries?.length}`);
    cold.push(seconds(t) * 1000);
    await new Promise((r) => setTimeout(r, 500));
  }

  // -------------------------------------------------------------- report
  const fmt = (n, d = 1) => n.toFixed(d).padStart(9);
  console.log(`\nbench:storage — ${cpus().length} cores, node ${process.version}, data on ${work}\n`);
  console.log(`| workload | size | API MB/s | cp MB/s | API s | cp s | API / cp | API / cp per round | API / bare node:http |`);
  console.log('|---|---|---:|---:|---:|---:|---:|---|---:|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.size} | ${fmt(r.api)} | ${fmt(r.cp)} | ${fmt(r.apiS, 2)} | ${fmt(r.cpS, 2)} | ${fmt(r.vsCp, 2)} | ${r.rounds ?? ''} | ${r.vsBare === undefined ? '' : fmt(r.vsBare, 2)} |`);
  }
  console.log(`\n${BIG_MB} MB through user space, × cp (medians of ${ROUNDS} rounds, each followed by sync): \`cat | cat\` ${ceilings.pipe.toFixed(2)}, bare node:http PUT ${ceilings.barePut.toFixed(2)}, GET ${ceilings.bareGet.toFixed(2)}`);
  console.log(`\nserver RSS during the ${BIG_MB} MB transfers: before ${(before / 2 ** 20).toFixed(0)} MB, peak ${(peak / 2 ** 20).toFixed(0)} MB (bounded memory: the upload streams to storage)`);
  const byName = (pred) => latencies.filter((l) => pred(l.q)).map((l) => l.ms).sort((a, b) => a - b);
  const med = (xs) => xs[Math.floor(xs.length / 2)];
  console.log(`\nlisting a page of 200 in a folder of ${LIST} files (target < 200 ms):`);
  console.log('| sort | median ms | max ms |');
  console.log('|---|---:|---:|');
  for (const sort of ['name', 'size', 'modified']) {
    const xs = byName((q) => q.sort === sort);
    console.log(`| ${sort} | ${fmt(med(xs))} | ${fmt(xs[xs.length - 1])} |`);
  }
  cold.sort((a, b) => a - b);
  console.log(`| size, first request after the folder changed (nothing gathered ahead) | ${fmt(med(cold))} | ${fmt(cold[cold.length - 1])} |`);
  console.log('\ntarget: API upload and download of the large file ≥ 0.8 × cp.');
} finally {
  child.send('stop');
  await new Promise((r) => child.once('exit', r));
  if (!args.includes('--keep')) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
  void existsSync;
}
