import { JobError } from '@vocloud/sdk';
import { allResources, type VoTableDocument } from '@vocloud/sdk/formats';

/** The SSAP 1.1 query parameters a user sets (all optional but the service). */
export interface SsapQuery {
  readonly service: string;
  readonly pos?: string | undefined;
  readonly size?: number | undefined;
  readonly band?: string | undefined;
  readonly time?: string | undefined;
  readonly targetName?: string | undefined;
  readonly format?: string | undefined;
  readonly maxrec?: number | undefined;
  readonly collection?: string | undefined;
  /** Other parameters the service declares (found with FORMAT=METADATA). */
  readonly params?: Readonly<Record<string, unknown>> | undefined;
}

const STANDARD = new Set(['REQUEST', 'VERSION', 'POS', 'SIZE', 'BAND', 'TIME', 'FORMAT', 'MAXREC', 'TARGETNAME', 'COLLECTION']);
const NUM = String.raw`[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?`;
const ISO = String.raw`\d{4}(?:-\d\d(?:-\d\d(?:[T ]\d\d(?::\d\d(?::\d\d(?:\.\d+)?)?)?Z?)?)?)?`;
const FORMAT_WORDS = new Set(['all', 'compliant', 'native', 'graphic', 'votable', 'fits', 'xml', 'metadata']);

/** "ra,dec" (or "ra dec"), optionally ";frame", checked and written as SSAP wants it. */
export function normalisePos(pos: string): string {
  const [coords, frame] = pos.split(';', 2) as [string, string | undefined];
  const parts = coords.trim().split(/\s*[,\s]\s*/);
  const re = new RegExp(`^${NUM}$`);
  if (parts.length !== 2 || !parts.every((p) => re.test(p))) throw new JobError(`pos: give "ra,dec" in degrees (e.g. "180.0,1.0"), not '${pos.slice(0, 60)}'`);
  const [ra, dec] = parts.map(Number) as [number, number];
  if (ra < 0 || ra > 360) throw new JobError(`pos: ra ${ra} is outside [0, 360] degrees`);
  if (dec < -90 || dec > 90) throw new JobError(`pos: dec ${dec} is outside [-90, 90] degrees`);
  if (frame !== undefined && !/^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(frame.trim())) throw new JobError(`pos: '${frame}' is not a reference frame name`);
  return `${ra},${dec}${frame !== undefined ? `;${frame.trim()}` : ''}`;
}

/** SSAP BAND: a value, "lo/hi", "lo/" or "/hi" in metres, or a band name; several separated by commas. */
export function checkBand(band: string): string {
  const range = new RegExp(`^(?:${NUM})?/(?:${NUM})?$|^${NUM}$|^[A-Za-z][A-Za-z0-9._-]*$`);
  for (const part of band.split(',')) {
    const p = part.trim();
    if (!range.test(p) || p === '/') throw new JobError(`band: '${p.slice(0, 60)}' is not an SSAP band (metres as "lo/hi", "lo/", "/hi" or a value, e.g. "4e-7/7e-7")`);
    const [lo, hi] = p.split('/');
    if (lo && hi && Number(lo) > Number(hi)) throw new JobError(`band: the lower bound ${lo} is above the upper bound ${hi}`);
  }
  return band.split(',').map((p) => p.trim()).join(',');
}

/** SSAP TIME: an ISO 8601 instant or "start/end" (either end may be open). */
export function checkTime(time: string): string {
  const re = new RegExp(`^(?:${ISO})?/(?:${ISO})?$|^${ISO}$`);
  const t = time.trim();
  if (!re.test(t) || t === '/') throw new JobError(`time: give an ISO 8601 date or range such as "2001-01-01/2001-12-31", not '${t.slice(0, 60)}'`);
  const [a, b] = t.split('/');
  if (a && b && Date.parse(a) > Date.parse(b)) throw new JobError(`time: the start ${a} is after the end ${b}`);
  return t;
}

export function checkFormat(format: string): string {
  for (const f of format.split(',')) {
    const v = f.trim();
    if (!FORMAT_WORDS.has(v.toLowerCase()) && !/^[a-z]+\/[a-z0-9.+-]+(?:;[^,]*)?$/i.test(v)) {
      throw new JobError(`format: '${v.slice(0, 60)}' is neither an SSAP format word (${[...FORMAT_WORDS].join(', ')}) nor a MIME type`);
    }
  }
  return format.trim();
}

function serviceUrl(service: string): URL {
  let u: URL;
  try {
    u = new URL(service);
  } catch {
    throw new JobError(`service: '${service.slice(0, 200)}' is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new JobError('service: an SSAP service URL starts with http:// or https://');
  if (u.username || u.password) throw new JobError('service: give credentials with the username and password parameters, not in the URL');
  return u;
}

/** Set a parameter, replacing one of the same name in any case (a service URL may already carry some). */
function setParam(u: URL, name: string, value: string): void {
  for (const k of [...u.searchParams.keys()]) if (k.toUpperCase() === name.toUpperCase()) u.searchParams.delete(k);
  u.searchParams.set(name, value);
}

/** The queryData URL for a query, every value checked (a JobError names the bad parameter). */
export function buildQueryUrl(q: SsapQuery): string {
  const u = serviceUrl(q.service);
  setParam(u, 'REQUEST', 'queryData');
  if (q.pos) setParam(u, 'POS', normalisePos(q.pos));
  if (q.size !== undefined) {
    if (!(q.size > 0 && q.size <= 180)) throw new JobError(`size: the diameter must be in (0, 180] degrees, not ${q.size}`);
    setParam(u, 'SIZE', String(q.size));
  }
  if (q.size !== undefined && !q.pos) throw new JobError('size: give pos as well (SIZE is the diameter around POS)');
  if (q.band) setParam(u, 'BAND', checkBand(q.band));
  if (q.time) setParam(u, 'TIME', checkTime(q.time));
  if (q.targetName) setParam(u, 'TARGETNAME', q.targetName.trim());
  if (q.format) {
    if (/^metadata$/i.test(q.format.trim())) throw new JobError('format: METADATA asks for the service description, not data; use the preview with show=metadata');
    setParam(u, 'FORMAT', checkFormat(q.format));
  }
  if (q.maxrec !== undefined) setParam(u, 'MAXREC', String(q.maxrec));
  if (q.collection) setParam(u, 'COLLECTION', q.collection.trim());
  for (const [k, v] of Object.entries(q.params ?? {})) {
    if (!/^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/.test(k)) throw new JobError(`params: '${k.slice(0, 40)}' is not a parameter name`);
    if (STANDARD.has(k.toUpperCase())) throw new JobError(`params: ${k.toUpperCase()} has a parameter of its own; set it there`);
    if (v === null || v === undefined || (typeof v === 'object')) throw new JobError(`params: the value of ${k} must be a string or a number`);
    setParam(u, k, String(v));
  }
  return u.toString();
}

/** The FORMAT=METADATA URL of a service. */
export function metadataUrl(service: string): string {
  const u = serviceUrl(service);
  setParam(u, 'REQUEST', 'queryData');
  setParam(u, 'FORMAT', 'METADATA');
  return u.toString();
}

/** What FORMAT=METADATA tells: the input parameters (INPUT:…) and the output columns. */
export function describeMetadata(doc: VoTableDocument): { inputs: Record<string, unknown>[]; outputs: Record<string, unknown>[] } {
  const inputs: Record<string, unknown>[] = [];
  const params = [...doc.params, ...allResources(doc).flatMap((r) => [...r.params, ...r.tables.flatMap((t) => t.params), ...r.groups.flatMap((g) => g.items.flatMap((i) => (i.kind === 'param' ? [i.param] : [])))])];
  const seen = new Set<string>();
  for (const p of params) {
    if (!/^INPUT:/i.test(p.name)) continue;
    const name = p.name.slice(6);
    if (seen.has(name.toUpperCase())) continue;
    seen.add(name.toUpperCase());
    inputs.push({
      name,
      standard: STANDARD.has(name.toUpperCase()),
      datatype: p.datatype,
      ...(p.unit ? { unit: p.unit } : {}),
      ...(p.ucd ? { ucd: p.ucd } : {}),
      ...(p.value ? { default: p.value } : {}),
      ...(p.description ? { description: p.description } : {}),
      ...(p.values?.options ? { options: p.values.options.map((o) => o.value) } : {}),
      ...(p.values?.min ? { min: p.values.min.value } : {}),
      ...(p.values?.max ? { max: p.values.max.value } : {}),
    });
  }
  const table = allResources(doc).flatMap((r) => r.tables)[0];
  const outputs = (table?.fields ?? []).map((f) => ({ name: f.name, datatype: f.datatype, ...(f.ucd ? { ucd: f.ucd } : {}), ...(f.utype ? { utype: f.utype } : {}), ...(f.unit ? { unit: f.unit } : {}) }));
  return { inputs, outputs };
}
