import { ItemError } from '../common/errors.js';
import { dispositionFileName, urlFileName } from '../common/names.js';
import type { OpenedTransfer } from '../common/transfer.js';
import { displayUrl, type HttpClient, type HttpCredentials } from './http.js';

/**
 * Opens an HTTP(S) file for the importer: the first request plainly, later ones (resuming a
 * cut transfer) with `Range: bytes=N-` and `If-Range` on the first response's validator, so a
 * file that changed in between is sent whole (and the importer starts over) rather than
 * spliced.
 */
export function httpOpener(
  client: HttpClient,
  url: string,
  credentials?: HttpCredentials,
  headers: Record<string, string> = {},
): (offset: number, signal: AbortSignal) => Promise<OpenedTransfer> {
  let validator: string | undefined;
  return async (offset, signal) => {
    const h: Record<string, string> = { ...headers };
    if (offset > 0) {
      h.range = `bytes=${offset}-`;
      if (validator) h['if-range'] = validator;
    }
    const res = await client.get({ url, signal, headers: h, credentials });
    const etag = res.headers.etag;
    if (offset === 0) validator = etag && !etag.startsWith('W/') ? etag : res.headers['last-modified'];
    const lengthHeader = res.headers['content-length'];
    const length = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
    let start = 0;
    if (res.status === 206) {
      const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers['content-range'] ?? '');
      if (!m) {
        res.body.destroy();
        throw new ItemError(`the server answered a range request without a valid Content-Range`, true);
      }
      start = Number(m[1]);
    } else if (offset > 0 && res.status !== 200) {
      res.body.destroy();
      throw new ItemError(`unexpected HTTP ${res.status} to a range request`, true);
    }
    const acceptRanges = (res.headers['accept-ranges'] ?? '').toLowerCase();
    return {
      stream: res.body,
      offset: start,
      length,
      resumable: res.status === 206 || acceptRanges === 'bytes' || validator !== undefined,
      contentType: res.headers['content-type'],
      // Worked out only when asked: a crawl names its files from the links, and a response
      // that was not redirected came from the URL the item already shows (both were a parse
      // per file in an import's profile).
      get suggestedName() {
        return dispositionFileName(res.headers['content-disposition']) || urlFileName(res.url);
      },
      finalUrl: res.url === url ? undefined : displayUrl(res.url),
    };
  };
}
