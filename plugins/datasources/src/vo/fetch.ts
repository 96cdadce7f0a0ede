import { readVoTable, type VoTableDocument } from '@vocloud/sdk/formats';
import { ItemError } from '../common/errors.js';
import { displayUrl, type HttpClient, type HttpCredentials } from '../net/http.js';
import { withRetries, type RetryPolicy } from '../common/retry.js';

export interface FetchVoTableOptions {
  readonly signal: AbortSignal;
  readonly credentials?: HttpCredentials | undefined;
  readonly retry: RetryPolicy;
  /** Most bytes of the document. */
  readonly maxBytes: number;
  /** What the document is, for messages ('the SSAP response'). */
  readonly what: string;
}

/**
 * GET a VOTable (an SSAP response, a DataLink {links} document), with retries for transient
 * failures; a document that is not a VOTable is a clear, permanent error that quotes the
 * parser (line, element) and the start of what the server sent.
 */
export async function fetchVoTable(client: HttpClient, url: string, o: FetchVoTableOptions): Promise<VoTableDocument> {
  const bytes = await withRetries(o.retry, o.signal, async () => {
    const res = await client.get({ url, signal: o.signal, credentials: o.credentials });
    return client.readBody(res, o.maxBytes, o.what);
  });
  return parseVoTable(bytes, url, o.what);
}

export function parseVoTable(bytes: Uint8Array, url: string, what: string): VoTableDocument {
  try {
    return readVoTable(bytes);
  } catch (err) {
    const head = Buffer.from(bytes.subarray(0, 200)).toString('utf8').replace(/\s+/g, ' ').trim();
    throw new ItemError(`${what} from ${displayUrl(url)} is not a valid VOTable: ${(err as Error).message}${head ? ` (it starts: ${head.slice(0, 120)})` : ''}`, false);
  }
}
