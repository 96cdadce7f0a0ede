import { defineDataSource, JobError, Type, type PreviewContext, type Static } from '@vocloud/sdk';
import type { VoTableDocument } from '@vocloud/sdk/formats';
import { ItemError } from '../common/errors.js';
import type { DataSourceOptions } from '../options.js';
import { displayUrl, type HttpClient } from '../net/http.js';
import { isDataLinkFormat, linksWith, parseLinks } from '../vo/datalink.js';
import { describeDescriptor } from '../vo/descriptors.js';
import { fetchVoTable } from '../vo/fetch.js';
import { buildQueryUrl, describeMetadata, metadataUrl, type SsapQuery } from '../vo/ssap-query.js';
import { columnNames, datasetRow, describeTable, previewRow, resultsTable, type DatasetTable } from '../vo/table.js';
import { rowFilter } from '../vo/select.js';
import { credentialParameters, credentialsFor, httpClient, importParameters, retryPolicy, runImport, type CommonParams } from './common.js';
import { datasetItems, datasetParameters, type DatasetParams } from './dataset-params.js';

const MAX_RESPONSE_BYTES = 256 * 2 ** 20;

function ssapParameters(options: DataSourceOptions) {
  return Type.Object({
    service: Type.String({ minLength: 1, maxLength: 2048, description: 'SSAP service URL (the queryData base, e.g. https://dc.g-vo.org/flashheros/q/ssa/ssap.xml?)' }),
    pos: Type.Optional(Type.String({ maxLength: 100, description: 'POS: "ra,dec" in degrees (ICRS), optionally ";frame"' })),
    size: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 180, description: 'SIZE: diameter of the search region in degrees' })),
    band: Type.Optional(Type.String({ maxLength: 500, description: 'BAND: spectral range in metres, "lo/hi" (e.g. "4e-7/7e-7"), or a band name' })),
    time: Type.Optional(Type.String({ maxLength: 200, description: 'TIME: ISO 8601 range "start/end"' })),
    targetName: Type.Optional(Type.String({ maxLength: 200, description: 'TARGETNAME: an object name the service resolves' })),
    format: Type.Optional(Type.String({ maxLength: 200, description: 'FORMAT: all, compliant, native, votable, fits… or a MIME type' })),
    maxrec: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'MAXREC: most rows the service returns' })),
    collection: Type.Optional(Type.String({ maxLength: 500, description: 'COLLECTION: the data collection to search' })),
    params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String({ maxLength: 2000 }), Type.Number()]), {
      description: 'Other parameters the service declares (see the preview with show=metadata), e.g. {"REDSHIFT": "0.1/0.2"}',
    })),
    show: Type.Union([Type.Literal('rows'), Type.Literal('metadata'), Type.Literal('links')], {
      default: 'rows',
      description: 'Preview only: the rows of the query, the service\'s declared parameters (FORMAT=METADATA), or the DataLink links of the selected rows',
    }),
    ...datasetParameters(),
    ...importParameters(options),
    ...credentialParameters(),
  });
}

type SsapParams = Static<ReturnType<typeof ssapParameters>> & CommonParams & DatasetParams;

/** Run the query; QUERY_STATUS=ERROR ends here with the service's message. */
async function query(client: HttpClient, options: DataSourceOptions, p: SsapParams, signal: AbortSignal): Promise<{ url: string; doc: VoTableDocument; table: DatasetTable }> {
  const url = buildQueryUrl(p as SsapQuery);
  let doc: VoTableDocument;
  try {
    doc = await fetchVoTable(client, url, {
      signal,
      credentials: credentialsFor(p.service, p),
      retry: retryPolicy(options),
      maxBytes: MAX_RESPONSE_BYTES,
      what: 'the SSAP response',
    });
  } catch (err) {
    if (err instanceof ItemError) throw new JobError(`the SSAP query failed: ${err.message}`);
    throw err;
  }
  const table = describeTable(doc, resultsTable(doc));
  const status = table.status;
  if (status && status.value.toUpperCase() === 'ERROR') {
    throw new JobError(`the SSAP service answered QUERY_STATUS=ERROR: ${status.message?.trim() || '(no message)'} — query: ${displayUrl(url)}`);
  }
  if (!resultsTable(doc)) throw new JobError(`the SSAP response from ${displayUrl(url)} has no table`);
  return { url, doc, table };
}

function statusNote(table: DatasetTable): string | null {
  const s = table.status;
  if (!s) return null;
  if (s.value.toUpperCase() === 'OVERFLOW') {
    return `QUERY_STATUS=OVERFLOW: the service returned only part of the matches (${table.rowCount} rows)${s.message ? `: ${s.message.trim()}` : ''}; raise MAXREC or narrow the query`;
  }
  if (s.value.toUpperCase() !== 'OK') return `QUERY_STATUS=${s.value}${s.message ? `: ${s.message.trim()}` : ''}`;
  return null;
}

async function preview(options: DataSourceOptions, ctx: PreviewContext<SsapParams>): Promise<unknown> {
  const p = ctx.parameters;
  if (!p.service) throw new JobError('give the SSAP service URL (service)');
  const client = httpClient(options, 4);
  try {
    if (p.show === 'metadata') {
      const url = metadataUrl(p.service);
      const doc = await fetchVoTable(client, url, {
        signal: ctx.signal, credentials: credentialsFor(p.service, p), retry: retryPolicy(options), maxBytes: 16 * 2 ** 20, what: 'the FORMAT=METADATA response',
      }).catch((err: unknown) => {
        throw err instanceof ItemError ? new JobError(err.message) : err;
      });
      return { query: displayUrl(url), ...describeMetadata(doc) };
    }
    const { url, table, doc } = await query(client, options, p, ctx.signal);
    const rows = resultsTable(doc)?.rows ?? [];
    const keep = rowFilter(p, rows.length);
    const selected = rows.map((cells, i) => datasetRow(table, cells, i)).filter(keep);
    const base = {
      query: displayUrl(url),
      status: table.status ?? { value: 'OK' },
      ...(statusNote(table) ? { note: statusNote(table) } : {}),
      columns: columnNames(table),
      fields: table.fields.map((f) => ({ name: f.name, datatype: f.datatype, ...(f.ucd ? { ucd: f.ucd } : {}), ...(f.utype ? { utype: f.utype } : {}), ...(f.unit ? { unit: f.unit } : {}) })),
      services: table.descriptors.map(describeDescriptor),
      total: rows.length,
    };
    if (p.show === 'links') {
      const links = [];
      for (const r of selected.slice(0, 20)) {
        links.push(await linksPreview(client, options, p, table, r, ctx.signal));
      }
      return { ...base, links };
    }
    return { ...base, rows: selected.slice(0, options.previewRows).map(previewRow), truncated: selected.length > options.previewRows };
  } finally {
    client.close();
  }
}

/** The DataLink links of one row, for the UI (#this, #preview, SODA forms). */
async function linksPreview(client: HttpClient, options: DataSourceOptions, p: SsapParams, table: DatasetTable, row: ReturnType<typeof datasetRow>, signal: AbortSignal) {
  const service = table.descriptors.find((d) => /datalink/i.test(d.standardId));
  let url = isDataLinkFormat(row.format) ? row.accessUrl : '';
  if (!url && service) {
    const id = service.inputs.find((i) => i.name.toUpperCase() === 'ID');
    const v = id?.ref ? row.cell(id.ref) : row.publisherDid;
    if (v) {
      const u = new URL(service.accessUrl);
      u.searchParams.set('ID', v);
      url = u.toString();
    }
  }
  if (!url) return { index: row.index, error: 'no DataLink for this row' };
  try {
    const doc = parseLinks(
      await fetchVoTable(client, url, { signal, credentials: credentialsFor(p.service, p), retry: retryPolicy(options), maxBytes: 16 * 2 ** 20, what: 'the DataLink response' }),
      displayUrl(url),
    );
    return {
      index: row.index,
      links: displayUrl(url),
      this: linksWith(doc, '#this').map((l) => ({ url: l.accessUrl, contentType: l.contentType, size: l.contentLength ?? null, error: l.errorMessage || undefined })),
      preview: linksWith(doc, '#preview').map((l) => ({ url: l.accessUrl, contentType: l.contentType })),
      all: doc.links.map((l) => ({ semantics: l.semantics, url: l.accessUrl || undefined, serviceDef: l.serviceDef || undefined, description: l.description || undefined, error: l.errorMessage || undefined })),
      services: doc.descriptors.map(describeDescriptor),
    };
  } catch (err) {
    return { index: row.index, error: (err as Error).message };
  }
}

/** `ssap`: query an SSAP service, preview the rows, import all or some (datasets, previews or SODA cutouts). */
export function ssapSource(options: DataSourceOptions) {
  return defineDataSource({
    name: 'ssap',
    title: 'SSAP query',
    description: 'Query a Simple Spectral Access service (POS, SIZE, BAND, TIME, …), preview the spectra it finds, and import all or selected ones — whole datasets, DataLink previews or SODA cutouts — into your files',
    version: '0.1.0',
    parameters: ssapParameters(options),
    limits: { defaultExecutionDuration: 3600, maxExecutionDuration: 86400, concurrency: options.concurrentJobs },
    preview: (ctx) => preview(options, ctx as PreviewContext<SsapParams>),
    async run(ctx) {
      const p = ctx.parameters as SsapParams;
      const concurrency = p.concurrency ?? options.concurrency;
      const client = httpClient(options, concurrency);
      try {
        const { url, doc, table } = await query(client, options, p, ctx.signal);
        if (p.fetch === 'dataset' && table.columns.accessUrl < 0) {
          throw new JobError('the SSAP response has no access reference column (no utype ssa:Access.Reference, UCD meta.ref.url or column named accref / access_url)');
        }
        const note = statusNote(table);
        if (note) ctx.log.warn(note);
        await runImport(ctx, options, p, 'SSAP import', (importer) => {
          if (note) importer.manifest.notes.push(note);
          return datasetItems(table, resultsTable(doc)?.rows ?? [], p, {
            client,
            credentials: credentialsFor(p.service, p),
            retry: retryPolicy(options),
            signal: ctx.signal,
            manifest: importer.manifest,
            provenance: { query: displayUrl(url), service: displayUrl(p.service) },
            concurrency,
          });
        });
        if (note) ctx.progress(1, `done; ${note}`);
      } finally {
        client.close();
      }
    },
  });
}
