import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';
import { addUser, adminHeaders, basic } from '../support/auth.js';
import { formBody } from '../support/uws.js';

/* The JSON job list across job types and the live event stream the web UI uses. */

let s: TestServer;
let ann: Record<string, string>;
let ben: Record<string, string>;
beforeAll(async () => {
  s = await startServer({ overrides: { auth: { anonymous: false } } });
  const a = await addUser(s, 'ann');
  const b = await addUser(s, 'ben');
  ann = basic(a.username, a.password);
  ben = basic(b.username, b.password);
});
afterAll(async () => s?.stop());

async function create(h: Record<string, string>, type: string, form: Record<string, string | number>) {
  const r = await fetch(`${s.url}/uws/${type}`, { method: 'POST', headers: h, body: formBody(form), redirect: 'manual' });
  return r.headers.get('location')!;
}

/** Read server-sent events until `until` says stop (or the time runs out). */
async function collect(h: Record<string, string>, until: (events: { event: string; data: any }[]) => boolean, ms = 15_000, started?: () => Promise<void>) {
  const controller = new AbortController();
  const res = await fetch(`${s.url}/api/events`, { headers: h, signal: controller.signal });
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = res.body!.getReader();
  const events: { event: string; data: any }[] = [];
  let buf = '';
  const timer = setTimeout(() => controller.abort(), ms);
  let kicked = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += new TextDecoder().decode(value);
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
        if (event === 'hello' && !kicked && started) {
          kicked = true;
          await started();
        }
      }
      if (until(events)) break;
    }
  } catch {
    /* aborted by the timer */
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

describe('/api/jobs', () => {
  it('lists your jobs of every type, newest first, with counts per phase; admins see all', async () => {
    const j1 = await create(ann, 'noop', {});
    const j2 = await create(ann, 'typed', { count: 1, RUNID: 'galaxy-run' });
    await create(ben, 'noop', {});
    const mine = (await (await fetch(`${s.url}/api/jobs`, { headers: ann })).json()) as any;
    expect(mine.jobs.map((j: any) => j.href)).toEqual([j2, j1]);
    expect(mine.counts).toEqual({ PENDING: 2 });
    const search = (await (await fetch(`${s.url}/api/jobs?q=galaxy`, { headers: ann })).json()) as any;
    expect(search.jobs.map((j: any) => j.runId)).toEqual(['galaxy-run']);
    const admin = (await (await fetch(`${s.url}/api/jobs?owner=ben`, { headers: adminHeaders() })).json()) as any;
    expect(admin.jobs.every((j: any) => j.ownerId === 'ben')).toBe(true);
    expect((await fetch(`${s.url}/api/jobs?owner=ben`, { headers: ann })).status).toBe(403);
    expect((await fetch(`${s.url}/api/jobs?phase=SLEEPING`, { headers: ann })).status).toBe(400);
    // Paging past every job is an empty page; an offset no database takes is a 400, not a 500.
    const far = (await (await fetch(`${s.url}/api/jobs?offset=2147483647`, { headers: ann })).json()) as any;
    expect([far.total, far.jobs]).toEqual([2, []]);
    for (const query of ['offset=1e20', 'offset=2147483648', 'offset=-1', 'offset=1.5', 'offset=1e400', 'limit=1e400', 'limit=-1e400']) {
      const r = await fetch(`${s.url}/api/jobs?${query}`, { headers: ann });
      expect([query, r.status]).toEqual([query, 400]);
      expect(((await r.json()) as { error: string }).error).toMatch(/^querystring\/(offset|limit) must be/);
    }
  });
});

describe('/api/events', () => {
  it("streams phase changes and progress of your own jobs, and nothing of other users' jobs", async () => {
    let mineUrl = '';
    const events = await collect(
      ann,
      (ev) => ev.some((e) => e.event === 'job' && e.data.phase === 'COMPLETED' && mineUrl.endsWith(e.data.id)),
      20_000,
      async () => {
        await create(ben, 'wait', { ms: 100, PHASE: 'RUN' });
        mineUrl = await create(ann, 'wait', { ms: 600, PHASE: 'RUN' });
      },
    );
    const id = mineUrl.split('/').pop()!;
    const phases = events.filter((e) => e.event === 'job' && e.data.id === id).map((e) => e.data.phase);
    expect(phases).toEqual(['QUEUED', 'EXECUTING', 'COMPLETED']);
    expect(events.filter((e) => e.event === 'progress' && e.data.id === id).map((e) => e.data.message)).toContain('waiting');
    const ids = new Set(events.filter((e) => e.event !== 'hello').map((e) => e.data.id));
    expect([...ids]).toEqual([id]);
  });
});
