import { getJson, query, request, sendJson } from './http';
import type { JobDetail, JobList, JobType, Phase } from './types';

export interface JobFilter {
  type?: string;
  phase?: Phase[];
  after?: string;
  before?: string;
  q?: string;
  offset?: number;
  limit?: number;
}

export function listJobs(f: JobFilter, signal?: AbortSignal): Promise<JobList> {
  return getJson<JobList>(
    `/api/jobs${query({ type: f.type, phase: f.phase, after: f.after, before: f.before, q: f.q, offset: f.offset, limit: f.limit })}`,
    signal,
  );
}

export function jobUrl(type: string, id: string): string {
  return `/uws/${encodeURIComponent(type)}/${encodeURIComponent(id)}`;
}

export function getJob(type: string, id: string, signal?: AbortSignal): Promise<JobDetail> {
  return getJson<JobDetail>(`${jobUrl(type, id)}?HISTORY=true`, signal);
}

export async function listJobTypes(signal?: AbortSignal): Promise<JobType[]> {
  return (await getJson<{ jobTypes: JobType[] }>('/api/job-types', signal)).jobTypes;
}

/**
 * Create a job with a multipart POST (files as parts) and follow the 303 to it. The UWS answer
 * is a redirect to the job URL; fetch follows it and we read the job as JSON.
 */
export async function createJob(type: string, form: FormData): Promise<JobDetail> {
  const res = await request(`/uws/${encodeURIComponent(type)}`, { method: 'POST', body: form, headers: { Accept: 'application/json' } });
  if (!res.url.includes(`/uws/${encodeURIComponent(type)}/`)) throw new Error('the server did not say where the new job is');
  return (await res.json()) as JobDetail;
}

export async function setPhase(type: string, id: string, phase: 'RUN' | 'ABORT'): Promise<void> {
  await request(`${jobUrl(type, id)}/phase`, { method: 'POST', body: new URLSearchParams({ PHASE: phase }), redirect: 'manual' });
}

export async function deleteJob(type: string, id: string): Promise<void> {
  // DELETE answers 303 to the job list; do not follow it into an XML document
  await request(jobUrl(type, id), { method: 'DELETE', redirect: 'manual' });
}

export async function jobErrorText(type: string, id: string): Promise<string> {
  const res = await request(`${jobUrl(type, id)}/error`);
  return res.text();
}

export function previewDataSource<T = unknown>(name: string, parameters: Record<string, unknown>): Promise<{ preview: T }> {
  return sendJson<{ preview: T }>(`/api/datasources/${encodeURIComponent(name)}/preview`, { parameters });
}
