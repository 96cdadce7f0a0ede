// The SOM benchmark workloads of ../shared/bench/som (README there): generated once into a
// cache directory (never into the repository) and checked against the published digests.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The shared reference folder: $VOCLOUD_SHARED/bench/som, or ../shared beside the checkout. */
export const REFERENCE_DIR = process.env.VOCLOUD_SHARED
  ? join(process.env.VOCLOUD_SHARED, 'bench', 'som')
  : resolve(repo, '..', 'shared', 'bench', 'som');
export const CACHE_DIR = process.env.VOCLOUD_BENCH_CACHE ?? join(tmpdir(), 'vocloud-bench-som');

export const WORKLOADS = {
  ci: { n: 2000, d: 500, seed: 1, rows: 20, cols: 20, epochs: 5, sha256: '0d01713f4aafd2a3d9ae938ef26d38b2747cdb02df66c9488b9b834f63ebdf4e' },
  main: { n: 10000, d: 2000, seed: 1, rows: 30, cols: 30, epochs: 10, sha256: '0481319c207c2bee53044a02f95899208e5c86d38bfe8c476338b26c6a7fb772' },
  // Not in the shared README (no published digest): the main workload's spectra at an archive's
  // scale (a 305 MiB matrix), where the runtime's fixed memory no longer hides the SOM's own.
  large: { n: 40000, d: 2000, seed: 1, rows: 30, cols: 30, epochs: 3, sha256: null },
};

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r;
}

async function sha256(path) {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk);
  return h.digest('hex');
}

/** Environment for numpy: OpenBLAS tuning variables removed for this command only (see ENVIRONMENT.md). */
export function numpyEnv(threads) {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  if (threads) for (const v of ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS']) env[v] = String(threads);
  return env;
}

/**
 * Paths of the workload's matrix, labels, meta and the reference PCA codebook (numpy
 * `--epochs 0 --save-weights`), generating what is missing.
 */
export async function ensureWorkload(name) {
  const w = WORKLOADS[name];
  if (!w) throw new Error(`unknown workload '${name}' (ci, main or large)`);
  mkdirSync(CACHE_DIR, { recursive: true });
  const base = `spectra-${w.n}-${w.d}`;
  const data = join(CACHE_DIR, `${base}.f32`);
  const meta = join(CACHE_DIR, `${base}.json`);
  const labels = join(CACHE_DIR, `labels-${w.n}.u8`);
  if (!existsSync(data) || !existsSync(meta) || !existsSync(labels)) {
    run(PYTHON, [join(REFERENCE_DIR, 'gen_spectra.py'), '--n', String(w.n), '--d', String(w.d), '--seed', String(w.seed), '--out', CACHE_DIR]);
  }
  const digest = await sha256(data);
  if (w.sha256 !== null && digest !== w.sha256) {
    console.warn(`warning: ${data} has SHA-256 ${digest}, not the published ${w.sha256} (another numpy?)`);
  }
  const init = join(CACHE_DIR, `init-${w.n}-${w.d}-${w.rows}x${w.cols}.f32`);
  if (!existsSync(init)) {
    run(PYTHON, [join(REFERENCE_DIR, 'numpy_batch_som.py'), '--data', data, '--grid', `${w.rows}x${w.cols}`, '--epochs', '0', '--save-weights', init], numpyEnv(0));
  }
  return { ...w, name, data, meta: JSON.parse(readFileSync(meta, 'utf8')), labels, init };
}

/**
 * Run the numpy reference in a Python that reports its own peak RSS (ru_maxrss, KiB) on its
 * last stderr line. Returns the script's JSON summary plus `maxRssKiB`.
 */
export function runNumpy(work, threads, extra = []) {
  const script = join(REFERENCE_DIR, 'numpy_batch_som.py');
  const argv = [script, '--data', work.data, '--grid', `${work.rows}x${work.cols}`, '--epochs', String(work.epochs), ...(threads ? ['--threads', String(threads)] : []), ...extra];
  const wrapper = [
    'import json, resource, runpy, sys',
    `sys.argv = ${JSON.stringify(argv)}`,
    'runpy.run_path(sys.argv[0], run_name="__main__")',
    'print("MAXRSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)',
  ].join('\n');
  const r = run(PYTHON, ['-c', wrapper], numpyEnv(threads));
  const summary = JSON.parse(r.stdout.trim().split('\n').pop());
  const m = /MAXRSS (\d+)/.exec(r.stderr);
  return { ...summary, maxRssKiB: m ? Number(m[1]) : null };
}
