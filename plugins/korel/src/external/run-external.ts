import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeKorelPar, type KorelPar } from '../formats/korel-par.js';
import { readKorelArchive } from '../inputs/archive.js';

/**
 * External mode: run a real KOREL binary (Fortran, distributed by P. Hadrava on request) on the
 * same inputs as the native job type, and collect its outputs. KOREL reads korel.dat, korel.par
 * and korel.tmp from its working directory and writes korel.res, korel.spe, korel.rv,
 * korel.o-c (and plots such as phg.ps) there; inputs are staged byte for byte, not re-parsed,
 * so files that only the Fortran code understands still work.
 */
export interface ExternalOptions {
  /** The KOREL executable. */
  readonly korel: string;
  readonly dat?: string;
  readonly par?: string;
  /** korel.par as JSON (the job parameter), written out as korel.par. */
  readonly parJson?: KorelPar;
  readonly tmp?: string;
  readonly archive?: string;
  /** Where KOREL runs (a fresh directory is made inside). */
  readonly workDir: string;
  /** Where its outputs are copied. */
  readonly resultDir: string;
}

export interface ExternalResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly outputs: readonly string[];
}

const INPUTS = new Set(['korel.dat', 'korel.par', 'korel.tmp']);

export async function runExternalKorel(o: ExternalOptions): Promise<ExternalResult> {
  const dir = join(o.workDir, 'korel-run');
  await mkdir(dir, { recursive: true });
  await mkdir(o.resultDir, { recursive: true });
  const archive = o.archive ? await readKorelArchive(o.archive, 'archive') : {};
  const stage = async (name: 'korel.dat' | 'korel.par' | 'korel.tmp', path: string | undefined, required: boolean) => {
    if (path) return copyFile(path, join(dir, name));
    const m = archive[name];
    if (m) return writeFile(join(dir, name), m.bytes);
    if (required) throw new Error(`${name}: missing: give it as a file or in the archive`);
  };
  await stage('korel.dat', o.dat, true);
  if (o.parJson) await writeFile(join(dir, 'korel.par'), writeKorelPar(o.parJson));
  else await stage('korel.par', o.par, true);
  await stage('korel.tmp', o.tmp, false);

  const stdout = createWriteStream(join(o.resultDir, 'korel.stdout.txt'));
  const stderr = createWriteStream(join(o.resultDir, 'korel.stderr.txt'));
  const child = spawn(o.korel, [], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
  child.stdout.pipe(stdout);
  child.stderr.pipe(stderr);
  // Pass termination on (the command plugin signals the whole process group anyway).
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  const onTerm = forward('SIGTERM');
  const onInt = forward('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', (e) => reject(new Error(`cannot start the KOREL binary '${o.korel}': ${e.message}`)));
    child.once('close', (code, sig) => resolve([code, sig]));
  });
  process.off('SIGTERM', onTerm);
  process.off('SIGINT', onInt);
  await Promise.all([stdout, stderr].map((s) => new Promise((r) => s.end(r))));
  const outputs: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (!e.isFile() || INPUTS.has(e.name)) continue;
    await copyFile(join(dir, e.name), join(o.resultDir, e.name));
    outputs.push(e.name);
  }
  return { exitCode, signal, outputs: outputs.sort() };
}

/** Command-line form: --korel=PATH --result-dir=DIR [--work-dir=DIR] [--dat=…] [--par=…] [--par-json=…] [--tmp=…] [--archive=…] */
export function parseExternalArgs(argv: readonly string[], cwd: string): ExternalOptions {
  const v: Record<string, string> = {};
  for (const a of argv) {
    const m = /^--([a-z-]+)=(.*)$/s.exec(a);
    if (!m) throw new Error(`unexpected argument '${a}' (use --name=value)`);
    v[m[1]!] = m[2]!;
  }
  const known = ['korel', 'result-dir', 'work-dir', 'dat', 'par', 'par-json', 'tmp', 'archive'];
  for (const k of Object.keys(v)) if (!known.includes(k)) throw new Error(`unknown option --${k}; known: ${known.map((x) => `--${x}`).join(' ')}`);
  if (!v.korel) throw new Error('--korel=PATH (the KOREL executable) is required');
  if (!v['result-dir']) throw new Error('--result-dir=DIR is required');
  let parJson: KorelPar | undefined;
  if (v['par-json']) {
    try {
      parJson = JSON.parse(v['par-json']) as KorelPar;
    } catch {
      throw new Error('--par-json is not valid JSON');
    }
  }
  return {
    korel: v.korel,
    resultDir: v['result-dir'],
    workDir: v['work-dir'] ?? cwd,
    ...(v.dat ? { dat: v.dat } : {}),
    ...(v.par ? { par: v.par } : {}),
    ...(parJson ? { parJson } : {}),
    ...(v.tmp ? { tmp: v.tmp } : {}),
    ...(v.archive ? { archive: v.archive } : {}),
  };
}
