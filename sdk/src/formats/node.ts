/**
 * @vocloud/sdk/formats/node — file-system helpers over the universal readers (Node only).
 * Everything here is a thin wrapper: the parsing lives in '@vocloud/sdk/formats'.
 */
import { createReadStream } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { FitsError } from './errors.js';
import { readFits, type FitsFile, type ReadFitsOptions } from './fits/read.js';
import { BLOCK, parseHeader, type FitsHeader } from './fits/header.js';
import { writeFits, type HduInput } from './fits/write.js';
import { readSpectrum, type ReadSpectrumOptions } from './spectrum/read.js';
import type { Spectrum } from './spectrum/model.js';
import { streamVoTable, type VoTableEvent } from './votable/reader.js';
import { readVoTable } from './votable/reader.js';
import type { VoTableDocument } from './votable/model.js';
import { voTableChunks, type VoDocumentInput, type VoTableInput, type WriteVoTableOptions } from './votable/writer.js';
import { dataSize } from './fits/read.js';

function hasEndCard(block: Uint8Array): boolean {
  const text = new TextDecoder('latin1').decode(block);
  for (let k = 0; k + 80 <= text.length; k += 80) if (/^END {77}$/.test(text.slice(k, k + 80))) return true;
  return false;
}

/** Read a spectrum file (FITS, .fits.gz, VOTable, CSV/ASCII); `meta.name` defaults to the file name. */
export async function readSpectrumFile(path: string, opts: ReadSpectrumOptions = {}): Promise<Spectrum> {
  return readSpectrum(await readFile(path), { name: basename(path), ...opts });
}

export async function readFitsFile(path: string, opts: ReadFitsOptions = {}): Promise<FitsFile> {
  return readFits(await readFile(path), opts);
}

export async function writeFitsFile(path: string, hdus: readonly HduInput[]): Promise<void> {
  await writeFile(path, writeFits(hdus));
}

/**
 * The headers of an uncompressed FITS file without reading its data: only header blocks are
 * read from disk, so this is cheap for files of any size.
 */
export async function readFitsHeaders(path: string): Promise<FitsHeader[]> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const headers: FitsHeader[] = [];
    let pos = 0;
    while (pos < size) {
      // Read blocks until END; headers are small (a few blocks) in practice.
      let buf = new Uint8Array(0);
      for (;;) {
        const block = new Uint8Array(BLOCK);
        const { bytesRead } = await fh.read(block, 0, BLOCK, pos + buf.length);
        if (bytesRead === 0) break;
        const nb = new Uint8Array(buf.length + bytesRead);
        nb.set(buf);
        nb.set(block.subarray(0, bytesRead), buf.length);
        buf = nb;
        if (hasEndCard(block.subarray(0, bytesRead))) break;
        if (bytesRead < BLOCK) break;
      }
      if (headers.length > 0 && new TextDecoder('latin1').decode(buf.subarray(0, 9)) !== 'XTENSION=') break;
      if (headers.length === 0 && new TextDecoder('latin1').decode(buf.subarray(0, 9)) !== 'SIMPLE  =') {
        throw new FitsError('not a FITS file (does not start with SIMPLE =)', { hdu: 0, card: 0 });
      }
      const { header, end } = parseHeader(buf, 0, headers.length);
      headers.push(header);
      pos += end + Math.ceil(dataSize(header, headers.length - 1) / BLOCK) * BLOCK;
    }
    return headers;
  } finally {
    await fh.close();
  }
}

export async function readVoTableFile(path: string): Promise<VoTableDocument> {
  return readVoTable(await readFile(path));
}

/** Stream a VOTable file (optionally .gz) in bounded memory; see `streamVoTable`. */
export function streamVoTableFile(path: string, opts: { batchSize?: number } = {}): AsyncGenerator<VoTableEvent> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const src = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  return streamVoTable(src as AsyncIterable<Uint8Array>, opts);
}

/** Write a VOTable to a file piece by piece (bounded memory for large row iterables). */
export async function writeVoTableFile(
  path: string,
  input: VoDocumentInput | VoTableDocument | VoTableInput,
  opts: WriteVoTableOptions = {},
): Promise<void> {
  const fh = await open(path, 'w');
  try {
    for (const chunk of voTableChunks(input, opts)) await fh.write(chunk);
  } finally {
    await fh.close();
  }
}
