import type { VoTableDocument } from '@vocloud/sdk/formats';
import { ItemError } from '../common/errors.js';
import { serviceDescriptors, type ServiceDescriptor } from './descriptors.js';
import { resultsTable } from './table.js';
import { sizeValue, textValue } from './values.js';

/** One row of a DataLink {links} response (DataLink 1.0 §3.2). */
export interface Link {
  readonly id: string;
  readonly accessUrl: string;
  readonly serviceDef: string;
  readonly errorMessage: string;
  readonly semantics: string;
  readonly description: string;
  readonly contentType: string;
  readonly contentLength?: number | undefined;
}

export interface LinksDocument {
  readonly links: readonly Link[];
  readonly descriptors: readonly ServiceDescriptor[];
}

/** The MIME type of a DataLink {links} document (an access format that means "follow the links"). */
export const isDataLinkFormat = (format: string): boolean => /content=datalink/i.test(format);

/** Read a {links} response; columns are found by their standard names. */
export function parseLinks(doc: VoTableDocument, url: string): LinksDocument {
  const table = resultsTable(doc);
  if (!table) throw new ItemError(`the DataLink response from ${url} has no table`, false);
  const col = (name: string) => table.fields.findIndex((f) => f.name.toLowerCase() === name);
  const c = {
    id: col('id'), accessUrl: col('access_url'), serviceDef: col('service_def'), error: col('error_message'),
    semantics: col('semantics'), description: col('description'), contentType: col('content_type'), contentLength: col('content_length'),
  };
  if (c.semantics < 0 || (c.accessUrl < 0 && c.serviceDef < 0)) {
    throw new ItemError(`the response from ${url} is not a DataLink {links} table (no semantics / access_url columns)`, false);
  }
  const links = table.rows.map((row) => ({
    id: c.id >= 0 ? textValue(row[c.id]) : '',
    accessUrl: c.accessUrl >= 0 ? textValue(row[c.accessUrl]) : '',
    serviceDef: c.serviceDef >= 0 ? textValue(row[c.serviceDef]) : '',
    errorMessage: c.error >= 0 ? textValue(row[c.error]) : '',
    semantics: textValue(row[c.semantics]),
    description: c.description >= 0 ? textValue(row[c.description]) : '',
    contentType: c.contentType >= 0 ? textValue(row[c.contentType]) : '',
    contentLength: c.contentLength >= 0 ? sizeValue(row[c.contentLength]) : undefined,
  }));
  return { links, descriptors: serviceDescriptors(doc) };
}

/** Links with a semantics term (`#this`, `#preview`); core terms may be written with the full vocabulary URI. */
export function linksWith(doc: LinksDocument, term: string): Link[] {
  const t = term.toLowerCase();
  return doc.links.filter((l) => {
    const s = l.semantics.toLowerCase();
    return s === t || s.endsWith(`/datalink/core${t}`);
  });
}
