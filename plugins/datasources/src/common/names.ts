import { storageName } from '@vocloud/sdk';

/**
 * Remote names (from URLs, FTP listings, VOTable cells, HTTP headers) turned into safe storage
 * names. A remote name is never trusted as a path: it becomes exactly one name inside the
 * folder the import writes to, whatever it contains (`../../etc/passwd`, `a/../../b`, control
 * characters, slashes that look like slashes, names that core would treat as temporary files).
 */

const MAX_NAME_BYTES = 200; // leaves room for ' (123)' and '.provenance.json' within 255 bytes
// C0/C1 controls and bidi controls that make a name display as something else.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
// Characters that render like '/', '\' or '.', refused by storage names.
const LOOKALIKES = /[\u2215\u2044\u29F8\uFF0F\u2216\u29F5\u29F9\uFE68\uFF3C\u2024\uFF0E\u3002\uFE52\u2027]/g;
/** Suffix of our provenance sidecars: a remote file may not take such a name. */
export const SIDECAR_SUFFIX = '.provenance.json';

/** Extensions kept together when numbering duplicates: `a.fits.gz` → `a (1).fits.gz`. */
const MULTI_EXT = /\.(?:(?:fits|fit|fts|vot|xml|csv|txt|tar|json|dat)\.(?:gz|bz2|xz|zst|fz)|(?:vot|votable|datalink\.vot)\.xml)$/i;

/** Split a name into stem and extension (`.fits`, `.fits.gz`); dot files have no extension. */
export function splitExtension(name: string): { stem: string; ext: string } {
  const multi = MULTI_EXT.exec(name);
  if (multi && multi.index > 0) return { stem: name.slice(0, multi.index), ext: multi[0] };
  const dot = name.lastIndexOf('.');
  if (dot > 0 && name.length - dot <= 16) return { stem: name.slice(0, dot), ext: name.slice(dot) };
  return { stem: name, ext: '' };
}

/** Cut a UTF-8 string to at most `max` bytes without splitting a character. */
function cutBytes(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/**
 * One safe storage name from any remote name. Never throws; `fallback` is used when nothing
 * usable is left. The result passes the sdk's `storageName` check.
 */
export function safeName(raw: string, fallback = 'file'): string {
  let s = String(raw ?? '').normalize('NFC');
  s = s.replace(CONTROL, '_').replace(LOOKALIKES, '_').replace(/[/\\]/g, '_');
  s = s.replace(/\uFFFD/g, '_');
  // core hides names containing '.part-' or starting with '.upload-' (writes in progress)
  s = s.replace(/\.part-/gi, '_part-');
  s = s.trim();
  // no hidden files, and never '.' or '..'
  s = s.replace(/^\.+/, (dots) => '_'.repeat(dots.length));
  if (s.toLowerCase().endsWith(SIDECAR_SUFFIX)) s = `${s.slice(0, -SIDECAR_SUFFIX.length)}.provenance-remote.json`;
  if (Buffer.byteLength(s) > MAX_NAME_BYTES) {
    const { stem, ext } = splitExtension(s);
    const keep = Buffer.byteLength(ext) < 40 ? ext : '';
    s = cutBytes(stem, MAX_NAME_BYTES - Buffer.byteLength(keep)).trim() + keep;
  }
  if (s === '') s = fallback;
  try {
    return storageName(s);
  } catch {
    return fallback;
  }
}

/** `name (n).ext` for the n-th duplicate (n ≥ 1). */
export function numberedName(name: string, n: number): string {
  if (n === 0) return name;
  const { stem, ext } = splitExtension(name);
  return `${stem} (${n})${ext}`;
}

/**
 * Decode a name given as raw bytes (FTP listings, percent-encoded URL paths): UTF-8 when the
 * bytes are valid UTF-8, otherwise Latin-1 (the usual legacy encoding of archive servers), so a
 * name is always readable and two different byte strings rarely become the same name.
 */
export function decodeNameBytes(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('latin1').decode(bytes);
  }
}

/** The bytes of a percent-encoded string (other characters as their UTF-8 bytes). */
export function percentBytes(segment: string): Uint8Array {
  const bytes: number[] = [];
  let i = 0;
  while (i < segment.length) {
    if (segment[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(segment.slice(i + 1, i + 3))) {
      bytes.push(parseInt(segment.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const cp = segment.codePointAt(i)!;
      for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b);
      i += cp > 0xffff ? 2 : 1;
    }
  }
  return Uint8Array.from(bytes);
}

/** Percent-decode one URL path segment into a name, tolerating bytes that are not UTF-8. */
export function decodeUrlSegment(segment: string): string {
  // most segments are plain ASCII with nothing encoded: they decode to themselves
  if (/^[\x20-\x24\x26-\x7e]*$/.test(segment)) return segment;
  return decodeNameBytes(percentBytes(segment));
}

/** The last path segment of a URL, decoded; '' for a URL ending in '/'. */
export function urlFileName(url: string): string {
  try {
    const path = new URL(url).pathname;
    const last = path.slice(path.lastIndexOf('/') + 1);
    return last ? decodeUrlSegment(last) : '';
  } catch {
    return '';
  }
}

/** A file name from a Content-Disposition header (RFC 6266 `filename*` first), or ''. */
export function dispositionFileName(header: string | undefined): string {
  if (!header) return '';
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (star) {
    try {
      const raw = star[2]!.trim();
      return /utf-?8/i.test(star[1]!) ? decodeUrlSegment(raw) : new TextDecoder('latin1').decode(percentBytes(raw));
    } catch {
      /* fall through to filename= */
    }
  }
  const plain = /filename\s*=\s*("((?:[^"\\]|\\.)*)"|[^;]+)/i.exec(header);
  if (!plain) return '';
  const value = plain[2] !== undefined ? plain[2].replace(/\\(.)/g, '$1') : plain[1]!.trim();
  // only the last segment: a header may say filename="../../x"
  return value.split(/[/\\]/).pop() ?? '';
}

/** File extensions for the MIME types archives serve, for datasets whose URL has no name. */
const EXT_BY_MIME: [RegExp, string][] = [
  [/content=datalink/i, '.datalink.vot.xml'],
  [/^application\/(x-)?fits|^image\/fits/i, '.fits'],
  [/votable/i, '.vot.xml'],
  [/^text\/csv/i, '.csv'],
  [/^text\/tab-separated-values/i, '.tsv'],
  [/^text\/plain/i, '.txt'],
  [/^image\/png/i, '.png'],
  [/^image\/jpeg/i, '.jpg'],
  [/^application\/(x-)?gzip/i, '.gz'],
  [/^application\/json/i, '.json'],
  [/^text\/html/i, '.html'],
  [/^application\/pdf/i, '.pdf'],
  [/^application\/(x-)?tar/i, '.tar'],
  [/xml/i, '.xml'],
];

export function extensionForMime(mime: string | undefined): string {
  if (!mime) return '';
  for (const [re, ext] of EXT_BY_MIME) if (re.test(mime)) return ext;
  return '';
}

/**
 * Families of data formats by extension, for nameForFormat. Compressed and container
 * extensions (.gz, .fz, .tar) are in none: a format may describe what is inside them.
 */
const FAMILY_BY_EXT: [RegExp, string][] = [
  [/^\.datalink\.vot\.xml$/i, 'datalink'],
  [/^\.(fits|fit|fts)$/i, 'fits'],
  [/^\.(vot|votable|vot\.xml|votable\.xml)$/i, 'votable'],
  [/^\.csv$/i, 'csv'],
  [/^\.tsv$/i, 'tsv'],
  [/^\.txt$/i, 'txt'],
  [/^\.png$/i, 'png'],
  [/^\.(jpg|jpeg)$/i, 'jpg'],
  [/^\.json$/i, 'json'],
  [/^\.pdf$/i, 'pdf'],
];

function familyOf(ext: string): string | undefined {
  return FAMILY_BY_EXT.find(([re]) => re.test(ext))?.[1];
}

/**
 * A dataset's name from its URL, with the extension of the format the service declared when
 * the URL's own says another data format: DaCHS serves datasets it makes on request (SDM
 * VOTables) at /getproduct/…/spec.fits, and a VOTable stored as `spec.fits` would be opened
 * as FITS. Unknown, compressed and generic (.xml, .html) extensions and types stay as they are.
 */
export function nameForFormat(name: string, format: string | undefined): string {
  const want = extensionForMime(format);
  const wanted = familyOf(want);
  const { stem, ext } = splitExtension(name);
  const have = familyOf(ext);
  return wanted && have && wanted !== have ? `${stem}${want}` : name;
}

/** True when `name` already ends in an extension that fits the MIME type (or any extension at all for unknown types). */
export function hasExtension(name: string): boolean {
  return splitExtension(name).ext !== '';
}
