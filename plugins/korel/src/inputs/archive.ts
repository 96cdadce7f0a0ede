import { readFile } from 'node:fs/promises';
import { gunzipSync as nodeGunzip } from 'node:zlib';
import { unzipSync } from 'fflate';
import { extract } from 'tar-stream';
import { KorelInputError, unreadable } from '../formats/errors.js';

/**
 * Files inside a zip, tar or tar.gz archive, read into memory by name — nothing is extracted
 * to disk, so no path in an archive can point outside the job.
 */
export interface ArchiveMember {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** Biggest member or decompressed archive read (a guard against decompression bombs). */
export const MAX_ARCHIVE_BYTES = 512 * 1024 * 1024;

/** Members of the archive at `file` whose path `accept` wants (`display` names it in errors). */
export async function readArchive(file: string, display: string, accept: (path: string) => boolean): Promise<ArchiveMember[]> {
  const bytes = new Uint8Array(await readFile(file).catch((err: unknown) => Promise.reject(unreadable(display, err))));
  const members: ArchiveMember[] = [];
  let total = 0;
  const add = (path: string, data: Uint8Array) => {
    total += data.length;
    if (total > MAX_ARCHIVE_BYTES) throw new KorelInputError(display, null, `the wanted files unpack to more than ${MAX_ARCHIVE_BYTES >> 20} MiB`);
    members.push({ path, bytes: data });
  };
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    let files: Record<string, Uint8Array>;
    try {
      files = unzipSync(bytes, {
        filter: (f) => {
          if (!accept(f.name)) return false;
          if (f.originalSize > MAX_ARCHIVE_BYTES) throw new KorelInputError(display, null, `${f.name} is larger than ${MAX_ARCHIVE_BYTES >> 20} MiB`);
          return true;
        },
      });
    } catch (err) {
      if (err instanceof KorelInputError) throw err;
      throw new KorelInputError(display, null, `not a readable zip archive (${(err as Error).message})`);
    }
    for (const [path, data] of Object.entries(files)) add(path, data);
    return members;
  }
  if (bytes[0] === 0x42 && bytes[1] === 0x5a && bytes[2] === 0x68) {
    throw new KorelInputError(display, null, 'bzip2 archives are not supported: use zip, tar or tar.gz');
  }
  let tar = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      tar = new Uint8Array(nodeGunzip(bytes, { maxOutputLength: MAX_ARCHIVE_BYTES }));
    } catch (err) {
      throw new KorelInputError(display, null, `not a readable gzip file, or larger than ${MAX_ARCHIVE_BYTES >> 20} MiB unpacked (${(err as Error).message})`);
    }
  }
  if (tar.length < 512 || new TextDecoder().decode(tar.subarray(257, 262)) !== 'ustar') {
    throw new KorelInputError(display, null, 'not a zip, tar or tar.gz archive');
  }
  await new Promise<void>((resolve, reject) => {
    const ex = extract();
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      const keep = header.type === 'file' && accept(header.name);
      stream.on('data', (c: unknown) => {
        if (keep) chunks.push(c as Buffer);
      });
      stream.on('end', () => {
        try {
          if (keep) add(header.name, new Uint8Array(Buffer.concat(chunks)));
          next();
        } catch (err) {
          reject(err);
        }
      });
      stream.on('error', reject);
    });
    ex.on('finish', resolve);
    ex.on('error', (err: Error) => reject(new KorelInputError(display, null, `not a readable tar archive (${err.message})`)));
    ex.end(Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength));
  });
  return members;
}

export type KorelFileName = 'korel.dat' | 'korel.par' | 'korel.tmp';
export type KorelArchive = Partial<Record<KorelFileName, ArchiveMember>>;
const NAMES: readonly KorelFileName[] = ['korel.dat', 'korel.par', 'korel.tmp'];

/** Path segments of an archive member, without '.', and without macOS resource forks. */
export function memberParts(path: string): string[] | null {
  const parts = path.split('/').filter((p) => p.length > 0 && p !== '.');
  if (parts.length === 0 || parts[0] === '__MACOSX' || parts[parts.length - 1]!.startsWith('._')) return null;
  return parts;
}

function korelName(path: string): KorelFileName | null {
  const parts = memberParts(path);
  if (!parts || parts.length > 2) return null;
  const base = parts[parts.length - 1]!.toLowerCase();
  return (NAMES as readonly string[]).includes(base) ? (base as KorelFileName) : null;
}

/**
 * korel.dat, korel.par and korel.tmp from an archive, as VO-KOREL accepted them: at the top
 * or in one folder (VO-KOREL wanted `korel/`).
 */
export async function readKorelArchive(file: string, display: string): Promise<KorelArchive> {
  const out: KorelArchive = {};
  for (const m of await readArchive(file, display, (p) => korelName(p) !== null)) {
    const name = korelName(m.path)!;
    const seen = out[name];
    if (seen) throw new KorelInputError(display, null, `two ${name} files in the archive (${seen.path} and ${m.path}): keep one`);
    out[name] = m;
  }
  return out;
}
