import type { Readable } from 'node:stream';
import { BLOCK, dataSize, parseHeader, streamVoTable, FormatError, type FitsHeader } from '@vocloud/sdk/formats';
import type { StorageEntry } from '@vocloud/sdk';

export type Preview =
  | { kind: 'text'; name: string; size: number; text: string; truncated: boolean }
  | { kind: 'fits'; name: string; size: number; hdus: { index: number; type: string; cards: { keyword: string; value: unknown; comment?: string }[] }[]; truncated: boolean }
  | { kind: 'votable'; name: string; size: number; tables: { name: string | null; rows: number; fields: { name: string; datatype: string; arraysize?: string; unit?: string; ucd?: string; utype?: string; description?: string }[] }[]; queryStatus: string | null }
  | { kind: 'binary'; name: string; size: number; message: string };

async function head(stream: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    chunks.push(c as Buffer);
    n += (c as Buffer).length;
    if (n >= max) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(0, max);
}

function cardValue(v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

function fitsHeaders(bytes: Uint8Array): { headers: FitsHeader[]; truncated: boolean } {
  const headers: FitsHeader[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const { header, end } = parseHeader(bytes, pos, headers.length);
    headers.push(header);
    pos = end + Math.ceil(dataSize(header, headers.length - 1) / BLOCK) * BLOCK;
    if (pos >= bytes.length) return { headers, truncated: pos > bytes.length };
  }
  return { headers, truncated: false };
}

/**
 * What the file manager shows of a file: FITS header cards of every HDU (in the first
 * megabytes), a VOTable's fields, or the start of a text file.
 */
export async function previewOf(entry: StorageEntry, stream: Readable, textBytes: number): Promise<Preview> {
  const base = { name: entry.name, size: entry.size };
  const lower = entry.name.toLowerCase();
  const bytes = await head(stream, 8 * 1024 * 1024);
  const start = bytes.subarray(0, 10).toString('latin1');
  try {
    if (start.startsWith('SIMPLE  =') || /\.(fits|fit|fts)$/.test(lower)) {
      const { headers, truncated } = fitsHeaders(bytes);
      return {
        kind: 'fits',
        ...base,
        truncated,
        hdus: headers.map((h, index) => ({
          index,
          type: index === 0 ? 'primary' : String(h.get('XTENSION') ?? 'unknown').trim(),
          cards: h.cards.map((c) => ({ keyword: c.keyword, value: cardValue(c.value), ...(c.comment ? { comment: c.comment } : {}) })),
        })),
      };
    }
    const text = bytes.toString('utf8');
    if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<VOTABLE/i.test(text.slice(0, 4096)) || /\.(vot|votable)$/.test(lower)) {
      const tables: Extract<Preview, { kind: 'votable' }>['tables'] = [];
      let status: string | null = null;
      for await (const ev of streamVoTable((async function* () { yield bytes; })())) {
        if (ev.kind === 'table') tables.push({ name: ev.table.name ?? null, rows: 0, fields: ev.table.fields.map((f) => ({ name: f.name, datatype: f.datatype, ...(f.arraysize ? { arraysize: f.arraysize } : {}), ...(f.unit ? { unit: f.unit } : {}), ...(f.ucd ? { ucd: f.ucd } : {}), ...(f.utype ? { utype: f.utype } : {}), ...(f.description ? { description: f.description } : {}) })) });
        if (ev.kind === 'rows') tables[tables.length - 1]!.rows += ev.rows.length;
        if (ev.kind === 'end') status = ev.document.resources.flatMap((r) => r.infos).find((i) => i.name === 'QUERY_STATUS')?.value ?? null;
      }
      return { kind: 'votable', ...base, tables, queryStatus: status };
    }
    const sample = bytes.subarray(0, textBytes);
    if (!sample.includes(0) && !/\uFFFD/.test(sample.toString('utf8').slice(0, -4))) {
      return { kind: 'text', ...base, text: sample.toString('utf8'), truncated: entry.size > sample.length };
    }
  } catch (err) {
    if (err instanceof FormatError) return { kind: 'binary', ...base, message: `cannot be read: ${err.message}` };
    throw err;
  }
  return { kind: 'binary', ...base, message: 'binary file; no preview' };
}
