import { Mime } from 'mime';
import standardTypes from 'mime/types/standard.js';
import otherTypes from 'mime/types/other.js';

// Astronomy formats the common tables lack or get wrong (.vot is not in them; .fits is
// image/fits there, but a FITS file is as often a table: application/fits is the IVOA choice).
const mime = new Mime(standardTypes, otherTypes);
mime.define(
  {
    'application/fits': ['fits', 'fit', 'fts'],
    'application/x-votable+xml': ['vot', 'votable'],
    'text/csv': ['csv'],
    'text/tab-separated-values': ['tsv'],
    'text/plain': ['txt', 'log', 'dat', 'par', 'res', 'spe', 'rv', 'tmp'],
    'application/octet-stream': ['f32', 'f64', 'bin'],
  },
  true,
);

/** A MIME type for a result or file name, from its extension; octet-stream when unknown. */
export function mimeTypeFor(name: string): string {
  const lower = name.toLowerCase();
  if (lower.endsWith('.fits.gz') || lower.endsWith('.fit.gz')) return 'application/fits';
  if (lower.endsWith('.vot.xml') || lower.endsWith('.votable.xml')) return 'application/x-votable+xml';
  return mime.getType(lower) ?? 'application/octet-stream';
}
