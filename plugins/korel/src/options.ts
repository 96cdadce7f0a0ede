/** The plugin's options from the config (`plugins[].options`), checked when the server starts. */
import type { WorkerLimits } from '@vocloud/sdk';

export type KorelJobTypeName = 'korel' | 'korel-prepare';

export interface KorelOptions {
  /** Limits by job type name. Unset values keep the plugin's own. */
  readonly limits?: { readonly [K in KorelJobTypeName]?: Partial<WorkerLimits> };
  /** Most files korel-prepare's `spectraPath` may give (each is read into memory). */
  readonly maxInputFiles?: number;
}

export interface CheckedKorelOptions {
  readonly limits: Readonly<Record<KorelJobTypeName, Partial<WorkerLimits>>>;
  readonly maxInputFiles: number;
}

/** Spectra of a few hundred kB each: 5000 are over a gigabyte while being read. */
export const DEFAULT_MAX_INPUT_FILES = 5000;

const KEYS: Record<string, readonly string[]> = {
  options: ['limits', 'maxInputFiles'],
  'options.limits': ['korel', 'korel-prepare'],
  'options.limits.korel': ['concurrency', 'defaultExecutionDuration', 'maxExecutionDuration'],
  'options.limits.korel-prepare': ['concurrency', 'defaultExecutionDuration', 'maxExecutionDuration'],
};

/** An object with known keys only, nested as KEYS says; a typo stops the server with its place. */
function checkKeys(value: unknown, where: string): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where} must be an object`);
  for (const [k, v] of Object.entries(value)) {
    if (!KEYS[where]!.includes(k)) throw new Error(`${where}: unknown key '${k}' (known: ${KEYS[where]!.join(', ')})`);
    if (KEYS[`${where}.${k}`]) checkKeys(v, `${where}.${k}`);
  }
}

/** Check the options; the limit values themselves are checked by defineWorker. */
export function korelOptions(raw: unknown): CheckedKorelOptions {
  checkKeys(raw ?? {}, 'options');
  const o = (raw ?? {}) as KorelOptions;
  const max = o.maxInputFiles ?? DEFAULT_MAX_INPUT_FILES;
  if (!Number.isInteger(max) || max < 1) throw new Error(`options.maxInputFiles must be a whole number >= 1 (got ${String(max)})`);
  return { limits: { korel: { ...o.limits?.korel }, 'korel-prepare': { ...o.limits?.['korel-prepare'] } }, maxInputFiles: max };
}
