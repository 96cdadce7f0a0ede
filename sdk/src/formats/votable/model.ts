/**
 * The VOTable document model (VOTable 1.1–1.5), as the reader produces it and the writer
 * consumes it. Element and attribute names follow the standard; `ID` is spelled `id`.
 */

export type VoDatatype =
  | 'boolean'
  | 'bit'
  | 'unsignedByte'
  | 'short'
  | 'int'
  | 'long'
  | 'char'
  | 'unicodeChar'
  | 'float'
  | 'double'
  | 'floatComplex'
  | 'doubleComplex';

export const VO_DATATYPES: readonly VoDatatype[] = [
  'boolean', 'bit', 'unsignedByte', 'short', 'int', 'long', 'char', 'unicodeChar', 'float', 'double', 'floatComplex', 'doubleComplex',
];

/**
 * One cell value.
 * - scalars: number (int, short, unsignedByte, float, double; long when it fits a double
 *   exactly), bigint (long beyond 2^53), boolean, string (char/unicodeChar arrays), null;
 *   float NaN is kept as NaN;
 * - arrays: Float64Array/Float32Array/Int32Array/Int16Array/Uint8Array/BigInt64Array for
 *   numeric arrays (flattened, first index fastest as in VOTable), Uint8Array of 0/1 for bit
 *   arrays, (boolean | null)[] for boolean arrays, string[] for multi-dimensional char arrays;
 * - complex values: interleaved re, im in a Float32Array/Float64Array.
 */
export type VoValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Float64Array
  | Float32Array
  | Int32Array
  | Int16Array
  | Uint8Array
  | BigInt64Array
  | (boolean | null)[]
  | string[];

export interface VoLink {
  contentRole?: string;
  contentType?: string;
  title?: string;
  value?: string;
  href?: string;
  action?: string;
  id?: string;
}

export interface VoValues {
  id?: string;
  type?: 'legal' | 'actual';
  /** The null sentinel, as written. */
  null?: string;
  ref?: string;
  min?: { value: string; inclusive?: boolean };
  max?: { value: string; inclusive?: boolean };
  options?: { name?: string; value: string }[];
}

export interface VoField {
  name: string;
  id?: string;
  datatype: VoDatatype;
  arraysize?: string;
  width?: number;
  precision?: string;
  unit?: string;
  ucd?: string;
  utype?: string;
  xtype?: string;
  ref?: string;
  type?: string;
  description?: string;
  values?: VoValues;
  links?: VoLink[];
}

export interface VoParam extends VoField {
  /** The value attribute as written. */
  value: string;
}

export interface VoInfo {
  name: string;
  value: string;
  id?: string;
  unit?: string;
  xtype?: string;
  ref?: string;
  ucd?: string;
  utype?: string;
  /** Element content (e.g. the error message of QUERY_STATUS=ERROR). */
  content?: string;
}

export interface VoGroup {
  name?: string;
  id?: string;
  ref?: string;
  ucd?: string;
  utype?: string;
  description?: string;
  /** In document order. */
  items: (
    | { kind: 'fieldref'; ref: string; ucd?: string; utype?: string }
    | { kind: 'paramref'; ref: string; ucd?: string; utype?: string }
    | { kind: 'param'; param: VoParam }
    | { kind: 'group'; group: VoGroup }
  )[];
}

export interface VoCoosys {
  id?: string;
  system?: string;
  equinox?: string;
  epoch?: string;
  refposition?: string;
}

export interface VoTimesys {
  id?: string;
  timeorigin?: string;
  timescale?: string;
  refposition?: string;
}

export type VoSerialization = 'TABLEDATA' | 'BINARY' | 'BINARY2' | 'FITS';

export interface VoTable {
  name?: string;
  id?: string;
  ref?: string;
  ucd?: string;
  utype?: string;
  /** The nrows attribute when given. */
  nrows?: number;
  description?: string;
  infos: VoInfo[];
  fields: VoField[];
  params: VoParam[];
  groups: VoGroup[];
  links: VoLink[];
  /** How the data was serialised; undefined for a table without DATA. */
  serialization?: VoSerialization;
  /** A STREAM href that was not followed (remote data is never fetched by the reader). */
  streamHref?: string;
  /** Rows (empty when the reader was asked not to keep them). */
  rows: VoValue[][];
  /** INFO elements after DATA (e.g. overflow status). */
  postInfos: VoInfo[];
}

export interface VoResource {
  type?: 'results' | 'meta';
  name?: string;
  id?: string;
  utype?: string;
  description?: string;
  infos: VoInfo[];
  params: VoParam[];
  groups: VoGroup[];
  coosys: VoCoosys[];
  timesys: VoTimesys[];
  links: VoLink[];
  tables: VoTable[];
  resources: VoResource[];
}

export interface VoTableDocument {
  version?: string;
  description?: string;
  infos: VoInfo[];
  params: VoParam[];
  groups: VoGroup[];
  coosys: VoCoosys[];
  timesys: VoTimesys[];
  resources: VoResource[];
}

/** Every resource in document order (nested ones included). */
export function allResources(doc: VoTableDocument): VoResource[] {
  const out: VoResource[] = [];
  const walk = (r: VoResource): void => {
    out.push(r);
    r.resources.forEach(walk);
  };
  doc.resources.forEach(walk);
  return out;
}

/** Every table in document order (nested resources included). */
export function allTables(doc: VoTableDocument): VoTable[] {
  return allResources(doc).flatMap((r) => r.tables);
}

/** The value of INFO name="QUERY_STATUS" in the first results resource or the document, if any. */
export function queryStatus(doc: VoTableDocument): { value: string; message?: string } | undefined {
  for (const r of allResources(doc)) {
    const i = [...r.infos, ...r.tables.flatMap((t) => t.postInfos)].find((x) => x.name === 'QUERY_STATUS');
    if (i) return i.content ? { value: i.value, message: i.content } : { value: i.value };
  }
  const i = doc.infos.find((x) => x.name === 'QUERY_STATUS');
  return i ? (i.content ? { value: i.value, message: i.content } : { value: i.value }) : undefined;
}
