// The three UWS workloads of the benchmark (issue 3), each run from this process against a
// server in another process: job throughput, GET job under 50 connections, WAIT wake-up.
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { createClient, expectStatus, wallMs } from './http-client.mjs';
import { summary } from './stats.mjs';

const JOB_LIST = '/uws/noop';
const FINAL = new Set(['COMPLETED', 'ERROR', 'ABORTED']);

/** Run `fn(i)` for i = 0..count-1 with `concurrency` requests in flight. */
async function pool(count, concurrency, fn) {
  let next = 0;
  const worker = async () => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(count, concurrency) }, worker));
}

/**
 * (1) `jobs` no-op jobs created with PHASE=RUN by `concurrency` clients, until none is QUEUED
 * or EXECUTING (watched with a cheap job-list query once all are created). Returns the job URLs
 * and when the first create request was sent; `jobsOutcome` then reads the jobs.
 */
export async function runJobs(base, { jobs, concurrency, timeoutMs = 300_000 }) {
  const http = createClient(concurrency + 2);
  try {
    const urls = new Array(jobs);
    const start = wallMs();
    await pool(jobs, concurrency, async (i) => {
      const res = expectStatus(await http.post(`${base}${JOB_LIST}`, { PHASE: 'RUN' }), 303, 'create with PHASE=RUN');
      urls[i] = res.headers.location;
    });
    const created = wallMs();
    const deadline = created + timeoutMs;
    for (;;) {
      const res = expectStatus(await http.get(`${base}${JOB_LIST}?PHASE=QUEUED&PHASE=EXECUTING&LAST=1`, { headers: { accept: 'application/json' } }), 200, 'job list');
      if (JSON.parse(res.body).jobs.length === 0) break;
      if (wallMs() > deadline) throw new Error(`jobs still not finished ${timeoutMs / 1000} s after the last was created`);
      await sleep(20);
    }
    return { jobs, concurrency, urls, start, created };
  } finally {
    http.close();
  }
}

/**
 * Read every job of a `runJobs` run once (not timed): the rate is COMPLETED jobs per second
 * from the first create request sent to the last job's endTime, as the server recorded it.
 */
export async function jobsOutcome(run) {
  const http = createClient(run.concurrency);
  try {
    const details = new Array(run.jobs);
    await pool(run.jobs, run.concurrency, async (i) => {
      const res = expectStatus(await http.get(run.urls[i], { headers: { accept: 'application/json' } }), 200, 'read job');
      details[i] = JSON.parse(res.body);
    });
    const phases = {};
    for (const d of details) phases[d.phase] = (phases[d.phase] ?? 0) + 1;
    const notFinal = details.filter((d) => !FINAL.has(d.phase)).length;
    if (notFinal) throw new Error(`${notFinal} jobs are not in a final phase: ${JSON.stringify(phases)}`);
    const completed = details.filter((d) => d.phase === 'COMPLETED');
    const lastEnd = Math.max(...completed.map((d) => Date.parse(d.endTime)));
    const seconds = (lastEnd - run.start) / 1000;
    return {
      jobs: run.jobs,
      concurrency: run.concurrency,
      phases,
      seconds,
      jobsPerSecond: completed.length / seconds,
      createsPerSecond: run.jobs / ((run.created - run.start) / 1000),
      // Server times of each job: creation → endTime (all of it), creation → startTime (waiting
      // in QUEUED until claimed), startTime → endTime (EXECUTING: the executor's own overhead
      // for a job that does nothing).
      jobLatencyMs: summary(completed.map((d) => Date.parse(d.endTime) - Date.parse(d.creationTime))),
      queuedMs: summary(completed.map((d) => Date.parse(d.startTime) - Date.parse(d.creationTime))),
      executingMs: summary(completed.map((d) => Date.parse(d.endTime) - Date.parse(d.startTime))),
      meanExecutingMs: completed.reduce((a, d) => a + Date.parse(d.endTime) - Date.parse(d.startTime), 0) / completed.length,
      ids: completed.map((d) => d.jobId),
    };
  } finally {
    http.close();
  }
}

/**
 * (2) GET load with autocannon: `connections` clients, each request for the next path of
 * `paths` in turn, for `duration` seconds after a `warmup` that is not counted.
 */
export async function getLoad(base, paths, { connections, duration, warmup, headers = {} }) {
  const run = (seconds) => {
    let i = 0;
    return autocannon({
      url: base,
      connections,
      duration: seconds,
      headers,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
    });
  };
  if (warmup > 0) await run(warmup);
  const r = await run(duration);
  return {
    connections,
    duration: r.duration,
    requestsPerSecond: r.requests.total / r.duration,
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
  };
}

/** The server's count of parked WAIT requests (the vocloud_wait_requests gauge). */
async function parkedWaits(http, base) {
  const res = expectStatus(await http.get(`${base}/metrics`), 200, 'metrics');
  const m = /^vocloud_wait_requests (\d+)/m.exec(res.body);
  if (!m) throw new Error('/metrics has no vocloud_wait_requests gauge');
  return Number(m[1]);
}

/**
 * (3) WAIT wake-up, one sample at a time: a PENDING job, a `GET job?WAIT=-1` parked on it
 * (confirmed by the server's gauge, so the change never precedes the wait), then PHASE=RUN.
 * The delay runs from the phase change (the QUEUED entry of the job's phase history, the
 * database's time of the change) to the waiting response having fully arrived; the
 * client-side delay from sending PHASE=RUN is kept too.
 */
export async function waitWakeup(base, { samples }) {
  const http = createClient(4);
  const fromChange = [];
  const fromRequest = [];
  try {
    for (let i = 0; i < samples; i++) {
      const job = expectStatus(await http.post(`${base}${JOB_LIST}`, { RUNID: `wake-${i}` }), 303, 'create PENDING').headers.location;
      // Other listeners may be counted too: wait for one more than before.
      const before = await parkedWaits(http, base);
      const waiting = http.get(`${job}?WAIT=-1`, { headers: { accept: 'application/json' } });
      waiting.catch(() => undefined); // awaited below; a failure meanwhile must not go unhandled
      const parkDeadline = wallMs() + 10_000;
      while ((await parkedWaits(http, base)) <= before) {
        if (wallMs() > parkDeadline) throw new Error('the WAIT request was not parked within 10 s');
        await sleep(1);
      }
      const run = expectStatus(await http.post(`${job}/phase`, { PHASE: 'RUN' }), 303, 'PHASE=RUN');
      const woke = expectStatus(await waiting, 200, 'GET job?WAIT=-1');
      const phase = JSON.parse(woke.body).phase;
      if (phase === 'PENDING') throw new Error(`the WAIT returned with the job still PENDING (after ${woke.doneAt - woke.sentAt} ms)`);
      const detail = JSON.parse(expectStatus(await http.get(`${job}?HISTORY=true`, { headers: { accept: 'application/json' } }), 200, 'history').body);
      const queued = detail.history.find((h) => h.phase === 'QUEUED');
      if (!queued) throw new Error(`job ${detail.jobId} has no QUEUED entry in its history`);
      fromChange.push(woke.doneAt - Date.parse(queued.at));
      fromRequest.push(woke.doneAt - run.sentAt);
    }
    return { samples, fromChangeMs: summary(fromChange), fromRequestMs: summary(fromRequest) };
  } finally {
    http.close();
  }
}
