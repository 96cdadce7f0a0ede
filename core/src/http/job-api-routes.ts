import type { FastifyInstance } from 'fastify';
import type { JobService } from '../uws/job-service.js';
import type { JobEvents } from '../uws/job-events.js';
import type { VocloudConfig } from '../config/schema.js';
import { isPhase, type Job, type Phase } from '../uws/model.js';
import { BadRequestError } from '../uws/errors.js';
import { parseIsoTime, isoTime } from '../uws/time.js';
import { UwsUrls } from '../uws/views.js';
import { actorOf, baseUrlOf } from './request-context.js';

export interface JobApiRouteOptions {
  readonly jobs: JobService;
  readonly events: JobEvents;
  readonly config: VocloudConfig;
}

function summary(base: string, j: Job) {
  return {
    jobId: j.id,
    jobType: j.jobType,
    href: new UwsUrls(base, j.jobType).job(j.id),
    runId: j.runId,
    ownerId: j.ownerId,
    phase: j.phase,
    creationTime: isoTime(j.creationTime),
    startTime: j.startTime ? isoTime(j.startTime) : null,
    endTime: j.endTime ? isoTime(j.endTime) : null,
    progress: j.progress === null && j.progressMessage === null ? null : { fraction: j.progress, message: j.progressMessage },
    errorSummary: j.error ? { type: j.error.type, message: j.error.message } : null,
  };
}

/** Jobs across job types as JSON, and a live event stream (SSE), for the web UI. */
export async function jobApiRoutes(app: FastifyInstance, opts: JobApiRouteOptions): Promise<void> {
  app.get<{ Querystring: { type?: string; phase?: string | string[]; after?: string; before?: string; q?: string; owner?: string; offset?: number; limit?: number } }>('/api/jobs', {
    schema: {
      tags: ['API'],
      summary: 'Your jobs across job types, newest first, with counts per phase (admins: everyone’s, or ?owner=)',
      querystring: {
        type: 'object',
        properties: {
          type: { type: 'string', maxLength: 64 },
          phase: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 10 }] },
          after: { type: 'string', maxLength: 40 },
          before: { type: 'string', maxLength: 40 },
          q: { type: 'string', maxLength: 200 },
          owner: { type: 'string', maxLength: 64 },
          offset: { type: 'integer', minimum: 0, maximum: 2_147_483_647, default: 0 },
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
        },
      },
    },
  }, async (request) => {
    const q = request.query;
    const phases = (Array.isArray(q.phase) ? q.phase : q.phase ? [q.phase] : []).map((p) => {
      const up = p.toUpperCase();
      if (!isPhase(up)) throw new BadRequestError(`phase=${p.slice(0, 32)}: not a UWS phase`);
      return up as Phase;
    });
    if (q.type) opts.jobs.jobType(q.type);
    const result = await opts.jobs.mine(actorOf(request), {
      ...(q.type ? { jobType: q.type } : {}),
      phases,
      ...(q.after ? { after: parseIsoTime(q.after, 'after') } : {}),
      ...(q.before ? { before: parseIsoTime(q.before, 'before') } : {}),
      ...(q.q ? { text: q.q } : {}),
      ...(q.owner !== undefined ? { owner: q.owner } : {}),
      offset: q.offset ?? 0,
      limit: q.limit ?? 50,
    });
    const base = baseUrlOf(request, opts.config.server.publicUrl);
    return { total: result.total, counts: Object.fromEntries(result.counts), jobs: result.jobs.map((j) => summary(base, j)) };
  });

  app.get('/api/events', {
    schema: { tags: ['API'], summary: 'Server-sent events: `job` (a phase changed) and `progress` for the jobs you may see' },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const visible = new Map<string, boolean>();
    const canSee = async (id: string) => {
      let v = visible.get(id);
      if (v === undefined) {
        v = await opts.jobs.canSee(actor, id);
        visible.set(id, v);
        if (visible.size > 5000) visible.clear();
      }
      return v;
    };
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('hello', { ownerId: actor.ownerId, role: actor.role });
    const offJob = opts.events.onAny((s) => {
      void canSee(s.id).then((ok) => ok && send('job', { id: s.id, phase: s.phase }), () => undefined);
    });
    const offProgress = opts.events.onProgress((p) => {
      void canSee(p.id).then((ok) => ok && send('progress', p), () => undefined);
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    const close = () => {
      clearInterval(keepAlive);
      offJob();
      offProgress();
    };
    request.raw.socket.once('close', close);
    res.once('close', close);
  });
}
