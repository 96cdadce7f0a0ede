import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VocloudConfig } from '../config/schema.js';
import { actorOf, baseUrlOf, disconnectSignal, wantsJson } from '../http/request-context.js';
import { replyFile } from '../http/file-reply.js';
import { BadRequestError, NotFoundError, UnsupportedMediaTypeError } from './errors.js';
import type { JobService, StagedUpload } from './job-service.js';
import { isPhase } from './model.js';
import { jobRequestFrom, queryPairs, valueOf, valuesOf, type Pairs } from './request.js';
import { isoTime } from './time.js';
import { UwsUrls, jobJson, jobListJson, jobListXml, jobXml, parametersDocXml, resultsDocXml } from './views.js';

/*
 * UWS 1.1 over HTTP: parse, call JobService, render. No decisions are made here.
 */

interface JobParams {
  jobType: string;
  id: string;
}

const XML = 'application/xml; charset=utf-8';
const RESULT_CSP = "sandbox allow-scripts allow-popups allow-downloads allow-modals; default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval' blob:; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; connect-src 'none'";
const TEXT = 'text/plain; charset=utf-8';

const jobTypeParam = { type: 'string', description: 'The job type (one job list per worker or data source)' } as const;
const idParam = { type: 'string', description: 'Job id' } as const;
const listParams = { type: 'object', properties: { jobType: jobTypeParam }, required: ['jobType'] } as const;
const jobParams = { type: 'object', properties: { jobType: jobTypeParam, id: idParam }, required: ['jobType', 'id'] } as const;
const tags = ['UWS 1.1'];

export interface UwsRouteOptions {
  readonly jobs: JobService;
  readonly config: VocloudConfig;
}

export async function uwsRoutes(app: FastifyInstance, opts: UwsRouteOptions): Promise<void> {
  const { jobs, config } = opts;
  const urlsFor = (request: FastifyRequest, jobType: string) => new UwsUrls(baseUrlOf(request, config.server.publicUrl), jobType);

  /** Query and body parameters (form or multipart) in order; files go to the job's folder. */
  async function readPairs(request: FastifyRequest, jobId: string, uploads: StagedUpload[] | null, ownerId: string | null = null): Promise<Pairs> {
    const pairs = queryPairs(request.url);
    if (request.isMultipart()) {
      const parts = request.parts({
        limits: {
          fileSize: config.uws.maxUploadSize,
          files: config.uws.maxUploadFiles,
          fields: config.uws.maxParameters,
          fieldSize: config.uws.maxParameterLength,
        },
      });
      for await (const part of parts) {
        if (part.type === 'file') {
          if (uploads === null) {
            part.file.resume();
            throw new BadRequestError(`file part '${part.fieldname.slice(0, 64)}' is not accepted here; files are job parameters (POST them when creating the job, or to …/parameters)`);
          }
          await jobs.stageUpload(jobId, ownerId, uploads, part.fieldname, part.file, () => part.file.truncated);
        } else {
          pairs.push([part.fieldname, String(part.value ?? '')]);
        }
      }
    } else if (Array.isArray(request.body)) {
      pairs.push(...(request.body as Pairs));
    } else if (request.body !== undefined && request.body !== null && request.body !== '') {
      throw new UnsupportedMediaTypeError('the body must be application/x-www-form-urlencoded or multipart/form-data');
    }
    return pairs;
  }

  const redirect = (reply: FastifyReply, location: string) => reply.code(303).header('Location', location).send();
  const text = (reply: FastifyReply, value: string) => reply.type(TEXT).send(value);

  // ------------------------------------------------------------------ job list

  app.get<{ Params: { jobType: string } }>('/uws/:jobType', {
    schema: {
      tags, params: listParams,
      summary: 'List jobs (newest first)',
      description: 'Filters: PHASE (repeatable, union), AFTER (ISO 8601; creationTime after), LAST (n most recent), OWNER (admins only). Combined with AND. ARCHIVED jobs only with PHASE=ARCHIVED.',
    },
  }, async (request, reply) => {
    const q = queryPairs(request.url);
    const after = valueOf(q, 'AFTER');
    const last = valueOf(q, 'LAST');
    const owner = valueOf(q, 'OWNER');
    const refs = await jobs.list(actorOf(request), request.params.jobType, {
      ...(owner !== undefined ? { owner } : {}),
      phases: valuesOf(q, 'PHASE'),
      ...(after !== undefined ? { after } : {}),
      ...(last !== undefined ? { last } : {}),
    });
    const urls = urlsFor(request, request.params.jobType);
    if (wantsJson(request)) return reply.send(jobListJson(urls, refs));
    return reply.type(XML).send(jobListXml(urls, refs));
  });

  app.post<{ Params: { jobType: string } }>('/uws/:jobType', {
    schema: {
      tags, params: listParams,
      summary: 'Create a job',
      description: 'Parameters as form fields or multipart parts (files become byReference parameters); DALI UPLOAD=name,param:part; RUNID, EXECUTIONDURATION, DESTRUCTION; PHASE=RUN queues the job at once. Answers 303 to the new job.',
    },
  }, async (request, reply) => {
    const draft = jobs.draft(actorOf(request), request.params.jobType);
    try {
      const pairs = await readPairs(request, draft.id, draft.uploads, draft.ownerId);
      const job = await jobs.create(actorOf(request), draft, jobRequestFrom(pairs, true));
      return redirect(reply, urlsFor(request, job.jobType).job(job.id));
    } catch (err) {
      await jobs.discardDraft(draft);
      throw err;
    }
  });

  // ------------------------------------------------------------------ the job

  app.get<{ Params: JobParams }>('/uws/:jobType/:id', {
    schema: {
      tags, params: jobParams,
      summary: 'The job',
      description: 'WAIT=n blocks up to n seconds (-1: up to uws.maxWait) while the job is in an active phase; with PHASE=X only while it is in X. Accept: application/json gives JSON.',
    },
  }, async (request, reply) => {
    const { jobType, id } = request.params;
    const q = queryPairs(request.url);
    const waitRaw = valueOf(q, 'WAIT');
    const phaseRaw = valueOf(q, 'PHASE');
    const actor = actorOf(request);
    let job;
    if (waitRaw === undefined) {
      job = await jobs.get(actor, jobType, id);
    } else {
      if (!/^-?\d+$/.test(waitRaw.trim())) throw new BadRequestError(`WAIT=${waitRaw.slice(0, 32)}: must be an integer number of seconds (-1 = as long as allowed)`);
      let phase;
      if (phaseRaw !== undefined) {
        const up = phaseRaw.trim().toUpperCase();
        if (!isPhase(up)) throw new BadRequestError(`PHASE=${phaseRaw.slice(0, 32)}: not a UWS phase`);
        phase = up;
      }
      job = await jobs.getWaiting(actor, jobType, id, {
        wait: Number(waitRaw),
        ...(phase ? { phase } : {}),
        signal: disconnectSignal(request, reply.raw),
      });
    }
    const urls = urlsFor(request, jobType);
    if (wantsJson(request)) {
      const history = valueOf(q, 'HISTORY') === 'true' ? await jobs.history(actor, jobType, id) : undefined;
      return reply.send(jobJson(urls, job, history));
    }
    return reply.type(XML).send(jobXml(urls, job));
  });

  app.delete<{ Params: JobParams }>('/uws/:jobType/:id', {
    schema: { tags, params: jobParams, summary: 'Delete the job (aborting it if it runs); 303 to the job list' },
  }, async (request, reply) => {
    await jobs.delete(actorOf(request), request.params.jobType, request.params.id);
    return redirect(reply, urlsFor(request, request.params.jobType).list());
  });

  app.post<{ Params: JobParams }>('/uws/:jobType/:id', {
    schema: { tags, params: jobParams, summary: 'ACTION=DELETE deletes the job; 303 to the job list' },
  }, async (request, reply) => {
    const { jobType, id } = request.params;
    await jobs.get(actorOf(request), jobType, id);
    const pairs = await readPairs(request, id, null);
    const action = valueOf(pairs, 'ACTION');
    if (action?.trim().toUpperCase() === 'DELETE') {
      await jobs.delete(actorOf(request), jobType, id);
      return redirect(reply, urlsFor(request, jobType).list());
    }
    if (action !== undefined) throw new BadRequestError(`ACTION=${action.slice(0, 32)}: only ACTION=DELETE is allowed on the job`);
    if (valueOf(pairs, 'PHASE') !== undefined) {
      throw new BadRequestError(`to change the phase, POST PHASE=… to ${urlsFor(request, jobType).job(id)}/phase`);
    }
    throw new BadRequestError('a POST to the job itself takes only ACTION=DELETE; set parameters with POST to …/parameters (while PENDING)');
  });

  // ------------------------------------------------------------------ phase

  app.get<{ Params: JobParams }>('/uws/:jobType/:id/phase', { schema: { tags, params: jobParams, summary: 'The phase, as text' } }, async (request, reply) => {
    const job = await jobs.get(actorOf(request), request.params.jobType, request.params.id);
    return text(reply, job.phase);
  });

  app.post<{ Params: JobParams }>('/uws/:jobType/:id/phase', {
    schema: { tags, params: jobParams, summary: 'PHASE=RUN queues a PENDING job; PHASE=ABORT aborts it. 303 to the job' },
  }, async (request, reply) => {
    const { jobType, id } = request.params;
    const actor = actorOf(request);
    await jobs.get(actor, jobType, id);
    const pairs = await readPairs(request, id, null);
    const phase = valueOf(pairs, 'PHASE');
    switch (phase?.trim().toUpperCase()) {
      case 'RUN':
        await jobs.run(actor, jobType, id);
        break;
      case 'ABORT':
        await jobs.abort(actor, jobType, id);
        break;
      case undefined:
        throw new BadRequestError('missing PHASE: POST PHASE=RUN or PHASE=ABORT');
      default:
        throw new BadRequestError(`PHASE=${phase!.slice(0, 32)}: only RUN and ABORT can be requested`);
    }
    return redirect(reply, urlsFor(request, jobType).job(id));
  });

  // ------------------------------------------------------------------ executionduration, destruction, quote, error, owner

  app.get<{ Params: JobParams }>('/uws/:jobType/:id/executionduration', {
    schema: { tags, params: jobParams, summary: 'executionDuration in seconds (0 = unlimited)' },
  }, async (request, reply) => {
    const job = await jobs.get(actorOf(request), request.params.jobType, request.params.id);
    return text(reply, String(job.executionDuration));
  });

  app.post<{ Params: JobParams }>('/uws/:jobType/:id/executionduration', {
    schema: { tags, params: jobParams, summary: 'EXECUTIONDURATION=n (seconds; capped by the job type); 303 to the job' },
  }, async (request, reply) => {
    const { jobType, id } = request.params;
    await jobs.get(actorOf(request), jobType, id);
    const value = valueOf(await readPairs(request, id, null), 'EXECUTIONDURATION');
    if (value === undefined) throw new BadRequestError('missing EXECUTIONDURATION=seconds');
    await jobs.setExecutionDuration(actorOf(request), jobType, id, value);
    return redirect(reply, urlsFor(request, jobType).job(id));
  });

  app.get<{ Params: JobParams }>('/uws/:jobType/:id/destruction', {
    schema: { tags, params: jobParams, summary: 'Destruction time (ISO 8601)' },
  }, async (request, reply) => {
    const job = await jobs.get(actorOf(request), request.params.jobType, request.params.id);
    return text(reply, job.destruction ? isoTime(job.destruction) : '');
  });

  app.post<{ Params: JobParams }>('/uws/:jobType/:id/destruction', {
    schema: { tags, params: jobParams, summary: 'DESTRUCTION=ISO 8601 time (capped by uws.maxDestruction); 303 to the job' },
  }, async (request, reply) => {
    const { jobType, id } = request.params;
    await jobs.get(actorOf(request), jobType, id);
    const value = valueOf(await readPairs(request, id, null), 'DESTRUCTION');
    if (value === undefined) throw new BadRequestError('missing DESTRUCTION=ISO 8601 time');
    await jobs.setDestruction(actorOf(request), jobType, id, value);
    return redirect(reply, urlsFor(request, jobType).job(id));
  });

  app.get<{ Params: JobParams }>('/uws/:jobType/:id/quote', {
    schema: { tags, params: jobParams, summary: 'Expected completion time (empty: no estimate)' },
  }, async (request, reply) => {
    const job = await jobs.get(actorOf(request), request.params.jobType, request.params.id);
    return text(reply, job.quote ? isoTime(job.quote) : '');
  });

  app.get<{ Params: JobParams }>('/uws/:jobType/:id/error', {
    schema: { tags, params: jobParams, summary: 'The error document (text), when the job has an error summary' },
  }, async (request, reply) => {
    const job = await jobs.get(actorOf(request), request.params.jobType, request.params.id);
    if (!job.error) throw new NotFoundError(`job ${job.id} has no error (it is ${job.phase})`);
    return text(reply, `${job.error.detail ?? job.error.message}\n`);
  });

  app.get<{ Params: JobParams }>('/uws/:jobType/:id/owner', {
    schema: { tags, params: jobParams, summary: 'The ownerId (empty for anonymous jobs)' },
  }, async (request, reply) => {
    const job = await jobs.get(actorOf(request), request.params.jobType, request.params.id);
    return text(reply, job.ownerId ?? '');
  });

  // ------------------------------------------------------------------ parameters

  app.get<{ Params: JobParams }>('/uws/:jobType/:id/parameters', {
    schema: { tags, params: jobParams, summary: 'The parameters (uws:parameters)' },
  }, async (request, reply) => {
    const job = await jobs.get(actorOf(request), request.params.jobType, request.params.id);
    const urls = urlsFor(request, request.params.jobType);
    if (wantsJson(request)) return reply.send({ parameters: jobJson(urls, job).parameters });
    return reply.type(XML).send(parametersDocXml(urls, job));
  });

  app.post<{ Params: JobParams }>('/uws/:jobType/:id/parameters', {
    schema: { tags, params: jobParams, summary: 'Set parameters (form or multipart), only while PENDING; 303 to the job' },
  }, async (request, reply) => {
    const { jobType, id } = request.params;
    const actor = actorOf(request);
    const job = await jobs.get(actor, jobType, id);
    const uploads: StagedUpload[] = [];
    try {
      const pairs = await readPairs(request, id, uploads, job.ownerId);
      await jobs.setParameters(actor, jobType, id, jobRequestFrom(pairs, false), uploads);
    } catch (err) {
      await jobs.discardUploads(job.ownerId, uploads);
      throw err;
    }
    return redirect(reply, urlsFor(request, jobType).job(id));
  });

  app.get<{ Params: JobParams & { name: string } }>('/uws/:jobType/:id/parameters/:name', {
    schema: {
      tags,
      params: { type: 'object', properties: { jobType: jobTypeParam, id: idParam, name: { type: 'string' } }, required: ['jobType', 'id', 'name'] },
      summary: 'One parameter: the uploaded file for inline uploads, else the value as text',
    },
  }, async (request, reply) => {
    const { jobType, id, name } = request.params;
    const { parameter, stream } = await jobs.openParameter(actorOf(request), jobType, id, name);
    if (stream) {
      return reply
        .type('application/octet-stream')
        .header('Content-Length', String(parameter.fileSize ?? ''))
        .header('Content-Disposition', `attachment; filename="${parameter.name.replace(/[^\w.-]/g, '_')}"`)
        .header('Content-Security-Policy', RESULT_CSP)
        .send(stream);
    }
    return text(reply, parameter.value.startsWith('vocloud-secret:') ? '(hidden)' : parameter.value);
  });

  // ------------------------------------------------------------------ results

  app.get<{ Params: JobParams }>('/uws/:jobType/:id/results', {
    schema: { tags, params: jobParams, summary: 'The results (uws:results)' },
  }, async (request, reply) => {
    const job = await jobs.get(actorOf(request), request.params.jobType, request.params.id);
    const urls = urlsFor(request, request.params.jobType);
    if (wantsJson(request)) return reply.send({ results: jobJson(urls, job).results });
    return reply.type(XML).send(resultsDocXml(urls, job));
  });

  app.get<{ Params: JobParams & { '*': string } }>('/uws/:jobType/:id/results/*', {
    schema: { tags, params: { type: 'object', properties: { jobType: jobTypeParam, id: idParam, '*': { type: 'string' } } }, summary: 'One result file' },
  }, async (request, reply) => {
    const { jobType, id } = request.params;
    const name = request.params['*'];
    const { result, modified, open } = await jobs.openResult(actorOf(request), jobType, id, name);
    // Sets the status and length: a 206 for a range (large results resume where they broke
    // off), a 304 for a client whose copy is current.
    const part = replyFile(request, reply, { size: result.size, modified });
    if (part === 'not-modified') return reply.send();
    const stream = await open(part ?? undefined);
    // Text results are assumed UTF-8 unless the plugin said otherwise (clients such as
    // python-requests would otherwise decode them as Latin-1).
    const type = result.mimeType.startsWith('text/') && !/charset=/i.test(result.mimeType) ? `${result.mimeType}; charset=utf-8` : result.mimeType;
    // A result is the job's output, not ours: an HTML result (interactive viewers) may run its
    // scripts, but in a sandbox without our origin — no cookies, no API calls as the user.
    return reply.type(type).header('Content-Security-Policy', RESULT_CSP).send(stream);
  });
}
