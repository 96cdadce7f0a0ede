import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';
import { needPeer, peers } from '../support/peers.js';
import { createJob, getJob, jobFromXml, parseXml, post, validateXml, waitFinal, waitPhase } from '../support/uws.js';

/*
 * UWS 1.1 conformance, following ../shared/ivoa/UWS-CHECKLIST.md section by section.
 * Real HTTP on loopback against a real server; every XML document is schema-validated.
 */

let s: TestServer;
let base: string;
const hasXmllint = needPeer(peers.xmllint(), 'UWS XML schema validation');

beforeAll(async () => {
  s = await startServer();
  base = s.url;
});
afterAll(async () => {
  await s?.stop();
});

async function text(url: string, init?: RequestInit): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

function expectValid(xml: string, schema = 'UWS.xsd') {
  if (!hasXmllint) return;
  const r = validateXml(xml, schema);
  expect(r.output, r.output).toContain('validates');
  expect(r.ok).toBe(true);
}

describe('resources', () => {
  it('GET the job list returns a schema-valid uws:jobs with version 1.1', async () => {
    await createJob(base, 'noop');
    const r = await text(`${base}/uws/noop`);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/xml/);
    const doc = parseXml(r.body);
    expect(doc.jobs['@version']).toBe('1.1');
    expect(doc.jobs.jobref.length).toBeGreaterThan(0);
    expectValid(r.body);
  });

  it('POST to the job list creates a job and answers 303 with the job URL', async () => {
    const res = await post(`${base}/uws/noop`, { RUNID: 'my-run' });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^${base}/uws/noop/[a-z2-7]{16}$`));
    const job = await getJob(location);
    expect(job.phase).toBe('PENDING');
    expect(job.runId).toBe('my-run');
    expectValid(job.raw);
  });

  it('a rejected creation answers 4xx with a text reason', async () => {
    const r = await text(`${base}/uws/typed`, { method: 'POST', body: new URLSearchParams({ count: 'many' }) });
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/count.*not a number/);
  });

  it('GET the job returns a schema-valid uws:job, also in ERROR', async () => {
    const url = await createJob(base, 'fail', { PHASE: 'RUN' });
    const job = await waitFinal(url);
    expect(job.phase).toBe('ERROR');
    const r = await text(url);
    expect(r.status).toBe(200);
    expectValid(r.body);
  });

  it('DELETE the job answers 303 to the job list and the job is gone', async () => {
    const url = await createJob(base, 'noop');
    const res = await fetch(url, { method: 'DELETE', redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${base}/uws/noop`);
    expect((await fetch(url)).status).toBe(404);
  });

  it('POST ACTION=DELETE to the job does the same', async () => {
    const url = await createJob(base, 'noop');
    const res = await post(url, { ACTION: 'DELETE' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${base}/uws/noop`);
    expect((await fetch(url)).status).toBe(404);
  });

  it('…/phase is text; PHASE=RUN and PHASE=ABORT answer 303 to the job', async () => {
    const url = await createJob(base, 'wait', { ms: 30000 });
    expect((await text(`${url}/phase`)).body).toBe('PENDING');
    const run = await post(`${url}/phase`, { PHASE: 'RUN' });
    expect(run.status).toBe(303);
    expect(run.headers.get('location')).toBe(url);
    await waitPhase(url, 'EXECUTING');
    const abort = await post(`${url}/phase`, { PHASE: 'ABORT' });
    expect(abort.status).toBe(303);
    expect((await text(`${url}/phase`)).body).toBe('ABORTED');
  });

  it('…/executionduration is an integer; POST sets it (303) and the server caps it', async () => {
    const url = await createJob(base, 'typed', { count: 1 });
    expect((await text(`${url}/executionduration`)).body).toBe('60');
    const res = await post(`${url}/executionduration`, { EXECUTIONDURATION: 90 });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(url);
    expect((await text(`${url}/executionduration`)).body).toBe('90');
    await post(`${url}/executionduration`, { EXECUTIONDURATION: 100000 });
    expect((await text(`${url}/executionduration`)).body).toBe('120');
    await post(`${url}/executionduration`, { EXECUTIONDURATION: 0 });
    expect((await text(`${url}/executionduration`)).body).toBe('120'); // 0 = unlimited, capped
  });

  it('…/destruction is ISO 8601; POST sets it (303), accepts pyvo microseconds, caps it', async () => {
    const url = await createJob(base, 'noop');
    const initial = (await text(`${url}/destruction`)).body;
    expect(initial).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const when = new Date(Date.now() + 3600_000);
    const pyvoStyle = when.toISOString().replace('Z', '000') + 'Z'; // …S.ffffffZ
    const res = await post(`${url}/destruction`, { DESTRUCTION: pyvoStyle });
    expect(res.status).toBe(303);
    expect(new Date((await text(`${url}/destruction`)).body).getTime()).toBe(when.getTime());
    await post(`${url}/destruction`, { DESTRUCTION: '2099-01-01T00:00:00Z' });
    const capped = new Date((await text(`${url}/destruction`)).body).getTime();
    expect(capped).toBeLessThanOrEqual(Date.now() + 30 * 86400_000 + 5000);
  });

  it('…/error gives the error document of a failed job', async () => {
    const url = await createJob(base, 'fail', { PHASE: 'RUN', message: 'no flux column in spectrum.fits' });
    const job = await waitFinal(url);
    expect(job.errorSummary).toEqual({ type: 'fatal', hasDetail: 'true', message: 'no flux column in spectrum.fits' });
    const r = await text(`${url}/error`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('detail: no flux column in spectrum.fits');
  });

  it('…/quote is ISO 8601 or empty', async () => {
    const url = await createJob(base, 'noop');
    const r = await text(`${url}/quote`);
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
  });

  it('…/parameters is a schema-valid uws:parameters; POST only while PENDING', async () => {
    const url = await createJob(base, 'typed', { count: 3, mode: 'exact' });
    const r = await text(`${url}/parameters`);
    expect(r.status).toBe(200);
    expectValid(r.body);
    const doc = parseXml(r.body);
    expect(doc.parameters.parameter.map((p: any) => [p['@id'], p['#text']])).toEqual([['count', '3'], ['mode', 'exact']]);
    const set = await post(`${url}/parameters`, { count: 5, label: 'second' });
    expect(set.status).toBe(303);
    expect(set.headers.get('location')).toBe(url);
    const job = await getJob(url);
    expect(job.parameters).toEqual([
      { id: 'mode', value: 'exact', byReference: false },
      { id: 'count', value: '5', byReference: false },
      { id: 'label', value: 'second', byReference: false },
    ]);
    await post(`${url}/phase`, { PHASE: 'RUN' });
    await waitFinal(url);
    const late = await post(`${url}/parameters`, { count: 6 });
    expect(late.status).toBe(409);
    expect(await late.text()).toMatch(/only.*PENDING/);
  });

  it('…/parameters/{name} gives the value, or the uploaded file', async () => {
    const form = new FormData();
    form.append('input', new Blob([new Uint8Array([1, 2, 3, 250])]), 'data.bin');
    form.append('note', 'hello');
    const url = await createJob(base, 'files', form);
    expect((await text(`${url}/parameters/note`)).body).toBe('hello');
    const file = await fetch(`${url}/parameters/input`);
    expect(file.status).toBe(200);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3, 250]));
  });

  it('…/results is a schema-valid uws:results and …/results/{id} is the result', async () => {
    const form = new FormData();
    form.append('input', new Blob(['spectrum bytes']), 'x.fits');
    form.append('PHASE', 'RUN');
    const url = await createJob(base, 'files', form);
    const job = await waitFinal(url);
    expect(job.phase).toBe('COMPLETED');
    expect(job.results.map((r) => r.id)).toEqual(['summary.json', 'nested/copy.bin', 'stream.txt']);
    const r = await text(`${url}/results`);
    expectValid(r.body);
    const summary = job.results[0]!;
    expect(summary.href).toBe(`${url}/results/summary.json`);
    expect(summary.mimeType).toBe('application/json');
    const got = await fetch(summary.href);
    expect(got.headers.get('content-type')).toMatch(/application\/json/);
    const body = await got.text();
    expect(body.length).toBe(summary.size);
    expect(JSON.parse(body).size).toBe(14);
    expect(await (await fetch(job.results[1]!.href)).text()).toBe('spectrum bytes');
    expect(await (await fetch(job.results[2]!.href)).text()).toBe('abc');
    // A large result resumes where a download broke off: byte ranges, checked by If-Range.
    const copy = job.results[1]!.href;
    const whole = await fetch(copy);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('content-length')).toBe('14');
    expect(new Date(whole.headers.get('last-modified')!).getTime()).toBe(Math.floor(Date.parse(job.endTime!) / 1000) * 1000);
    await whole.body?.cancel();
    const part = await fetch(copy, { headers: { range: 'bytes=9-', 'if-range': whole.headers.get('last-modified')! } });
    expect([part.status, part.headers.get('content-range'), part.headers.get('content-length'), await part.text()]).toEqual([206, 'bytes 9-13/14', '5', 'bytes']);
    const changed = await fetch(copy, { headers: { range: 'bytes=9-', 'if-range': 'Thu, 01 Jan 2026 00:00:00 GMT' } });
    expect([changed.status, await changed.text()]).toEqual([200, 'spectrum bytes']);
    const outside = await fetch(copy, { headers: { range: 'bytes=14-' } });
    expect([outside.status, outside.headers.get('content-range')]).toEqual([416, 'bytes */14']);
    await outside.body?.cancel();
    // A result does not change after its job ended: a client's copy is revalidated with a 304.
    const etag = whole.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]+-e"$/);
    const current = await fetch(copy, { headers: { 'if-none-match': etag } });
    expect([current.status, await current.text()]).toEqual([304, '']);
    const sinceEnd = await fetch(copy, { headers: { 'if-modified-since': whole.headers.get('last-modified')! } });
    expect(sinceEnd.status).toBe(304);
    await sinceEnd.body?.cancel();
  });

  it('…/owner is the ownerId (empty for anonymous jobs)', async () => {
    const url = await createJob(base, 'noop');
    const r = await text(`${url}/owner`);
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
  });

  it('an unknown job, job type or sub-resource is 404', async () => {
    expect((await text(`${base}/uws/noop/doesnotexist`)).status).toBe(404);
    expect((await text(`${base}/uws/nosuchtype`)).status).toBe(404);
    expect((await text(`${base}/uws/nosuchtype/abc`)).status).toBe(404);
    const url = await createJob(base, 'noop');
    expect((await text(`${url}/nosuchthing`)).status).toBe(404);
    expect((await text(`${url}/results/nosuchresult`)).status).toBe(404);
    expect((await text(`${url}/parameters/nosuchparam`)).status).toBe(404);
    // a job of another type is not found under this type
    expect((await text(url.replace('/noop/', '/wait/'))).status).toBe(404);
  });

  it('an action illegal in the current phase is refused with a text reason', async () => {
    const url = await createJob(base, 'noop', { PHASE: 'RUN' });
    await waitFinal(url);
    const run = await post(`${url}/phase`, { PHASE: 'RUN' });
    expect(run.status).toBe(409);
    expect(await run.text()).toMatch(/COMPLETED/);
    const abort = await post(`${url}/phase`, { PHASE: 'ABORT' });
    expect(abort.status).toBe(409);
    const ed = await post(`${url}/executionduration`, { EXECUTIONDURATION: 10 });
    expect(ed.status).toBe(409);
  });

  it('parameter names are case-insensitive, values case-sensitive', async () => {
    const url = await createJob(base, 'typed', { COUNT: 2, MoDe: 'exact', Label: 'MiXeD' });
    const job = await getJob(url);
    expect(job.parameters).toEqual([
      { id: 'COUNT', value: '2', byReference: false },
      { id: 'MoDe', value: 'exact', byReference: false },
      { id: 'Label', value: 'MiXeD', byReference: false },
    ]);
    await post(`${url}/phase`, { PHASE: 'RUN' });
    const done = await waitFinal(url);
    expect(done.phase).toBe('COMPLETED');
    const params = JSON.parse(await (await fetch(done.results[0]!.href)).text());
    expect(params).toMatchObject({ count: 2, mode: 'exact', label: 'MiXeD', scale: 1.5, verbose: false });
    // values stay case-sensitive: 'EXACT' is not 'exact'
    const bad = await post(`${base}/uws/typed`, { count: 1, mode: 'EXACT' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/mode.*fast, exact/);
  });

  it('parameters are accepted at creation and on …/parameters, not on other POSTs to the job', async () => {
    const url = await createJob(base, 'typed', { count: 1 });
    const res = await post(url, { count: 7 });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/only ACTION=DELETE/);
    const ph = await post(`${url}/phase`, { PHASE: 'RUN', count: 9 });
    expect(ph.status).toBe(303);
    const job = await waitFinal(url);
    expect(job.parameters).toEqual([{ id: 'count', value: '1', byReference: false }]);
  });

  it('PHASE=RUN at creation (in the body or the query) queues the job at once', async () => {
    const a = await createJob(base, 'noop', { PHASE: 'RUN' });
    expect((await waitFinal(a)).phase).toBe('COMPLETED');
    const res = await fetch(`${base}/uws/noop?PHASE=RUN`, { method: 'POST', redirect: 'manual' });
    expect(res.status).toBe(303);
    expect((await waitFinal(res.headers.get('location')!)).phase).toBe('COMPLETED');
    const wrong = await post(`${base}/uws/noop`, { PHASE: 'ABORT' });
    expect(wrong.status).toBe(400);
  });

  it('inline multipart uploads become byReference parameters pointing at …/parameters/{name}', async () => {
    const form = new FormData();
    form.append('input', new Blob(['0123456789']), 'numbers.txt');
    const url = await createJob(base, 'files', form);
    const job = await getJob(url);
    expect(job.parameters).toEqual([{ id: 'input', value: `${url}/parameters/input`, byReference: true }]);
    expectValid(job.raw);
  });

  it('DALI UPLOAD=name,param:part maps a differently named part to the parameter', async () => {
    const form = new FormData();
    form.append('UPLOAD', 'input,param:blob1');
    form.append('blob1', new Blob(['via UPLOAD']), 'u.txt');
    form.append('PHASE', 'RUN');
    const url = await createJob(base, 'files', form);
    const job = await waitFinal(url);
    expect(job.phase).toBe('COMPLETED');
    expect(job.parameters).toEqual([{ id: 'input', value: `${url}/parameters/input`, byReference: true }]);
    expect(await (await fetch(`${url}/results/nested/copy.bin`)).text()).toBe('via UPLOAD');
  });
});

describe('XML', () => {
  it('uws:job has the children in schema order with nil where empty', async () => {
    const url = await createJob(base, 'noop');
    const xml = (await text(url)).body;
    expect(xml).toContain('xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0"');
    expect(xml).toContain('version="1.1"');
    expect(xml).toContain('<uws:ownerId xsi:nil="true"/>');
    expect(xml).toContain('<uws:startTime xsi:nil="true"/>');
    expect(xml).toContain('<uws:endTime xsi:nil="true"/>');
    expect(xml).toContain('<uws:results></uws:results>');
    const order = ['jobId', 'ownerId', 'phase', 'quote', 'creationTime', 'startTime', 'endTime', 'executionDuration', 'destruction', 'parameters', 'results'];
    const positions = order.map((n) => xml.indexOf(`<uws:${n}`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expectValid(xml);
  });

  it('times are ISO 8601 UTC with T and a trailing Z', async () => {
    const url = await createJob(base, 'noop', { PHASE: 'RUN' });
    const job = await waitFinal(url);
    for (const t of [job.creationTime, job.startTime, job.endTime, job.destruction]) {
      expect(t).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/);
    }
  });

  it('uws:result carries id, href, size and mime-type; errorSummary type, hasDetail and message', async () => {
    const url = await createJob(base, 'fail', { PHASE: 'RUN', kind: 'transient', message: 'archive busy' });
    const job = await waitFinal(url);
    expect(job.errorSummary).toEqual({ type: 'transient', hasDetail: 'true', message: 'archive busy' });
    expect(job.results).toEqual([{ id: 'partial.txt', href: `${url}/results/partial.txt`, size: 22, mimeType: 'text/plain' }]);
    expectValid(job.raw);
  });

  it('Accept: application/json gives the same job as JSON', async () => {
    const url = await createJob(base, 'typed', { count: 4, RUNID: 'json' });
    const xml = await getJob(url);
    const json = (await (await fetch(url, { headers: { accept: 'application/json' } })).json()) as Record<string, any>;
    expect(json).toMatchObject({
      jobId: xml.jobId,
      runId: 'json',
      ownerId: null,
      phase: 'PENDING',
      creationTime: xml.creationTime,
      executionDuration: 60,
      destruction: xml.destruction,
      parameters: [{ id: 'count', value: '4', byReference: false }],
      results: [],
      errorSummary: null,
    });
    const list = (await (await fetch(`${base}/uws/typed?LAST=1`, { headers: { accept: 'application/json' } })).json()) as any;
    expect(list.jobs[0].id).toBe(xml.jobId);
  });

  it('a parameter value with markup is escaped, and the document stays valid', async () => {
    const url = await createJob(base, 'typed', { count: 1, label: '<b>&"x"</b>' });
    const job = await getJob(url);
    expect(job.parameters[1]!.value).toBe('<b>&"x"</b>');
    expectValid(job.raw);
  });
});

describe('phases', () => {
  it('PENDING → QUEUED → EXECUTING → COMPLETED, with start and end times', async () => {
    const url = await createJob(base, 'wait', { ms: 300 });
    expect((await getJob(url)).phase).toBe('PENDING');
    await post(`${url}/phase`, { PHASE: 'RUN' });
    const running = await waitPhase(url, 'EXECUTING');
    expect(running.startTime).not.toBeNull();
    const done = await waitFinal(url);
    expect(done.phase).toBe('COMPLETED');
    expect(new Date(done.endTime!).getTime()).toBeGreaterThanOrEqual(new Date(done.startTime!).getTime());
    const history = (await (await fetch(`${url}?HISTORY=true`, { headers: { accept: 'application/json' } })).json()) as any;
    expect(history.history.map((h: any) => h.phase)).toEqual(['PENDING', 'QUEUED', 'EXECUTING', 'COMPLETED']);
  });

  it('ABORT works from PENDING, QUEUED and EXECUTING', async () => {
    const pending = await createJob(base, 'noop');
    await post(`${pending}/phase`, { PHASE: 'ABORT' });
    expect((await getJob(pending)).phase).toBe('ABORTED');
    const executing = await createJob(base, 'wait', { ms: 60000, PHASE: 'RUN' });
    await waitPhase(executing, 'EXECUTING');
    await post(`${executing}/phase`, { PHASE: 'ABORT' });
    const aborted = await getJob(executing);
    expect(aborted.phase).toBe('ABORTED');
    expect(aborted.endTime).not.toBeNull();
  });

  it('results already produced are kept when a job is aborted', async () => {
    const url = await createJob(base, 'wait', { ms: 60000, early: 'first half', PHASE: 'RUN' });
    await waitPhase(url, 'EXECUTING');
    for (let i = 0; i < 50 && (await getJob(url)).results.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    await post(`${url}/phase`, { PHASE: 'ABORT' });
    const job = await getJob(url);
    expect(job.phase).toBe('ABORTED');
    expect(job.results.map((r) => r.id)).toEqual(['early.txt']);
    expect(await (await fetch(job.results[0]!.href)).text()).toBe('first half');
  });

  it('a job that throws ends in ERROR with a message; an unexpected exception too', async () => {
    const url = await createJob(base, 'fail', { kind: 'crash', message: 'boom', PHASE: 'RUN' });
    const job = await waitFinal(url);
    expect(job.phase).toBe('ERROR');
    expect(job.errorSummary!.message).toMatch(/failed unexpectedly: boom/);
  });
});

describe('blocking and filters', () => {
  it('WAIT returns at once on a finished job', async () => {
    const url = await createJob(base, 'noop', { PHASE: 'RUN' });
    await waitFinal(url);
    const t0 = Date.now();
    const job = await getJob(url, '?WAIT=30');
    expect(job.phase).toBe('COMPLETED');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('WAIT blocks until the phase changes, and the change wakes it before the timeout', async () => {
    const url = await createJob(base, 'noop');
    const waiting = getJob(url, '?WAIT=30');
    await new Promise((r) => setTimeout(r, 300));
    await post(`${url}/phase`, { PHASE: 'RUN' });
    const t0 = Date.now();
    const job = await waiting;
    expect(job.phase).not.toBe('PENDING');
    expect(Date.now() - t0).toBeLessThan(10_000); // woken by the change, not by WAIT=30
  });

  it('WAIT=n with no change returns after about n seconds, unchanged', async () => {
    const url = await createJob(base, 'noop');
    const t0 = Date.now();
    const job = await getJob(url, '?WAIT=1');
    const elapsed = Date.now() - t0;
    expect(job.phase).toBe('PENDING');
    expect(elapsed).toBeGreaterThanOrEqual(900);
  });

  it('WAIT with PHASE=X returns at once when the job is not in X', async () => {
    const url = await createJob(base, 'noop');
    const t0 = Date.now();
    const job = await getJob(url, '?WAIT=20&PHASE=EXECUTING');
    expect(job.phase).toBe('PENDING');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('WAIT=-1 blocks (capped by the server) and is woken by the change', async () => {
    const url = await createJob(base, 'wait', { ms: 500, PHASE: 'RUN' });
    await waitPhase(url, 'EXECUTING');
    const job = await getJob(url, '?WAIT=-1');
    expect(job.phase).toBe('COMPLETED');
  });

  it('job list filters: PHASE (repeatable, union), AFTER, LAST, combined with AND', async () => {
    const t0 = new Date(Date.now() - 1000).toISOString();
    const done = await createJob(base, 'typed', { count: 1, PHASE: 'RUN' });
    await waitFinal(done);
    const p1 = await createJob(base, 'typed', { count: 1 });
    const p2 = await createJob(base, 'typed', { count: 2 });
    const ids = (xml: string) => (parseXml(xml).jobs.jobref ?? []).map((j: any) => j['@href'] as string);
    const pending = ids((await text(`${base}/uws/typed?PHASE=PENDING`)).body);
    expect(pending).toContain(p1);
    expect(pending).not.toContain(done);
    const union = ids((await text(`${base}/uws/typed?PHASE=PENDING&PHASE=COMPLETED`)).body);
    expect(union).toEqual(expect.arrayContaining([p1, p2, done]));
    const last = ids((await text(`${base}/uws/typed?LAST=2`)).body);
    expect(last).toEqual([p2, p1]); // newest first
    const after = ids((await text(`${base}/uws/typed?AFTER=${encodeURIComponent(t0)}`)).body);
    expect(after).toEqual([p2, p1, done]);
    const combined = ids((await text(`${base}/uws/typed?AFTER=${encodeURIComponent(t0)}&PHASE=COMPLETED&LAST=5`)).body);
    expect(combined).toEqual([done]);
    const lower = ids((await text(`${base}/uws/typed?phase=pending&last=1`)).body);
    expect(lower).toEqual([p2]);
  });

  it('bad filter values answer 400 with a reason', async () => {
    for (const q of ['PHASE=RUNNING', 'LAST=0', 'LAST=abc', 'AFTER=yesterday']) {
      const r = await text(`${base}/uws/noop?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.length, q).toBeGreaterThan(10);
    }
  });

  it('ARCHIVED jobs are left out of the default list', async () => {
    const list = parseXml((await text(`${base}/uws/noop`)).body).jobs.jobref ?? [];
    expect(list.every((j: any) => j.phase !== 'ARCHIVED')).toBe(true);
  });
});

describe('client behaviour', () => {
  it('PHASE=ABORT posted to the job URL itself gets a clear 4xx, not silence', async () => {
    const url = await createJob(base, 'wait', { ms: 60000, PHASE: 'RUN' });
    const res = await post(url, { PHASE: 'ABORT' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('/phase');
    await post(`${url}/phase`, { PHASE: 'ABORT' });
  });

  it('the job list accepts LAST so the GET after delete stays cheap', async () => {
    for (let i = 0; i < 5; i++) await createJob(base, 'noop');
    const r = await text(`${base}/uws/noop?LAST=3`);
    expect(parseXml(r.body).jobs.jobref).toHaveLength(3);
  });

  it('jobFromXml reads what we write (the test client itself is sound)', () => {
    const job = jobFromXml(
      '<uws:job xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><uws:jobId>a</uws:jobId><uws:ownerId xsi:nil="true"/><uws:phase>PENDING</uws:phase><uws:quote xsi:nil="true"/><uws:creationTime>2026-01-01T00:00:00Z</uws:creationTime><uws:startTime xsi:nil="true"/><uws:endTime xsi:nil="true"/><uws:executionDuration>5</uws:executionDuration><uws:destruction>2026-01-02T00:00:00Z</uws:destruction><uws:results/></uws:job>',
    );
    expect(job).toMatchObject({ jobId: 'a', ownerId: null, phase: 'PENDING', executionDuration: 5, parameters: [], results: [] });
  });
});
