/** Test helpers: the shared synthetic-spectra generator and the numpy reference, in a temp dir. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REQUIRE_PEERS } from '../../../tests/support/peers.js';

export const PYTHON = '/usr/bin/python3';
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const REFERENCE_DIR = process.env.VOCLOUD_SHARED
  ? join(process.env.VOCLOUD_SHARED, 'bench', 'som')
  : resolve(repo, '..', 'shared', 'bench', 'som');

/**
 * Whether the shared reference scripts are there. Like a missing peer: skipped on a user's
 * machine, a failure under VOCLOUD_REQUIRE_PEERS=1 (CI has shared/ beside the checkout).
 */
export function referenceAvailable(): boolean {
  if (existsSync(join(REFERENCE_DIR, 'gen_spectra.py')) && existsSync(join(REFERENCE_DIR, 'numpy_batch_som.py'))) return true;
  const why = `the SOM reference scripts are not in ${REFERENCE_DIR} (set VOCLOUD_SHARED to the shared folder)`;
  if (REQUIRE_PEERS) throw new Error(`VOCLOUD_REQUIRE_PEERS=1 and ${why}`);
  console.warn(`skipping SOM reference tests: ${why}`);
  return false;
}

function run(args: string[]): string {
  const env = { ...process.env };
  // one BLAS thread: the test's numbers, not its speed, matter, and two runs share 2 cores
  env.OPENBLAS_NUM_THREADS = '1';
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${PYTHON} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export interface Workload {
  dir: string;
  n: number;
  d: number;
  data: string;
  meta: string;
  labels: string;
  x: Float32Array;
  classes: Uint8Array;
}

export function readF32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** gen_spectra.py --n n --d d --seed seed into a fresh temp dir. */
export function generate(n: number, d: number, seed = 1): Workload {
  const dir = mkdtempSync(join(tmpdir(), 'vocloud-som-test-'));
  run([join(REFERENCE_DIR, 'gen_spectra.py'), '--n', String(n), '--d', String(d), '--seed', String(seed), '--out', dir]);
  const data = join(dir, `spectra-${n}-${d}.f32`);
  const labels = join(dir, `labels-${n}.u8`);
  return { dir, n, d, data, meta: join(dir, `spectra-${n}-${d}.json`), labels, x: readF32(data), classes: new Uint8Array(readFileSync(labels)) };
}

export interface NumpyRun {
  summary: { final_qe: number; final_te: number; qe_pre_update: number[]; te_pre_update: (number | null)[] };
  weights: Float32Array;
}

/** The numpy reference: its final codebook and summary (with per-epoch TE). */
export function numpyReference(w: Workload, rows: number, cols: number, epochs: number): NumpyRun {
  const out = join(w.dir, `np-${rows}x${cols}-${epochs}.f32`);
  const stdout = run([join(REFERENCE_DIR, 'numpy_batch_som.py'), '--data', w.data, '--grid', `${rows}x${cols}`, '--epochs', String(epochs), '--epoch-te', '--save-weights', out]);
  return { summary: JSON.parse(stdout.trim().split('\n').pop()!), weights: readF32(out) };
}

/** Relative RMS difference |a - b| / |b|. */
export function relativeRms(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, r = 0;
  for (let i = 0; i < b.length; i++) { d += (a[i]! - b[i]!) ** 2; r += b[i]! ** 2; }
  return Math.sqrt(d / r);
}

/** The reference's PCA initial codebook (`--epochs 0 --save-weights`). */
export function numpyInit(w: Workload, rows: number, cols: number): Float32Array {
  const out = join(w.dir, `init-${rows}x${cols}.f32`);
  run([join(REFERENCE_DIR, 'numpy_batch_som.py'), '--data', w.data, '--grid', `${rows}x${cols}`, '--epochs', '0', '--save-weights', out]);
  return readF32(out);
}
