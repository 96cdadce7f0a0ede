import { defineDataSource, JobError, Type, type PreviewContext, type Static } from '@vocloud/sdk';
import { asItemError } from '../common/errors.js';
import { pathFilter } from '../common/glob.js';
import type { ImportItem } from '../common/importer.js';
import { urlFileName } from '../common/names.js';
import type { DataSourceOptions } from '../options.js';
import { crawl, type CrawlOptions } from '../net/crawl.js';
import { displayUrl, type HttpClient } from '../net/http.js';
import { httpOpener } from '../net/http-open.js';
import { crawlParameters, credentialParameters, credentialsFor, httpClient, importParameters, retryPolicy, runImport, startOrFail, type CommonParams } from './common.js';

const MAX_PAGES = 10_000;

function httpParameters(options: DataSourceOptions) {
  return Type.Object({
    url: Type.String({ minLength: 1, maxLength: 4096, description: 'A file, or (recursive) an index page whose links below it are followed' }),
    ...crawlParameters(options),
    ...importParameters(options),
    ...credentialParameters(),
  });
}

type HttpParams = Static<ReturnType<typeof httpParameters>> & CommonParams;

function checkUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new JobError(`url: '${url.slice(0, 200)}' is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new JobError('url: give an http:// or https:// URL (FTP has a job type of its own)');
  if (u.username || u.password) throw new JobError('url: give credentials with the username and password parameters, not in the URL');
  return u;
}

function crawlOptions(client: HttpClient, options: DataSourceOptions, p: HttpParams, signal: AbortSignal, record: CrawlOptions['record'], note: CrawlOptions['note']): CrawlOptions {
  return {
    client,
    credentials: credentialsFor(p.url, p),
    retry: retryPolicy(options),
    signal,
    depth: p.depth,
    filter: pathFilter(p.include, p.exclude),
    maxPages: MAX_PAGES,
    record,
    note,
    query: displayUrl(p.url),
  };
}

/** `http`: one file, or a tree of index pages, over HTTP(S). */
export function httpSource(options: DataSourceOptions) {
  return defineDataSource({
    name: 'http',
    title: 'HTTP(S) import',
    description: 'Import a file from an HTTP(S) URL, or (recursive) every file below an index page, with depth, glob filters and a size limit',
    version: '0.1.0',
    parameters: httpParameters(options),
    limits: { defaultExecutionDuration: 3600, maxExecutionDuration: 86400, concurrency: options.concurrentJobs },
    async preview(ctx) {
      const p = (ctx as PreviewContext<HttpParams>).parameters;
      checkUrl(p.url);
      const client = httpClient(options, 2);
      const files: { url: string; path: string }[] = [];
      const skipped: { url: string; state: string; error: string }[] = [];
      const notes: string[] = [];
      try {
        if (!p.recursive) return { files: [{ url: displayUrl(p.url), path: urlFileName(p.url) || '(named by the server)' }], skipped, notes };
        const o = crawlOptions(client, options, p, ctx.signal, (url, state, error) => skipped.push({ url, state, error }), (n) => notes.push(n));
        for await (const item of crawl(p.url, o)) {
          files.push({ url: item.url, path: [...item.folder, item.name].join('/') });
          if (files.length >= options.previewRows) {
            notes.push(`only the first ${options.previewRows} files are shown`);
            break;
          }
        }
        return { files, skipped, notes };
      } catch (err) {
        throw new JobError(`cannot read ${displayUrl(p.url)}: ${asItemError(err).message}`);
      } finally {
        client.close();
      }
    },
    async run(ctx) {
      const p = ctx.parameters as HttpParams;
      checkUrl(p.url);
      const concurrency = p.concurrency ?? options.concurrency;
      const client = httpClient(options, concurrency);
      try {
        await runImport(ctx, options, p, 'HTTP import', (importer) => {
          if (!p.recursive) {
            const item: ImportItem = {
              url: displayUrl(p.url),
              folder: [],
              name: '',
              fallbackName: urlFileName(p.url) || 'download',
              provenance: { query: displayUrl(p.url) },
              open: httpOpener(client, p.url, credentialsFor(p.url, p)),
            };
            return [item];
          }
          const o = crawlOptions(
            client, options, p, ctx.signal,
            (url, state, error) => void importer.manifest.record(url, state, error),
            (n) => void importer.manifest.notes.push(n),
          );
          return startOrFail(crawl(p.url, o), displayUrl(p.url));
        });
      } finally {
        client.close();
      }
    },
  });
}

