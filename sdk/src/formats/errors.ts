/**
 * One error hierarchy for every VO format reader and writer, so callers (plugins, the UI, core
 * when it validates an upload) can tell "this file is bad" from a bug, and show the user where.
 */

/** Base class: the input is not a valid or supported file of that format. */
export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}

/** Where in a FITS file a problem was found; every field is optional because not all apply. */
export interface FitsLocation {
  /** Zero-based HDU index (0 = primary). */
  readonly hdu?: number;
  /** Zero-based card index within that HDU's header. */
  readonly card?: number;
  /** The keyword of the card, when known. */
  readonly keyword?: string;
  /** Zero-based table row, when reading table data. */
  readonly row?: number;
  /** Table column name, when reading table data. */
  readonly column?: string;
}

function describeFits(loc: FitsLocation): string {
  const parts: string[] = [];
  if (loc.hdu !== undefined) parts.push(`HDU ${loc.hdu}`);
  if (loc.card !== undefined) parts.push(`card ${loc.card + 1}${loc.keyword ? ` (${loc.keyword})` : ''}`);
  else if (loc.keyword) parts.push(`keyword ${loc.keyword}`);
  if (loc.column !== undefined) parts.push(`column ${loc.column}`);
  if (loc.row !== undefined) parts.push(`row ${loc.row}`);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

/** A FITS file is truncated, malformed or uses an unsupported feature. */
export class FitsError extends FormatError {
  readonly location: FitsLocation;
  constructor(message: string, location: FitsLocation = {}) {
    super(`FITS: ${message}${describeFits(location)}`);
    this.name = 'FitsError';
    this.location = location;
  }
}

/** Where in a VOTable document a problem was found. */
export interface VoTableLocation {
  /** One-based line in the XML text, when the parser knows it. */
  readonly line?: number;
  /** Zero-based TABLE index in document order. */
  readonly table?: number;
  /** Zero-based row within that table. */
  readonly row?: number;
  /** FIELD name. */
  readonly field?: string;
}

function describeVo(loc: VoTableLocation): string {
  const parts: string[] = [];
  if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  if (loc.table !== undefined) parts.push(`table ${loc.table}`);
  if (loc.row !== undefined) parts.push(`row ${loc.row}`);
  if (loc.field !== undefined) parts.push(`field ${loc.field}`);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

/** A VOTable is not well-formed XML, violates the VOTable rules we rely on, or is unsupported. */
export class VoTableError extends FormatError {
  readonly location: VoTableLocation;
  constructor(message: string, location: VoTableLocation = {}) {
    super(`VOTable: ${message}${describeVo(location)}`);
    this.name = 'VoTableError';
    this.location = location;
  }
}

/** A file was read but no spectrum could be recognised in it, or a spectrum operation got bad input. */
export class SpectrumError extends FormatError {
  constructor(message: string) {
    super(`Spectrum: ${message}`);
    this.name = 'SpectrumError';
  }
}
