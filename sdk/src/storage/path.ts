/**
 * Storage paths: relative, '/'-separated, no empty, '.' or '..' segments, no NUL or control
 * characters, no backslashes, NFC-normalised, each segment at most 255 bytes and the whole at
 * most 4096. Every path that reaches a backend went through here, so traversal is impossible
 * by construction: a path that could leave its root never becomes a storage path.
 */
export class InvalidPathError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`invalid path '${printable(path)}': ${reason}`);
    this.name = 'InvalidPathError';
  }
}

const MAX_SEGMENT_BYTES = 255;
const MAX_PATH_BYTES = 4096;
// Characters that render like '/', '\' or '.' and would make a name look like a path.
const LOOKALIKES = /[\u2215\u2044\u29F8\uFF0F\u2216\u29F5\u29F9\uFE68\uFF3C\u2024\uFF0E\u3002\uFE52\u2027]/;
// C0/C1 controls, and bidi controls that make a name display as something else.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.slice(0, 200).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

// Printable ASCII without a slash or backslash, no white space at either end: such a name passes every
// check below unchanged (NFC leaves ASCII alone, no control or look-alike character can be in
// it, its length in bytes is its length), so it is decided by one regular expression. Imports
// and job results check thousands of such names.
const PLAIN_NAME = /^[!-.0-[\]-~](?:[ -.0-[\]-~]*[!-.0-[\]-~])?$/;

/** Check one name (a file or folder name, no slashes). Returns it NFC-normalised. */
export function storageName(name: string): string {
  if (typeof name === 'string' && name.length <= MAX_SEGMENT_BYTES && PLAIN_NAME.test(name) && name !== '.' && name !== '..') return name;
  if (typeof name !== 'string' || name.length === 0) throw new InvalidPathError(String(name), 'empty name');
  if (name.includes('\0')) throw new InvalidPathError(name, 'contains a NUL byte');
  if (name.includes('/')) throw new InvalidPathError(name, "a name cannot contain '/'");
  if (name.includes('\\')) throw new InvalidPathError(name, 'backslashes are not allowed');
  if (CONTROL.test(name)) throw new InvalidPathError(name, 'contains control characters');
  const nfc = name.normalize('NFC');
  if (nfc === '.' || nfc === '..') throw new InvalidPathError(name, `'${nfc}' is not allowed as a name`);
  if (LOOKALIKES.test(nfc)) throw new InvalidPathError(name, 'contains a character that looks like a slash or dot');
  if (nfc.trim() !== nfc) throw new InvalidPathError(name, 'leading or trailing white space');
  if (Buffer.byteLength(nfc) > MAX_SEGMENT_BYTES) throw new InvalidPathError(name, `name longer than ${MAX_SEGMENT_BYTES} bytes`);
  return nfc;
}

/** Check and normalise a relative storage path ('' is the root). */
export function storagePath(path: string): string {
  if (typeof path !== 'string') throw new InvalidPathError(String(path), 'not a string');
  if (path.includes('\0')) throw new InvalidPathError(path, 'contains a NUL byte');
  if (path.startsWith('/')) throw new InvalidPathError(path, 'absolute paths are not allowed');
  if (path === '') return '';
  const segments = path.split('/');
  if (segments.some((s) => s === '')) throw new InvalidPathError(path, 'empty segment (// or trailing /)');
  const out = segments.map(storageName).join('/');
  if (Buffer.byteLength(out) > MAX_PATH_BYTES) throw new InvalidPathError(path, `longer than ${MAX_PATH_BYTES} bytes`);
  return out;
}

/** Join storage paths, checking every part. */
export function joinStoragePath(...parts: string[]): string {
  return storagePath(parts.filter((p) => p !== '').join('/'));
}
