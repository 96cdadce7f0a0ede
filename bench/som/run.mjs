// npm run bench:som [-- --ci] [--rounds R] [--threads T] [--with-js] [--no-wasm] [--pca] [--json FILE]
//
// Batch SOM on the workloads of ../shared/bench/som: vocloud's kernel against the numpy/OpenBLAS
// reference, run back to back (interleaved rounds) in this one invocation from the same PCA
// codebook with the same radius schedule. Prints a table of medians and ratios, the BLAS that
// threadpoolctl reports, and how far the two codebooks are apart. A report, not a pass/fail test.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWorkload, runNumpy, CACHE_DIR } from './workloads.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
if (flag('--help')) {
  console.log('usage: node bench/som/run.mjs [--ci | --size ci|main|large] [--rounds R] [--threads T] [--with-js] [--no-wasm] [--pca] [--json FILE]\n' +
    '  --ci: the CI-size workload (2000 x 500, 20x20, 5 epochs) instead of the main one (10000 x 2000, 30x30, 10 epochs);\n' +
    '  --size large: 40000 x 2000, 30x30, 3 epochs (a 305 MiB matrix: memory at an archive\'s scale)\n' +
    '  fallback kernels: wasm runs by default (every round on ci, once on main), js on ci or with --with-js (once on main: ~2 min)');
  process.exit(0);
}
const size = flag('--ci') ? 'ci' : option('--size', 'main');
const rounds = Number(option('--rounds', size === 'ci' ? 5 : 3));
const threads = Number(option('--threads', 0)) || undefined;
const withJs = flag('--with-js') || size === 'ci';
const withWasm = !flag('--no-wasm');
const here = dirname(fileURLToPath(import.meta.url));

const work = await ensureWorkload(size);
const matrixMiB = (work.n * work.d * 4) / 2 ** 20;
const flop = 2 * work.n * work.rows * work.cols * work.d * work.epochs;
console.log(`SOM benchmark, workload '${size}': N=${work.n} D=${work.d} map ${work.rows}x${work.cols}, ${work.epochs} epochs, ` +
  `batch, Gaussian, linear radius ${Math.max(work.rows, work.cols) / 2} -> 1, same PCA init (numpy's). Data cache: ${CACHE_DIR}`);
console.log(`BMU-search lower bound ${(flop / 1e9).toFixed(1)} GFLOP; input matrix ${matrixMiB.toFixed(1)} MiB; ${rounds} interleaved rounds`);
const loadBefore = loadavg()[0];
console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average before: ${loadBefore.toFixed(2)}\n`);

const scratch = mkdtempSync(join(tmpdir(), 'vocloud-bench-som-run-'));
function runVocloud(backend, opts = {}) {
  const job = { data: work.data, n: work.n, d: work.d, rows: work.rows, cols: work.cols, epochs: work.epochs, init: work.init, threads, backend, ...opts };
  const r = spawnSync(process.execPath, [join(here, 'vocloud-run.mjs'), JSON.stringify(job)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`vocloud run failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

// Idle runtimes, to tell the working memory from the runtime's own: numpy imported; node with
// the kernel pool started (a 2x2 map of 100 x 10 values).
const idle = {
  numpy: Number(spawnSync('/usr/bin/python3', ['-c', 'import numpy, resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)'], { encoding: 'utf8' }).stdout) / 1024,
  vocloud: Number(spawnSync(process.execPath, [join(here, 'vocloud-run.mjs'), '--idle'], { encoding: 'utf8' }).stdout) / 1024,
};
const rows = { numpy: [], vocloud: [], wasm: [], js: [] };
const npWeights = join(scratch, 'numpy.f32');
const vcWeights = join(scratch, 'vocloud.f32');
for (let round = 0; round < rounds; round++) {
  const first = round === 0;
  // alternate who goes first, so neither always gets the warmer machine
  const order = round % 2 === 0 ? ['numpy', 'vocloud'] : ['vocloud', 'numpy'];
  for (const who of order) {
    if (who === 'numpy') rows.numpy.push(runNumpy(work, threads, first ? ['--save-weights', npWeights] : []));
    else rows.vocloud.push(runVocloud('auto', first ? { saveWeights: vcWeights } : {}));
  }
  const fallbackRound = round < (size === 'ci' ? rounds : 1);
  if (withWasm && fallbackRound) rows.wasm.push(runVocloud('wasm'));
  if (withJs && fallbackRound) rows.js.push(runVocloud('js'));
  process.stderr.write(`round ${round + 1}/${rounds} done\n`);
}

const median = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (v, p = 3) => (v == null ? '—' : v.toFixed(p));
const ref = median(rows.numpy.map((r) => r.train_s));
const table = [];
function row(label, list, idleMiB) {
  if (list.length === 0) return;
  const train = list.map((r) => r.train_s);
  const epochs = list.flatMap((r) => r.epoch_s);
  const rss = median(list.map((r) => r.maxRssKiB)) / 1024;
  const t = median(train);
  table.push({
    implementation: label,
    threads: list[0].threads ?? list[0].blas?.[0]?.num_threads ?? '?',
    'train s (median [min–max])': `${fmt(t)} [${fmt(Math.min(...train))}–${fmt(Math.max(...train))}]`,
    'epoch s (median)': fmt(median(epochs)),
    'GFLOP/s': (flop / t / 1e9).toFixed(1),
    QE: fmt(median(list.map((r) => r.final_qe)), 5),
    TE: fmt(median(list.map((r) => r.final_te)), 4),
    'peak RSS MiB': rss.toFixed(0),
    'RSS / matrix': (rss / matrixMiB).toFixed(2),
    '(RSS - idle) / matrix': ((rss - idleMiB) / matrixMiB).toFixed(2),
    'time / numpy': (t / ref).toFixed(2),
  });
}
row('numpy + OpenBLAS (reference)', rows.numpy, idle.numpy);
row(`vocloud ${rows.vocloud[0].backend}`, rows.vocloud, idle.vocloud);
row('vocloud wasm-simd128 (fallback)', rows.wasm, idle.vocloud);
row('vocloud js (portable fallback)', rows.js, idle.vocloud);

const cols = Object.keys(table[0]);
const widths = cols.map((c) => Math.max(c.length, ...table.map((r) => String(r[c]).length)));
const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
console.log(line(cols));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of table) console.log(line(cols.map((c) => r[c])));

// codebook agreement, first round of each
const a = new Float32Array(readFileSync(npWeights).buffer.slice(0));
const b = new Float32Array(readFileSync(vcWeights).buffer.slice(0));
let maxAbs = 0, sq = 0, ref2 = 0;
for (let i = 0; i < a.length; i++) { const e = Math.abs(a[i] - b[i]); maxAbs = Math.max(maxAbs, e); sq += e * e; ref2 += a[i] * a[i]; }
console.log(`\ncodebooks after training (round 1): max |numpy - vocloud| = ${maxAbs.toPrecision(3)}, ` +
  `relative RMS difference = ${Math.sqrt(sq / ref2).toExponential(2)}; QE differs by ` +
  `${(100 * Math.abs(rows.vocloud[0].final_qe - rows.numpy[0].final_qe) / rows.numpy[0].final_qe).toFixed(3)} %`);
console.log(`numpy init ${fmt(median(rows.numpy.map((r) => r.init_s)))} s (PCA, covariance GEMM + eigh), eval ${fmt(median(rows.numpy.map((r) => r.eval_s)))} s; ` +
  `vocloud eval ${fmt(median(rows.vocloud.map((r) => r.eval_s)))} s`);

if (flag('--pca')) {
  const pca = runVocloud('auto', { init: 'pca', epochs: 0, saveWeights: join(scratch, 'pca.f32') });
  const mine = new Float32Array(readFileSync(join(scratch, 'pca.init.f32')).buffer.slice(0));
  const theirs = new Float32Array(readFileSync(work.init).buffer.slice(0));
  let m = 0, s2 = 0, r2 = 0;
  for (let i = 0; i < mine.length; i++) { const e = Math.abs(mine[i] - theirs[i]); m = Math.max(m, e); s2 += e * e; r2 += theirs[i] ** 2; }
  console.log(`vocloud PCA init (Lanczos on the implicit covariance): ${fmt(pca.init_s)} s; max |diff| to numpy's init ${m.toPrecision(3)}, relative RMS ${Math.sqrt(s2 / r2).toExponential(2)}`);
}

console.log('\nBLAS seen by numpy (threadpoolctl):');
for (const info of rows.numpy[0].blas ?? [{ note: 'threadpoolctl not installed (python3-threadpoolctl)' }]) console.log(`  ${JSON.stringify(info)}`);
console.log(`  env: ${JSON.stringify(rows.numpy[0].env)} (OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed for the numpy runs)`);
console.log(`load average after: ${loadavg()[0].toFixed(2)} (other processes competing for the ${cpus().length} CPUs make every figure slower and noisier)`);
console.log('GFLOP/s = 2·N·K·D·epochs / training time (the BMU-search lower bound, as in the reference README).');
console.log(`peak RSS: ru_maxrss of each process (vocloud: the node process with its worker threads). idle: python+numpy ${idle.numpy.toFixed(0)} MiB, ` +
  `node+kernel pool ${idle.vocloud.toFixed(0)} MiB; (RSS - idle) is the working memory of the training.`);

const jsonOut = option('--json');
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ workload: size, rounds, table, raw: rows }, null, 1));
rmSync(scratch, { recursive: true, force: true });
