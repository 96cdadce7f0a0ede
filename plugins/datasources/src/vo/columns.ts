import type { VoField } from '@vocloud/sdk/formats';

/** The columns of a dataset table (SSAP response, ObsCore-like or TOPCAT table) an import uses. */
export type Role = 'accessUrl' | 'format' | 'title' | 'publisherDid' | 'size' | 'preview';

interface RoleRule {
  /** utypes without their prefix, lower case (`ssa:Access.Reference` → `access.reference`). */
  readonly utypes: readonly string[];
  /** Whole UCDs, lower case, in order of preference. */
  readonly ucds: readonly string[];
  /** Column names, lower case. */
  readonly names: readonly string[];
}

const RULES: Record<Role, RoleRule> = {
  accessUrl: {
    utypes: ['access.reference', 'dataset.acref'],
    ucds: ['meta.ref.url;meta.dataset', 'meta.ref.url', 'meta.dataset;meta.ref.url', 'meta.ref.uri;meta.dataset'],
    names: ['access_url', 'accref', 'acref', 'access_reference', 'accessurl', 'url', 'link'],
  },
  format: {
    utypes: ['access.format', 'dataset.format'],
    ucds: ['meta.code.mime', 'meta.code.mime;meta.dataset'],
    names: ['access_format', 'format', 'mime', 'content_type', 'mimetype'],
  },
  title: {
    utypes: ['dataid.title'],
    ucds: ['meta.title;meta.dataset', 'meta.title'],
    names: ['ssa_dstitle', 'title', 'obs_title', 'name'],
  },
  publisherDid: {
    utypes: ['curation.publisherdid', 'dataid.datasetid'],
    ucds: ['meta.ref.ivoid', 'meta.ref.uri;meta.curation', 'meta.ref.url;meta.curation', 'meta.id;meta.dataset'],
    names: ['obs_publisher_did', 'ssa_pubdid', 'publisherdid', 'pubdid', 'publisher_did', 'datasetid'],
  },
  size: {
    utypes: ['access.size', 'dataset.size'],
    ucds: ['phys.size;meta.file', 'vox:image_filesize', 'meta.number;phys.size;meta.file'],
    names: ['access_estsize', 'accsize', 'access_size', 'size', 'filesize', 'file_size'],
  },
  preview: {
    utypes: ['access.preview'],
    ucds: ['meta.ref.url;datalink.preview'],
    names: ['preview', 'preview_url'],
  },
};

function utypeKey(u: string | undefined): string {
  if (!u) return '';
  const i = u.lastIndexOf(':');
  return (i >= 0 ? u.slice(i + 1) : u).trim().toLowerCase();
}

/**
 * The index of the column playing `role`, found by utype first, then UCD, then name; -1 when
 * none does. (Utypes are the most specific: SDSS marks its PublisherDID with the UCD
 * `meta.ref.url;meta.curation`, which must not be taken for the access reference.)
 */
export function findColumn(fields: readonly VoField[], role: Role): number {
  const rule = RULES[role];
  for (const ut of rule.utypes) {
    const i = fields.findIndex((f) => utypeKey(f.utype) === ut);
    if (i >= 0) return i;
  }
  for (const ucd of rule.ucds) {
    const i = fields.findIndex((f) => (f.ucd ?? '').trim().toLowerCase() === ucd);
    if (i >= 0) return i;
  }
  for (const name of rule.names) {
    const i = fields.findIndex((f) => f.name.toLowerCase() === name);
    if (i >= 0) return i;
  }
  return -1;
}

export type ColumnMap = Record<Role, number>;

export function columnMap(fields: readonly VoField[]): ColumnMap {
  return Object.fromEntries((Object.keys(RULES) as Role[]).map((r) => [r, findColumn(fields, r)])) as ColumnMap;
}

/** Columns that could hold URLs (for a user choosing the access-reference column). */
export function urlLikeColumns(fields: readonly VoField[]): string[] {
  return fields
    .filter((f) => f.datatype === 'char' || f.datatype === 'unicodeChar')
    .filter((f) => /url|uri|ref|link|acc/i.test(`${f.name} ${f.ucd ?? ''} ${f.utype ?? ''}`))
    .map((f) => f.name);
}
