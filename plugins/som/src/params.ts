/** The SOM job's parameters: one schema for validation, UWS parsing, the docs and the web form. */
import { Type, FileParameter, StoragePathParameter, type Static } from '@vocloud/sdk';

const oneOf = <T extends string>(values: readonly T[], dflt: T, description: string) =>
  Type.Union(values.map((v) => Type.Literal(v)), { default: dflt, description });

export const somParameters = Type.Object({
  data: Type.Optional(FileParameter({
    description:
      'Input upload: a float32 matrix (.f32, one spectrum per row, with its JSON meta in `meta` or inside an archive), ' +
      'a CSV matrix (one spectrum per row; optional header, name and class columns), a single spectrum ' +
      '(FITS, VOTable, CSV) or an archive (zip, tar, tar.gz) of any of these. Give this, dataPaths, or both.',
  })),
  dataPaths: Type.Optional(Type.Array(
    StoragePathParameter({ kind: 'any', description: 'A file or folder in storage (vocloud:/~/spectra/, vocloud:/DATA/survey/a.fits)' }),
    {
      minItems: 1, maxItems: 1000,
      description:
        'Inputs already in storage: files (the same kinds as `data`) or folders, whose files are all read (subfolders too; ' +
        'hidden files left out; see `include`).',
    },
  )),
  include: Type.Optional(Type.String({
    minLength: 1, maxLength: 500,
    description: 'Which files of the dataPaths folders to read: a glob on the path below the folder (*.fits, 2026/**/*.fit); ' +
      'a pattern without / matches file names at any depth. Default: every file.',
  })),
  data2: Type.Optional(FileParameter({ description: 'A further input file (same kinds as `data`); for many files upload an archive.' })),
  data3: Type.Optional(FileParameter({ description: 'A further input file.' })),
  data4: Type.Optional(FileParameter({ description: 'A further input file.' })),
  meta: Type.Optional(FileParameter({ description: 'JSON meta of a .f32 matrix: {"n", "d", "wavelength_start", "wavelength_step", "classes"}.' })),
  metaPath: Type.Optional(StoragePathParameter({ kind: 'file', description: 'The same meta, from storage (instead of `meta`).' })),
  labels: Type.Optional(FileParameter({
    description: 'Classes of the inputs: JSON {"name": "class"}, CSV name,class, or one byte per row (.u8, names from meta.classes).',
  })),
  labelsPath: Type.Optional(StoragePathParameter({ kind: 'file', description: 'The same classes, from storage (instead of `labels`).' })),
  wavelengthMin: Type.Optional(Type.Number({ description: 'Cut: keep wavelengths >= this (Angstrom).' })),
  wavelengthMax: Type.Optional(Type.Number({ description: 'Cut: keep wavelengths <= this (Angstrom).' })),
  gridPoints: Type.Optional(Type.Integer({
    minimum: 2, maximum: 100000,
    description: 'Resample every spectrum onto a common linear grid of this many points (needed when spectra differ in length or grid).',
  })),
  normalise: oneOf(['none', 'l2', 'max', 'minmax', 'continuum'] as const, 'none', 'Normalise each spectrum before training.'),
  smooth: Type.Number({ minimum: 0, default: 0, description: 'Gaussian smoothing sigma in pixels (0 = none).' }),
  nan: oneOf(['error', 'drop'] as const, 'error', 'Spectra with NaN or infinite values: stop with an error, or leave them out (listed in the log).'),
  rows: Type.Integer({ minimum: 1, maximum: 200, default: 20, description: 'Map rows.' }),
  cols: Type.Integer({ minimum: 1, maximum: 200, default: 20, description: 'Map columns.' }),
  topology: oneOf(['rectangular', 'hexagonal'] as const, 'rectangular', 'Cell shape of the map.'),
  toroidal: Type.Boolean({ default: false, description: 'Wrap the map around both axes (a torus).' }),
  algorithm: oneOf(['batch', 'online'] as const, 'batch', 'Batch (Voronoi sums; fast, deterministic) or online (sample by sample).'),
  neighbourhood: oneOf(['gaussian', 'bubble', 'mexican-hat'] as const, 'gaussian', 'Neighbourhood function.'),
  distance: oneOf(['euclidean', 'cosine'] as const, 'euclidean', 'Distance between spectra and reference vectors.'),
  init: oneOf(['pca', 'random', 'samples'] as const, 'pca', 'Initial codebook: the plane of the first two principal components, random values, or random spectra.'),
  epochs: Type.Integer({ minimum: 1, maximum: 10000, default: 10, description: 'Passes over the data.' }),
  radiusStart: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Initial neighbourhood radius (default: half the longer map side).' })),
  radiusEnd: Type.Number({ exclusiveMinimum: 0, default: 1, description: 'Final neighbourhood radius.' }),
  radiusSchedule: oneOf(['linear', 'exponential', 'inverse-time'] as const, 'linear', 'How the radius decays.'),
  learningRateStart: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.5, description: 'Online only: initial learning rate.' }),
  learningRateEnd: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.01, description: 'Online only: final learning rate.' }),
  learningRateSchedule: oneOf(['linear', 'exponential', 'inverse-time'] as const, 'linear', 'Online only: how the learning rate decays.'),
  seed: Type.Integer({ default: 1, description: 'Seed for random initialisation and the online sample order: the same seed gives the same map.' }),
  viewerSpectra: Type.Integer({ minimum: 0, maximum: 50, default: 5, description: 'Spectra per neuron embedded in index.html for plotting (the closest ones).' }),
});

export type SomParameters = Static<typeof somParameters>;
