import { readFile } from 'node:fs/promises';
import { gunzipSync as nodeGunzip } from 'node:zlib';
import { unzipSync } from 'fflate';
import { extract } from 'tar-stream';
import { KorelInputError } from '../formats/errors.js';

/**
 * The KOREL files inside a zip, tar or tar.gz archive, as VO-KOREL accepted them: korel.dat,
 * korel.par and korel.tmp at the top or in one folder (VO-KOREL wanted `korel/`). Members are
 * read into memory by name only — nothing is extracted to disk, so no path in the archive can
 * point outside the job.
 */
export type KorelFileName = 'korel.dat' | 'korel.par' | 'korel.tmp';
export interface ArchiveMember {
  readonly path: string;
  readonly bytes: Uint8Array;
}
export type ArchiveMembers = Partial<Record<KorelFileName, ArchiveMember>>;

/** Biggest member or decompressed archive we read (a guard against decompression bombs). */
export const MAX_MEMBER_BYTES = 512 * 1024 * 1024;
const NAMES: readonly KorelFileName[] = ['korel.dat', 'korel.par', 'korel.tmp'];

function wanted(path: string): KorelFileName | null {
  const parts = path.split('/').filter((p) => p.length > 0 && p !== '.');
  if (parts.length === 0 || parts.length > 2 || parts[0] === '__MACOSX') return null;
  const base = parts[parts.length - 1]!.toLowerCase();
  return (NAMES as readonly string[]).includes(base) ? (base as KorelFileName) : null;
}

export async function readKorelArchive(file: string, display: string): Promise<ArchiveMembers> {
  const bytes = new Uint8Array(await readFile(file));
  const members: ArchiveMembers = {};
  const add = (path: string, data: Uint8Array) => {
    const name = wanted(path);
    if (!name) return;
    const seen = members[name];
    if (seen) throw new KorelInputError(display, null, `two ${name} files in the archive (${seen.path} and ${path}): keep one`);
    members[name] = { path, bytes: data };
  };
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    let files: Record<string, Uint8Array>;
    try {
      files = unzipSync(bytes, {
        filter: (f) => {
          if (!wanted(f.name)) return false;
          if (f.originalSize > MAX_MEMBER_BYTES) throw new KorelInputError(display, null, `${f.name} is larger than ${MAX_MEMBER_BYTES >> 20} MiB`);
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
      tar = new Uint8Array(nodeGunzip(bytes, { maxOutputLength: MAX_MEMBER_BYTES }));
    } catch (err) {
      throw new KorelInputError(display, null, `not a readable gzip file, or larger than ${MAX_MEMBER_BYTES >> 20} MiB unpacked (${(err as Error).message})`);
    }
  }
  if (tar.length < 512 || new TextDecoder().decode(tar.subarray(257, 262)) !== 'ustar') {
    throw new KorelInputError(display, null, 'not a zip, tar or tar.gz archive');
  }
  await new Promise<void>((resolve, reject) => {
    const ex = extract();
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      const keep = header.type === 'file' && wanted(header.name) !== null;
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
