import { JobError } from '@vocloud/sdk';
import type { DatasetRow } from './table.js';

export interface RowSelection {
  /** 0-based row numbers as the preview shows them. */
  readonly rows?: readonly number[] | undefined;
  /** Publisher DIDs or access URLs (robust when the service returns rows in another order). */
  readonly ids?: readonly string[] | undefined;
}

/** A predicate for the rows to import: all when nothing is selected. Out-of-range row numbers are refused. */
export function rowFilter(sel: RowSelection, rowCount: number | undefined): (r: DatasetRow) => boolean {
  const rows = sel.rows && sel.rows.length > 0 ? new Set(sel.rows) : null;
  const ids = sel.ids && sel.ids.length > 0 ? new Set(sel.ids) : null;
  if (rows && rowCount !== undefined) {
    const bad = [...rows].filter((i) => i >= rowCount);
    if (bad.length > 0) throw new JobError(`rows: ${bad.slice(0, 5).join(', ')} beyond the ${rowCount} rows of the table (rows count from 0)`);
  }
  if (!rows && !ids) return () => true;
  return (r) => (rows?.has(r.index) ?? false) || (ids !== null && (ids.has(r.publisherDid) || ids.has(r.accessUrl)));
}
