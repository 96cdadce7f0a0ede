import { setTimeout as sleep } from 'node:timers/promises';

/** Reading jobs the way the web UI does (JSON, with phase history), and bounded waiting. */

export interface JobJson {
  jobId: string;
  jobType: string;
  runId: string | null;
  phase: string;
  creationTime: string;
  startTime: string | null;
  endTime: string | null;
  executionDuration: number;
  destruction: string | null;
  parameters: { id: string; value: string; byReference: boolean }[];
  results: { id: string; href: string; size: number; mimeType: string }[];
  errorSummary: { type: string; hasDetail: boolean; message: string } | null;
  history?: { phase: string; at: string; reason: string | null }[];
}

export function jobUrl(base: string, jobType: string, id: string): string {
  return `${base}/uws/${jobType}/${id}`;
}

/** The job id at the end of a job URL. */
export function idOf(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

/** GET the job as JSON with its phase history. */
export async function jobJson(url: string): Promise<JobJson> {
  const res = await fetch(`${url}?HISTORY=true`, { headers: { accept: 'application/json' } });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}: ${body}`);
  return JSON.parse(body) as JobJson;
}

/** Ids and phases of a job list (JSON), with optional query such as `?PHASE=ARCHIVED`. */
export async function listJobs(base: string, jobType: string, query = ''): Promise<{ id: string; phase: string }[]> {
  const res = await fetch(`${base}/uws/${jobType}${query}`, { headers: { accept: 'application/json' } });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET job list ${jobType}${query}: HTTP ${res.status}: ${body}`);
  return (JSON.parse(body) as { jobs: { id: string; phase: string }[] }).jobs;
}

/** Poll `probe` every `everyMs` until it returns a value other than undefined; throw after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Largest number of [start, end) intervals that overlap at one instant. */
export function maxOverlap(intervals: readonly { start: number; end: number }[]): number {
  const events = intervals.flatMap((i) => [
    { t: i.start, d: 1 },
    { t: i.end, d: -1 },
  ]);
  // Ends before starts at the same instant: a slot freed and reused is not an overlap.
  events.sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const e of events) {
    now += e.d;
    max = Math.max(max, now);
  }
  return max;
}
