import { Agent, get as httpGet } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KIND, startServer, type TestServer } from '../support/server.js';
import { createJob, getJob, jobFromXml, waitFinal, waitPhase } from '../support/uws.js';
import { listJobs } from '../support/observe.js';

/*
 * Plugin code runs off the event loop: while a job spins the CPU without yielding, the server
 * keeps answering GET job, GET job list and WAIT (woken by another job's phase change). The
 * assertion is about order, not speed: all of it is answered while the CPU job still runs.
 */

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  await s?.stop();
});

describe(`off the event loop (${DB_KIND})`, () => {
  it('GET job, GET job list and WAIT keep answering while a CPU-bound job runs', async () => {
    const cpu = await createJob(s.url, 'cpu', { ms: 6000, PHASE: 'RUN' });
    await waitPhase(cpu, 'EXECUTING');

    for (let i = 0; i < 20; i++) {
      expect((await getJob(cpu)).phase).toBe('EXECUTING');
      expect((await listJobs(s.url, 'cpu')).map((j) => j.phase)).toContain('EXECUTING');
    }
    // WAIT on another job is woken by its change while the CPU job still spins.
    const other = await createJob(s.url, 'wait', { ms: 300, PHASE: 'RUN' });
    const woken = await getJob(other, '?WAIT=30&PHASE=QUEUED');
    expect(woken.phase).not.toBe('QUEUED');
    expect((await waitFinal(other, 5_000)).phase).toBe('COMPLETED');
    // WAIT on the CPU job itself returns after its timeout, still EXECUTING.
    expect((await getJob(cpu, '?WAIT=1')).phase).toBe('EXECUTING');

    expect((await getJob(cpu)).phase).toBe('EXECUTING');
    expect((await waitFinal(cpu, 30_000)).phase).toBe('COMPLETED');
  });

  it('WAIT requests on one keep-alive connection leave nothing attached to the connection', async () => {
    const sockets: Socket[] = [];
    const onConnection = (socket: Socket) => sockets.push(socket);
    s.vocloud.http.server.on('connection', onConnection);
    // A fresh agent with one kept-alive socket: every WAIT below travels on one connection.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (url: string) =>
      new Promise<string>((resolve, reject) => {
        httpGet(url, { agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => resolve(body));
        }).on('error', reject);
      });
    try {
      const job = await createJob(s.url, 'noop');
      for (let i = 0; i < 25; i++) expect(jobFromXml(await get(`${job}?WAIT=0`)).phase).toBe('PENDING');
      expect(sockets.length).toBeGreaterThan(0);
      expect(Math.max(...sockets.map((sock) => sock.listenerCount('close')))).toBeLessThan(5);
    } finally {
      agent.destroy();
      s.vocloud.http.server.off('connection', onConnection);
    }
  });
});
