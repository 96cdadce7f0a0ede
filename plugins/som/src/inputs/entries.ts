/**
 * Input files as a flat list of named entries: plain files stay on disk (big matrices are read
 * straight into shared memory later), archives (zip, tar, tar.gz) are opened in memory.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { unzipSync } from 'fflate';
import tarStream from 'tar-stream';
import { InputError } from './dataset.js';
import type { LocalInput } from './storage.js';

export interface Entry {
  /** File name inside the archive (with its folders) or the uploaded file's name. */
  readonly name: string;
  /** Where the bytes are: a local file, or in memory. */
  readonly path?: string;
  readonly bytes?: Uint8Array;
  readonly size: number;
}

/** A file that is there but cannot be read (rights, I/O, gone since it was listed), by name. */
function unreadable(name: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException).code;
  return new InputError(`${name}: the file cannot be read (${code ?? (err as Error).message})`);
}

export async function entryBytes(e: Entry): Promise<Uint8Array> {
  if (e.bytes) return e.bytes;
  try {
    return new Uint8Array(await readFile(e.path!));
  } catch (err) {
    throw unreadable(e.name, err);
  }
}

const MAX_ARCHIVE_BYTES = 4 * 2 ** 30;

function isZip(head: Uint8Array): boolean {
  return head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5);
}
function isGzip(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b;
}
/** POSIX and GNU tar headers carry "ustar" at offset 257. */
function isTar(b: Uint8Array): boolean {
  return b.length >= 262 && String.fromCharCode(...b.subarray(257, 262)) === 'ustar';
}

async function untar(bytes: Uint8Array, archive: string): Promise<Entry[]> {
  const extract = tarStream.extract();
  const out: Entry[] = [];
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => { chunks.push(c as Buffer); });
      stream.on('end', () => {
        if (header.type === 'file') {
          const data = new Uint8Array(Buffer.concat(chunks));
          out.push({ name: header.name, bytes: data, size: data.length });
        }
        next();
      });
      stream.on('error', reject);
    });
    extract.on('finish', resolve);
    extract.on('error', (err: Error) => reject(new InputError(`${archive}: not a readable tar archive (${err.message})`)));
  });
  Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]).pipe(extract);
  await done;
  return out;
}

/** Hidden files and macOS resource forks inside archives are not inputs. */
function wanted(name: string): boolean {
  const base = name.split('/').pop() ?? name;
  return base.length > 0 && !base.startsWith('.') && !name.includes('__MACOSX/');
}

/** An uploaded file is known by its base name; a storage file by its storage path. */
export function localInput(input: string | LocalInput): LocalInput {
  return typeof input === 'string' ? { path: input, name: basename(input) } : input;
}

/** Size and first bytes of a file; a file that cannot be read is named in the error. */
async function sizeAndHead(path: string, name: string): Promise<{ size: number; head: Uint8Array }> {
  const head = new Uint8Array(512);
  try {
    const size = (await stat(path)).size;
    const fh = await open(path, 'r');
    try {
      await fh.read(head, 0, 512, 0);
    } finally {
      await fh.close();
    }
    return { size, head };
  } catch (err) {
    throw unreadable(name, err);
  }
}

/** Expand every input into entries; archives are unpacked (one level), gzip files are inflated. */
export async function collectEntries(inputs: readonly (string | LocalInput)[]): Promise<Entry[]> {
  const out: Entry[] = [];
  for (const input of inputs) {
    const { path, name } = localInput(input);
    const lower = name.toLowerCase();
    const archiveName = /\.(zip|tar|tgz|tar\.gz)$/.test(lower);
    // the head tells archives by content as well as by name
    const { size, head } = await sizeAndHead(path, name);
    if (isZip(head) || (archiveName && !isGzip(head) && !isTar(head))) {
      if (size > MAX_ARCHIVE_BYTES) throw new InputError(`${name}: archive larger than 4 GiB`);
      let files: Record<string, Uint8Array>;
      try {
        files = unzipSync(new Uint8Array(await readFile(path)));
      } catch (err) {
        throw new InputError(`${name}: not a readable zip archive (${(err as Error).message})`);
      }
      for (const [n, b] of Object.entries(files)) if (!n.endsWith('/') && wanted(n)) out.push({ name: n, bytes: b, size: b.length });
      continue;
    }
    if (isGzip(head) && /\.(tgz|tar\.gz)$/.test(lower)) {
      let raw: Uint8Array;
      try {
        raw = new Uint8Array(gunzipSync(await readFile(path)));
      } catch (err) {
        throw new InputError(`${name}: not a readable gzip file (${(err as Error).message})`);
      }
      out.push(...(await untar(raw, name)).filter((e) => wanted(e.name)));
      continue;
    }
    if (isTar(head)) {
      out.push(...(await untar(new Uint8Array(await readFile(path)), name)).filter((e) => wanted(e.name)));
      continue;
    }
    out.push({ name, path, size });
  }
  return out;
}
