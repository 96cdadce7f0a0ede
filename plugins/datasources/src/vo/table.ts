import { allResources, queryStatus, type VoField, type VoTable, type VoTableDocument, type VoValue } from '@vocloud/sdk/formats';
import { columnMap, type ColumnMap } from './columns.js';
import { serviceDescriptors, type ServiceDescriptor } from './descriptors.js';
import { bytesPerUnit, jsonValue, sizeValue, textValue } from './values.js';

/** One dataset of a result table, by role. */
export interface DatasetRow {
  /** 0-based row number in the table. */
  readonly index: number;
  readonly accessUrl: string;
  readonly format: string;
  readonly title: string;
  readonly publisherDid: string;
  readonly size?: number | undefined;
  readonly preview: string;
  /** The text of the cell of the column with this ID (or name), for service descriptor refs. */
  cell(idOrName: string): string;
  /** Every cell as JSON, by column name. */
  json(): Record<string, unknown>;
}

/** A dataset table with its columns by role, service descriptors and query status. */
export interface DatasetTable {
  readonly fields: readonly VoField[];
  readonly columns: ColumnMap;
  readonly descriptors: readonly ServiceDescriptor[];
  readonly status?: { value: string; message?: string } | undefined;
  readonly rowCount?: number | undefined;
}

/** The results table: the first table of the first `results` resource, else the first table. */
export function resultsTable(doc: VoTableDocument): VoTable | undefined {
  const resources = allResources(doc);
  return resources.find((r) => r.type === 'results' && r.tables.length > 0)?.tables[0] ?? resources.find((r) => r.tables.length > 0)?.tables[0];
}

export function describeTable(doc: VoTableDocument, table: VoTable | undefined, accessColumn?: number): DatasetTable {
  const fields = table?.fields ?? [];
  const columns = columnMap(fields);
  if (accessColumn !== undefined) columns.accessUrl = accessColumn;
  return { fields, columns, descriptors: serviceDescriptors(doc), status: queryStatus(doc), rowCount: table?.rows.length };
}

export function datasetRow(table: DatasetTable, cells: readonly VoValue[], index: number): DatasetRow {
  const c = table.columns;
  const at = (i: number) => (i >= 0 ? cells[i] : undefined);
  const fieldIndex = (key: string) => {
    const byId = table.fields.findIndex((f) => f.id === key);
    return byId >= 0 ? byId : table.fields.findIndex((f) => f.name === key);
  };
  return {
    index,
    accessUrl: textValue(at(c.accessUrl)),
    format: textValue(at(c.format)),
    title: textValue(at(c.title)),
    publisherDid: textValue(at(c.publisherDid)),
    size: bytes(sizeValue(at(c.size)), c.size >= 0 ? table.fields[c.size]?.unit : undefined),
    preview: textValue(at(c.preview)),
    cell: (key) => textValue(at(fieldIndex(key))),
    json: () => Object.fromEntries(table.fields.map((f, i) => [f.name, jsonValue(cells[i] ?? null)])),
  };
}

/** A size cell in bytes, by its column's unit (undefined when the unit is not one of bytes). */
function bytes(value: number | undefined, unit: string | undefined): number | undefined {
  const scale = bytesPerUnit(unit);
  return value === undefined || scale === undefined ? undefined : Math.round(value * scale);
}

/** A row for previews: the roles and every cell. */
export function previewRow(r: DatasetRow): Record<string, unknown> {
  return {
    index: r.index,
    accessUrl: r.accessUrl,
    format: r.format,
    title: r.title,
    publisherDid: r.publisherDid,
    size: r.size ?? null,
    ...(r.preview ? { preview: r.preview } : {}),
    values: r.json(),
  };
}

/** The columns by role, as names, for previews. */
export function columnNames(table: DatasetTable): Record<string, string | null> {
  return Object.fromEntries(Object.entries(table.columns).map(([role, i]) => [role, i >= 0 ? table.fields[i]!.name : null]));
}
