import { defineDataSource, FileParameter, JobError, StoragePathParameter, Type, type JobStorage, type PreviewContext, type Static } from '@vocloud/sdk';
import type { VoField, VoTableDocument, VoValue } from '@vocloud/sdk/formats';
import { streamVoTableFile } from '@vocloud/sdk/formats/node';
import type { DataSourceOptions } from '../options.js';
import { displayUrl } from '../net/http.js';
import { urlLikeColumns } from '../vo/columns.js';
import { describeDescriptor } from '../vo/descriptors.js';
import { columnNames, datasetRow, describeTable, previewRow, resultsTable, type DatasetTable } from '../vo/table.js';
import { rowFilter } from '../vo/select.js';
import { credentialParameters, httpClient, importParameters, retryPolicy, runImport, type CommonParams } from './common.js';
import { datasetItems, datasetParameters, type DatasetParams } from './dataset-params.js';

function votableParameters(options: DataSourceOptions) {
  return Type.Object({
    table: Type.Optional(FileParameter({ description: 'A VOTable (TABLEDATA, BINARY or BINARY2), e.g. saved by TOPCAT, whose rows point at datasets' })),
    tablePath: Type.Optional(StoragePathParameter({ kind: 'file', description: 'Or: a VOTable already in your files (vocloud:/~/tables/t.vot)' })),
    column: Type.Optional(Type.String({ maxLength: 200, description: 'The access reference column (default: found by utype Access.Reference, UCD meta.ref.url or name)' })),
    authOrigin: Type.Optional(Type.String({ maxLength: 300, description: 'With username/password: the origin (https://host[:port]) the credentials are sent to; no other host gets them' })),
    ...datasetParameters(),
    ...importParameters(options),
    ...credentialParameters(),
  });
}

type VotableParams = Static<ReturnType<typeof votableParameters>> & CommonParams & DatasetParams;

/** The local path of the table: an upload, or a file in storage. */
async function tableFile(p: VotableParams, storage: Pick<JobStorage, 'localFile'>, uploadsAllowed: boolean): Promise<string> {
  if (p.table && uploadsAllowed) return p.table;
  if (p.tablePath) return storage.localFile(p.tablePath);
  throw new JobError(uploadsAllowed ? 'give the VOTable: upload it as table, or name one in your files with tablePath' : 'the preview reads a table in your files: give tablePath (upload the table to your files first)');
}

/** First pass: the document's structure (fields, service descriptors, row count) in bounded memory. */
async function structure(path: string): Promise<{ doc: VoTableDocument; rows: number }> {
  let rows = 0;
  let first = -1;
  try {
    for await (const ev of streamVoTableFile(path)) {
      if (ev.kind === 'table' && first < 0) first = ev.index;
      if (ev.kind === 'rows' && ev.index === first) rows += ev.rows.length;
      if (ev.kind === 'end') return { doc: ev.document, rows };
    }
  } catch (err) {
    throw new JobError(`the table is not a valid VOTable: ${(err as Error).message}`);
  }
  throw new JobError('the table ended early');
}

/** Second pass: the rows of the first table, streamed. */
async function* tableRows(path: string): AsyncGenerator<readonly VoValue[]> {
  let first = -1;
  for await (const ev of streamVoTableFile(path)) {
    if (ev.kind === 'table' && first < 0) first = ev.index;
    if (ev.kind === 'rows' && ev.index === first) yield* ev.rows;
  }
}

function chooseColumn(fields: readonly VoField[], column: string | undefined): number | undefined {
  if (!column) return undefined;
  const i = fields.findIndex((f) => f.name.toLowerCase() === column.toLowerCase() || f.id === column);
  if (i < 0) {
    const candidates = urlLikeColumns(fields);
    throw new JobError(`column: the table has no column '${column}'; columns that look like links: ${candidates.length ? candidates.join(', ') : '(none)'}`);
  }
  return i;
}

async function open(p: VotableParams, storage: Pick<JobStorage, 'localFile'>, uploadsAllowed: boolean): Promise<{ path: string; table: DatasetTable }> {
  const path = await tableFile(p, storage, uploadsAllowed);
  const { doc, rows } = await structure(path);
  const t = resultsTable(doc);
  if (!t) throw new JobError('the VOTable has no table');
  const table = { ...describeTable(doc, t, chooseColumn(t.fields, p.column)), rowCount: rows };
  return { path, table };
}

function authFor(p: VotableParams) {
  if (!p.username) return undefined;
  if (!p.authOrigin) throw new JobError('authOrigin: say which server (https://host[:port]) the credentials are for');
  let origin: string;
  try {
    origin = new URL(p.authOrigin).origin;
  } catch {
    throw new JobError(`authOrigin: '${p.authOrigin.slice(0, 100)}' is not a URL`);
  }
  return { username: p.username, password: p.password ?? '', origin };
}

/** `votable`: import the datasets a VOTable (from TOPCAT, an archive) points at. */
export function votableSource(options: DataSourceOptions) {
  return defineDataSource({
    name: 'votable',
    title: 'Datasets of a VOTable',
    description: 'Upload a VOTable (TABLEDATA, BINARY, BINARY2) whose rows point at datasets, pick the access reference column (pre-selected by utype/UCD), and import all or selected rows',
    version: '0.1.0',
    parameters: votableParameters(options),
    limits: { defaultExecutionDuration: 3600, maxExecutionDuration: 86400, concurrency: options.concurrentJobs },
    async preview(ctx) {
      const p = (ctx as PreviewContext<VotableParams>).parameters;
      const { path, table } = await open(p, ctx.storage, false);
      const keep = rowFilter(p, table.rowCount);
      const rows: Record<string, unknown>[] = [];
      let index = 0;
      for await (const cells of tableRows(path)) {
        const r = datasetRow(table, cells, index++);
        if (keep(r)) rows.push(previewRow(r));
        if (rows.length >= options.previewRows) break;
      }
      return {
        columns: columnNames(table),
        candidates: urlLikeColumns(table.fields),
        fields: table.fields.map((f) => ({ name: f.name, datatype: f.datatype, ...(f.ucd ? { ucd: f.ucd } : {}), ...(f.utype ? { utype: f.utype } : {}) })),
        services: table.descriptors.map(describeDescriptor),
        total: table.rowCount,
        rows,
      };
    },
    async run(ctx) {
      const p = ctx.parameters as VotableParams;
      const { path, table } = await open(p, ctx.storage, true);
      if (p.fetch === 'dataset' && table.columns.accessUrl < 0) {
        throw new JobError(`the table has no access reference column that could be recognised; choose one with column (candidates: ${urlLikeColumns(table.fields).join(', ') || 'none'})`);
      }
      const concurrency = p.concurrency ?? options.concurrency;
      const client = httpClient(options, concurrency);
      const source = p.tablePath ?? (p.table ? `upload:${p.table.split('/').pop()}` : 'upload');
      try {
        await runImport(ctx, options, p, 'VOTable import', (importer) =>
          datasetItems(table, tableRows(path), p, {
            client,
            credentials: authFor(p),
            retry: retryPolicy(options),
            signal: ctx.signal,
            manifest: importer.manifest,
            provenance: { query: displayUrl(source) },
            concurrency,
          }),
        );
      } finally {
        client.close();
      }
    },
  });
}
