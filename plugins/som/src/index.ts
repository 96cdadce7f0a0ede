/**
 * @vocloud/plugin-som — Self-Organizing Maps of spectra as a vocloud worker (`/uws/som`).
 * The compute kernel is exported too ('@vocloud/plugin-som/kernel' or the names below).
 */
import { defineWorker, definePluginFactory } from '@vocloud/sdk';
import { somParameters } from './params.js';
import { runSom } from './job.js';
import { somOptions, type SomOptions } from './options.js';

export * from './kernel/index.js';
export { somParameters, type SomParameters } from './params.js';
export { loadInputs, type InputFiles, type InputFile, type LoadReport } from './inputs/load.js';
export { storageInputs, type LocalInput, type StorageInputOptions } from './inputs/storage.js';
export { InputError, type Dataset } from './inputs/dataset.js';
export { viewerData, type ViewerData } from './outputs/viewer.js';
export { DEFAULT_MAX_INPUT_FILES, type SomOptions } from './options.js';

/** The `som` job type with the given options (see SomOptions; none gives the defaults). */
export function somWorker(options: SomOptions = {}) {
  const o = somOptions(options);
  return defineWorker({
    name: 'som',
    title: 'Self-Organizing Map',
    description:
      'Train a Self-Organizing Map on spectra (batch or online; rectangular or hexagonal, planar or toroidal) ' +
      'and explore it in an interactive page: U-matrix, hits, classes, reference vectors and the spectra of each neuron.',
    version: '0.1.0',
    parameters: somParameters,
    // the kernel uses every core of the node: one SOM job at a time per executor
    limits: { concurrency: 1, ...o.limits },
    run: (ctx) => runSom(ctx, { maxInputFiles: o.maxInputFiles }),
  });
}

/** The plugin as the config loads it: `- package: "@vocloud/plugin-som"` with optional `options`. */
export default definePluginFactory<unknown>('som', (options) => [somWorker(options as SomOptions)]);
