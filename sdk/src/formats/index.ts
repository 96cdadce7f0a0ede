/**
 * @vocloud/sdk/formats — VO formats for Node and browsers: FITS (read/write), VOTable
 * (streaming read, write) and the spectrum model with its operations. Nothing here imports a
 * Node module; file-system helpers are in '@vocloud/sdk/formats/node'. See docs/formats.md.
 */
export * from './errors.js';
export { toBytes, type BytesLike } from './bytes.js';
export type { NumericArray } from './fits/endian.js';
export * from './fits/header.js';
export type { FitsImage } from './fits/image.js';
export type { FitsColumn, FitsColumnData } from './fits/bintable.js';
export * from './fits/read.js';
export type { CardInput } from './fits/cards-write.js';
export * from './fits/write.js';
export * from './votable/model.js';
export * from './votable/reader.js';
export * from './votable/writer.js';
export * from './spectrum/model.js';
export { readSpectrum, type ReadSpectrumOptions } from './spectrum/read.js';
export { spectrumFromFits, type FitsSpectrumOptions } from './spectrum/fits.js';
export { spectrumFromVoTable } from './spectrum/votable.js';
export { spectrumFromText } from './spectrum/ascii.js';
export { chooseColumns, type ColumnInfo, type ColumnChoice } from './spectrum/columns.js';
export { linearGrid, logGrid } from './spectrum/grid.js';
export { cutSpectrum } from './spectrum/cut.js';
export { resampleLinear, resampleFluxConserving, type ResampleOptions } from './spectrum/resample.js';
export { normalise, fitContinuum, type NormaliseKind, type ContinuumOptions } from './spectrum/normalise.js';
export { gaussianSmooth, type SmoothOptions } from './spectrum/smooth.js';
export { airToVacuum, vacuumToAir } from './spectrum/airvac.js';
export { packSpectra, type PackOptions, type PackedSpectra } from './spectrum/pack.js';
