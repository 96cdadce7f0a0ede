import { writeVoTable } from '@vocloud/sdk/formats';
import type { ResultSink } from '@vocloud/sdk';

/** What became of one item. */
export type ItemState = 'done' | 'skipped' | 'failed' | 'pending';

export interface ManifestEntry {
  /** Where the item comes from (no credentials). */
  url: string;
  /** Where it was stored (`~/imports/a.fits`), '' when nothing was stored. */
  file: string;
  /** Bytes stored, or announced when nothing was stored; null when unknown. */
  size: number | null;
  state: ItemState;
  error: string;
}

const COLUMNS = ['url', 'file', 'size', 'state', 'error'] as const;

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The per-item state of an import, published as the job's results `manifest.csv` and
 * `manifest.vot` (a VOTable with the same columns: url, file, size, state, error). Rewritten
 * now and then while the job runs, and at its end, also when it is aborted.
 */
export class Manifest {
  readonly entries: ManifestEntry[] = [];
  /** Job-level remarks (an OVERFLOW status, a loop in an index) shown in the VOTable's INFOs. */
  readonly notes: string[] = [];

  add(url: string, size: number | null = null): ManifestEntry {
    const e: ManifestEntry = { url, file: '', size, state: 'pending', error: '' };
    this.entries.push(e);
    return e;
  }

  /** Record an item that ends before any transfer (a refused link, a loop, an excluded file). */
  record(url: string, state: ItemState, error: string, size: number | null = null): ManifestEntry {
    const e = this.add(url, size);
    e.state = state;
    e.error = error;
    return e;
  }

  count(state: ItemState): number {
    return this.entries.reduce((n, e) => n + (e.state === state ? 1 : 0), 0);
  }

  csv(): string {
    const lines = [COLUMNS.join(',')];
    for (const e of this.entries) lines.push(COLUMNS.map((c) => csvCell(e[c])).join(','));
    return `${lines.join('\r\n')}\r\n`;
  }

  votable(): string {
    return writeVoTable({
      infos: this.notes.map((n) => ({ name: 'note', value: n.slice(0, 2000) })),
      resources: [
        {
          type: 'results',
          tables: [
            {
              name: 'manifest',
              description: 'Items of a vocloud import: source URL, stored file, size in bytes, state (done, skipped, failed, pending) and error',
              fields: [
                { name: 'url', datatype: 'char', arraysize: '*', ucd: 'meta.ref.url' },
                { name: 'file', datatype: 'char', arraysize: '*', ucd: 'meta.id;meta.file' },
                { name: 'size', datatype: 'long', unit: 'byte', ucd: 'phys.size;meta.file' },
                { name: 'state', datatype: 'char', arraysize: '*', ucd: 'meta.code.status' },
                { name: 'error', datatype: 'char', arraysize: '*', ucd: 'meta.note' },
              ],
              rows: this.entries.map((e) => [e.url, e.file, e.size, e.state, e.error]),
            },
          ],
        },
      ],
    });
  }

  async publish(results: ResultSink): Promise<void> {
    await results.add('manifest.csv', Buffer.from(this.csv()), 'text/csv');
    await results.add('manifest.vot', Buffer.from(this.votable()), 'application/x-votable+xml');
  }
}
