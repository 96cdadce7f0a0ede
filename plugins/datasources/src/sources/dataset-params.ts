import { JobError, Type } from '@vocloud/sdk';
import { mapAhead } from '../common/ahead.js';
import type { ImportItem } from '../common/importer.js';
import type { Manifest } from '../common/manifest.js';
import type { ProvenanceHints } from '../common/provenance.js';
import type { RetryPolicy } from '../common/retry.js';
import type { HttpClient, HttpCredentials } from '../net/http.js';
import { resolveRow, type FetchMode } from '../vo/resolve.js';
import { rowFilter } from '../vo/select.js';
import { parseCutout } from '../vo/soda.js';
import { datasetRow, type DatasetTable } from '../vo/table.js';
import type { VoValue } from '@vocloud/sdk/formats';

/** Parameters of imports from a dataset table (SSAP responses, uploaded VOTables). */
export function datasetParameters() {
  return {
    rows: Type.Array(Type.Integer({ minimum: 0 }), { default: [], maxItems: 100_000, description: 'Row numbers to import (from 0, as the preview shows them); none = all rows' }),
    ids: Type.Array(Type.String({ maxLength: 2048 }), { default: [], maxItems: 100_000, description: 'Publisher DIDs or access URLs of the rows to import (instead of, or besides, row numbers)' }),
    fetch: Type.Union([Type.Literal('dataset'), Type.Literal('preview'), Type.Literal('cutout')], {
      default: 'dataset',
      description: 'What to fetch per row: the dataset (DataLink #this when the access reference is a DataLink document), its preview (#preview), or a SODA cutout',
    }),
    cutoutBand: Type.Optional(Type.String({ maxLength: 200, description: 'SODA BAND: spectral interval in metres, "lo hi" (e.g. "4.5e-7 5.5e-7")' })),
    cutoutCircle: Type.Optional(Type.String({ maxLength: 200, description: 'SODA CIRCLE: "ra dec radius" in degrees' })),
    cutoutPos: Type.Optional(Type.String({ maxLength: 2000, description: 'SODA POS: "CIRCLE ra dec r", "RANGE ra1 ra2 dec1 dec2" or "POLYGON ra1 dec1 …"' })),
    cutoutTime: Type.Optional(Type.String({ maxLength: 200, description: 'SODA TIME: interval in MJD, "t1 t2"' })),
    cutoutParams: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 1000 }), { description: 'Other parameters the SODA service declares, e.g. {"FORMAT": "application/fits"}' })),
  };
}

export interface DatasetParams {
  rows: number[];
  ids: string[];
  fetch: FetchMode;
  cutoutBand?: string;
  cutoutCircle?: string;
  cutoutPos?: string;
  cutoutTime?: string;
  cutoutParams?: Record<string, string>;
}

export interface DatasetImportContext {
  readonly client: HttpClient;
  readonly credentials?: HttpCredentials | undefined;
  readonly retry: RetryPolicy;
  readonly signal: AbortSignal;
  readonly manifest: Manifest;
  readonly provenance: ProvenanceHints;
  readonly concurrency: number;
}

/** Items for the selected rows of a dataset table, DataLink documents resolved a few at a time ahead of the downloads. */
export function datasetItems(
  table: DatasetTable,
  rows: AsyncIterable<readonly VoValue[]> | Iterable<readonly VoValue[]>,
  p: DatasetParams,
  c: DatasetImportContext,
): AsyncIterable<ImportItem> {
  const cutout = parseCutout({ band: p.cutoutBand, circle: p.cutoutCircle, pos: p.cutoutPos, time: p.cutoutTime, extra: p.cutoutParams });
  if (p.fetch === 'cutout' && !cutout) throw new JobError('fetch=cutout: give at least one of cutoutBand, cutoutCircle, cutoutPos, cutoutTime');
  const keep = rowFilter(p, table.rowCount);
  const ctx = { ...c, table, mode: p.fetch, cutout };
  async function* selected() {
    let index = 0;
    for await (const cells of rows) {
      const row = datasetRow(table, cells, index++);
      if (keep(row)) yield row;
    }
  }
  return mapAhead(selected(), Math.max(1, c.concurrency), (row) => resolveRow(ctx, row));
}
