import { FileParameter, JobError, StoragePathParameter, Type, defineWorker, type JobContext, type Static, type WorkerLimits } from '@vocloud/sdk';
import { KorelInputError } from './formats/errors.js';
import { KorelParSchema } from './formats/korel-par-schema.js';
import { loadKorelInput, type KorelFile, type KorelSources } from './inputs/load.js';
import { storageFile } from './inputs/storage.js';
import { KorelAborted, runKorel } from './method/fit.js';
import { storeResults } from './output/results.js';
import { VERSION } from './version.js';

export const KorelParameters = Type.Object({
  par: Type.Optional(
    Type.Unsafe<Static<typeof KorelParSchema>>({
      ...KorelParSchema,
      description: 'korel.par as JSON (one entry per run: header keys and element lines); wins over parFile and the archive',
    }),
  ),
  parFile: Type.Optional(FileParameter({ description: 'korel.par as a file' })),
  parPath: Type.Optional(StoragePathParameter({ kind: 'file', description: 'korel.par from storage (vocloud:/~/…), instead of parFile' })),
  dat: Type.Optional(FileParameter({ description: 'korel.dat: the spectra, `t λ0 dv w N` then N intensities, N a power of two' })),
  datPath: Type.Optional(StoragePathParameter({ kind: 'file', description: 'korel.dat from storage (vocloud:/~/…), instead of dat' })),
  tmp: Type.Optional(FileParameter({ description: 'korel.tmp: templates of known component spectra (optional)' })),
  tmpPath: Type.Optional(StoragePathParameter({ kind: 'file', description: 'korel.tmp from storage (vocloud:/~/…), instead of tmp' })),
  archive: Type.Optional(
    FileParameter({ description: 'zip, tar or tar.gz with korel.dat, korel.par and optionally korel.tmp (at its top or in a korel/ folder), as VO-KOREL took them' }),
  ),
  archivePath: Type.Optional(StoragePathParameter({ kind: 'file', description: 'The same archive from storage (vocloud:/~/…), instead of archive' })),
  maxEvaluations: Type.Integer({ minimum: 10, maximum: 10_000_000, default: 20000, description: 'Cap on cost evaluations per simplex run (a safety net; convergence normally stops earlier)' }),
  plots: Type.Boolean({ default: true, description: 'Make the SVG/PNG plots and index.html' }),
});

/** Each input file comes as an upload or as a storage path, not both. */
const INPUTS = [
  { key: 'dat', upload: 'dat', path: 'datPath' },
  { key: 'par', upload: 'parFile', path: 'parPath' },
  { key: 'tmp', upload: 'tmp', path: 'tmpPath' },
  { key: 'archive', upload: 'archive', path: 'archivePath' },
] as const;

/** Local files for loadKorelInput; storage files are named by their storage paths. */
async function korelSources(ctx: JobContext<Static<typeof KorelParameters>>): Promise<KorelSources> {
  const p = ctx.parameters;
  const files: { -readonly [K in KorelFile]?: string } = {};
  const names: { -readonly [K in KorelFile]?: string } = {};
  for (const { key, upload, path } of INPUTS) {
    const [fromUpload, fromStorage] = [p[upload], p[path]];
    if (fromUpload && fromStorage) throw new JobError(`give ${upload} or ${path}, not both`);
    if (fromStorage) {
      const local = await storageFile(ctx.storage, fromStorage);
      files[key] = local.path;
      names[key] = local.name;
    } else if (fromUpload) {
      files[key] = fromUpload;
    }
  }
  return { ...files, ...(p.par ? { parJson: p.par } : {}), names };
}

/** The `korel` job type; `limits` override the plugin's own (see KorelOptions). */
export function korelJobType(limits: Partial<WorkerLimits> = {}) {
  return defineWorker({
    name: 'korel',
    title: 'KOREL: Fourier disentangling of spectroscopic binaries',
    description:
      "Disentangles the spectra of up to five stars and fits their orbits (P. Hadrava's method, KOREL-compatible korel.dat/korel.par/korel.tmp inputs and korel.res/.spe/.rv/.o-c outputs), with plots and an interactive index.html.",
    version: VERSION,
    parameters: KorelParameters,
    limits: { defaultExecutionDuration: 3600, maxExecutionDuration: 86400, concurrency: 2, ...limits },
    async run(ctx) {
      const p = ctx.parameters;
      ctx.progress(0, 'reading korel.dat, korel.par and korel.tmp');
      try {
        const loaded = await loadKorelInput(await korelSources(ctx));
        ctx.log.info('korel inputs', { sources: loaded.described });
        const result = await runKorel(loaded.input, {
          signal: ctx.signal,
          maxEvaluations: p.maxEvaluations,
          progress: (fraction, message) => ctx.progress(fraction === null ? null : 0.05 + 0.8 * fraction, message),
        });
        ctx.progress(0.88, 'writing korel.res, korel.spe, korel.rv, korel.o-c');
        await storeResults(result, ctx.results, {
          version: VERSION,
          par: loaded.input.par,
          parText: loaded.parText,
          sources: loaded.described,
          plots: p.plots,
          progress: (f, m) => ctx.progress(f, m),
        });
        ctx.progress(1, 'done');
      } catch (err) {
        if (err instanceof KorelAborted) return;
        if (err instanceof KorelInputError) throw new JobError(err.message);
        throw err;
      }
    },
  });
}

/** The `korel` job type with the plugin's own limits. */
export const korelWorker = korelJobType();
