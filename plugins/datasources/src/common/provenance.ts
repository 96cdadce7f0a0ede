/**
 * The provenance sidecar `<file>.provenance.json` written next to each imported file, for the
 * file manager and for whoever uses the file later: where it came from and how it was found.
 */
export interface Provenance {
  /** The URL the import asked for (no credentials). */
  source: string;
  /** Where the bytes finally came from, when a redirect moved it. */
  retrievedFrom?: string;
  /** The IVOA publisher dataset identifier, when the service gave one. */
  publisherDid?: string;
  /** The query that found the file: an SSAP query URL, a crawl's start URL, an uploaded table. */
  query?: string;
  /** The service or server asked. */
  service?: string;
  title?: string;
  /** The format the service announced, and what the server sent. */
  format?: string;
  contentType?: string;
  /** DataLink semantics followed (#this, #preview) and the links document. */
  datalink?: { semantics: string; links?: string };
  /** SODA cutout parameters sent. */
  cutout?: Record<string, string>;
  /** ISO 8601 time the transfer finished. */
  retrieved: string;
  size: number;
  sha256: string;
  job: { id: string; type: string };
}

/** What a source knows about an item before it is fetched. */
export type ProvenanceHints = Pick<Provenance, 'publisherDid' | 'query' | 'service' | 'title' | 'format' | 'datalink' | 'cutout'>;

export function provenanceJson(p: Provenance): Buffer {
  // the replacer leaves out empty fields (no filtered copy of the object per file)
  return Buffer.from(`${JSON.stringify(p, (k, v: unknown) => (k !== '' && (v === undefined || v === '') ? undefined : v), 2)}\n`);
}
