/** The plugin's options from the config (`plugins[].options`), checked when the server starts. */
import type { WorkerLimits } from '@vocloud/sdk';

export interface SomOptions {
  /** Limits by job type; `som` is the only one. Unset values keep the plugin's own. */
  readonly limits?: { readonly som?: Partial<WorkerLimits> };
  /** Most files the storage inputs (`dataPaths`) of one job may give. */
  readonly maxInputFiles?: number;
}

/** Files read one by one into memory: 20 000 spectra of 4000 points are ~1.3 GB while loading. */
export const DEFAULT_MAX_INPUT_FILES = 20_000;

const LIMIT_KEYS = new Set(['concurrency', 'defaultExecutionDuration', 'maxExecutionDuration']);

function unknownKey(value: unknown, known: readonly string[] | Set<string>, where: string): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where} must be an object`);
  const bad = Object.keys(value).find((k) => !(known instanceof Set ? known.has(k) : known.includes(k)));
  if (bad !== undefined) throw new Error(`${where}: unknown key '${bad}' (known: ${[...known].join(', ')})`);
}

/**
 * Check the options; the values of `limits` are checked by defineWorker (whole numbers, a
 * default within the maximum), so a bad one stops the server with the job type named.
 */
export function somOptions(raw: unknown): { limits: Partial<WorkerLimits>; maxInputFiles: number } {
  const o = (raw ?? {}) as SomOptions;
  unknownKey(o, ['limits', 'maxInputFiles'], 'options');
  unknownKey(o.limits, ['som'], 'options.limits');
  unknownKey(o.limits?.som, LIMIT_KEYS, 'options.limits.som');
  const max = o.maxInputFiles ?? DEFAULT_MAX_INPUT_FILES;
  if (!Number.isInteger(max) || max < 1) throw new Error(`options.maxInputFiles must be a whole number >= 1 (got ${String(max)})`);
  return { limits: { ...(o.limits?.som ?? {}) }, maxInputFiles: max };
}
