/** The SOM job: read inputs, train, write every result. */
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { JobError, type JobContext } from '@vocloud/sdk';
import { trainSom, SomInputError, Grid, type SomResult } from './kernel/index.js';
import { loadInputs, type InputFile } from './inputs/load.js';
import { InputError } from './inputs/dataset.js';
import { storageFile, storageInputs } from './inputs/storage.js';
import type { SomParameters } from './params.js';
import { summarise } from './outputs/summary.js';
import { codebookFits, codebookJson } from './outputs/codebook.js';
import { bmuCsv, bmuVoTable } from './outputs/tables.js';
import { mapPng } from './outputs/png.js';
import { viewerHtml } from './outputs/viewer.js';

/** Input problems become JobErrors (the message is the UWS errorSummary); the rest propagates. */
function asJobError(err: unknown): unknown {
  if (err instanceof InputError || err instanceof SomInputError) return new JobError(err.message);
  return err;
}

/** What the service allows, from the plugin's options. */
export interface SomJobLimits {
  /** Most files the storage inputs of one job may give. */
  readonly maxInputFiles: number;
}

/** An upload or a storage path for the same input, not both. */
async function oneOf(ctx: JobContext<SomParameters>, upload: string | undefined, path: string | undefined, name: string): Promise<InputFile | undefined> {
  if (upload && path) throw new JobError(`give ${name} as an upload or as ${name}Path, not both`);
  return path ? storageFile(ctx.storage, path) : upload;
}

/** Uploads and storage inputs as the local files loadInputs reads. */
async function inputFiles(ctx: JobContext<SomParameters>, limits: SomJobLimits) {
  const p = ctx.parameters;
  const uploads = [p.data, p.data2, p.data3, p.data4].filter((f): f is string => typeof f === 'string' && f.length > 0);
  const paths = p.dataPaths ?? [];
  if (uploads.length === 0 && paths.length === 0) {
    throw new JobError('no input: upload a file as `data`, or name files or folders in storage with `dataPaths` (vocloud:/~/spectra/)');
  }
  if (paths.length) ctx.progress(0, `listing ${paths.length === 1 ? paths[0] : `${paths.length} storage paths`}`);
  const stored = await storageInputs(ctx.storage, paths, { ...(p.include ? { include: p.include } : {}), maxFiles: limits.maxInputFiles, signal: ctx.signal });
  if (stored.length) ctx.log.info(`${stored.length} input file(s) from storage`, { first: stored[0]!.name });
  const meta = await oneOf(ctx, p.meta, p.metaPath, 'meta');
  const labels = await oneOf(ctx, p.labels, p.labelsPath, 'labels');
  return { data: [...uploads, ...stored], ...(meta ? { meta } : {}), ...(labels ? { labels } : {}) };
}

export async function runSom(ctx: JobContext<SomParameters>, limits: SomJobLimits): Promise<void> {
  const p = ctx.parameters;
  const started = performance.now();
  const files = await inputFiles(ctx, limits);
  if (ctx.signal.aborted) return;
  ctx.progress(0.01, 'reading inputs');
  let loaded;
  try {
    loaded = await loadInputs(
      files,
      {
        ...(p.wavelengthMin !== undefined ? { wavelengthMin: p.wavelengthMin } : {}),
        ...(p.wavelengthMax !== undefined ? { wavelengthMax: p.wavelengthMax } : {}),
        ...(p.gridPoints !== undefined ? { gridPoints: p.gridPoints } : {}),
        normalise: p.normalise, smooth: p.smooth, nan: p.nan,
      },
    );
  } catch (err) {
    throw asJobError(err);
  }
  const ds = loaded.dataset;
  for (const note of loaded.notes) ctx.log.info(note);
  const k = p.rows * p.cols;
  ctx.log.info(`training a ${p.rows} x ${p.cols} ${p.topology} map on ${ds.n} spectra x ${ds.d} values`);
  if (k > ds.n) ctx.log.warn(`the map has more neurons (${k}) than spectra (${ds.n}): some neurons will have no spectra of their own`);
  if (ctx.signal.aborted) return;

  let result: SomResult;
  try {
    result = await trainSom(ds.x, ds.n, ds.d, {
      rows: p.rows, cols: p.cols, topology: p.topology, toroidal: p.toroidal, neighbourhood: p.neighbourhood,
      algorithm: p.algorithm, epochs: p.epochs, distance: p.distance, init: p.init, seed: p.seed,
      radius: { ...(p.radiusStart !== undefined ? { start: p.radiusStart } : {}), end: p.radiusEnd, kind: p.radiusSchedule },
      learningRate: { start: p.learningRateStart, end: p.learningRateEnd, kind: p.learningRateSchedule },
      signal: ctx.signal,
      onEpoch: (e) => ctx.progress(0.05 + (0.85 * e.epoch) / e.epochs, `epoch ${e.epoch}/${e.epochs}: QE ${e.qe.toPrecision(5)}, TE ${e.te.toFixed(4)}`),
    });
  } catch (err) {
    if (ctx.signal.aborted) return;
    throw asJobError(err);
  }
  ctx.log.info(`trained on ${result.backend} x ${result.threads} threads in ${result.timings.trainSeconds.toFixed(2)} s: QE ${result.qe.toPrecision(5)}, TE ${result.te.toFixed(4)}`);

  ctx.progress(0.92, 'writing results');
  const summary = summarise(result, ds.classes);
  const options = {
    rows: p.rows, cols: p.cols, topology: p.topology, toroidal: p.toroidal, algorithm: p.algorithm, neighbourhood: p.neighbourhood,
    distance: p.distance, init: p.init, epochs: p.epochs, radiusStart: p.radiusStart ?? Math.max(p.rows, p.cols) / 2, radiusEnd: p.radiusEnd,
    radiusSchedule: p.radiusSchedule, seed: p.seed,
    ...(p.algorithm === 'online' ? { learningRateStart: p.learningRateStart, learningRateEnd: p.learningRateEnd, learningRateSchedule: p.learningRateSchedule } : {}),
  };
  const meta = { wavelength: ds.wavelength, wavelengthUnit: ds.wavelengthUnit, options };
  const rows = { names: ds.names, classes: ds.classes };
  const codebookPath = join(ctx.workDir, 'codebook.f32');
  await writeFile(codebookPath, result.weights);
  await ctx.results.add('codebook.f32', codebookPath, 'application/octet-stream');
  await ctx.results.add('codebook.json', Buffer.from(codebookJson(result, meta)), 'application/json');
  await ctx.results.add('codebook.fits', codebookFits(result, meta, summary), 'application/fits');
  await ctx.results.add('bmu.csv', Buffer.from(bmuCsv(result, rows)), 'text/csv');
  await ctx.results.add('bmu.vot', Buffer.from(bmuVoTable(result, rows)), 'application/x-votable+xml');
  const history = {
    qe: result.qe, te: result.te, epochs: result.history, backend: result.backend, threads: result.threads, timings: result.timings,
    spectra: ds.n, values: ds.d, dropped: loaded.dropped, options,
  };
  await ctx.results.add('history.json', Buffer.from(JSON.stringify(history, null, 1)), 'application/json');
  const grid = new Grid({ rows: p.rows, cols: p.cols, topology: p.topology, toroidal: p.toroidal });
  await ctx.results.add('umatrix.png', mapPng(grid, result.umatrix), 'image/png');
  await ctx.results.add('hits.png', mapPng(grid, result.hits, { log: true }), 'image/png');
  const html = viewerHtml({
    title: `SOM ${p.rows}×${p.cols} of ${ds.n} spectra`, result, summary, x: ds.x, names: ds.names, classes: ds.classes,
    wavelength: ds.wavelength, wavelengthUnit: ds.wavelengthUnit, spectraPerUnit: p.viewerSpectra,
  });
  await ctx.results.add('index.html', Buffer.from(html), 'text/html');
  ctx.progress(1, `done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
