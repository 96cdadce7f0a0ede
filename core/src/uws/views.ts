import { escapeXml as x, XML_DECLARATION } from '../http/xml.js';
import type { JobRef } from './job-store.js';
import type { JobDetail, JobParameter, JobResult, PhaseChange } from './model.js';
import { isoTime } from './time.js';

/*
 * The XML and JSON views of the UWS model. No logic beyond presentation: both are built from
 * the same JobDetail, and URLs from one base.
 */

const NS =
  'xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0" xmlns:xlink="http://www.w3.org/1999/xlink" ' +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
const VOCLOUD_NS = 'urn:vocloud:uws';

/** URLs of a job list's resources. */
export class UwsUrls {
  constructor(
    readonly base: string,
    readonly jobType: string,
  ) {}
  list(): string {
    return `${this.base}/uws/${encodeURIComponent(this.jobType)}`;
  }
  job(id: string): string {
    return `${this.list()}/${encodeURIComponent(id)}`;
  }
  result(id: string, name: string): string {
    return `${this.job(id)}/results/${name.split('/').map(encodeURIComponent).join('/')}`;
  }
  parameter(id: string, name: string): string {
    return `${this.job(id)}/parameters/${encodeURIComponent(name)}`;
  }
}

function el(name: string, value: string | null): string {
  return value === null ? `<uws:${name} xsi:nil="true"/>` : `<uws:${name}>${x(value)}</uws:${name}>`;
}

function time(name: string, d: Date | null): string {
  return el(name, d === null ? null : isoTime(d));
}

/** A parameter's value as clients see it: uploads are the URL of …/parameters/{name}. */
export function parameterValue(urls: UwsUrls, jobId: string, p: JobParameter): string {
  if (p.value.startsWith('vocloud-secret:')) return '(hidden)';
  return p.filePath ? urls.parameter(jobId, p.name) : p.value;
}

function parametersXml(urls: UwsUrls, job: JobDetail, root: boolean): string {
  const attrs = root ? ` ${NS}` : '';
  const items = job.parameters
    .map((p) => `<uws:parameter id="${x(p.name)}"${p.byReference ? ' byReference="true"' : ''}>${x(parameterValue(urls, job.id, p))}</uws:parameter>`)
    .join('');
  return `<uws:parameters${attrs}>${items}</uws:parameters>`;
}

function resultsXml(urls: UwsUrls, job: JobDetail, root: boolean): string {
  const attrs = root ? ` ${NS}` : '';
  const items = job.results
    .map((r) => `<uws:result id="${x(r.name)}" xlink:href="${x(urls.result(job.id, r.name))}" size="${r.size}" mime-type="${x(r.mimeType)}"/>`)
    .join('');
  return `<uws:results${attrs}>${items}</uws:results>`;
}

export function jobXml(urls: UwsUrls, job: JobDetail): string {
  const parts = [
    el('jobId', job.id),
    job.runId !== null ? el('runId', job.runId) : '',
    el('ownerId', job.ownerId),
    el('phase', job.phase),
    time('quote', job.quote),
    time('creationTime', job.creationTime),
    time('startTime', job.startTime),
    time('endTime', job.endTime),
    el('executionDuration', String(job.executionDuration)),
    time('destruction', job.destruction),
    parametersXml(urls, job, false),
    resultsXml(urls, job, false),
    job.error
      ? `<uws:errorSummary type="${job.error.type}" hasDetail="${job.error.hasDetail}">${el('message', job.error.message)}</uws:errorSummary>`
      : '',
    job.progress !== null || job.progressMessage !== null
      ? `<uws:jobInfo><vocloud:progress xmlns:vocloud="${VOCLOUD_NS}"${job.progress !== null ? ` fraction="${job.progress}"` : ''}>${x(job.progressMessage ?? '')}</vocloud:progress></uws:jobInfo>`
      : '',
  ];
  return `${XML_DECLARATION}<uws:job ${NS} version="1.1">${parts.join('')}</uws:job>\n`;
}

export function jobListXml(urls: UwsUrls, jobs: readonly JobRef[]): string {
  const refs = jobs
    .map(
      (j) =>
        `<uws:jobref id="${x(j.id)}" xlink:href="${x(urls.job(j.id))}">${el('phase', j.phase)}` +
        `${j.runId !== null ? el('runId', j.runId) : ''}${el('ownerId', j.ownerId)}${time('creationTime', j.creationTime)}</uws:jobref>`,
    )
    .join('\n');
  return `${XML_DECLARATION}<uws:jobs ${NS} version="1.1">\n${refs}\n</uws:jobs>\n`;
}

export function resultsDocXml(urls: UwsUrls, job: JobDetail): string {
  return `${XML_DECLARATION}${resultsXml(urls, job, true)}\n`;
}

export function parametersDocXml(urls: UwsUrls, job: JobDetail): string {
  return `${XML_DECLARATION}${parametersXml(urls, job, true)}\n`;
}

// ------------------------------------------------------------------ JSON

const iso = (d: Date | null) => (d === null ? null : isoTime(d));

function resultJson(urls: UwsUrls, jobId: string, r: JobResult) {
  return { id: r.name, href: urls.result(jobId, r.name), size: r.size, mimeType: r.mimeType };
}

export function jobJson(urls: UwsUrls, job: JobDetail, history?: readonly PhaseChange[]) {
  return {
    jobId: job.id,
    jobType: job.jobType,
    href: urls.job(job.id),
    runId: job.runId,
    ownerId: job.ownerId,
    phase: job.phase,
    quote: iso(job.quote),
    creationTime: iso(job.creationTime),
    startTime: iso(job.startTime),
    endTime: iso(job.endTime),
    executionDuration: job.executionDuration,
    destruction: iso(job.destruction),
    parameters: job.parameters.map((p) => ({ id: p.name, value: parameterValue(urls, job.id, p), byReference: p.byReference })),
    results: job.results.map((r) => resultJson(urls, job.id, r)),
    errorSummary: job.error ? { type: job.error.type, hasDetail: job.error.hasDetail, message: job.error.message } : null,
    progress: job.progress === null && job.progressMessage === null ? null : { fraction: job.progress, message: job.progressMessage },
    ...(history ? { history: history.map((h) => ({ phase: h.phase, at: isoTime(h.at), reason: h.reason })) } : {}),
  };
}

export function jobListJson(urls: UwsUrls, jobs: readonly JobRef[]) {
  return {
    jobs: jobs.map((j) => ({ id: j.id, href: urls.job(j.id), phase: j.phase, runId: j.runId, ownerId: j.ownerId, creationTime: isoTime(j.creationTime) })),
  };
}
