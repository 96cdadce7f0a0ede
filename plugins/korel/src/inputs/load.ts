import { readFile } from 'node:fs/promises';
import { KorelInputError, unreadable } from '../formats/errors.js';
import { parseKorelDat } from '../formats/korel-dat.js';
import { jsonParSource, parseKorelPar, writeKorelPar, type KorelPar } from '../formats/korel-par.js';
import { parseKorelTmp } from '../formats/korel-tmp.js';
import type { KorelInput } from '../method/fit.js';
import { readKorelArchive, type ArchiveMember } from './archive.js';

/** The input files a korel job may be given. */
export type KorelFile = 'dat' | 'par' | 'tmp' | 'archive';

/**
 * Where a job's inputs come from, as local file paths. Storage paths (vocloud:/~/…) are
 * resolved to local files before this, so this is the one place that reads KOREL inputs.
 */
export interface KorelSources {
  readonly dat?: string;
  readonly par?: string;
  readonly tmp?: string;
  /** zip, tar or tar.gz with korel.dat, korel.par and optionally korel.tmp. */
  readonly archive?: string;
  /** korel.par as the JSON job parameter; wins over any korel.par file. */
  readonly parJson?: KorelPar;
  /** How errors and korel.res name each file (default korel.dat, …, archive), e.g. its storage path. */
  readonly names?: { readonly [K in KorelFile]?: string };
}

export interface LoadedInput {
  readonly input: KorelInput;
  /** The korel.par that is used, as text (a result, and what the job form shows). */
  readonly parText: string;
  /** Where each file came from, for korel.res. */
  readonly described: string;
}

const decode = (b: Uint8Array) => new TextDecoder('utf-8').decode(b);

export async function loadKorelInput(src: KorelSources): Promise<LoadedInput> {
  const named = (key: KorelFile, fallback: string) => src.names?.[key] ?? fallback;
  const archiveName = named('archive', 'archive');
  const archive = src.archive ? await readKorelArchive(src.archive, archiveName) : {};
  const fromArchive = (m: ArchiveMember | undefined) => (m ? { text: decode(m.bytes), name: `${archiveName}:${m.path}` } : null);
  const readText = async (path: string | undefined, name: string) => {
    if (!path) return null;
    try {
      return { text: await readFile(path, 'utf8'), name };
    } catch (err) {
      throw unreadable(name, err);
    }
  };

  const dat = (await readText(src.dat, named('dat', 'korel.dat'))) ?? fromArchive(archive['korel.dat']);
  if (!dat) throw new KorelInputError('korel.dat', null, src.archive ? 'the archive has no korel.dat (at its top or in one folder such as korel/)' : 'missing: give korel.dat (parameter dat, or datPath for a file in storage) or an archive with it (archive or archivePath)');
  const parsedDat = parseKorelDat(dat.text, dat.name);

  let par: KorelPar;
  let parSource;
  let parFile: string;
  if (src.parJson) {
    par = src.parJson;
    parSource = jsonParSource(par);
    parFile = "parameter 'par' (as korel.par)";
  } else {
    const parText = (await readText(src.par, named('par', 'korel.par'))) ?? fromArchive(archive['korel.par']);
    if (!parText) throw new KorelInputError('korel.par', null, 'missing: give korel.par (parameter par as JSON, parFile, or parPath for a file in storage) or an archive with it');
    const parsed = parseKorelPar(parText.text, parText.name);
    par = parsed.par;
    parSource = parsed.source;
    parFile = parText.name;
  }

  const tmp = (await readText(src.tmp, named('tmp', 'korel.tmp'))) ?? fromArchive(archive['korel.tmp']);
  const regionLength = (lambda0: number, dv: number) =>
    parsedDat.records.find((r) => Math.abs(r.lambda0 - lambda0) < 1e-8 && Math.abs(r.dv - dv) < 1e-8)?.values.length;
  const parsedTmp = tmp && tmp.text.trim().length > 0 ? parseKorelTmp(tmp.text, regionLength, tmp.name) : null;

  return {
    input: { dat: parsedDat, tmp: parsedTmp, par, parSource, parFile, ...(tmp ? { tmpFile: tmp.name } : {}) },
    parText: writeKorelPar(par),
    described: `${dat.name} (${parsedDat.records.length} spectra), ${parFile} (${par.runs.length} run(s))${tmp ? `, ${tmp.name} (${parsedTmp?.records.length ?? 0} template(s))` : ''}`,
  };
}
