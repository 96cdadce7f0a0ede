/**
 * Streaming VOTable reader. XML is tokenised by saxes (a well-kept, non-validating SAX parser
 * that never loads DTDs or external entities); this class builds the document model, parses
 * TABLEDATA cells as they arrive and hands rows out in batches, so a table of any size is read
 * in bounded memory when rows are not kept.
 *
 * BINARY/BINARY2/FITS streams are the exception to plain SAX: saxes would accumulate a
 * stream's whole base64 text before reporting it, so the reader feeds saxes up to the end of
 * each STREAM start tag, decodes the base64 content itself chunk by chunk, and resumes saxes
 * at the closing tag.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { toBytes, type BytesLike } from '../bytes.js';
import { VoTableError, type VoTableLocation } from '../errors.js';
import { readFits } from '../fits/read.js';
import { Base64Decoder } from './base64.js';
import { makeCodec, type Codec, type Cursor } from './codec.js';
import {
  VO_DATATYPES,
  type VoCoosys,
  type VoDatatype,
  type VoField,
  type VoGroup,
  type VoInfo,
  type VoLink,
  type VoParam,
  type VoResource,
  type VoTable,
  type VoTableDocument,
  type VoTimesys,
  type VoValue,
  type VoValues,
} from './model.js';

export interface VoTableReaderOptions {
  /** Keep rows in `table.rows` (default true). Set false to stream with bounded memory. */
  keepRows?: boolean;
  /** Called when a table's data starts (its FIELDs are known). */
  onTable?: (table: VoTable, index: number) => void;
  /** Called with batches of rows as they are parsed. */
  onRows?: (rows: VoValue[][], table: VoTable, index: number) => void;
  /** Called when a table ends. */
  onTableEnd?: (table: VoTable, index: number) => void;
  /** Rows per onRows batch (default 1000). */
  batchSize?: number;
}

const STREAM_RE = /<(?:[A-Za-z_][\w.-]*:)?STREAM(?=[\s>/])/g;

function local(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

function opt<K extends string>(key: K, v: string | undefined): { [P in K]?: string } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: string };
}

function emptyResource(a: Record<string, string>): VoResource {
  const type = a.type === 'meta' || a.type === 'results' ? a.type : undefined;
  return {
    ...(type ? { type } : {}),
    ...opt('name', a.name),
    ...opt('id', a.ID),
    ...opt('utype', a.utype),
    infos: [],
    params: [],
    groups: [],
    coosys: [],
    timesys: [],
    links: [],
    tables: [],
    resources: [],
  };
}

/** Find the '>' that ends the start tag beginning at `from`, skipping quoted attribute values. */
function tagEnd(s: string, from: number): number {
  let q = '';
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === q) q = '';
    } else if (c === '"' || c === "'") q = c;
    else if (c === '>') return i;
  }
  return -1;
}

interface Frame {
  name: string;
  obj?: unknown;
}

export class VoTableParser {
  readonly doc: VoTableDocument = { infos: [], params: [], groups: [], coosys: [], timesys: [], resources: [] };
  private readonly sax: SaxesParser;
  private readonly opts: VoTableReaderOptions;
  private readonly keep: boolean;
  private readonly batchSize: number;
  private stack: Frame[] = [];
  private text = '';
  private capturing = false;
  private decoder?: TextDecoder;
  private pending = '';
  private inStream = false;
  private sawRoot = false;
  private done = false;
  // current table state
  private table?: VoTable;
  private tableIndex = -1;
  private dataStarted = false;
  private codecs: Codec[] = [];
  private row: VoValue[] | null = null;
  private rowCount = 0;
  private batch: VoValue[][] = [];
  // binary stream state
  private b64?: Base64Decoder;
  private binary2 = false;
  private fitsStream = false;
  private fitsChunks: Uint8Array[] = [];
  private bin = new Uint8Array(1 << 16);
  private binStart = 0;
  private binEnd = 0;
  private readonly cursor: Cursor = { pos: 0, value: null };

  constructor(opts: VoTableReaderOptions = {}) {
    this.opts = opts;
    this.keep = opts.keepRows ?? true;
    this.batchSize = opts.batchSize ?? 1000;
    this.sax = new SaxesParser({ xmlns: false, position: true });
    this.sax.on('error', (e) => {
      throw this.err(`not well-formed XML: ${e.message.replace(/^[^:]*:\d+:\d+: /, '')}`);
    });
    this.sax.on('doctype', (d) => {
      // DTDs are never processed; entity declarations would be the way in for XXE attacks.
      if (/<!ENTITY/i.test(d)) {
        throw this.err('the document declares entities in a DOCTYPE; DTDs and external entities are never processed');
      }
    });
    this.sax.on('opentag', (t) => this.open(t));
    this.sax.on('closetag', (t) => this.close(t));
    this.sax.on('text', (t) => {
      if (this.capturing) this.text += t;
    });
    this.sax.on('cdata', (t) => {
      if (this.capturing) this.text += t;
    });
  }

  private err(message: string, extra: VoTableLocation = {}): VoTableError {
    return new VoTableError(message, {
      line: this.sax.line,
      ...(this.tableIndex >= 0 ? { table: this.tableIndex } : {}),
      ...extra,
    });
  }

  /** Feed the next chunk of the document (bytes in UTF-8 or the declared encoding, or text). */
  write(chunk: Uint8Array | string): this {
    if (this.done) throw new VoTableError('write after end');
    if (typeof chunk === 'string') {
      this.feed(chunk, false);
      return this;
    }
    if (!this.decoder) this.decoder = new TextDecoder(sniffEncoding(chunk), { fatal: false });
    this.feed(this.decoder.decode(chunk, { stream: true }), false);
    return this;
  }

  /** End of input: returns the document (tables hold their rows when `keepRows`). */
  end(): VoTableDocument {
    if (this.done) return this.doc;
    const rest = this.decoder ? this.decoder.decode() : '';
    this.feed(rest, true);
    if (this.inStream) throw this.err('document ends inside a STREAM');
    try {
      this.sax.close();
    } catch (e) {
      if (e instanceof VoTableError) throw e;
      throw this.err((e as Error).message);
    }
    if (!this.sawRoot) throw new VoTableError('not a VOTable: no VOTABLE element');
    this.done = true;
    return this.doc;
  }

  private feed(text: string, final: boolean): void {
    let s = this.pending + text;
    this.pending = '';
    while (s.length > 0) {
      if (this.inStream) {
        const lt = s.indexOf('<');
        if (lt < 0) {
          this.streamText(s);
          return;
        }
        this.streamText(s.slice(0, lt));
        this.inStream = false;
        this.endStreamData();
        s = s.slice(lt);
        continue;
      }
      STREAM_RE.lastIndex = 0;
      const m = STREAM_RE.exec(s);
      if (!m) {
        const lt = s.lastIndexOf('<');
        if (!final && lt >= 0 && s.length - lt < 64 && s.indexOf('>', lt) < 0) {
          this.saxWrite(s.slice(0, lt));
          this.pending = s.slice(lt);
        } else this.saxWrite(s);
        return;
      }
      const gt = tagEnd(s, m.index);
      if (gt < 0) {
        if (final) {
          this.saxWrite(s);
          return;
        }
        this.saxWrite(s.slice(0, m.index));
        this.pending = s.slice(m.index);
        return;
      }
      this.saxWrite(s.slice(0, gt + 1));
      s = s.slice(gt + 1);
    }
  }

  private saxWrite(s: string): void {
    if (s.length === 0) return;
    try {
      this.sax.write(s);
    } catch (e) {
      if (e instanceof VoTableError) throw e;
      throw this.err((e as Error).message);
    }
  }

  private parent(): Frame | undefined {
    return this.stack[this.stack.length - 1];
  }

  private open(tag: SaxesTagPlain): void {
    const name = local(tag.name);
    const a = tag.attributes as Record<string, string>;
    const parent = this.parent();
    const pobj = parent?.obj as Record<string, unknown> | undefined;
    let obj: unknown;
    if (!this.sawRoot) {
      if (name !== 'VOTABLE') throw this.err(`not a VOTable: the root element is ${tag.name}`);
      this.sawRoot = true;
      if (a.version) this.doc.version = a.version;
      obj = this.doc;
    } else {
      switch (name) {
        case 'RESOURCE': {
          const r = emptyResource(a);
          (pobj as { resources?: VoResource[] })?.resources?.push(r);
          obj = r;
          break;
        }
        case 'TABLE': {
          const t: VoTable = {
            ...opt('name', a.name),
            ...opt('id', a.ID),
            ...opt('ref', a.ref),
            ...opt('ucd', a.ucd),
            ...opt('utype', a.utype),
            ...(a.nrows !== undefined && /^\d+$/.test(a.nrows) ? { nrows: Number(a.nrows) } : {}),
            infos: [],
            fields: [],
            params: [],
            groups: [],
            links: [],
            rows: [],
            postInfos: [],
          };
          (pobj as { tables?: VoTable[] })?.tables?.push(t);
          this.table = t;
          this.tableIndex++;
          this.dataStarted = false;
          this.rowCount = 0;
          obj = t;
          break;
        }
        case 'FIELD':
        case 'PARAM': {
          const f = this.fieldFrom(a, name);
          if (name === 'FIELD') {
            if (parent?.name === 'TABLE') (pobj as unknown as VoTable).fields.push(f);
          } else if (parent?.name === 'GROUP') (pobj as unknown as VoGroup).items.push({ kind: 'param', param: f as VoParam });
          else (pobj as { params?: VoParam[] })?.params?.push(f as VoParam);
          obj = f;
          break;
        }
        case 'GROUP': {
          const g: VoGroup = { ...opt('name', a.name), ...opt('id', a.ID), ...opt('ref', a.ref), ...opt('ucd', a.ucd), ...opt('utype', a.utype), items: [] };
          if (parent?.name === 'GROUP') (pobj as unknown as VoGroup).items.push({ kind: 'group', group: g });
          else (pobj as { groups?: VoGroup[] })?.groups?.push(g);
          obj = g;
          break;
        }
        case 'FIELDref':
        case 'PARAMref':
          if (parent?.name === 'GROUP') {
            (pobj as unknown as VoGroup).items.push({
              kind: name === 'FIELDref' ? 'fieldref' : 'paramref',
              ref: a.ref ?? '',
              ...opt('ucd', a.ucd),
              ...opt('utype', a.utype),
            });
          }
          break;
        case 'VALUES': {
          const v: VoValues = {
            ...opt('id', a.ID),
            ...(a.type === 'legal' || a.type === 'actual' ? { type: a.type } : {}),
            ...opt('null', a.null),
            ...opt('ref', a.ref),
          };
          if (parent?.name === 'FIELD' || parent?.name === 'PARAM') (pobj as unknown as VoField).values = v;
          obj = v;
          break;
        }
        case 'MIN':
        case 'MAX':
        case 'OPTION': {
          const vals = this.stack.slice().reverse().find((f) => f.name === 'VALUES')?.obj as VoValues | undefined;
          if (vals) {
            if (name === 'OPTION') (vals.options ??= []).push({ value: a.value ?? '', ...opt('name', a.name) });
            else {
              const b = { value: a.value ?? '', ...(a.inclusive ? { inclusive: a.inclusive !== 'no' } : {}) };
              if (name === 'MIN') vals.min = b;
              else vals.max = b;
            }
          }
          break;
        }
        case 'LINK': {
          const l: VoLink = {
            ...opt('contentRole', a['content-role']),
            ...opt('contentType', a['content-type']),
            ...opt('title', a.title),
            ...opt('value', a.value),
            ...opt('href', a.href),
            ...opt('action', a.action),
            ...opt('id', a.ID),
          };
          if (pobj && 'links' in pobj) (pobj.links as VoLink[]).push(l);
          else if (parent?.name === 'FIELD' || parent?.name === 'PARAM') ((pobj as unknown as VoField).links ??= []).push(l);
          break;
        }
        case 'INFO': {
          const i: VoInfo = {
            name: a.name ?? '',
            value: a.value ?? '',
            ...opt('id', a.ID),
            ...opt('unit', a.unit),
            ...opt('xtype', a.xtype),
            ...opt('ref', a.ref),
            ...opt('ucd', a.ucd),
            ...opt('utype', a.utype),
          };
          if (parent?.name === 'DATA' || (parent?.name === 'TABLE' && this.dataStarted)) this.table?.postInfos.push(i);
          else (pobj as { infos?: VoInfo[] })?.infos?.push(i);
          this.startCapture();
          obj = i;
          break;
        }
        case 'COOSYS': {
          const c: VoCoosys = { ...opt('id', a.ID), ...opt('system', a.system), ...opt('equinox', a.equinox), ...opt('epoch', a.epoch), ...opt('refposition', a.refposition) };
          (pobj as { coosys?: VoCoosys[] })?.coosys?.push(c);
          break;
        }
        case 'TIMESYS': {
          const t: VoTimesys = { ...opt('id', a.ID), ...opt('timeorigin', a.timeorigin), ...opt('timescale', a.timescale), ...opt('refposition', a.refposition) };
          (pobj as { timesys?: VoTimesys[] })?.timesys?.push(t);
          break;
        }
        case 'DESCRIPTION':
          this.startCapture();
          break;
        case 'DEFINITIONS':
          obj = this.doc; // deprecated container of COOSYS/PARAM: attach to the document
          break;
        case 'DATA':
          this.dataStarted = true;
          break;
        case 'TABLEDATA':
        case 'BINARY':
        case 'BINARY2':
        case 'FITS':
          this.startData(name);
          break;
        case 'TR':
          if (this.table && parent?.name === 'TABLEDATA') this.row = [];
          break;
        case 'TD':
          if (this.row) this.startCapture();
          break;
        case 'STREAM':
          this.startStream(a, tag.isSelfClosing);
          break;
        default:
          break;
      }
    }
    this.stack.push({ name, obj });
  }

  private startCapture(): void {
    this.capturing = true;
    this.text = '';
  }

  private endCapture(): string {
    this.capturing = false;
    const t = this.text;
    this.text = '';
    return t;
  }

  private fieldFrom(a: Record<string, string>, kind: string): VoField | VoParam {
    const datatype = a.datatype as VoDatatype;
    if (!VO_DATATYPES.includes(datatype)) {
      throw this.err(`${kind} ${a.name ?? ''} has ${a.datatype === undefined ? 'no datatype' : `unknown datatype ${JSON.stringify(a.datatype)}`}`);
    }
    const f: VoField = {
      name: a.name ?? '',
      datatype,
      ...opt('id', a.ID),
      ...opt('arraysize', a.arraysize),
      ...(a.width !== undefined && /^\d+$/.test(a.width) ? { width: Number(a.width) } : {}),
      ...opt('precision', a.precision),
      ...opt('unit', a.unit),
      ...opt('ucd', a.ucd),
      ...opt('utype', a.utype),
      ...opt('xtype', a.xtype),
      ...opt('ref', a.ref),
      ...opt('type', a.type),
    };
    return kind === 'PARAM' ? { ...f, value: a.value ?? '' } : f;
  }

  private startData(name: string): void {
    const t = this.table;
    if (!t) throw this.err(`${name} outside a TABLE`);
    t.serialization = name as VoTable['serialization'];
    try {
      this.codecs = t.fields.map(makeCodec);
    } catch (e) {
      throw e instanceof VoTableError ? e : this.err((e as Error).message);
    }
    this.opts.onTable?.(t, this.tableIndex);
  }

  private startStream(a: Record<string, string>, selfClosing: boolean): void {
    const t = this.table;
    const container = this.parent()?.name;
    if (!t || (container !== 'BINARY' && container !== 'BINARY2' && container !== 'FITS')) return;
    if (a.href) {
      t.streamHref = a.href;
      return;
    }
    if (selfClosing) return;
    const enc = (a.encoding ?? 'none').toLowerCase();
    if (enc !== 'base64') throw this.err(`STREAM encoding ${JSON.stringify(enc)} is not supported inline (only base64)`);
    this.b64 = new Base64Decoder();
    this.binary2 = container === 'BINARY2';
    this.fitsStream = container === 'FITS';
    this.fitsChunks = [];
    this.binStart = this.binEnd = 0;
    this.inStream = true;
  }

  private streamText(s: string): void {
    if (s.length === 0) return;
    if (/&/.test(s)) throw this.err('character or entity references inside a base64 STREAM are not supported');
    let bytes: Uint8Array;
    try {
      bytes = this.b64!.push(s);
    } catch (e) {
      throw this.err((e as Error).message, { row: this.rowCount });
    }
    if (this.fitsStream) {
      this.fitsChunks.push(bytes);
      return;
    }
    this.appendBinary(bytes);
    this.decodeRows();
  }

  private appendBinary(bytes: Uint8Array): void {
    const live = this.binEnd - this.binStart;
    if (this.binEnd + bytes.length > this.bin.length) {
      if (live + bytes.length <= this.bin.length / 2) {
        this.bin.copyWithin(0, this.binStart, this.binEnd);
      } else {
        let cap = this.bin.length * 2;
        while (cap < (live + bytes.length) * 2) cap *= 2;
        const nb = new Uint8Array(cap);
        nb.set(this.bin.subarray(this.binStart, this.binEnd));
        this.bin = nb;
      }
      this.binStart = 0;
      this.binEnd = live;
    }
    this.bin.set(bytes, this.binEnd);
    this.binEnd += bytes.length;
  }

  private decodeRows(): void {
    const buf = this.bin;
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const end = this.binEnd;
    const codecs = this.codecs;
    const nf = codecs.length;
    const flagBytes = this.binary2 ? Math.ceil(nf / 8) : 0;
    const c = this.cursor;
    let pos = this.binStart;
    for (;;) {
      if (pos + flagBytes > end || (nf === 0 && pos >= end)) break;
      const flags = pos;
      let p = pos + flagBytes;
      const row: VoValue[] = new Array(nf);
      let complete = true;
      for (let f = 0; f < nf; f++) {
        c.pos = p;
        let ok: boolean;
        try {
          ok = codecs[f].decode(buf, dv, end, c);
        } catch (e) {
          throw this.err((e as Error).message, { row: this.rowCount, field: codecs[f].field.name });
        }
        if (!ok) {
          complete = false;
          break;
        }
        p = c.pos;
        row[f] = flagBytes && (buf[flags + (f >> 3)] >> (7 - (f & 7))) & 1 ? null : c.value;
      }
      if (!complete) break;
      pos = p;
      this.pushRow(row);
      if (nf === 0) break;
    }
    this.binStart = pos;
  }

  private endStreamData(): void {
    try {
      this.b64!.end();
    } catch (e) {
      throw this.err((e as Error).message, { row: this.rowCount });
    }
    if (this.fitsStream) {
      this.rowsFromFits();
      return;
    }
    if (this.binEnd > this.binStart) {
      throw this.err(`binary stream ends inside a row (${this.binEnd - this.binStart} bytes left over)`, { row: this.rowCount });
    }
  }

  /** FITS serialisation: the stream is a whole FITS file; its table rows become the VOTable rows. */
  private rowsFromFits(): void {
    const total = this.fitsChunks.reduce((n, c) => n + c.length, 0);
    const all = new Uint8Array(total);
    let at = 0;
    for (const c of this.fitsChunks) {
      all.set(c, at);
      at += c.length;
    }
    this.fitsChunks = [];
    const file = readFits(all);
    const hdu = file.hdus.find((h) => h.type === 'bintable' || h.type === 'table');
    if (!hdu) throw this.err('FITS stream has no table HDU');
    const t = hdu.table();
    const nf = this.codecs.length;
    for (let r = 0; r < t.rows; r++) {
      const row: VoValue[] = new Array(nf);
      for (let f = 0; f < nf; f++) {
        const v = f < t.columns.length ? t.cell(r, f) : null;
        row[f] = (ArrayBuffer.isView(v) && !(v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array || v instanceof Int16Array || v instanceof Uint8Array || v instanceof BigInt64Array)
          ? Float64Array.from(v as ArrayLike<number>)
          : v) as VoValue;
      }
      this.pushRow(row);
    }
  }

  private pushRow(row: VoValue[]): void {
    this.rowCount++;
    if (this.keep) this.table!.rows.push(row);
    if (this.opts.onRows) {
      this.batch.push(row);
      if (this.batch.length >= this.batchSize) this.flushBatch();
    }
  }

  private flushBatch(): void {
    if (this.batch.length && this.opts.onRows && this.table) {
      const b = this.batch;
      this.batch = [];
      this.opts.onRows(b, this.table, this.tableIndex);
    }
  }

  private close(tag: SaxesTagPlain): void {
    const frame = this.stack.pop();
    const name = frame?.name ?? local(tag.name);
    const parent = this.parent();
    switch (name) {
      case 'TD': {
        if (!this.row) break;
        const text = this.endCapture();
        const i = this.row.length;
        const codec = this.codecs[i];
        if (!codec) throw this.err(`row has more TD cells than the ${this.codecs.length} FIELDs`, { row: this.rowCount });
        try {
          this.row.push(codec.parseText(text));
        } catch (e) {
          throw this.err((e as Error).message, { row: this.rowCount, field: codec.field.name });
        }
        break;
      }
      case 'TR': {
        const row = this.row;
        if (!row) break;
        while (row.length < this.codecs.length) row.push(null);
        this.row = null;
        this.pushRow(row);
        break;
      }
      case 'TABLE': {
        this.flushBatch();
        if (this.table) this.opts.onTableEnd?.(this.table, this.tableIndex);
        this.table = undefined;
        this.codecs = [];
        break;
      }
      case 'DESCRIPTION': {
        const d = this.endCapture().trim();
        const o = parent?.obj as { description?: string } | undefined;
        if (o && typeof o === 'object') o.description = d;
        break;
      }
      case 'INFO': {
        const c = this.endCapture().trim();
        if (c && frame?.obj) (frame.obj as VoInfo).content = c;
        break;
      }
      default:
        break;
    }
  }
}

/** The text encoding of a document from its BOM or XML declaration (UTF-8 by default). */
function sniffEncoding(b: Uint8Array): string {
  if (b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  if (b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  const head = new TextDecoder('latin1').decode(b.subarray(0, 200));
  const m = /^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
  if (m) {
    const e = m[1].toLowerCase();
    if (e === 'iso-8859-1' || e === 'latin1' || e === 'latin-1' || e === 'us-ascii' || e === 'ascii' || e === 'windows-1252') return 'latin1';
  }
  return 'utf-8';
}

/** Read a whole VOTable (bytes or text) into the document model with all rows. */
export function readVoTable(input: BytesLike | string, opts: Omit<VoTableReaderOptions, 'keepRows'> = {}): VoTableDocument {
  const p = new VoTableParser({ ...opts, keepRows: true });
  if (typeof input === 'string') p.write(input);
  else {
    const b = toBytes(input);
    // Feed in slices so one huge buffer does not become one huge string.
    const step = 1 << 20;
    for (let i = 0; i < b.length; i += step) p.write(b.subarray(i, Math.min(b.length, i + step)));
  }
  return p.end();
}

/** Events of `streamVoTable`. */
export type VoTableEvent =
  | { kind: 'table'; table: VoTable; index: number }
  | { kind: 'rows'; rows: VoValue[][]; table: VoTable; index: number }
  | { kind: 'tableEnd'; table: VoTable; index: number }
  | { kind: 'end'; document: VoTableDocument };

/**
 * Stream a VOTable: yields table starts, batches of rows and table ends as the input arrives;
 * rows are not kept, so memory stays bounded by the batch size and the chunk size. Accepts any
 * async iterable of byte chunks (a Node stream, a fetch body) or a web ReadableStream.
 */
export async function* streamVoTable(
  source: AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array>,
  opts: { batchSize?: number } = {},
): AsyncGenerator<VoTableEvent> {
  const queue: VoTableEvent[] = [];
  const p = new VoTableParser({
    keepRows: false,
    ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
    onTable: (table, index) => queue.push({ kind: 'table', table, index }),
    onRows: (rows, table, index) => queue.push({ kind: 'rows', rows, table, index }),
    onTableEnd: (table, index) => queue.push({ kind: 'tableEnd', table, index }),
  });
  const iterable: AsyncIterable<Uint8Array | string> =
    Symbol.asyncIterator in (source as object)
      ? (source as AsyncIterable<Uint8Array | string>)
      : readerIterable(source as ReadableStream<Uint8Array>);
  for await (const chunk of iterable) {
    p.write(chunk);
    while (queue.length) yield queue.shift()!;
  }
  const document = p.end();
  while (queue.length) yield queue.shift()!;
  yield { kind: 'end', document };
}

async function* readerIterable(s: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const r = s.getReader();
  try {
    for (;;) {
      const { done, value } = await r.read();
      if (done) return;
      yield value;
    }
  } finally {
    r.releaseLock();
  }
}
