/**
 * `readSpectrum`: one entry point for every spectrum file vocloud accepts. The format is
 * sniffed from the content (gzip, FITS, VOTable XML, text), never from the file name.
 */
import { maybeGunzip, toBytes, type BytesLike } from '../bytes.js';
import { SpectrumError } from '../errors.js';
import { readFits } from '../fits/read.js';
import { readVoTable } from '../votable/reader.js';
import { spectrumFromText } from './ascii.js';
import { spectrumFromFits } from './fits.js';
import type { Spectrum } from './model.js';
import { spectrumFromVoTable } from './votable.js';

export interface ReadSpectrumOptions {
  /** File or resource name, copied to `meta.name` and used in error messages. */
  name?: string;
  /** FITS: read this HDU instead of searching. */
  hdu?: number;
  /** Tables with one spectrum per row: which row (default 0). */
  row?: number;
}

const latin1 = new TextDecoder('latin1');

function looksLikeXml(head: string): boolean {
  return /^\uFEFF?\s*<(\?xml|!--|VOTABLE|[A-Za-z_][\w.-]*:VOTABLE)/.test(head);
}

/** Read a spectrum from FITS (plain or gzip), VOTable or CSV/ASCII bytes, or from text. */
export function readSpectrum(input: BytesLike | string, opts: ReadSpectrumOptions = {}): Spectrum {
  const o = { ...(opts.name ? { name: opts.name } : {}), ...(opts.row !== undefined ? { row: opts.row } : {}) };
  try {
    if (typeof input === 'string') {
      return looksLikeXml(input.slice(0, 200)) ? spectrumFromVoTable(readVoTable(input), o) : spectrumFromText(input, o);
    }
    const bytes = maybeGunzip(toBytes(input), opts.name ?? 'spectrum');
    const head = latin1.decode(bytes.subarray(0, 200));
    if (head.startsWith('SIMPLE  =')) {
      return spectrumFromFits(readFits(bytes), { ...o, ...(opts.hdu !== undefined ? { hdu: opts.hdu } : {}) });
    }
    if (looksLikeXml(head)) return spectrumFromVoTable(readVoTable(bytes), o);
    if (bytes.subarray(0, 4096).includes(0)) throw new SpectrumError('not a FITS, VOTable or text spectrum (binary content)');
    return spectrumFromText(new TextDecoder('utf-8').decode(bytes), o);
  } catch (e) {
    if (opts.name && e instanceof Error && !e.message.includes(opts.name)) e.message = `${opts.name}: ${e.message}`;
    throw e;
  }
}
