import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults, RequestRecord, StandInConfig } from './config.js';
import { encodePath, param, parseCall, sendError, sendJson, type Call } from './http.js';
import { Namespace, type Status } from './namespace.js';
import { Remote, RemoteError } from './remote-error.js';

export interface NamenodeContext {
  ns: Namespace;
  config: StandInConfig;
  faults: Faults;
  requests: RequestRecord[];
  /** Port of the namenode (for namenoderpcaddress) and of the datanode (for redirects). */
  ports: () => { namenode: number; datanode: number };
}

/** A FileStatus JSON object, with the fields of Hadoop's JsonUtil in the documented order. */
export async function fileStatusJson(ns: Namespace, st: Status, pathSuffix: string): Promise<Record<string, unknown>> {
  return {
    accessTime: st.accessTime,
    blockSize: st.meta.blockSize,
    childrenNum: await ns.childrenNum(st),
    fileId: st.meta.fileId,
    group: st.meta.group,
    length: st.length,
    modificationTime: st.modificationTime,
    owner: st.meta.owner,
    pathSuffix,
    permission: st.meta.permission.toString(8),
    replication: st.meta.replication,
    storagePolicy: 0,
    type: st.type,
  };
}

const OP_CLASS: Record<string, string> = { GET: 'GetOpParam', PUT: 'PutOpParam', POST: 'PostOpParam', DELETE: 'DeleteOpParam' };

function unknownOp(method: string, op: string): RemoteError {
  return Remote.illegalArgument(
    `Invalid value for webhdfs parameter "op": No enum constant org.apache.hadoop.hdfs.web.resources.${OP_CLASS[method] ?? 'GetOpParam'}.Op.${op}`,
  );
}

/** 307 to the datanode with the request's parameters, as NamenodeWebHdfsMethods.redirectURI builds it. */
function redirect(ctx: NamenodeContext, res: ServerResponse, call: Call): void {
  const q = new URLSearchParams(call.query);
  q.set('namenoderpcaddress', `127.0.0.1:${ctx.ports().namenode}`);
  const location = `http://${ctx.config.advertisedDatanodeHost}:${ctx.ports().datanode}/webhdfs/v1${encodePath(call.path)}?${q}`;
  res.writeHead(307, { Location: location, 'Content-Type': 'application/octet-stream', 'Content-Length': 0 });
  res.end();
}

async function listing(ctx: NamenodeContext, call: Call, batch: boolean): Promise<unknown> {
  const { self, names } = await ctx.ns.listing(call.user, call.path);
  const status = async (n: string) => {
    const st = await ctx.ns.status(call.path === '/' ? `/${n}` : `${call.path}/${n}`);
    return st ? fileStatusJson(ctx.ns, st, n) : null;
  };
  if (!batch) {
    const all = self ? [await fileStatusJson(ctx.ns, self, '')] : (await Promise.all(names.map(status))).filter((s) => s !== null);
    return { FileStatuses: { FileStatus: all } };
  }
  if (self) return { DirectoryListing: { partialListing: { FileStatuses: { FileStatus: [await fileStatusJson(ctx.ns, self, '')] } }, remainingEntries: 0 } };
  const startAfter = call.query.get('startAfter');
  // Names after startAfter in byte order, as the namenode's getListing does.
  const after = startAfter ? names.filter((n) => Buffer.compare(Buffer.from(n), Buffer.from(startAfter)) > 0) : names;
  const page = after.slice(0, ctx.config.batchSize);
  const statuses = (await Promise.all(page.map(status))).filter((s) => s !== null);
  return { DirectoryListing: { partialListing: { FileStatuses: { FileStatus: statuses } }, remainingEntries: after.length - page.length } };
}

async function dispatch(ctx: NamenodeContext, req: IncomingMessage, res: ServerResponse, call: Call): Promise<void> {
  const { ns } = ctx;
  const q = call.query;
  switch (`${req.method} ${call.op}`) {
    case 'GET GETFILESTATUS':
      return sendJson(res, 200, { FileStatus: await fileStatusJson(ns, await ns.getFileStatus(call.user, call.path), '') });
    case 'GET LISTSTATUS':
      return sendJson(res, 200, await listing(ctx, call, false));
    case 'GET LISTSTATUS_BATCH':
      if (!ctx.config.listStatusBatch) throw unknownOp('GET', call.op);
      return sendJson(res, 200, await listing(ctx, call, true));
    case 'GET GETCONTENTSUMMARY': {
      const s = await ns.contentSummary(call.user, call.path);
      return sendJson(res, 200, { ContentSummary: { ...s, quota: -1, spaceQuota: -1, typeQuota: {} } });
    }
    case 'GET GETHOMEDIRECTORY':
      return sendJson(res, 200, { Path: `/user/${call.user}` });
    case 'GET OPEN': {
      // The namenode looks the file up (block locations) before choosing a datanode.
      const st = await ns.getFileStatus(call.user, call.path);
      if (st.type === 'DIRECTORY') throw Remote.notFound(`Path is not a file: ${call.path}`);
      return redirect(ctx, res, call);
    }
    case 'PUT CREATE':
      // No checks here: the datanode's create() call to the namenode makes them (step two).
      param.bool(q, 'overwrite', false);
      return redirect(ctx, res, call);
    case 'POST APPEND':
      await ns.getFileStatus(call.user, call.path);
      return redirect(ctx, res, call);
    case 'PUT MKDIRS':
      await ns.mkdirs(call.user, call.path, param.octal(q, 'permission', 0o755));
      return sendJson(res, 200, { boolean: true });
    case 'PUT RENAME': {
      const destination = q.get('destination');
      if (!destination) throw Remote.illegalArgument('Invalid value for webhdfs parameter "destination": null');
      const dst = Namespace.normalise(destination);
      const options = (q.get('renameoptions') ?? '').split(',').filter(Boolean).map((s) => s.toUpperCase());
      for (const o of options) if (!['NONE', 'OVERWRITE', 'TO_TRASH'].includes(o)) throw Remote.illegalArgument(`Invalid value for webhdfs parameter "renameoptions": ${o}`);
      if (options.length > 0 && ctx.config.renameOptions) {
        await ns.rename2(call.user, call.path, dst, options.includes('OVERWRITE'));
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': 0 });
        res.end();
        return;
      }
      return sendJson(res, 200, { boolean: await ns.rename(call.user, call.path, dst) });
    }
    case 'DELETE DELETE':
      return sendJson(res, 200, { boolean: await ns.delete(call.user, call.path, param.bool(q, 'recursive', false)) });
    default:
      throw unknownOp(req.method ?? 'GET', call.op);
  }
}

export function namenodeHandler(ctx: NamenodeContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const record: RequestRecord = { server: 'namenode', method: req.method ?? '', op: '', path: '', bodyBytes: 0 };
    ctx.requests.push(record);
    // Count (and drop) any body: file data sent to a namenode is a client bug the tests look for.
    req.on('data', (c: Buffer) => (record.bodyBytes += c.length));
    const run = async () => {
      const call = parseCall(req, ctx.config);
      record.op = call.op;
      record.path = call.path;
      const hook = ctx.faults.namenodeHook;
      if (hook && hook.op === call.op) {
        ctx.faults.namenodeHook = null;
        await hook.run();
      }
      const { namenodeHang, namenodeError } = ctx.faults;
      if (namenodeHang === '*' || namenodeHang === call.op) return; // never answers
      if (namenodeError && (namenodeError.op === '*' || namenodeError.op === call.op)) {
        const e = namenodeError;
        throw new RemoteError(e.status, e.exception, e.javaClassName, e.message);
      }
      await dispatch(ctx, req, res, call);
    };
    run().catch((err: unknown) => sendError(res, err));
  };
}
