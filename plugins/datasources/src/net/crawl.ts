import { ItemError, asItemError } from '../common/errors.js';
import type { PathFilter } from '../common/glob.js';
import type { ImportItem } from '../common/importer.js';
import type { ItemState } from '../common/manifest.js';
import { decodeUrlSegment } from '../common/names.js';
import { withRetries, type RetryPolicy } from '../common/retry.js';
import { displayHref, displayUrl, type HttpClient, type HttpCredentials } from './http.js';
import { httpOpener } from './http-open.js';
import { indexLinks } from './index-page.js';

export interface CrawlOptions {
  readonly client: HttpClient;
  readonly credentials?: HttpCredentials | undefined;
  readonly retry: RetryPolicy;
  readonly signal: AbortSignal;
  readonly depth: number;
  readonly filter: PathFilter;
  /** Most index pages one crawl reads. */
  readonly maxPages: number;
  /** Report something that is not a file to import (a loop, a failed page) in the manifest. */
  readonly record: (url: string, state: ItemState, error: string) => void;
  readonly note: (text: string) => void;
  readonly query: string;
}

const MAX_INDEX_BYTES = 32 * 2 ** 20;

/** Folder pages fetched at once, the one being read included. */
const READ_AHEAD = 4;

type PageRead = { got: { finalUrl: URL; html: string | null } } | { err: unknown };

/** The URL without fragment, for visited checks. */
function canonical(u: URL): string {
  const c = new URL(u.toString());
  c.hash = '';
  return c.toString();
}

/** Path segments of `url` below `prefix` (which ends in '/'), decoded; null when outside. */
function below(prefix: URL, url: URL): string[] | null {
  if (url.origin !== prefix.origin || !url.pathname.startsWith(prefix.pathname)) return null;
  const rest = url.pathname.slice(prefix.pathname.length);
  if (rest === '') return [];
  const segs = rest.replace(/\/$/, '').split('/');
  // empty segments (//) and dot segments that survived encoding are refused outright
  if (segs.some((s) => s === '' || s === '.' || s === '..')) return null;
  return segs.map(decodeUrlSegment);
}

interface Page {
  readonly url: URL;
  readonly segs: string[];
  /** Listing signatures of this page's ancestors, to recognise index loops. */
  readonly ancestors: ReadonlyMap<string, string>;
}

async function fetchIndex(o: CrawlOptions, url: string): Promise<{ finalUrl: URL; html: string | null }> {
  return withRetries(o.retry, o.signal, async () => {
    const res = await o.client.get({ url, signal: o.signal, credentials: o.credentials });
    const type = String(res.headers['content-type'] ?? '').toLowerCase();
    if (!/text\/html|application\/xhtml/.test(type)) {
      res.body.destroy();
      return { finalUrl: new URL(res.url), html: null };
    }
    const body = await o.client.readBody(res, MAX_INDEX_BYTES, 'the index page');
    return { finalUrl: new URL(res.url), html: body.toString('utf8') };
  });
}

function fileItem(o: CrawlOptions, url: URL, segs: string[]): ImportItem {
  return {
    url: displayHref(url),
    folder: segs.slice(0, -1),
    name: segs[segs.length - 1]!,
    provenance: { query: o.query },
    open: httpOpener(o.client, url.toString(), o.credentials),
  };
}

/**
 * Walk index pages from `start`, yielding the files to import as they are found. Only links
 * that extend the start URL are followed (same origin, path below the start folder, no query):
 * a link to a parent, another host or a sort order of the listing is ignored. Loops are cut
 * three ways: every URL is visited once, folders deeper than `depth` are not entered, and a
 * page that lists exactly what one of its ancestors lists (a symbolic link to a parent on the
 * server) is reported as a loop and not entered.
 */
export async function* crawl(start: string, o: CrawlOptions): AsyncGenerator<ImportItem> {
  let startUrl: URL;
  try {
    startUrl = new URL(start);
  } catch {
    throw new ItemError(`not a URL: ${start.slice(0, 200)}`, false);
  }
  const first = await fetchIndex(o, startUrl.toString());
  if (first.html === null) {
    // not an index page: the start is a file
    const segs = [decodeUrlSegment(first.finalUrl.pathname.split('/').pop() || 'index')];
    yield fileItem(o, startUrl, segs);
    return;
  }
  const prefix = new URL(first.finalUrl.toString());
  prefix.search = '';
  prefix.hash = '';
  if (!prefix.pathname.endsWith('/')) prefix.pathname = prefix.pathname.slice(0, prefix.pathname.lastIndexOf('/') + 1);
  const visited = new Set<string>([canonical(startUrl), canonical(first.finalUrl)]);
  // Folders found and not read yet, breadth first. A folder is read only when its turn comes,
  // so the files of the first folder are on their way while later folders wait: reading every
  // folder of a level before yielding a file kept the downloads idle for the whole level.
  // The next few folders' pages are fetched ahead (READ_AHEAD at once), so a tree of many
  // small folders does not wait for one page after another; they are still taken in order.
  const queue: { url: URL; segs: string[]; ancestors: ReadonlyMap<string, string>; read?: Promise<PageRead> }[] = [];
  const readAhead = (): void => {
    for (const q of queue.slice(0, READ_AHEAD)) {
      q.read ??= fetchIndex(o, q.url.toString()).then(
        (got) => ({ got }),
        (err: unknown) => ({ err }),
      );
    }
  };
  let page: Page | null = { url: first.finalUrl, segs: [], ancestors: new Map() };
  let html = first.html;
  let pages = 1;
  let depthNoted = false;
  for (;;) {
    if (o.signal.aborted) return;
    if (page) {
      const { files, folders, names } = pageLinks(html, page, prefix, visited);
      for (const f of files) if (o.filter.file(f.segs.join('/'))) yield fileItem(o, f.url, f.segs);
      const signature = [...new Set(names)].sort().join('\n');
      const ancestors = new Map(page.ancestors);
      if (signature) ancestors.set(signature, displayUrl(page.url.toString()));
      for (const d of folders) {
        if (!o.filter.folder(d.segs.join('/'))) continue;
        if (d.segs.length > o.depth) {
          if (!depthNoted) o.note(`folders deeper than ${o.depth} level(s) were not followed (first: ${displayUrl(d.url.toString())})`);
          depthNoted = true;
          continue;
        }
        if (pages >= o.maxPages) {
          o.record(displayUrl(d.url.toString()), 'skipped', `not followed: the crawl read its limit of ${o.maxPages} index pages`);
          continue;
        }
        pages++;
        queue.push({ ...d, ancestors });
      }
    }
    readAhead();
    const d = queue.shift();
    if (!d) return;
    page = null;
    try {
      const read = await d.read!;
      if ('err' in read) throw read.err;
      const { got } = read;
      if (got.html === null) {
        // a "folder" link that serves a file: import it as one
        if (o.filter.file(d.segs.join('/'))) yield fileItem(o, d.url, d.segs);
        continue;
      }
      const finalKey = canonical(got.finalUrl);
      if (finalKey !== canonical(d.url)) {
        if (visited.has(finalKey) || below(prefix, got.finalUrl) === null) {
          o.record(displayUrl(d.url.toString()), 'skipped', `index loop: redirects to ${displayUrl(got.finalUrl.toString())}, which is ${visited.has(finalKey) ? 'already read' : 'outside the start folder'}`);
          continue;
        }
        visited.add(finalKey);
      }
      const childSig = listingSignature(got.html, got.finalUrl, prefix, d.segs);
      const loopOf = childSig ? d.ancestors.get(childSig) : undefined;
      if (loopOf) {
        o.record(displayUrl(d.url.toString()), 'skipped', `index loop: this folder lists exactly what ${loopOf} lists (a link back to a parent); not followed`);
        continue;
      }
      page = { url: got.finalUrl, segs: d.segs, ancestors: d.ancestors };
      html = got.html;
    } catch (err) {
      if (o.signal.aborted) return;
      o.record(displayUrl(d.url.toString()), 'failed', `index page: ${asItemError(err).message}`);
    }
  }
}

/**
 * The links of an index page below the start: files and folders not visited yet (now marked
 * visited), and the relative names it lists (for its listing signature).
 */
function pageLinks(html: string, page: Page, prefix: URL, visited: Set<string>) {
  const files: { url: URL; segs: string[] }[] = [];
  const folders: { url: URL; segs: string[] }[] = [];
  const names: string[] = [];
  for (const href of indexLinks(html)) {
    let u: URL;
    try {
      u = new URL(href, page.url);
    } catch {
      continue;
    }
    if (u.search || (u.protocol !== 'http:' && u.protocol !== 'https:')) continue;
    u.hash = '';
    const segs = below(prefix, u);
    if (segs === null || segs.length === 0) continue;
    const folder = u.pathname.endsWith('/');
    if (folder && segs.length <= page.segs.length) continue; // a parent or a sibling of an ancestor
    const rel = relativeName(segs, page.segs, folder);
    if (rel) names.push(rel);
    const key = canonical(u);
    if (visited.has(key)) continue;
    visited.add(key);
    (folder ? folders : files).push({ url: u, segs });
  }
  return { files, folders, names };
}

/** The sorted relative names a page lists (the same form as its ancestors' signatures). */
function listingSignature(html: string, pageUrl: URL, prefix: URL, segs: string[]): string {
  const names = new Set<string>();
  for (const href of indexLinks(html)) {
    let u: URL;
    try {
      u = new URL(href, pageUrl);
    } catch {
      continue;
    }
    if (u.search) continue;
    const s = below(prefix, u);
    const rel = s ? relativeName(s, segs, u.pathname.endsWith('/')) : null;
    if (rel) names.add(rel);
  }
  return [...names].sort().join('\n');
}

/** A link's path relative to the page's folder (`a.fits`, `sub/`), or null when it is not below it. */
function relativeName(segs: readonly string[], pageSegs: readonly string[], folder: boolean): string | null {
  if (segs.length <= pageSegs.length || pageSegs.some((p, i) => segs[i] !== p)) return null;
  return `${segs.slice(pageSegs.length).join('/')}${folder ? '/' : ''}`;
}
