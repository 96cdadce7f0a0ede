import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startServer, type TestServer } from '../support/server.js';
import { needPeer, peers } from '../support/peers.js';
import { createJob, parseXml, validateXml, waitFinal } from '../support/uws.js';

const hasXmllint = needPeer(peers.xmllint(), 'VOSI XML schema validation');

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => s?.stop());

describe('VOSI', () => {
  it('/capabilities lists a UWS 1.1 capability per job list and the VOSI endpoints, schema-valid', async () => {
    const res = await fetch(`${s.url}/capabilities`);
    expect(res.status).toBe(200);
    const xml = await res.text();
    const caps = parseXml(xml).capabilities.capability as any[];
    const byStd = (id: string) => caps.filter((c) => c['@standardID'] === id).map((c) => c.interface.accessURL['#text']);
    expect(byStd('ivo://ivoa.net/std/VOSI#capabilities')).toEqual([`${s.url}/capabilities`]);
    expect(byStd('ivo://ivoa.net/std/VOSI#availability')).toEqual([`${s.url}/availability`]);
    expect(byStd('ivo://ivoa.net/std/UWS#rest-1.1').sort()).toEqual(
      ['cpu', 'fail', 'files', 'hang', 'noop', 'restricted', 'store', 'typed', 'wait'].map((t) => `${s.url}/uws/${t}`),
    );
    for (const c of caps) {
      expect(c.interface['@type']).toBe('vs:ParamHTTP');
      expect(c.interface.accessURL['@use']).toBe('full');
    }
    if (hasXmllint) {
      const v = validateXml(xml, 'VOSICapabilities-with-VODataService.xsd');
      expect(v.ok, v.output).toBe(true);
    }
  });

  it('/availability reports the real database and storage checks, schema-valid', async () => {
    const xml = await (await fetch(`${s.url}/availability`)).text();
    const a = parseXml(xml).availability;
    expect(a.available).toBe('true');
    expect(new Date(a.upSince).getTime()).toBeLessThanOrEqual(Date.now());
    expect(a.note.map(String)).toEqual([expect.stringMatching(/^database: ok/), expect.stringMatching(/^storage: ok \(local, writable\)/)]);
    if (hasXmllint) {
      const v = validateXml(xml, 'VOSIAvailability.xsd');
      expect(v.ok, v.output).toBe(true);
    }
  });

  it('/availability turns false, naming the failed check, when storage cannot be written', async () => {
    if (process.getuid?.() === 0) {
      // root writes through any permission bits: make the storage root a file's child instead
      const { rm, writeFile } = await import('node:fs/promises');
      const root = join(s.dataDir, 'storage');
      const backup = `${root}.bak`;
      const { rename } = await import('node:fs/promises');
      await rename(root, backup);
      await writeFile(root, 'not a folder');
      try {
        const a = parseXml(await (await fetch(`${s.url}/availability`)).text()).availability;
        expect(a.available).toBe('false');
        expect(a.note.map(String).join('\n')).toMatch(/storage: FAILED/);
        const health = await fetch(`${s.url}/api/health`);
        expect(health.status).toBe(503);
      } finally {
        await rm(root);
        await rename(backup, root);
      }
    } else {
      const root = join(s.dataDir, 'storage');
      await chmod(root, 0o500);
      try {
        const a = parseXml(await (await fetch(`${s.url}/availability`)).text()).availability;
        expect(a.available).toBe('false');
        expect(a.note.map(String).join('\n')).toMatch(/storage: FAILED/);
      } finally {
        await chmod(root, 0o755);
      }
    }
    const again = parseXml(await (await fetch(`${s.url}/availability`)).text()).availability;
    expect(again.available).toBe('true');
  });
});

describe('metrics and docs', () => {
  it('/metrics has jobs by phase, queue wait and durations in Prometheus format', async () => {
    const url = await createJob(s.url, 'noop', { PHASE: 'RUN' });
    await waitFinal(url);
    expect((await fetch(`${s.url}/metrics`)).status).toBe(403); // not for anonymous users
    const basic = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
    const res = await fetch(`${s.url}/metrics`, { headers: { authorization: basic } });
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^vocloud_jobs\{job_type="noop",phase="COMPLETED"\} [1-9]\d*$/m);
    expect(text).toMatch(/^vocloud_job_queue_wait_seconds_count\{job_type="noop"\} [1-9]\d*$/m);
    expect(text).toMatch(/^vocloud_job_duration_seconds_count\{job_type="noop",phase="COMPLETED"\} [1-9]\d*$/m);
    expect(text).toMatch(/^vocloud_http_request_duration_seconds_count\{method="POST",route="\/uws\/:jobType",status="303"\} [1-9]\d*$/m);
  });

  it('/docs serves OpenAPI generated from the route schemas', async () => {
    const spec = (await (await fetch(`${s.url}/docs/json`)).json()) as any;
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/uws/{jobType}', '/uws/{jobType}/{id}', '/uws/{jobType}/{id}/phase', '/uws/{jobType}/{id}/results/{*}', '/capabilities', '/availability', '/metrics', '/api/job-types']),
    );
    expect(spec.paths['/uws/{jobType}'].post.summary).toBe('Create a job');
    const html = await (await fetch(`${s.url}/docs`, { redirect: 'follow' })).text();
    expect(html).toMatch(/swagger/i);
  });

  it('/api/job-types gives each job type with its parameter schema and limits', async () => {
    const body = (await (await fetch(`${s.url}/api/job-types`)).json()) as any;
    const typed = body.jobTypes.find((t: any) => t.name === 'typed');
    expect(typed.limits).toEqual({ defaultExecutionDuration: 60, maxExecutionDuration: 120, concurrency: 4 });
    expect(typed.parameters.properties.count).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
    expect(typed.parameters.required).toEqual(['count', 'scale', 'mode', 'verbose']); // TypeBox: required, but defaults fill them in
  });
});
