/**
 * The one entry point from files to a training matrix. Inputs are local files: uploads (a path)
 * or storage files (vocloud:/~/…) that `storageInputs` made local, with the name to show.
 */
import { InputError, type Dataset } from './dataset.js';
import { collectEntries, entryBytes, localInput, type Entry } from './entries.js';
import type { LocalInput } from './storage.js';
import { parseMeta, readCsvMatrix, readF32, type MatrixMeta } from './matrix.js';
import { applyLabels } from './labels.js';
import { isSpectrumFile, readSpectra } from './spectra.js';
import { preprocess, type Preprocessing } from './preprocess.js';

/** A local path (shown by its base name), or a local file with the name to show. */
export type InputFile = string | LocalInput;

export interface InputFiles {
  /** Data files and archives. */
  readonly data: readonly InputFile[];
  /** JSON meta of a .f32 matrix, when not inside an archive beside it. */
  readonly meta?: InputFile;
  readonly labels?: InputFile;
}

export interface LoadReport {
  readonly dataset: Dataset;
  /** Names of spectra left out (NaN policy 'drop'), with the reason. */
  readonly dropped: string[];
  /** What was read, for the job log. */
  readonly notes: string[];
}

const MATRIX = /\.(f32|bin|raw)$/i;
const CSV = /\.(csv|tsv|txt|dat)$/i;

function rowNames(n: number, prefix: string): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

/** A meta or labels file as an entry. */
function fileEntry(input: InputFile): Entry {
  const { path, name } = localInput(input);
  return { name, path, size: 0 };
}

async function fromMatrix(entry: Entry, metaEntries: Entry[], metaFile: InputFile | undefined, notes: string[]): Promise<Dataset & { meta: MatrixMeta }> {
  const stemName = entry.name.replace(MATRIX, '');
  let meta: MatrixMeta | null = null;
  if (metaFile) {
    const m = fileEntry(metaFile);
    meta = parseMeta(new TextDecoder().decode(await entryBytes(m)), m.name);
  } else {
    const beside = metaEntries.find((m) => m.name.replace(/\.json$/i, '') === stemName) ?? (metaEntries.length === 1 ? metaEntries[0] : undefined);
    if (beside) meta = parseMeta(new TextDecoder().decode(await entryBytes(beside)), beside.name);
  }
  if (!meta) {
    // the generator's naming: spectra-N-D.f32
    const m = /(\d+)-(\d+)\.(f32|bin|raw)$/i.exec(entry.name);
    if (!m) throw new InputError(`${entry.name}: a float32 matrix needs its JSON meta ({"n": rows, "d": values per row}) in the 'meta' parameter or beside it in the archive`);
    meta = { n: Number(m[1]), d: Number(m[2]) };
    notes.push(`${entry.name}: no meta; took ${meta.n} x ${meta.d} from the file name`);
  }
  const x = await readF32(entry, meta);
  const wavelength = typeof meta.wavelength_start === 'number' && typeof meta.wavelength_step === 'number'
    ? Float64Array.from({ length: meta.d }, (_, j) => meta!.wavelength_start! + j * meta!.wavelength_step!)
    : null;
  const names = Array.isArray(meta.names) && meta.names.length === meta.n ? meta.names.map(String) : rowNames(meta.n, 'row ');
  return { x, n: meta.n, d: meta.d, names, classes: null, wavelength, wavelengthUnit: meta.wavelength_unit ?? 'Angstrom', meta };
}

/** Read the inputs, attach labels, preprocess. Throws InputError with a message for the user. */
export async function loadInputs(files: InputFiles, prep: Preprocessing): Promise<LoadReport> {
  const notes: string[] = [];
  const entries = await collectEntries(files.data);
  if (entries.length === 0) throw new InputError('no input files: the upload (or archive) is empty');
  const matrices = entries.filter((e) => MATRIX.test(e.name));
  const metas = entries.filter((e) => /\.json$/i.test(e.name));
  const labelEntries = entries.filter((e) => /\.u8$/i.test(e.name));
  const spectra = entries.filter((e) => isSpectrumFile(e.name) || (CSV.test(e.name) && matrices.length === 0));
  const ignored = entries.filter((e) => !matrices.includes(e) && !metas.includes(e) && !labelEntries.includes(e) && !spectra.includes(e));
  if (ignored.length) notes.push(`ignored ${ignored.length} file(s) of unknown kind: ${ignored.slice(0, 5).map((e) => e.name).join(', ')}${ignored.length > 5 ? ', …' : ''}`);

  let dataset: Dataset;
  let classNames: string[] | undefined;
  if (matrices.length > 1) throw new InputError(`found ${matrices.length} float32 matrices (${matrices.map((m) => m.name).join(', ')}); give one per job`);
  if (matrices.length === 1) {
    if (spectra.length) throw new InputError(`a float32 matrix cannot be mixed with spectrum files (${spectra[0]!.name}); give one kind of input`);
    const m = await fromMatrix(matrices[0]!, metas, files.meta, notes);
    classNames = m.meta.classes;
    dataset = m;
    if (!files.labels && labelEntries.length === 1) {
      dataset = { ...dataset, classes: applyLabels(await entryBytes(labelEntries[0]!), labelEntries[0]!.name, dataset.names, classNames) };
      notes.push(`classes from ${labelEntries[0]!.name}`);
    }
  } else if (spectra.length === 1 && CSV.test(spectra[0]!.name) && !(await looksLikeSpectrumCsv(spectra[0]!))) {
    const c = await readCsvMatrix(spectra[0]!);
    dataset = {
      x: c.x, n: c.n, d: c.d, names: c.names ?? rowNames(c.n, 'row '), classes: c.classes,
      wavelength: c.wavelength, wavelengthUnit: c.wavelength ? 'Angstrom' : '',
    };
    notes.push(`${spectra[0]!.name}: CSV matrix, ${c.n} spectra x ${c.d} values`);
  } else if (spectra.length > 0) {
    dataset = await readSpectra(spectra, prep, notes);
  } else {
    throw new InputError('no spectra found in the input: expected .f32 (+ .json meta), CSV, FITS or VOTable files, or an archive of them');
  }

  if (files.labels) {
    const l = fileEntry(files.labels);
    dataset = { ...dataset, classes: applyLabels(await entryBytes(l), l.name, dataset.names, classNames) };
  }
  return preprocess(dataset, prep, notes);
}

/** A CSV whose header names a wavelength and a flux column is one spectrum, not a matrix. */
async function looksLikeSpectrumCsv(e: Entry): Promise<boolean> {
  const bytes = await entryBytes(e);
  const head = new TextDecoder().decode(bytes.subarray(0, 4096)).split(/\r?\n/).find((l) => l.trim() && !l.startsWith('#')) ?? '';
  return /(wave|lambda|wl|freq)/i.test(head) && /flux|intens/i.test(head);
}
