import type { FastifyInstance } from 'fastify';
import type { JobService } from '../uws/job-service.js';
import type { Executor } from '../executor/executor.js';
import type { VocloudConfig } from '../config/schema.js';
import { BadRequestError } from '../uws/errors.js';
import { actorOf } from './request-context.js';

export interface DataSourceRouteOptions {
  readonly jobs: JobService;
  readonly executor: Executor;
  readonly config: VocloudConfig;
}

/** Synchronous previews of data sources (what an import would fetch), for the web UI. */
export async function dataSourceRoutes(app: FastifyInstance, opts: DataSourceRouteOptions): Promise<void> {
  app.post<{ Params: { name: string }; Body: { parameters?: Record<string, unknown> } }>('/api/datasources/:name/preview', {
    schema: {
      tags: ['Data sources'],
      summary: "Run a data source's preview with these parameters (e.g. the rows an SSAP query returns) without importing anything",
      params: { type: 'object', properties: { name: { type: 'string', maxLength: 64 } }, required: ['name'] },
      body: { type: 'object', properties: { parameters: { type: 'object' } }, additionalProperties: false },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const type = opts.jobs.usableType(actor, request.params.name);
    if (type.definition.kind !== 'datasource') throw new BadRequestError(`${type.definition.name} is not a data source`);
    const value = await opts.executor.preview(type.definition.name, actor.ownerId, request.body?.parameters ?? {}, opts.config.executor.previewTimeout);
    return { preview: value };
  });
}
