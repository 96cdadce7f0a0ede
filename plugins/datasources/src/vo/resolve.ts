import { ItemError, asItemError } from '../common/errors.js';
import type { ImportItem } from '../common/importer.js';
import type { Manifest } from '../common/manifest.js';
import { extensionForMime, nameForFormat, safeName, splitExtension, urlFileName } from '../common/names.js';
import type { ProvenanceHints } from '../common/provenance.js';
import type { RetryPolicy } from '../common/retry.js';
import { displayUrl, type HttpClient, type HttpCredentials } from '../net/http.js';
import { httpOpener } from '../net/http-open.js';
import { isDataLinkFormat, linksWith, parseLinks, type LinksDocument } from './datalink.js';
import { isLinksService, isSoda, type ServiceDescriptor } from './descriptors.js';
import { fetchVoTable } from './fetch.js';
import { sodaUrl } from './soda.js';
import type { DatasetRow, DatasetTable } from './table.js';

/** What to fetch for each dataset row. */
export type FetchMode = 'dataset' | 'preview' | 'cutout';

export interface ResolveContext {
  readonly client: HttpClient;
  readonly credentials?: HttpCredentials | undefined;
  readonly retry: RetryPolicy;
  readonly signal: AbortSignal;
  readonly table: DatasetTable;
  readonly mode: FetchMode;
  readonly cutout: Map<string, string> | null;
  /** Provenance shared by every item (the query, the service). */
  readonly provenance: ProvenanceHints;
  readonly manifest: Manifest;
}

const MAX_LINKS_BYTES = 16 * 2 ** 20;

/** A file name for a dataset: the URL's own name when it has one, else its title or DID, with an extension for its format. */
export function datasetName(row: DatasetRow, url: string, format: string): { name: string; fallback: string } {
  const fromUrl = urlFileName(url);
  const ext = extensionForMime(format);
  if (fromUrl && splitExtension(fromUrl).ext && !/\.(php|cgi|jsp|aspx?|py|pl)$/i.test(fromUrl)) {
    const name = nameForFormat(fromUrl, format);
    return { name, fallback: name };
  }
  const did = row.publisherDid.replace(/^ivo:\/\/[^?#]*[?#]?/, '').replace(/[/#?=&]+/g, '_');
  const stem = safeName(row.title || did || fromUrl || `dataset-${row.index}`, `dataset-${row.index}`);
  // the name comes from the response when the server suggests one; this is the fallback
  return { name: '', fallback: ext ? `${stem}${ext}` : stem };
}

function item(ctx: ResolveContext, row: DatasetRow, url: string, format: string, extra: ProvenanceHints, size?: number): ImportItem {
  const { name, fallback } = datasetName(row, url, format);
  return {
    url: displayUrl(url),
    folder: [],
    name,
    fallbackName: fallback,
    size,
    provenance: {
      ...ctx.provenance,
      ...(row.publisherDid ? { publisherDid: row.publisherDid } : {}),
      ...(row.title ? { title: row.title } : {}),
      ...(format ? { format } : {}),
      ...extra,
    },
    open: httpOpener(ctx.client, url, ctx.credentials),
  };
}

/** The {links} document of a row: its access reference when that is DataLink, else the table's links service. */
async function linksOf(ctx: ResolveContext, row: DatasetRow): Promise<{ url: string; doc: LinksDocument } | null> {
  let url: string | null = null;
  if (isDataLinkFormat(row.format) && row.accessUrl) url = row.accessUrl;
  else {
    const service = ctx.table.descriptors.find(isLinksService);
    if (service) {
      const id = service.inputs.find((i) => i.name.toUpperCase() === 'ID');
      const value = id?.ref ? row.cell(id.ref) : row.publisherDid;
      if (value) {
        const u = new URL(service.accessUrl);
        u.searchParams.set('ID', value);
        url = u.toString();
      }
    }
  }
  if (!url) return null;
  const doc = await fetchVoTable(ctx.client, url, {
    signal: ctx.signal,
    credentials: ctx.credentials,
    retry: ctx.retry,
    maxBytes: MAX_LINKS_BYTES,
    what: 'the DataLink response',
  });
  return { url, doc: parseLinks(doc, displayUrl(url)) };
}

/** Items for links with a semantics term; a link that carries an error_message is recorded as failed. */
function fromLinks(ctx: ResolveContext, row: DatasetRow, links: { url: string; doc: LinksDocument }, term: string): ImportItem[] {
  const out: ImportItem[] = [];
  for (const l of linksWith(links.doc, term)) {
    if (l.errorMessage) {
      ctx.manifest.record(l.accessUrl || displayUrl(links.url), 'failed', `DataLink ${term}: ${l.errorMessage}`);
      continue;
    }
    if (!l.accessUrl) continue;
    out.push(item(ctx, row, l.accessUrl, l.contentType || row.format, { datalink: { semantics: term, links: displayUrl(links.url) } }, l.contentLength));
  }
  return out;
}

/** The SODA descriptor for a row: in the table, else referenced from its {links}. */
function sodaFor(ctx: ResolveContext, links: { doc: LinksDocument } | null): ServiceDescriptor | undefined {
  const inTable = ctx.table.descriptors.find(isSoda);
  if (inTable) return inTable;
  if (!links) return undefined;
  const refs = new Set(links.doc.links.filter((l) => l.serviceDef).map((l) => l.serviceDef));
  return links.doc.descriptors.find((d) => isSoda(d) && (d.id === undefined || refs.has(d.id))) ?? links.doc.descriptors.find(isSoda);
}

/**
 * The files to fetch for one dataset row in the chosen mode. A row that cannot give any (no
 * access reference, no preview, no SODA service) is recorded in the manifest as failed, with
 * the reason, and yields nothing.
 */
export async function resolveRow(ctx: ResolveContext, row: DatasetRow): Promise<ImportItem[]> {
  const label = row.accessUrl || row.publisherDid || `row ${row.index}`;
  try {
    switch (ctx.mode) {
      case 'dataset': {
        if (!row.accessUrl) throw new ItemError(`row ${row.index} has no access reference`, false);
        if (isDataLinkFormat(row.format)) {
          const links = await linksOf(ctx, row);
          if (!links) throw new ItemError('the DataLink access reference could not be read', false);
          if (linksWith(links.doc, '#this').length === 0) throw new ItemError('the DataLink response has no #this link', false);
          return fromLinks(ctx, row, links, '#this');
        }
        return [item(ctx, row, row.accessUrl, row.format, {}, row.size)];
      }
      case 'preview': {
        if (row.preview) return [item(ctx, row, row.preview, '', { datalink: { semantics: '#preview' } })];
        const links = await linksOf(ctx, row);
        if (!links) throw new ItemError('the dataset has no preview column and no DataLink service', false);
        if (linksWith(links.doc, '#preview').length === 0) throw new ItemError('the DataLink response has no #preview link', false);
        return fromLinks(ctx, row, links, '#preview');
      }
      case 'cutout': {
        if (!ctx.cutout) throw new ItemError('give at least one cutout parameter (cutoutBand, cutoutCircle, cutoutPos, cutoutTime)', false);
        const inTable = ctx.table.descriptors.find(isSoda);
        const links = inTable ? null : await linksOf(ctx, row);
        const soda = sodaFor(ctx, links);
        if (!soda) throw new ItemError('no SODA service is declared for this dataset (neither in the table nor in its DataLink response)', false);
        const { url, params } = sodaUrl(soda, (ref) => row.cell(ref), ctx.cutout);
        const cutout = Object.fromEntries([...ctx.cutout].map(([k, v]) => [k, v]));
        const it = item(ctx, row, url, row.format, { cutout, service: soda.accessUrl });
        // a cutout has the name of its dataset, made distinct from the whole file
        const base = datasetName(row, row.accessUrl || url, row.format);
        const named = base.name || base.fallback;
        const { stem, ext } = splitExtension(named);
        return [{ ...it, name: '', fallbackName: `${stem}-cutout${ext}`, provenance: { ...it.provenance, cutout: { ...cutout, ...pick(params, ['ID']) } } }];
      }
    }
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.manifest.record(label, 'failed', asItemError(err).message, row.size ?? null);
    return [];
  }
}

function pick(o: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]!]));
}
