/**
 * @vocloud/plugin-korel — spectral disentangling of spectroscopic binaries (KOREL's method,
 * native). The default export lists the job types: `korel` (and `korel-prepare`).
 */
import { prepareWorker } from './prepare/worker.js';
import { korelWorker } from './worker.js';

export default [korelWorker, prepareWorker];
export { korelWorker, KorelParameters } from './worker.js';
export { prepareWorker, PrepareParameters } from './prepare/worker.js';
export { prepareKorelDat, type PrepareOptions, type Prepared, type SpectrumFile } from './prepare/prepare.js';
export * from './formats/errors.js';
export * from './formats/korel-dat.js';
export * from './formats/korel-par.js';
export * from './formats/korel-tmp.js';
export { KorelParSchema } from './formats/korel-par-schema.js';
export { loadKorelInput, type KorelSources, type LoadedInput } from './inputs/load.js';
export { runKorel, costFunction, KorelAborted, type KorelInput, type KorelResult, type RunResult, type ExposureResult, type FitOptions } from './method/fit.js';
