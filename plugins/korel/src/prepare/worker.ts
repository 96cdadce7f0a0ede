import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { FileParameter, JobError, StoragePathParameter, Type, defineWorker, type JobContext, type Static, type WorkerLimits } from '@vocloud/sdk';
import { KorelInputError, unreadable } from '../formats/errors.js';
import { writeKorelDat } from '../formats/korel-dat.js';
import { memberParts, readArchive } from '../inputs/archive.js';
import { storageInputs } from '../inputs/storage.js';
import { DEFAULT_MAX_INPUT_FILES } from '../options.js';
import { VERSION } from '../version.js';
import { prepareKorelDat, type SpectrumFile } from './prepare.js';

export const PrepareParameters = Type.Object({
  spectra: Type.Optional(FileParameter({ description: 'The spectra: a zip, tar or tar.gz of FITS (or VOTable/text) spectra, or one spectrum' })),
  spectraPath: Type.Optional(StoragePathParameter({
    kind: 'any',
    description: 'Or: the spectra in storage: a folder (read with its subfolders, hidden files left out; see include), an archive or one spectrum (vocloud:/~/hd123/)',
  })),
  include: Type.Optional(Type.String({
    minLength: 1, maxLength: 500,
    description: 'Which files of the spectraPath folder to read: a glob on the path below it (*.fits, 2026/*.fit); a pattern without / matches file names at any depth. Default: every file.',
  })),
  lambdaMin: Type.Number({ exclusiveMinimum: 0, description: 'Start of the range (Å): the first bin of the grid' }),
  lambdaMax: Type.Number({ exclusiveMinimum: 0, description: 'End of the range (Å): the last bin of the grid' }),
  bins: Type.Integer({ minimum: 2, maximum: 1 << 20, default: 1024, description: 'Bins of the ln λ grid: a power of two' }),
  timeKeyword: Type.Optional(Type.String({ maxLength: 68, description: 'FITS keyword with the time (default: the first of HJD, BJD, JD, MJD-OBS)' })),
  timeOffset: Type.Number({ default: 0, description: 'Subtracted from every time, e.g. 2400000' }),
  normalise: Type.Boolean({ default: false, description: 'Divide by a fitted continuum before resampling' }),
});

const byName = (a: SpectrumFile, b: SpectrumFile) => a.name.localeCompare(b.name);

/** The spectra of one file: every file of an archive (but folders, dot files, macOS forks), or the file itself. */
async function spectrumFiles(path: string, name: string): Promise<SpectrumFile[]> {
  try {
    const members = await readArchive(path, name, (p) => memberParts(p) !== null && !memberParts(p)!.some((s) => s.startsWith('.')));
    return members.map((m) => ({ name: m.path, bytes: m.bytes })).sort(byName);
  } catch (err) {
    if (err instanceof KorelInputError && /not a zip, tar or tar\.gz archive/.test(err.message)) {
      return [{ name, bytes: new Uint8Array(await readFile(path).catch((e: unknown) => Promise.reject(unreadable(name, e)))) }];
    }
    throw err;
  }
}

/** The spectra of the upload or of the storage path (named by their storage paths). */
async function inputSpectra(ctx: JobContext<Static<typeof PrepareParameters>>, maxInputFiles: number): Promise<SpectrumFile[]> {
  const p = ctx.parameters;
  if (p.spectra && p.spectraPath) throw new JobError('give spectra or spectraPath, not both');
  if (p.spectra) return spectrumFiles(p.spectra, basename(p.spectra));
  if (!p.spectraPath) throw new JobError('no spectra: upload an archive or a spectrum as `spectra`, or name a folder in storage with `spectraPath` (vocloud:/~/hd123/)');
  const local = await storageInputs(ctx.storage, [p.spectraPath], { ...(p.include ? { include: p.include } : {}), maxFiles: maxInputFiles, signal: ctx.signal });
  const out: SpectrumFile[] = [];
  for (const f of local) out.push(...(await spectrumFiles(f.path, f.name)));
  return out.sort(byName);
}

/** The `korel-prepare` job type; `limits` override the plugin's own (see KorelOptions). */
export function prepareJobType(limits: Partial<WorkerLimits> = {}, maxInputFiles = DEFAULT_MAX_INPUT_FILES) {
  return defineWorker({
    name: 'korel-prepare',
    title: 'KOREL: prepare korel.dat from spectra',
    description: 'Builds korel.dat from FITS spectra: times from the headers, fluxes resampled to a power-of-two grid uniform in ln λ over the chosen range.',
    version: VERSION,
    parameters: PrepareParameters,
    limits: { defaultExecutionDuration: 1800, maxExecutionDuration: 86400, concurrency: 2, ...limits },
    async run(ctx) {
      const p = ctx.parameters;
      try {
        ctx.progress(0, 'reading spectra');
        const files = await inputSpectra(ctx, maxInputFiles);
        if (ctx.signal.aborted) return;
        const prepared = prepareKorelDat(files, {
          lambdaMin: p.lambdaMin,
          lambdaMax: p.lambdaMax,
          bins: p.bins,
          ...(p.timeKeyword ? { timeKeyword: p.timeKeyword } : {}),
          timeOffset: p.timeOffset,
          normalise: p.normalise,
        });
        ctx.progress(0.9, 'writing korel.dat');
        await ctx.results.add('korel.dat', new TextEncoder().encode(writeKorelDat(prepared.dat, { decimals: 6 })), 'text/plain');
        const lines = [
          `# korel-prepare ${VERSION}: ${prepared.spectra.length} spectra on ${p.bins} bins, ${p.lambdaMin}–${p.lambdaMax} Å, dv = ${prepared.dv.toFixed(6)} km/s per bin`,
          '# N  t  time-from  coverage(Å)  file',
          ...prepared.spectra.map((s, i) => `${i + 1} ${s.t} ${s.timeFrom} ${s.coverage[0].toFixed(2)}-${s.coverage[1].toFixed(2)} ${s.name}`),
        ];
        await ctx.results.add('prepare.txt', new TextEncoder().encode(`${lines.join('\n')}\n`), 'text/plain');
        ctx.progress(1, 'done');
      } catch (err) {
        if (err instanceof KorelInputError) throw new JobError(err.message);
        throw err;
      }
    },
  });
}

/** The `korel-prepare` job type with the plugin's own limits. */
export const prepareWorker = prepareJobType();
