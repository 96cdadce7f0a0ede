import type { RawParameter } from '@vocloud/sdk';
import { BadRequestError } from './errors.js';
import { isXmlSafe } from '../http/xml.js';
import type { JobRequest } from './job-service.js';

/** Name/value pairs in the order the client sent them (query string, then body). */
export type Pairs = Array<[string, string]>;

/** The query string of a raw request URL as pairs (names keep their case, repeats kept). */
export function queryPairs(url: string): Pairs {
  const q = url.indexOf('?');
  return q < 0 ? [] : [...new URLSearchParams(url.slice(q + 1))];
}

/** All values of a name, ignoring case (DALI: names are case-insensitive). */
export function valuesOf(pairs: Pairs, name: string): string[] {
  const lower = name.toLowerCase();
  return pairs.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/** The single value of a name; a repeated control parameter is an error. */
export function valueOf(pairs: Pairs, name: string): string | undefined {
  const values = valuesOf(pairs, name);
  if (values.length > 1) throw new BadRequestError(`${name} was given ${values.length} times; give it once`);
  return values[0];
}

const CONTROL = new Set(['phase', 'runid', 'executionduration', 'destruction', 'upload', 'action', 'targetdir']);

/**
 * Split a job creation (or …/parameters) request into UWS control values and job parameters.
 * `ACTION` has no meaning here and is refused rather than silently taken as a parameter.
 */
export function jobRequestFrom(pairs: Pairs, allowControl: boolean): JobRequest {
  const parameters: RawParameter[] = [];
  for (const [name, value] of pairs) {
    if (!isXmlSafe(value) || !isXmlSafe(name)) {
      throw new BadRequestError(`parameter '${name.replace(/[^\x20-\x7e]/g, '?').slice(0, 64)}' contains control characters that cannot be stored`);
    }
    if (name.length === 0) throw new BadRequestError('a parameter without a name was sent');
    if (CONTROL.has(name.toLowerCase())) continue;
    parameters.push({ name, value });
  }
  const control = (n: string) => {
    const v = valueOf(pairs, n);
    if (v !== undefined && !allowControl) {
      throw new BadRequestError(`${n} cannot be set through …/parameters; POST it to the job's own resource (e.g. …/phase, …/destruction)`);
    }
    return v;
  };
  const action = valueOf(pairs, 'ACTION');
  if (action !== undefined) throw new BadRequestError(`ACTION=${action.slice(0, 32)} is not allowed here; ACTION=DELETE goes to the job URL`);
  const runId = control('RUNID');
  const executionDuration = control('EXECUTIONDURATION');
  const destruction = control('DESTRUCTION');
  const phase = control('PHASE');
  const targetDir = control('TARGETDIR');
  return {
    ...(targetDir !== undefined ? { targetDir } : {}),
    parameters,
    uploadRefs: valuesOf(pairs, 'UPLOAD'),
    ...(runId !== undefined ? { runId } : {}),
    ...(executionDuration !== undefined ? { executionDuration } : {}),
    ...(destruction !== undefined ? { destruction } : {}),
    ...(phase !== undefined ? { phase } : {}),
  };
}
