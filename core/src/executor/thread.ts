import { rm } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import {
  JobAbortReason,
  JobError,
  ParameterError,
  type DataSourceDefinition,
  createJobContext,
  parseParameters,
  sourceStream,
  writeLocalFile,
  type JobTypeDefinition,
  type PluginLogger,
  type ResultInfo,
  type StorageBackend,
} from '@vocloud/sdk';
import { importJobTypes } from '../plugins/loader.js';
import { createStorageBackend } from '../storage/backend-factory.js';
import { StorageOps } from '../files/storage-ops.js';
import { jobStorage } from './job-storage.js';
import { ReservedQuota } from './reserved-quota.js';
import type { ExecutorMessage, PreviewOutcome, PreviewTask, RpcMethod, RunTask, StorageSpec, TaskOutcome, ThreadMessage } from './protocol.js';

/*
 * Runs inside an executor thread (piscina). One job at a time per thread; the plugin module
 * is imported once per thread and reused by later jobs.
 */

const plugins = new Map<string, Promise<JobTypeDefinition[]>>();
const storages = new Map<string, StorageBackend>();

function pluginFor(task: RunTask): Promise<JobTypeDefinition[]> {
  const key = `${task.moduleUrl}\n${JSON.stringify(task.options ?? null)}`;
  let p = plugins.get(key);
  if (!p) {
    p = importJobTypes(task.moduleUrl, task.options, task.source);
    plugins.set(key, p);
    p.catch(() => plugins.delete(key));
  }
  return p;
}

function storageFor(spec: StorageSpec): StorageBackend {
  const key = JSON.stringify(spec);
  let s = storages.get(key);
  if (!s) storages.set(key, (s = createStorageBackend(spec)));
  return s;
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

export default async function runJob(task: RunTask): Promise<TaskOutcome> {
  const port = task.port;
  const post = (m: ThreadMessage) => port.postMessage(m);
  const controller = new AbortController();
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let nextRequest = 1;

  const calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  port.on('message', (m: ExecutorMessage) => {
    if (m.type === 'abort') {
      if (!controller.signal.aborted) controller.abort(new JobAbortReason(m.cause, m.message));
    } else if (m.type === 'result-ack') {
      const p = pending.get(m.requestId);
      pending.delete(m.requestId);
      if (m.error) p?.reject(new JobError(m.error));
      else p?.resolve();
    } else if (m.type === 'rpc-reply') {
      const c = calls.get(m.requestId);
      calls.delete(m.requestId);
      if (m.error !== undefined) c?.reject(new JobError(m.error));
      else c?.resolve(m.result);
    }
  });
  /** Ask the executor (main thread) for something that needs the database. */
  const rpc = <T>(method: RpcMethod, ...args: unknown[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const requestId = nextRequest++;
      calls.set(requestId, { resolve: resolve as (v: unknown) => void, reject });
      post({ type: 'rpc', requestId, method, args });
    });

  const log = Object.fromEntries(
    (['debug', 'info', 'warn', 'error'] as const).map((level) => [
      level,
      (message: string, data?: Record<string, unknown>) => post({ type: 'log', level, message: String(message), ...(data ? { data } : {}) }),
    ]),
  ) as unknown as PluginLogger;

  let quota: ReservedQuota | null = null;
  try {
    const defs = await pluginFor(task);
    const def = defs.find((d) => d.name === task.jobType);
    if (!def) throw new Error(`plugin '${task.source}' no longer declares job type '${task.jobType}'`);
    const parameters = parseParameters(def.parameters, task.parameters, { complete: true });
    const storage = storageFor(task.storage);
    quota = new ReservedQuota(task.ownerId, {
      reserve: (need, used) => rpc<number>('reserve', task.ownerId, need, used),
      release: (balance, used) => rpc<void>('release', task.ownerId, balance, used),
      report: (used) => post({ type: 'quota-used', bytes: used }),
      charge: (owner, bytes) => rpc<void>('charge', owner, bytes),
      credit: (owner, bytes) => rpc<void>('credit', owner, bytes),
    });
    const ops = new StorageOps(storage, quota, (jobId) => rpc<string | null | undefined>('jobOwner', jobId));

    const ctx = createJobContext({
      jobId: task.jobId,
      jobType: task.jobType,
      ownerId: task.ownerId,
      ownerRole: task.ownerRole,
      runId: task.runId,
      parameters,
      files: task.files,
      workDir: task.workDir,
      prepareWorkDir: () => {
        mkdirSync(task.workDir, { recursive: true });
      },
      executionDuration: task.executionDuration,
      signal: controller.signal,
      log,
      storage: jobStorage(ops, { ownerId: task.ownerId, role: task.ownerRole }, task.workDir, () => rpc('quota', task.ownerId)),
      onProgress: (fraction, message) => post({ type: 'progress', fraction, message: message ?? null }),
      async storeResult(name, source, mimeType): Promise<ResultInfo> {
        if (controller.signal.aborted) throw new JobError(`the job was stopped; result '${name}' was not kept`);
        const storagePath = `${task.resultsPath}/${name}`;
        const local = storage.localPath(storagePath);
        const size = local
          ? await writeLocalFile(local, source, task.workDir)
          : (await storage.write(storagePath, sourceStream(source))).size;
        // the result is charged by the executor: it may need the room the reservation holds
        await quota?.release();
        const requestId = nextRequest++;
        await new Promise<void>((resolve, reject) => {
          pending.set(requestId, { resolve, reject });
          post({ type: 'result', requestId, name, storagePath, size, mimeType });
        });
        return { name, size, mimeType };
      },
    });

    await def.run(ctx);
    if (controller.signal.aborted) return { status: 'aborted', message: describe(controller.signal.reason) };
    return { status: 'completed' };
  } catch (err) {
    if (controller.signal.aborted) return { status: 'aborted', message: describe(controller.signal.reason) };
    if (err instanceof JobError) {
      return { status: 'error', message: err.message, detail: err.detail ?? null, errorType: err.errorType };
    }
    const stack = err instanceof Error && err.stack ? err.stack : null;
    log.error('plugin failed with an unexpected exception', { error: describe(err), ...(stack ? { stack } : {}) });
    return {
      status: 'error',
      message: `The ${task.jobType} job failed unexpectedly: ${describe(err)}`.slice(0, 2000),
      detail: stack,
      errorType: 'fatal',
    };
  } finally {
    // before the thread returns, so the executor has it when it settles the job's quota
    await quota?.release().catch(() => undefined);
    for (const p of pending.values()) p.reject(new Error('job ended'));
    for (const c of calls.values()) c.reject(new Error('job ended'));
    if (!task.keepWorkDir) await rm(task.workDir, { recursive: true, force: true }).catch(() => undefined);
    port.close();
  }
}

/** A data source's preview: the same plugin loading, parameters and read-only storage as a job. */
export async function runPreview(task: PreviewTask): Promise<PreviewOutcome> {
  const port = task.port;
  const controller = new AbortController();
  const calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 1;
  port.on('message', (m: ExecutorMessage) => {
    if (m.type === 'abort') controller.abort(new JobAbortReason(m.cause, m.message));
    else if (m.type === 'rpc-reply') {
      const c = calls.get(m.requestId);
      calls.delete(m.requestId);
      if (m.error !== undefined) c?.reject(new JobError(m.error));
      else c?.resolve(m.result);
    }
  });
  const rpc = <T>(method: RpcMethod, ...args: unknown[]) =>
    new Promise<T>((resolve, reject) => {
      const requestId = next++;
      calls.set(requestId, { resolve: resolve as (v: unknown) => void, reject });
      port.postMessage({ type: 'rpc', requestId, method, args } satisfies ThreadMessage);
    });
  const log = Object.fromEntries(
    (['debug', 'info', 'warn', 'error'] as const).map((level) => [level, (message: string, data?: Record<string, unknown>) => port.postMessage({ type: 'log', level, message: String(message), ...(data ? { data } : {}) } satisfies ThreadMessage)]),
  ) as unknown as PluginLogger;
  try {
    const defs = await pluginFor(task as unknown as RunTask);
    const def = defs.find((d) => d.name === task.jobType) as DataSourceDefinition | undefined;
    if (!def || def.kind !== 'datasource' || !def.preview) return { status: 'error', message: `${task.jobType} has no preview`, user: true };
    const parameters = parseParameters(def.parameters, task.parameters, { complete: false });
    const ops = new StorageOps(
      storageFor(task.storage),
      { charge: async () => { throw new JobError('a preview cannot write'); }, credit: async () => undefined },
      (jobId) => rpc<string | null | undefined>('jobOwner', jobId),
    );
    const storage = jobStorage(ops, { ownerId: task.ownerId, role: task.ownerRole }, task.workDir, () => rpc('quota', task.ownerId));
    const value = await def.preview({ ownerId: task.ownerId, ownerRole: task.ownerRole, parameters, signal: controller.signal, log, storage });
    return { status: 'ok', value: JSON.parse(JSON.stringify(value ?? null)) };
  } catch (err) {
    if (err instanceof JobError || err instanceof ParameterError) return { status: 'error', message: err.message, user: true };
    return { status: 'error', message: describe(err), user: false };
  } finally {
    for (const c of calls.values()) c.reject(new Error('preview ended'));
    port.close();
  }
}
