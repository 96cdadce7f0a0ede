import type { JobContext, JobStorage, PluginLogger, ResultInfo, ResultSink, ResultSource } from '../plugin/context.js';
import { execProgram, type ExecOptions, type ExecResult } from '../exec/exec.js';
import { storagePath } from '../storage/path.js';
import { mimeTypeFor } from '../results/mime.js';

/** What the host (core's executor, or the test harness) provides to build a job context. */
export interface ContextHost<P> {
  readonly jobId: string;
  readonly jobType: string;
  readonly ownerId: string | null;
  readonly ownerRole: JobContext['ownerRole'];
  readonly runId: string | null;
  readonly parameters: P;
  readonly files: Readonly<Record<string, string>>;
  readonly workDir: string;
  /** Create the work directory; called once, the first time the plugin uses it. */
  prepareWorkDir?(): void;
  readonly executionDuration: number;
  readonly signal: AbortSignal;
  readonly log: PluginLogger;
  readonly storage: JobStorage;
  onProgress(fraction: number | null, message: string | undefined): void;
  /** Store the bytes of a result under its (already checked) name. */
  storeResult(name: string, source: ResultSource, mimeType: string): Promise<ResultInfo>;
}

/** Check a result name: storage-path rules, so it is safe in a URL and on any backend. */
export function resultName(name: string): string {
  return storagePath(name);
}

class Results implements ResultSink {
  private readonly added: ResultInfo[] = [];
  constructor(private readonly host: ContextHost<unknown>) {}
  async add(name: string, source: ResultSource, mimeType?: string): Promise<ResultInfo> {
    const checked = resultName(name);
    const info = await this.host.storeResult(checked, source, mimeType ?? mimeTypeFor(checked));
    const i = this.added.findIndex((r) => r.name === checked);
    if (i >= 0) this.added.splice(i, 1);
    this.added.push(info);
    return info;
  }
  list(): readonly ResultInfo[] {
    return this.added;
  }
}

/** Build the `ctx` a plugin's run() receives. */
export function createJobContext<P>(host: ContextHost<P>): JobContext<P> {
  // Most jobs never touch their work directory: create it only when asked for.
  let prepared = host.prepareWorkDir === undefined;
  const workDir = (): string => {
    if (!prepared) {
      host.prepareWorkDir!();
      prepared = true;
    }
    return host.workDir;
  };
  return {
    jobId: host.jobId,
    jobType: host.jobType,
    ownerId: host.ownerId,
    ownerRole: host.ownerRole,
    runId: host.runId,
    parameters: host.parameters,
    files: host.files,
    get workDir() {
      return workDir();
    },
    executionDuration: host.executionDuration,
    results: new Results(host as ContextHost<unknown>),
    storage: host.storage,
    signal: host.signal,
    log: host.log,
    progress(fraction: number | null, message?: string): void {
      const f = fraction === null || !Number.isFinite(fraction) ? null : Math.min(1, Math.max(0, fraction));
      host.onProgress(f, message === undefined ? undefined : String(message).slice(0, 500));
    },
    exec(command: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
      return execProgram(command, args, { ...options, cwd: options.cwd ?? workDir(), signal: host.signal });
    },
  };
}
