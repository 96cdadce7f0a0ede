export * from './formats/errors.js';
export * from './formats/korel-dat.js';
export * from './formats/korel-par.js';
export * from './formats/korel-tmp.js';
export { runKorel, costFunction, KorelAborted, type KorelInput, type KorelResult, type RunResult, type ExposureResult, type FitOptions } from './method/fit.js';
