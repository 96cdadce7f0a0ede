import { Transform } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VocloudConfig } from '../config/schema.js';
import { mimeTypeFor } from '@vocloud/sdk';
import { actorOf, baseUrlOf } from '../http/request-context.js';
import { replyFile } from '../http/file-reply.js';
import type { ByteRange } from '../http/ranges.js';
import { BadRequestError, PayloadTooLargeError } from '../uws/errors.js';
import type { FileService, UploadPart } from './file-service.js';

export interface FileRouteOptions {
  readonly files: FileService;
  readonly config: VocloudConfig;
}

const tags = ['Files'];
const path = { type: 'string', minLength: 1, maxLength: 4200, description: 'A user path: ~/…, DATA/…, JOBS/{id}/…' } as const;
const body = (properties: Record<string, unknown>, required: string[]) => ({ type: 'object', properties, required, additionalProperties: false }) as const;

function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** The file manager API: /api/files/… (translation only; FileService decides). */
export async function fileRoutes(app: FastifyInstance, opts: FileRouteOptions): Promise<void> {
  const { files, config } = opts;

  /** Send a file with HTTP range support. */
  const sendFile = async (
    request: FastifyRequest,
    reply: FastifyReply,
    file: { size: number; modified?: Date },
    open: (range?: ByteRange) => Promise<{ stream: NodeJS.ReadableStream; mimeType: string; name: string }>,
  ) => {
    const part = replyFile(request, reply, file);
    if (part === 'not-modified') return reply.send();
    const f = await open(part ?? undefined);
    return reply.header('Content-Disposition', attachment(f.name)).type(f.mimeType).send(f.stream);
  };

  app.get<{ Querystring: { path: string; offset?: number; limit?: number; sort?: 'name' | 'size' | 'modified'; order?: 'asc' | 'desc'; provenance?: boolean; hideSidecars?: boolean } }>('/api/files', {
    schema: {
      tags,
      summary: 'List a folder (one page, sorted)',
      querystring: {
        type: 'object',
        required: ['path'],
        properties: {
          path,
          offset: { type: 'integer', minimum: 0, maximum: 2_147_483_647, default: 0 },
          limit: { type: 'integer', minimum: 1, maximum: 10000, default: 200 },
          sort: { type: 'string', enum: ['name', 'size', 'modified'], default: 'name' },
          order: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
          provenance: { type: 'boolean', default: false, description: 'Mark files that have a provenance sidecar (provenance: true)' },
          hideSidecars: { type: 'boolean', default: false, description: 'Leave provenance sidecars (*.provenance.json) out of the pages and the total' },
        },
      },
    },
  }, async (request) => {
    const q = request.query;
    const page = await files.list(actorOf(request), q.path, { offset: q.offset ?? 0, limit: q.limit ?? 200, sortBy: q.sort ?? 'name', order: q.order ?? 'asc', provenance: q.provenance ?? false, hideSidecars: q.hideSidecars ?? false });
    return { path: q.path, total: page.total, offset: q.offset ?? 0, entries: page.entries };
  });

  app.get<{ Querystring: { path: string } }>('/api/files/stat', {
    schema: { tags, summary: 'One file or folder', querystring: body({ path }, ['path']) },
  }, async (request) => files.stat(actorOf(request), request.query.path));

  app.post<{ Body: { path: string } }>('/api/files/mkdir', {
    schema: { tags, summary: 'Create a folder (and its parents)', body: body({ path }, ['path']) },
  }, async (request, reply) => {
    await files.ops.mkdir(actorOf(request), request.body.path);
    return reply.code(201).send(await files.stat(actorOf(request), request.body.path));
  });

  app.post<{ Body: { from: string; to: string; overwrite?: boolean } }>('/api/files/move', {
    schema: { tags, summary: 'Rename or move a file or folder (a file\'s provenance sidecar goes with it)', body: body({ from: path, to: path, overwrite: { type: 'boolean' } }, ['from', 'to']) },
  }, async (request) => files.move(actorOf(request), request.body.from, request.body.to, { overwrite: request.body.overwrite ?? false }));

  app.post<{ Body: { from: string; to: string } }>('/api/files/copy', {
    schema: { tags, summary: 'Copy a file or folder (the copy counts against your quota; a file\'s provenance sidecar is copied too)', body: body({ from: path, to: path }, ['from', 'to']) },
  }, async (request, reply) => reply.code(201).send(await files.copy(actorOf(request), request.body.from, request.body.to)));

  app.post<{ Body: { paths: string[] } }>('/api/files/delete', {
    schema: { tags, summary: 'Delete files and folders (folders with everything in them, files with their provenance sidecars)', body: body({ paths: { type: 'array', items: path, minItems: 1, maxItems: 10000 } }, ['paths']) },
  }, async (request) => {
    await files.delete(actorOf(request), request.body.paths);
    return { deleted: request.body.paths.length };
  });

  app.post<{ Querystring: { dir: string } }>('/api/files/upload', {
    schema: {
      tags,
      summary: 'Upload files (multipart). A file name with / keeps its folders (folder upload); taken names become "name (1).ext"',
      querystring: body({ dir: path }, ['dir']),
    },
  }, async (request, reply) => {
    if (!request.isMultipart()) throw new BadRequestError('send the files as multipart/form-data');
    const parts = request.parts({ preservePath: true, limits: { fileSize: config.uws.maxUploadSize, files: config.files.maxUploadFiles, fields: 100 } });
    async function* fileParts(): AsyncGenerator<UploadPart> {
      for await (const part of parts) {
        if (part.type !== 'file') continue;
        yield { filename: part.filename, stream: part.file, truncated: () => part.file.truncated };
      }
    }
    const uploaded = await files.upload(actorOf(request), request.query.dir, fileParts());
    return reply.code(201).send({ files: uploaded });
  });

  // PUT …/content streams the body itself, whatever its Content-Type says: in a scope of its
  // own, no parser may consume it first (curl --data-binary sends it as a form).
  await app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', (_request, _payload, done) => done(null));
    raw.put<{ Querystring: { path: string; overwrite?: boolean } }>('/api/files/content', {
      schema: {
        tags,
        summary: 'Upload one file as the raw request body (fastest for large files; no multipart parsing)',
        querystring: body({ path, overwrite: { type: 'boolean', default: false } }, ['path']),
      },
    }, async (request, reply) => {
      const size = Number(request.headers['content-length'] ?? NaN);
      if (Number.isFinite(size) && size > config.uws.maxUploadSize) {
        throw new PayloadTooLargeError(`the file is larger than the upload limit of ${config.uws.maxUploadSize} bytes (uws.maxUploadSize)`);
      }
      const actor = actorOf(request);
      if (Number.isFinite(size)) await files.checkRoom(actor, request.query.path, size);
      // With a Content-Length, node's HTTP parser already stops at it: stream the socket
      // straight to storage. Without one (chunked), count and stop at the limit.
      let body: NodeJS.ReadableStream = request.raw;
      if (!Number.isFinite(size)) {
        const limit = config.uws.maxUploadSize;
        let seen = 0;
        const counted = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            seen += chunk.length;
            if (seen > limit) cb(new PayloadTooLargeError(`the file is larger than the upload limit of ${limit} bytes (uws.maxUploadSize)`));
            else cb(null, chunk);
          },
        });
        request.raw.pipe(counted);
        request.raw.once('error', (err) => counted.destroy(err));
        body = counted;
      }
      const entry = await files.ops.write(actor, request.query.path, body as never, { overwrite: request.query.overwrite ?? false });
      if (Number.isFinite(size) && entry.size !== size) {
        await files.ops.delete(actor, entry.path).catch(() => undefined);
        throw new BadRequestError(`the upload ended after ${entry.size} of ${size} bytes; nothing was stored`);
      }
      return reply.code(201).send(entry);
    });
  });

  app.get<{ Querystring: { path: string } }>('/api/files/download', {
    schema: { tags, summary: 'Download a file (HTTP ranges supported)', querystring: body({ path }, ['path']) },
  }, async (request, reply) => {
    const { entry, open } = await files.ops.openFile(actorOf(request), request.query.path);
    return sendFile(request, reply, entry, async (range) => ({ stream: await open(range), mimeType: mimeTypeFor(entry.name), name: entry.name }));
  });

  app.get<{ Querystring: { path: string | string[]; name?: string } }>('/api/files/zip', {
    schema: {
      tags,
      summary: 'Download a selection of files and folders as one zip, streamed as it is built',
      querystring: { type: 'object', required: ['path'], properties: { path: { anyOf: [path, { type: 'array', items: path, maxItems: 10000 }] }, name: { type: 'string', maxLength: 200 } } },
    },
  }, async (request, reply) => {
    const paths = Array.isArray(request.query.path) ? request.query.path : [request.query.path];
    const stream = await files.zip(actorOf(request), paths);
    return reply.type('application/zip').header('Content-Disposition', attachment(`${request.query.name ?? 'vocloud-files'}.zip`)).send(stream);
  });

  app.get<{ Querystring: { path: string; parts: number; part: number } }>('/api/files/mass-download', {
    schema: {
      tags,
      summary: 'A folder split into N zips of about equal size; this returns part `part` of `parts`',
      querystring: body({ path, parts: { type: 'integer', minimum: 1, maximum: 1000 }, part: { type: 'integer', minimum: 1 } }, ['path', 'parts', 'part']),
    },
  }, async (request, reply) => {
    const q = request.query;
    const { stream, files: n, bytes } = await files.massDownload(actorOf(request), q.path, q.parts, q.part);
    const folder = q.path.replace(/\/+$/, '').split('/').pop() || 'files';
    return reply
      .type('application/zip')
      .header('Content-Disposition', attachment(`${folder}-part${q.part}of${q.parts}.zip`))
      .header('X-Vocloud-Files', String(n))
      .header('X-Vocloud-Bytes', String(bytes))
      .send(stream);
  });

  app.post<{ Body: { path: string; expiresIn?: number } }>('/api/files/sign', {
    schema: { tags, summary: 'A short-lived URL for a file or folder that works without a session (for SAMP tools and programs)', body: body({ path, expiresIn: { type: 'integer', minimum: 10 } }, ['path']) },
  }, async (request) => {
    const s = await files.sign(actorOf(request), request.body.path, request.body.expiresIn);
    return { url: `${baseUrlOf(request, config.server.publicUrl)}/api/files/signed/${s.token}`, expiresAt: s.expiresAt.toISOString(), kind: s.kind };
  });

  app.get<{ Params: { token: string } }>('/api/files/signed/:token', {
    config: { public: true },
    schema: { tags, summary: 'Fetch what a signed URL points at (a folder comes as a zip)', params: body({ token: { type: 'string', maxLength: 8000 } }, ['token']) },
  }, async (request, reply) => {
    const first = await files.openSigned(request.params.token);
    if (first.kind === 'directory') return reply.type('application/zip').header('Content-Disposition', attachment(first.name)).send(first.stream);
    first.stream.destroy();
    return sendFile(request, reply, first, async (range) => {
      const f = await files.openSigned(request.params.token, range);
      if (f.kind !== 'file') throw new BadRequestError('the link changed kind');
      return { stream: f.stream, mimeType: f.mimeType, name: f.name };
    });
  });

  app.get<{ Querystring: { path: string } }>('/api/files/preview', {
    schema: { tags, summary: 'What a file holds: FITS header cards of each HDU, VOTable fields, or the start of a text file', querystring: body({ path }, ['path']) },
  }, async (request) => files.preview(actorOf(request), request.query.path));
}
