/**
 * @vocloud/plugin-korel — spectral disentangling of spectroscopic binaries (KOREL's method,
 * native). The default export is the plugin as the config loads it: the job types `korel` and
 * `korel-prepare`, with limits and caps from `options` (see KorelOptions).
 */
import { definePluginFactory } from '@vocloud/sdk';
import { korelOptions, type KorelOptions } from './options.js';
import { prepareJobType } from './prepare/worker.js';
import { korelJobType } from './worker.js';

/** Both job types, configured by the plugin's options (none gives the defaults). */
export function korelJobTypes(options: KorelOptions = {}) {
  const o = korelOptions(options);
  return [korelJobType(o.limits.korel), prepareJobType(o.limits['korel-prepare'], o.maxInputFiles)] as const;
}

export default definePluginFactory<unknown>('korel', (options) => korelJobTypes(options as KorelOptions));
export { korelOptions, DEFAULT_MAX_INPUT_FILES, type KorelOptions } from './options.js';
export { korelWorker, korelJobType, KorelParameters } from './worker.js';
export { prepareWorker, prepareJobType, PrepareParameters } from './prepare/worker.js';
export { prepareKorelDat, type PrepareOptions, type Prepared, type SpectrumFile } from './prepare/prepare.js';
export * from './formats/errors.js';
export * from './formats/korel-dat.js';
export * from './formats/korel-par.js';
export * from './formats/korel-tmp.js';
export { KorelParSchema } from './formats/korel-par-schema.js';
export { loadKorelInput, type KorelFile, type KorelSources, type LoadedInput } from './inputs/load.js';
export { storageInputs, storageFile, type LocalInput, type StorageInputOptions } from './inputs/storage.js';
export { runKorel, costFunction, KorelAborted, type KorelInput, type KorelResult, type RunResult, type ExposureResult, type FitOptions } from './method/fit.js';
