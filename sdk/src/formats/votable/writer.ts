/**
 * VOTable 1.4 writer. Emits elements in the order the VOTable 1.4 schema requires and data as
 * TABLEDATA, BINARY or BINARY2. `voTableChunks` yields the document piece by piece (rows may
 * come from any iterable, e.g. a generator), so a large table is written in bounded memory;
 * `writeVoTable` joins the pieces.
 */
import { VoTableError } from '../errors.js';
import { encodeBase64 } from './base64.js';
import { ByteSink, makeCodec } from './codec.js';
import type {
  VoCoosys,
  VoField,
  VoGroup,
  VoInfo,
  VoLink,
  VoParam,
  VoTableDocument,
  VoTimesys,
  VoValue,
} from './model.js';

/** A table to write: like VoTable, but rows may be any iterable and the lists are optional. */
export interface VoTableInput {
  name?: string;
  id?: string;
  ucd?: string;
  utype?: string;
  description?: string;
  infos?: VoInfo[];
  params?: VoParam[];
  fields: VoField[];
  groups?: VoGroup[];
  links?: VoLink[];
  rows: Iterable<VoValue[]>;
  postInfos?: VoInfo[];
}

/** What a document and a resource both carry before their content. */
export interface VoContainerInput {
  description?: string;
  infos?: VoInfo[];
  params?: VoParam[];
  groups?: VoGroup[];
  coosys?: VoCoosys[];
  timesys?: VoTimesys[];
}

export interface VoResourceInput extends VoContainerInput {
  type?: 'results' | 'meta';
  name?: string;
  id?: string;
  utype?: string;
  links?: VoLink[];
  tables?: VoTableInput[];
  resources?: VoResourceInput[];
}

export interface VoDocumentInput extends VoContainerInput {
  resources: VoResourceInput[];
}

export interface WriteVoTableOptions {
  /** Data serialisation (default TABLEDATA). */
  format?: 'TABLEDATA' | 'BINARY' | 'BINARY2';
}

// Characters XML 1.0 does not allow at all are replaced, so any string yields a valid document.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeText(s: string): string {
  return s.replace(INVALID_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

function attrs(pairs: [string, string | number | undefined][]): string {
  let out = '';
  for (const [k, v] of pairs) if (v !== undefined && v !== '') out += ` ${k}="${escapeAttr(String(v))}"`;
  return out;
}

function desc(d: string | undefined, ind: string): string {
  return d ? `${ind}<DESCRIPTION>${escapeText(d)}</DESCRIPTION>\n` : '';
}

function info(i: VoInfo, ind: string): string {
  const a = attrs([['ID', i.id], ['name', i.name], ['value', i.value], ['unit', i.unit], ['xtype', i.xtype], ['ref', i.ref], ['ucd', i.ucd], ['utype', i.utype]]);
  // name and value are required even when empty.
  const base = `${ind}<INFO${a}${i.name === '' ? ' name=""' : ''}${i.value === '' ? ' value=""' : ''}`;
  return i.content ? `${base}>${escapeText(i.content)}</INFO>\n` : `${base}/>\n`;
}

function link(l: VoLink, ind: string): string {
  return `${ind}<LINK${attrs([['ID', l.id], ['content-role', l.contentRole], ['content-type', l.contentType], ['title', l.title], ['value', l.value], ['href', l.href], ['action', l.action]])}/>\n`;
}

function fieldLike(f: VoField | VoParam, tag: 'FIELD' | 'PARAM', ind: string): string {
  const a = attrs([
    ['ID', f.id],
    ['name', f.name],
    ['datatype', f.datatype],
    ['arraysize', f.arraysize],
    ['width', f.width],
    ['precision', f.precision],
    ['unit', f.unit],
    ['ucd', f.ucd],
    ['utype', f.utype],
    ['xtype', f.xtype],
    ['ref', f.ref],
  ]);
  const value = tag === 'PARAM' ? ` value="${escapeAttr((f as VoParam).value ?? '')}"` : '';
  const nameAttr = f.name === '' ? ' name=""' : '';
  let inner = desc(f.description, ind + '  ');
  const v = f.values;
  if (v) {
    const va = attrs([['ID', v.id], ['type', v.type], ['null', v.null], ['ref', v.ref]]);
    let vi = '';
    if (v.min) vi += `${ind}    <MIN value="${escapeAttr(v.min.value)}"${v.min.inclusive === false ? ' inclusive="no"' : ''}/>\n`;
    if (v.max) vi += `${ind}    <MAX value="${escapeAttr(v.max.value)}"${v.max.inclusive === false ? ' inclusive="no"' : ''}/>\n`;
    for (const o of v.options ?? []) vi += `${ind}    <OPTION${attrs([['name', o.name]])} value="${escapeAttr(o.value)}"/>\n`;
    inner += vi ? `${ind}  <VALUES${va}>\n${vi}${ind}  </VALUES>\n` : `${ind}  <VALUES${va}/>\n`;
  }
  for (const l of f.links ?? []) inner += link(l, ind + '  ');
  return inner ? `${ind}<${tag}${nameAttr}${a}${value}>\n${inner}${ind}</${tag}>\n` : `${ind}<${tag}${nameAttr}${a}${value}/>\n`;
}

function group(g: VoGroup, ind: string): string {
  let inner = desc(g.description, ind + '  ');
  for (const it of g.items) {
    if (it.kind === 'fieldref') inner += `${ind}  <FIELDref${attrs([['ref', it.ref], ['ucd', it.ucd], ['utype', it.utype]])}/>\n`;
    else if (it.kind === 'paramref') inner += `${ind}  <PARAMref${attrs([['ref', it.ref], ['ucd', it.ucd], ['utype', it.utype]])}/>\n`;
    else if (it.kind === 'param') inner += fieldLike(it.param, 'PARAM', ind + '  ');
    else inner += group(it.group, ind + '  ');
  }
  const a = attrs([['ID', g.id], ['name', g.name], ['ref', g.ref], ['ucd', g.ucd], ['utype', g.utype]]);
  return inner ? `${ind}<GROUP${a}>\n${inner}${ind}</GROUP>\n` : `${ind}<GROUP${a}/>\n`;
}

let coosysCounter = 0;
function coosys(c: VoCoosys, ind: string): string {
  // ID is required by the schema; invent one when the model has none.
  const id = c.id ?? `coosys${++coosysCounter}`;
  return `${ind}<COOSYS${attrs([['ID', id], ['system', c.system], ['equinox', c.equinox], ['epoch', c.epoch], ['refposition', c.refposition]])}/>\n`;
}

function timesys(t: VoTimesys, ind: string): string {
  return `${ind}<TIMESYS${attrs([['ID', t.id ?? 'timesys'], ['timeorigin', t.timeorigin], ['timescale', t.timescale ?? 'UNKNOWN'], ['refposition', t.refposition ?? 'UNKNOWN']])}/>\n`;
}

function* tableChunks(t: VoTableInput, ind: string, opts: WriteVoTableOptions): Generator<string> {
  if (t.fields.length === 0 && (t.params ?? []).length === 0) {
    throw new VoTableError(`table ${t.name ?? ''} has no FIELD or PARAM (the schema requires one)`);
  }
  let head = `${ind}<TABLE${attrs([['ID', t.id], ['name', t.name], ['ucd', t.ucd], ['utype', t.utype]])}>\n`;
  head += desc(t.description, ind + '  ');
  for (const i of t.infos ?? []) head += info(i, ind + '  ');
  for (const p of t.params ?? []) head += fieldLike(p, 'PARAM', ind + '  ');
  for (const f of t.fields) head += fieldLike(f, 'FIELD', ind + '  ');
  for (const g of t.groups ?? []) head += group(g, ind + '  ');
  for (const l of t.links ?? []) head += link(l, ind + '  ');
  const format = opts.format ?? 'TABLEDATA';
  if (t.fields.length > 0) {
    const codecs = t.fields.map(makeCodec);
    if (format === 'TABLEDATA') {
      yield head + `${ind}  <DATA>\n${ind}    <TABLEDATA>\n`;
      let buf = '';
      for (const row of t.rows) {
        let tr = `${ind}      <TR>`;
        for (let i = 0; i < codecs.length; i++) tr += `<TD>${escapeText(codecs[i].formatText(row[i] ?? null))}</TD>`;
        buf += `${tr}</TR>\n`;
        if (buf.length > 1 << 16) {
          yield buf;
          buf = '';
        }
      }
      yield `${buf}${ind}    </TABLEDATA>\n${ind}  </DATA>\n`;
    } else {
      const b2 = format === 'BINARY2';
      yield head + `${ind}  <DATA>\n${ind}    <${format}>\n${ind}      <STREAM encoding="base64">\n`;
      const sink = new ByteSink();
      const nf = codecs.length;
      const flagBytes = b2 ? Math.ceil(nf / 8) : 0;
      const flush = (all: boolean): string => {
        const n = all ? sink.length : sink.length - (sink.length % 57);
        if (n === 0) return '';
        const bytes = sink.buf.subarray(0, n);
        const text = encodeBase64(bytes);
        // Lines of 76 characters (57 bytes), as MIME does: friendly to every XML tool.
        let out = '';
        for (let i = 0; i < text.length; i += 76) out += text.slice(i, i + 76) + '\n';
        sink.buf.copyWithin(0, n, sink.length);
        sink.length -= n;
        return out;
      };
      for (const row of t.rows) {
        if (b2) {
          sink.ensure(flagBytes);
          const at = sink.length;
          sink.buf.fill(0, at, at + flagBytes);
          for (let f = 0; f < nf; f++) if (row[f] === null || row[f] === undefined) sink.buf[at + (f >> 3)] |= 1 << (7 - (f & 7));
          sink.length += flagBytes;
        }
        for (let f = 0; f < nf; f++) codecs[f].encode(row[f] ?? null, sink);
        if (sink.length > 1 << 16) yield flush(false);
      }
      yield `${flush(true)}${ind}      </STREAM>\n${ind}    </${format}>\n${ind}  </DATA>\n`;
    }
  } else yield head;
  let tail = '';
  for (const i of t.postInfos ?? []) tail += info(i, ind + '  ');
  yield `${tail}${ind}</TABLE>\n`;
}

function* resourceChunks(r: VoResourceInput, ind: string, opts: WriteVoTableOptions): Generator<string> {
  let head = `${ind}<RESOURCE${attrs([['ID', r.id], ['name', r.name], ['utype', r.utype], ['type', r.type]])}>\n`;
  head += desc(r.description, ind + '  ');
  for (const i of r.infos ?? []) head += info(i, ind + '  ');
  for (const c of r.coosys ?? []) head += coosys(c, ind + '  ');
  for (const t of r.timesys ?? []) head += timesys(t, ind + '  ');
  for (const g of r.groups ?? []) head += group(g, ind + '  ');
  for (const p of r.params ?? []) head += fieldLike(p, 'PARAM', ind + '  ');
  for (const l of r.links ?? []) head += link(l, ind + '  ');
  yield head;
  for (const t of r.tables ?? []) yield* tableChunks(t, ind + '  ', opts);
  for (const c of r.resources ?? []) yield* resourceChunks(c, ind + '  ', opts);
  yield `${ind}</RESOURCE>\n`;
}

function isDocument(x: VoDocumentInput | VoTableInput | VoTableDocument): x is VoDocumentInput {
  return 'resources' in x;
}

/** Yield a VOTable 1.4 document in pieces. A single table is wrapped in one results RESOURCE. */
export function* voTableChunks(input: VoDocumentInput | VoTableDocument | VoTableInput, opts: WriteVoTableOptions = {}): Generator<string> {
  const doc: VoDocumentInput = isDocument(input) ? input : { resources: [{ type: 'results', tables: [input] }] };
  let head = '<?xml version="1.0" encoding="UTF-8"?>\n';
  head += '<VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n';
  head += desc(doc.description, '  ');
  for (const c of doc.coosys ?? []) head += coosys(c, '  ');
  for (const t of doc.timesys ?? []) head += timesys(t, '  ');
  for (const g of doc.groups ?? []) head += group(g, '  ');
  for (const p of doc.params ?? []) head += fieldLike(p, 'PARAM', '  ');
  for (const i of doc.infos ?? []) head += info(i, '  ');
  yield head;
  const resources = doc.resources.length ? doc.resources : [{ type: 'results' as const }];
  for (const r of resources) yield* resourceChunks(r, '  ', opts);
  yield '</VOTABLE>\n';
}

/** A VOTable 1.4 document as one string. */
export function writeVoTable(input: VoDocumentInput | VoTableDocument | VoTableInput, opts: WriteVoTableOptions = {}): string {
  let s = '';
  for (const c of voTableChunks(input, opts)) s += c;
  return s;
}

