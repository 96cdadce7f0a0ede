import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What test/support/numpy_reference.py prints: the shared numpy reference's data and results. */
export interface NumpyReference {
  readonly N: number;
  readonly dv: number;
  readonly lambda0: number;
  readonly noise: number;
  readonly t: number[];
  readonly obs: number[][];
  readonly componentsTrue: [number[], number[]];
  readonly true: Elements;
  readonly start: Elements;
  /** korel.par for the system: six free elements from the reference's starting point … */
  readonly korelPar: string;
  /** … and all fixed at the true orbit. */
  readonly korelParAtTrue: string;
  readonly numpy: Elements & {
    readonly nfev: number;
    readonly cost: number;
    readonly fitSeconds: number;
    readonly msPerEvaluation: number;
    readonly spectra: [number[], number[]];
    readonly spectraAtTrue: [number[], number[]];
  };
  readonly versions: { readonly numpy: string; readonly scipy: string; readonly blas: unknown[] };
}

export interface Elements {
  readonly P: number;
  readonly T0: number;
  readonly e: number;
  readonly omega: number;
  readonly K1: number;
  readonly K2: number;
}

const here = dirname(fileURLToPath(import.meta.url));

/** The shared reference script: ../shared beside the checkout (as CI lays it out), or $VOCLOUD_SHARED. */
export function referenceScript(): string {
  const shared = process.env.VOCLOUD_SHARED ?? resolve(here, '../../../../../shared');
  return resolve(shared, 'bench/korel/numpy_disentangle_reference.py');
}

export function referenceAvailable(): boolean {
  return existsSync(referenceScript());
}

/** Run the numpy reference (Debian's /usr/bin/python3) and return what it made and found. */
export function runNumpyReference(): NumpyReference {
  const out = execFileSync('/usr/bin/python3', [resolve(here, 'numpy_reference.py'), referenceScript()], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return JSON.parse(out) as NumpyReference;
}
