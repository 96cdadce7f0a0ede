export * from './formats/errors.js';
export * from './formats/korel-dat.js';
export * from './formats/korel-par.js';
export * from './formats/korel-tmp.js';
export * from './method/fit.js';
