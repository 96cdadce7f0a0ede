import type { MessagePort } from 'node:worker_threads';
import type { AbortCause, RawParameter } from '@vocloud/sdk';

/** What the executor sends to a thread to run one job (structured-clone safe). */
export interface RunTask {
  readonly jobId: string;
  readonly jobType: string;
  readonly ownerId: string | null;
  /** The owner's role, for their rights in ctx.storage. */
  readonly ownerRole: 'anonymous' | 'user' | 'manager' | 'admin';
  readonly runId: string | null;
  readonly moduleUrl: string;
  readonly options: unknown;
  readonly source: string;
  /** Parameters as stored; file parameters carry the local path of their file. */
  readonly parameters: readonly RawParameter[];
  readonly files: Readonly<Record<string, string>>;
  readonly workDir: string;
  /** Leave the work dir after the job (executor.keepWorkDirs). */
  readonly keepWorkDir: boolean;
  readonly executionDuration: number;
  readonly storage: StorageSpec;
  /** Storage folder of the job's results. */
  readonly resultsPath: string;
  readonly port: MessagePort;
}

/** Enough to rebuild the storage backend inside a thread (plain data). */
export type StorageSpec =
  | { readonly kind: 'local'; readonly root: string }
  | { readonly kind: 'webhdfs'; readonly options: Record<string, unknown> };

/** How the plugin's run() ended, as the thread reports it. */
export type TaskOutcome =
  | { readonly status: 'completed' }
  | { readonly status: 'error'; readonly message: string; readonly detail: string | null; readonly errorType: 'fatal' | 'transient' }
  | { readonly status: 'aborted'; readonly message: string };

/** Thread → executor. */
export type ThreadMessage =
  | { readonly type: 'progress'; readonly fraction: number | null; readonly message: string | null }
  | { readonly type: 'log'; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly message: string; readonly data?: Record<string, unknown> }
  | { readonly type: 'result'; readonly requestId: number; readonly name: string; readonly storagePath: string; readonly size: number; readonly mimeType: string }
  | { readonly type: 'rpc'; readonly requestId: number; readonly method: RpcMethod; readonly args: readonly unknown[] }
  /** Bytes the job's reservation paid for since the last report (ReservedQuota). */
  | { readonly type: 'quota-used'; readonly bytes: number };

/**
 * What a thread asks the executor to do for ctx.storage (things that need the database).
 * `reserve` (need, used) and `release` (balance, used) serve the job owner's reservation.
 */
export type RpcMethod = 'charge' | 'credit' | 'reserve' | 'release' | 'jobOwner' | 'quota';

/** Executor → thread. */
export type ExecutorMessage =
  | { readonly type: 'result-ack'; readonly requestId: number; readonly error?: string }
  | { readonly type: 'rpc-reply'; readonly requestId: number; readonly result?: unknown; readonly error?: string }
  | { readonly type: 'abort'; readonly cause: AbortCause; readonly message: string };

/** A data source's synchronous preview, run in an executor thread like a job. */
export interface PreviewTask {
  readonly jobType: string;
  readonly ownerId: string | null;
  readonly ownerRole: RunTask['ownerRole'];
  readonly moduleUrl: string;
  readonly options: unknown;
  readonly source: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly workDir: string;
  readonly storage: StorageSpec;
  readonly port: MessagePort;
}

export type PreviewOutcome = { readonly status: 'ok'; readonly value: unknown } | { readonly status: 'error'; readonly message: string; readonly user: boolean };
