// KOREL benchmark: the synthetic system of ../shared/bench/korel (25 spectra × 1024 bins, six free
// elements), run through the shared numpy reference and through @vocloud/plugin-korel in the same
// invocation, on the same data. Prints a table with ratios (vocloud / numpy; < 1 is faster).
// Run: npm run bench:korel   (builds first). Options: --repeat N (timed fits, default 5).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { costFunction, parseKorelPar, runKorel } from '@vocloud/plugin-korel';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const shared = process.env.VOCLOUD_SHARED ?? resolve(root, '../shared');
const script = resolve(shared, 'bench/korel/numpy_disentangle_reference.py');
const helper = resolve(root, 'plugins/korel/test/support/numpy_reference.py');
const repeatArg = process.argv.indexOf('--repeat');
const repeat = repeatArg > 0 ? Number(process.argv[repeatArg + 1]) : 5;

if (!existsSync(script)) {
  console.error(`numpy reference not found at ${script} (set VOCLOUD_SHARED to the shared/ folder)`);
  process.exit(2);
}

// OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set on some machines for old OpenBLAS builds and slow a
// current numpy down: unset both for the reference run only (threadpoolctl reports the kernel).
const env = { ...process.env };
delete env.OPENBLAS_CORETYPE;
delete env.OPENBLAS_L2_SIZE;
const t0 = performance.now();
const ref = JSON.parse(execFileSync('/usr/bin/python3', [helper, script], { encoding: 'utf8', env, maxBuffer: 64 << 20 }));
const numpyWall = performance.now() - t0;

const records = ref.t.map((t, i) => ({ t, lambda0: ref.lambda0, dv: ref.dv, weight: 1, values: Float64Array.from(ref.obs[i], (v) => v + 1) }));
const { par, source } = parseKorelPar(ref.korelPar);
const input = { dat: { records }, tmp: null, par, parSource: source, parFile: 'korel.par' };

// The first fit in a fresh process (what one job sees, JIT still cold), then warm repeats.
let t = performance.now();
const cold = (await runKorel(input)).runs[0];
const coldMs = performance.now() - t;
const warm = [];
let last = cold;
for (let i = 0; i < repeat; i++) {
  t = performance.now();
  last = (await runKorel(input)).runs[0];
  warm.push({ whole: performance.now() - t, fit: last.msPerEvaluation * last.evaluations });
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const wholeMs = median(warm.map((w) => w.whole));
const fitMs = median(warm.map((w) => w.fit));

// ms per cost evaluation at the starting point, as the reference measures it (50 calls there).
const f = costFunction(input);
for (let i = 0; i < 200; i++) f.cost(f.x0);
const calls = 2000;
t = performance.now();
for (let i = 0; i < calls; i++) f.cost(f.x0);
const msPerEval = (performance.now() - t) / calls;

const el = last.state.elements;
const ours = { P: el[0], T0: el[1], e: el[2], omega: (el[3] * 180) / Math.PI, K1: el[4], K2: el[4] / el[5] };
const np = ref.numpy;
const fmt = (v, d = 3) => (v === null || v === undefined ? '—' : Number(v).toFixed(d));
const rows = [
  ['ms per cost evaluation (25 × 1024)', fmt(np.msPerEvaluation), fmt(msPerEval, 4), fmt(msPerEval / np.msPerEvaluation), '≤ 0.5'],
  ['cost evaluations to converge', String(np.nfev), String(last.evaluations), fmt(last.evaluations / np.nfev, 2), ''],
  ['simplex fit (s)', fmt(np.fitSeconds), fmt(fitMs / 1000), fmt(fitMs / 1000 / np.fitSeconds), ''],
  ['whole run: fit + spectra + per-exposure RVs + O−C (s)', '—', fmt(wholeMs / 1000), '', '< 1'],
  ['first run in a fresh process, JIT cold (s)', '—', fmt(coldMs / 1000), '', '< 1'],
];
const trueEl = ref.true;
const elementRows = ['P', 'T0', 'e', 'omega', 'K1', 'K2'].map((k) => [k, fmt(trueEl[k], 5), fmt(np[k], 5), fmt(ours[k], 5)]);

function table(head, body) {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => String(r[i]).length)));
  const line = (r) => `| ${r.map((c, i) => String(c).padEnd(w[i])).join(' | ')} |`;
  return [line(head), `|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

console.log(`KOREL benchmark — ${records.length} spectra × ${ref.N} bins, 6 free elements; Node ${process.version}; numpy ${ref.versions.numpy}, scipy ${ref.versions.scipy}`);
console.log(`numpy BLAS (threadpoolctl): ${JSON.stringify(ref.versions.blas)}`);
console.log(`numpy reference process, wall time including data generation and its own timing loop: ${fmt(numpyWall / 1000)} s`);
console.log(`warm repeats: ${repeat} (medians shown)\n`);
console.log(table(['quantity', 'numpy reference', 'vocloud', 'ratio vocloud/numpy', 'target'], rows));
console.log('');
console.log(table(['element', 'true', 'numpy', 'vocloud'], elementRows));
console.log(`\nfinal cost: numpy ${np.cost.toPrecision(12)}, vocloud ${last.cost.toPrecision(12)}; component rms vs truth: see plugins/korel tests`);
