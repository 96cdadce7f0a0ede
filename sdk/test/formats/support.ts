/** Helpers shared by the formats tests: the astropy fixture generator and value normalisation. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, '../../..');
/** The shared real fixtures, referenced in place (../shared/data/real from the repo). */
export const REAL = resolve(REPO, '../shared/data/real');
export const SCHEMAS = resolve(REPO, '../shared/ivoa/schemas');
export const PY = '/usr/bin/python3';

/** Run a generator script from sdk/test/fixtures-gen into a fresh temp dir; returns the dir. */
export function generate(script: string, ...args: string[]): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'vocloud-formats-'));
  const r = spawnSync(PY, [join(here, '../fixtures-gen', script), dir, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Run a Python snippet with arguments and parse its JSON stdout. */
export function python<T>(code: string, ...args: string[]): T {
  const r = spawnSync(PY, ['-c', code, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** The JSON encoding the generator uses: NaN/Inf as strings, big integers as {bigint}. */
export function enc(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n ? Number(v) : { bigint: String(v) };
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Inf' : '-Inf';
    return v;
  }
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<unknown>, enc);
  if (Array.isArray(v)) return v.map(enc);
  return v;
}
