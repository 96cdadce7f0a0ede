import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import type { Static, TObject } from '@sinclair/typebox';
import type { JobTypeDefinition } from '../plugin/define.js';
import { JobAbortReason, type PluginLogger, type ResultInfo } from '../plugin/context.js';
import { JobError } from '../plugin/errors.js';
import { fileParameterNames, parseParameters } from '../params/parse.js';
import { createJobContext } from '../runtime/context.js';
import { writeLocalFile } from '../runtime/local-results.js';
import { localJobStorage } from './local-storage.js';

export { localJobStorage } from './local-storage.js';

export interface TestRunOptions {
  /** Files for file (`format: 'binary'`) parameters: a local path, or the content itself. */
  files?: Record<string, string | { content: string | Uint8Array; name?: string }>;
  /** Abort the job after this many milliseconds (as UWS ABORT would). */
  abortAfterMs?: number;
  /** Fire the abort as this cause (default 'abort'). */
  abortCause?: JobAbortReason['abortCause'];
  ownerId?: string | null;
  /** The owner's role the job sees (default 'user'). */
  ownerRole?: 'anonymous' | 'user' | 'manager' | 'admin';
  executionDuration?: number;
  /** Keep the work and result directories (default: results kept, work dir removed). */
  keepWorkDir?: boolean;
  /** Folder behind ctx.storage: `~/` = storageRoot/home, `DATA/` = storageRoot/data. Default: a temp folder. */
  storageRoot?: string;
  /** Let the job write to DATA/ (as a manager's job could). */
  writableData?: boolean;
}

export interface TestResult extends ResultInfo {
  /** Where the harness stored the result on the local disk. */
  readonly path: string;
}

export interface TestRunOutcome {
  /** The UWS phase the job would have ended in. */
  readonly phase: 'COMPLETED' | 'ERROR' | 'ABORTED';
  readonly results: readonly TestResult[];
  /** The errorSummary message, when phase is ERROR or ABORTED. */
  readonly error?: string;
  readonly progress: readonly { fraction: number | null; message?: string }[];
  readonly logs: readonly { level: string; message: string; data?: Record<string, unknown> }[];
  /** The typed parameters the plugin received. */
  readonly parameters: Record<string, unknown>;
  readonly resultDir: string;
  readonly workDir: string;
}

/**
 * Run a plugin the way the server would — parameters parsed and validated by the same code,
 * a private work directory, results, progress, abort — but in this process and without a
 * server or database. For plugin authors' unit tests.
 */
export async function runWorkerForTest<S extends TObject>(
  plugin: JobTypeDefinition<S>,
  params: Readonly<Record<string, unknown>> = {},
  options: TestRunOptions = {},
): Promise<TestRunOutcome> {
  const root = await mkdtemp(join(tmpdir(), `vocloud-test-${plugin.name}-`));
  const workDir = join(root, 'work');
  const resultDir = join(root, 'results');
  const uploadDir = join(root, 'uploads');
  await Promise.all([mkdir(workDir), mkdir(resultDir), mkdir(uploadDir)]);

  const files: Record<string, string> = {};
  for (const [name, f] of Object.entries(options.files ?? {})) {
    if (typeof f === 'string') files[name] = f;
    else {
      const p = join(uploadDir, basename(f.name ?? name));
      await writeFile(p, f.content);
      files[name] = p;
    }
  }
  const allParams: Record<string, unknown> = { ...params };
  for (const name of fileParameterNames(plugin.parameters)) if (files[name]) allParams[name] = files[name];

  const progress: { fraction: number | null; message?: string }[] = [];
  const logs: { level: string; message: string; data?: Record<string, unknown> }[] = [];
  const log = Object.fromEntries(
    (['debug', 'info', 'warn', 'error'] as const).map((level) => [
      level,
      (message: string, data?: Record<string, unknown>) => logs.push({ level, message, ...(data ? { data } : {}) }),
    ]),
  ) as unknown as PluginLogger;

  const results: TestResult[] = [];
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  if (options.abortAfterMs !== undefined) {
    const cause = options.abortCause ?? 'abort';
    timer = setTimeout(() => controller.abort(new JobAbortReason(cause, `aborted by the test harness (${cause})`)), options.abortAfterMs);
  }

  let parameters: Static<S>;
  try {
    parameters = parseParameters<Static<S>>(plugin.parameters, allParams, { complete: true });
  } catch (err) {
    if (timer) clearTimeout(timer);
    return { phase: 'ERROR', error: (err as Error).message, results, progress, logs, parameters: allParams, resultDir, workDir };
  }

  const ctx = createJobContext({
    jobId: `test-${Date.now().toString(36)}`,
    jobType: plugin.name,
    ownerId: options.ownerId ?? null,
    ownerRole: options.ownerRole ?? 'user',
    runId: null,
    parameters,
    files,
    workDir,
    executionDuration: options.executionDuration ?? plugin.limits.defaultExecutionDuration,
    signal: controller.signal,
    log,
    storage: localJobStorage(options.storageRoot ?? join(root, 'storage'), { writableData: options.writableData ?? false }),
    onProgress: (fraction, message) => progress.push({ fraction, ...(message !== undefined ? { message } : {}) }),
    async storeResult(name, source, mimeType) {
      const path = join(resultDir, ...name.split('/'));
      const size = await writeLocalFile(path, source, workDir);
      const info: TestResult = { name, mimeType, size, path };
      const i = results.findIndex((r) => r.name === name);
      if (i >= 0) results.splice(i, 1);
      results.push(info);
      return info;
    },
  });

  try {
    await plugin.run(ctx);
    if (controller.signal.aborted) {
      return { phase: 'ABORTED', error: (controller.signal.reason as Error).message, results, progress, logs, parameters, resultDir, workDir };
    }
    return { phase: 'COMPLETED', results, progress, logs, parameters, resultDir, workDir };
  } catch (err) {
    if (controller.signal.aborted) {
      return { phase: 'ABORTED', error: (controller.signal.reason as Error).message, results, progress, logs, parameters, resultDir, workDir };
    }
    const message = err instanceof JobError ? err.message : `the job failed: ${(err as Error).message ?? String(err)}`;
    return { phase: 'ERROR', error: message, results, progress, logs, parameters, resultDir, workDir };
  } finally {
    if (timer) clearTimeout(timer);
    if (!options.keepWorkDir) await rm(workDir, { recursive: true, force: true });
  }
}
