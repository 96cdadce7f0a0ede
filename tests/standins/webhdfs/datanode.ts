import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Faults, RequestRecord, StandInConfig } from './config.js';
import { param, parseCall, sendError, type Call } from './http.js';
import type { Namespace } from './namespace.js';
import { Remote } from './remote-error.js';

export interface DatanodeContext {
  ns: Namespace;
  config: StandInConfig;
  faults: Faults;
  requests: RequestRecord[];
  ports: () => { namenode: number; datanode: number };
  /** Bytes of file data received so far (for streaming tests). */
  received: { bytes: number };
  /** Resolved by `release()` of the stand-in, for the hold-read fault. */
  held: () => Promise<void>;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Write the upload to `target`, counting bytes; with `keep`, only the first `keep` bytes are stored. */
async function receive(ctx: DatanodeContext, req: IncomingMessage, record: RequestRecord, target: NodeJS.WritableStream, keep = Infinity): Promise<void> {
  let kept = 0;
  const counter = new Writable({
    write(chunk: Buffer, _enc, cb) {
      record.bodyBytes += chunk.length;
      ctx.received.bytes += chunk.length;
      const part = kept + chunk.length <= keep ? chunk : chunk.subarray(0, Math.max(0, keep - kept));
      kept += part.length;
      if (part.length === 0) return cb();
      if (target.write(part)) cb();
      else target.once('drain', () => cb());
    },
    final(cb) {
      target.end(() => cb());
    },
  });
  await pipeline(req, counter);
}

async function open(ctx: DatanodeContext, res: ServerResponse, call: Call): Promise<void> {
  const offset = param.long(call.query, 'offset', 0) ?? 0;
  const length = param.long(call.query, 'length', null);
  const { size, stream } = await ctx.ns.open(call.user, call.path, offset, length);
  const { datanode: fault, bytes } = ctx.faults;
  const head = (chunked: boolean) =>
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', ...(chunked ? {} : { 'Content-Length': size }) });
  switch (fault) {
    case 'hang':
      stream().destroy(); // close the file; the answer never comes
      return;
    case 'hold-read': {
      head(false);
      const all = await readAll(stream());
      res.write(all.subarray(0, bytes));
      await ctx.held();
      res.end(all.subarray(bytes));
      return;
    }
    case 'stall-read':
    case 'truncate':
    case 'short-chunked':
    case 'long-chunked': {
      const all = await readAll(stream());
      head(fault === 'short-chunked' || fault === 'long-chunked');
      if (fault === 'long-chunked') {
        res.end(Buffer.concat([all, Buffer.alloc(bytes, 0x21)]));
        return;
      }
      if (fault === 'truncate') {
        // Let the bytes reach the client, then drop the connection mid-body.
        res.write(all.subarray(0, bytes), () => setTimeout(() => res.socket?.destroy(), 20));
        return;
      }
      res.write(all.subarray(0, bytes));
      if (fault === 'short-chunked') res.end();
      return; // stall-read: keep the connection open, send nothing more
    }
    default:
      head(false);
      await pipeline(stream(), res);
  }
}

async function create(ctx: DatanodeContext, req: IncomingMessage, res: ServerResponse, call: Call, record: RequestRecord): Promise<void> {
  const q = call.query;
  // The checks of ClientProtocol.create run before any data is read, as on a real datanode.
  const out = await ctx.ns.create(call.user, call.path, {
    overwrite: param.bool(q, 'overwrite', false),
    permission: param.octal(q, 'permission', 0o644),
    replication: param.long(q, 'replication', 3, 1) ?? 3,
    blockSize: param.long(q, 'blocksize', 134217728, 1) ?? 134217728,
  });
  const { datanode: fault, bytes } = ctx.faults;
  if (fault === 'stop-reading') {
    req.pause();
    return;
  }
  await receive(ctx, req, record, out, fault === 'short-write' ? bytes : Infinity);
  if (fault === 'hang') return;
  res.writeHead(201, { Location: `hdfs://127.0.0.1:${ctx.ports().namenode}${call.path}`, 'Content-Length': 0 });
  res.end();
}

async function append(ctx: DatanodeContext, req: IncomingMessage, res: ServerResponse, call: Call, record: RequestRecord): Promise<void> {
  const out = await ctx.ns.append(call.user, call.path);
  if (ctx.faults.datanode === 'stop-reading') {
    req.pause();
    return;
  }
  await receive(ctx, req, record, out);
  if (ctx.faults.datanode === 'hang') return;
  res.writeHead(200, { 'Content-Length': 0 });
  res.end();
}

export function datanodeHandler(ctx: DatanodeContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const record: RequestRecord = { server: 'datanode', method: req.method ?? '', op: '', path: '', bodyBytes: 0 };
    ctx.requests.push(record);
    const run = async () => {
      const call = parseCall(req, ctx.config);
      record.op = call.op;
      record.path = call.path;
      // A real datanode needs the namenode the redirect named; a client that skips step one has none.
      if (!call.query.get('namenoderpcaddress')) throw Remote.illegalArgument('Namenode RPC address is not specified.');
      if (ctx.faults.datanode === 'error-500') throw Remote.runtime('stand-in datanode: injected failure');
      switch (`${req.method} ${call.op}`) {
        case 'GET OPEN':
          return open(ctx, res, call);
        case 'PUT CREATE':
          return create(ctx, req, res, call, record);
        case 'POST APPEND':
          return append(ctx, req, res, call, record);
        default:
          throw Remote.illegalArgument(`Invalid operation ${req.method} ${call.op} for a datanode`);
      }
    };
    run().catch((err: unknown) => {
      // An upload the client gave up on: nothing to answer (a real datanode keeps what it got).
      if (req.destroyed || res.destroyed) return;
      sendError(res, err);
    });
  };
}
