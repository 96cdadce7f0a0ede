import type { FastifyInstance } from 'fastify';
import type { VocloudConfig } from '../config/schema.js';
import { baseUrlOf } from '../http/request-context.js';
import { escapeXml as x, XML_DECLARATION } from '../http/xml.js';
import type { JobService } from '../uws/job-service.js';
import type { HealthService } from './health.js';

export interface VosiRouteOptions {
  readonly jobs: JobService;
  readonly health: HealthService;
  readonly config: VocloudConfig;
}

const XML = 'application/xml; charset=utf-8';
const tags = ['VOSI 1.1'];

function capability(standardID: string, url: string, description?: string): string {
  return (
    `<capability standardID="${x(standardID)}">` +
    (description ? `<description>${x(description)}</description>` : '') +
    `<interface xsi:type="vs:ParamHTTP" role="std" version="1.1"><accessURL use="full">${x(url)}</accessURL></interface>` +
    `</capability>`
  );
}

/** VOSI 1.1: /capabilities lists every job list; /availability reports real checks. */
export async function vosiRoutes(app: FastifyInstance, opts: VosiRouteOptions): Promise<void> {
  app.get('/capabilities', { config: { public: true }, schema: { tags, summary: 'VOSI capabilities: one UWS 1.1 capability per job list' } }, async (request, reply) => {
    const base = baseUrlOf(request, opts.config.server.publicUrl);
    const caps = [
      capability('ivo://ivoa.net/std/VOSI#capabilities', `${base}/capabilities`),
      capability('ivo://ivoa.net/std/VOSI#availability', `${base}/availability`),
      ...opts.jobs.jobTypes().map((t) =>
        capability(
          'ivo://ivoa.net/std/UWS#rest-1.1',
          `${base}/uws/${encodeURIComponent(t.definition.name)}`,
          `${t.definition.title}: ${t.definition.description}`.trim(),
        ),
      ),
    ];
    const doc =
      `${XML_DECLARATION}<vosi:capabilities xmlns:vosi="http://www.ivoa.net/xml/VOSICapabilities/v1.0" ` +
      `xmlns:vr="http://www.ivoa.net/xml/VOResource/v1.0" xmlns:vs="http://www.ivoa.net/xml/VODataService/v1.1" ` +
      `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n${caps.join('\n')}\n</vosi:capabilities>\n`;
    return reply.type(XML).send(doc);
  });

  app.get('/availability', { config: { public: true }, schema: { tags, summary: 'VOSI availability, from live checks of the database and storage' } }, async (_request, reply) => {
    const h = await opts.health.check();
    const doc =
      `${XML_DECLARATION}<vosi:availability xmlns:vosi="http://www.ivoa.net/xml/VOSIAvailability/v1.0">` +
      `<vosi:available>${h.available}</vosi:available>` +
      `<vosi:upSince>${h.upSince.toISOString()}</vosi:upSince>` +
      h.checks.map((c) => `<vosi:note>${x(`${c.name}: ${c.ok ? '' : 'FAILED: '}${c.detail}`)}</vosi:note>`).join('') +
      `</vosi:availability>\n`;
    return reply.type(XML).send(doc);
  });
}
