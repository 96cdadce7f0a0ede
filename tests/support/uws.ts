import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { REPO } from './server.js';

/** A small UWS client over real HTTP (fetch), for tests. */

export const SCHEMAS = resolve(REPO, '..', 'shared', 'ivoa', 'schemas');

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  isArray: (name) => ['parameter', 'result', 'jobref', 'note', 'capability'].includes(name),
  parseTagValue: false,
});

export function parseXml(text: string): Record<string, any> {
  return parser.parse(text) as Record<string, any>;
}

export interface UwsJobView {
  jobId: string;
  runId?: string;
  ownerId: string | null;
  phase: string;
  quote: string | null;
  creationTime: string;
  startTime: string | null;
  endTime: string | null;
  executionDuration: number;
  destruction: string | null;
  parameters: { id: string; value: string; byReference: boolean }[];
  results: { id: string; href: string; size: number; mimeType: string }[];
  errorSummary?: { type: string; hasDetail: string; message: string };
  raw: string;
}

function nil(v: any): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'object' && v['@nil'] === 'true') return null;
  return typeof v === 'object' ? String(v['#text'] ?? '') : String(v);
}

export function jobFromXml(xml: string): UwsJobView {
  const j = parseXml(xml).job;
  if (!j) throw new Error(`not a uws:job document: ${xml.slice(0, 200)}`);
  return {
    jobId: String(j.jobId),
    ...(j.runId !== undefined ? { runId: String(j.runId) } : {}),
    ownerId: nil(j.ownerId),
    phase: String(j.phase),
    quote: nil(j.quote),
    creationTime: String(j.creationTime),
    startTime: nil(j.startTime),
    endTime: nil(j.endTime),
    executionDuration: Number(j.executionDuration),
    destruction: nil(j.destruction),
    parameters: (j.parameters?.parameter ?? []).map((p: any) => ({
      id: p['@id'],
      value: typeof p === 'object' ? String(p['#text'] ?? '') : String(p),
      byReference: p['@byReference'] === 'true',
    })),
    results: (j.results?.result ?? []).map((r: any) => ({ id: r['@id'], href: r['@href'], size: Number(r['@size']), mimeType: r['@mime-type'] })),
    ...(j.errorSummary
      ? { errorSummary: { type: j.errorSummary['@type'], hasDetail: j.errorSummary['@hasDetail'], message: String(j.errorSummary.message) } }
      : {}),
    raw: xml,
  };
}

export type Form = Record<string, string | number | (string | number)[]>;

export function formBody(form: Form): URLSearchParams {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, String(x));
  return body;
}

/** POST a form without following redirects. */
export async function post(url: string, form: Form | FormData = {}, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', body: form instanceof FormData ? form : formBody(form), redirect: 'manual', headers });
}

/** Create a job; returns its URL (from the 303 Location). */
export async function createJob(base: string, jobType: string, form: Form | FormData = {}): Promise<string> {
  const res = await post(`${base}/uws/${jobType}`, form);
  if (res.status !== 303) throw new Error(`create ${jobType}: HTTP ${res.status}: ${await res.text()}`);
  return res.headers.get('location')!;
}

export async function getJob(jobUrl: string, query = '', headers: Record<string, string> = {}): Promise<UwsJobView> {
  const res = await fetch(`${jobUrl}${query}`, { headers });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${jobUrl}${query}: HTTP ${res.status}: ${text}`);
  return jobFromXml(text);
}

const FINAL = new Set(['COMPLETED', 'ERROR', 'ABORTED', 'ARCHIVED']);

/**
 * Block (with WAIT) until the job reaches a final phase, or throw after `timeoutMs`. One WAIT is
 * not enough: UWS 1.1 answers it at the next phase change, which for a QUEUED job is EXECUTING.
 */
export async function waitFinal(jobUrl: string, timeoutMs = 30_000, headers: Record<string, string> = {}): Promise<UwsJobView> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(jobUrl, `?WAIT=${Math.max(1, Math.ceil((end - Date.now()) / 1000))}`, headers);
    if (FINAL.has(job.phase)) return job;
    if (Date.now() > end) throw new Error(`job ${jobUrl} still ${job.phase} after ${timeoutMs} ms`);
  }
}

/** Wait until the job is in `phase` (polling with WAIT). */
export async function waitPhase(jobUrl: string, phase: string, timeoutMs = 30_000): Promise<UwsJobView> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(jobUrl);
    if (job.phase === phase) return job;
    if (FINAL.has(job.phase) && !FINAL.has(phase)) throw new Error(`job ended ${job.phase} while waiting for ${phase}`);
    if (Date.now() > end) throw new Error(`job ${jobUrl} still ${job.phase}, not ${phase}, after ${timeoutMs} ms`);
    await getJob(jobUrl, `?WAIT=1&PHASE=${job.phase}`);
  }
}

/** Validate an XML document against one of the shared IVOA schemas with xmllint. */
export function validateXml(xml: string, schema: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vocloud-xml-'));
  try {
    const file = join(dir, 'doc.xml');
    writeFileSync(file, xml);
    const r = spawnSync('xmllint', ['--nonet', '--noout', '--schema', join(SCHEMAS, schema), file], {
      encoding: 'utf8',
      env: { ...process.env, XML_CATALOG_FILES: join(SCHEMAS, 'catalog.xml') },
    });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
