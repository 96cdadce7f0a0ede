import type { Readable } from 'node:stream';
import type { ExecOptions, ExecResult } from '../exec/exec.js';
import type { ListOptions, StorageEntry } from '../storage/backend.js';

/** Where the bytes of a result come from. A `string` is the path of a file on the local disk. */
export type ResultSource = string | Uint8Array | Readable | AsyncIterable<Uint8Array>;

/** A result as the job list shows it: `…/results/{name}`. */
export interface ResultInfo {
  /** The result id: a relative path of safe segments (`plots/umatrix.png`). */
  readonly name: string;
  readonly mimeType: string;
  readonly size: number;
}

/** Collects the results of a job. Each added result is visible to clients at once, and kept
 *  if the job is later aborted. */
export interface ResultSink {
  /**
   * Store `source` as the result `name`. A file path is moved when it lies inside the job's
   * work directory (no copy), otherwise copied. The MIME type is guessed from the name when
   * not given. Adding a name twice replaces the earlier result.
   */
  add(name: string, source: ResultSource, mimeType?: string): Promise<ResultInfo>;
  /** The results added so far, in order. */
  list(): readonly ResultInfo[];
}

/** Structured logging for plugins; lines end up in the server log with the job id attached. */
export interface PluginLogger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** Why a job's AbortSignal fired; available as `ctx.signal.reason`. */
export type AbortCause = 'abort' | 'executionDuration' | 'shutdown' | 'destruction';

/** The `reason` carried by a job's AbortSignal. */
export class JobAbortReason extends Error {
  constructor(
    readonly abortCause: AbortCause,
    message: string,
  ) {
    super(message);
    this.name = 'JobAbortReason';
  }
}

/**
 * The job owner's view of vocloud storage, with the owner's rights: `~/…` (read and write, on
 * the owner's quota), `DATA/…` (read; write for managers and admins), `JOBS/{id}/…` (read, own
 * jobs). Paths may carry the `vocloud:/` prefix of storage-path parameters.
 */
export interface JobStorage {
  stat(path: string): Promise<StorageEntry | null>;
  /** One page of a folder. */
  list(path: string, options?: ListOptions): Promise<{ entries: readonly StorageEntry[]; total: number }>;
  /** Every file under a folder (or the file itself), depth first, sorted by path; at most `limit`. */
  files(path: string, options?: { limit?: number }): Promise<StorageEntry[]>;
  read(path: string, range?: { start?: number; end?: number }): Promise<Readable>;
  /** A local file to read (the file itself on local storage, a copy in the work dir otherwise). */
  localFile(path: string): Promise<string>;
  /** Write a file atomically; counts against the owner's quota (a JobError names it when full). */
  write(path: string, source: ResultSource, options?: { overwrite?: boolean }): Promise<StorageEntry>;
  mkdir(path: string): Promise<void>;
  delete(path: string): Promise<void>;
  /** The owner's storage use and quota, in bytes (to refuse a download that cannot fit before it starts). */
  quota(): Promise<{ used: number; limit: number }>;
}

/**
 * Everything a worker plugin may touch while a job runs. Core builds it; a plugin never
 * reaches around it into the server.
 */
export interface JobContext<P = Record<string, unknown>> {
  readonly jobId: string;
  readonly jobType: string;
  /** The UWS ownerId; null for anonymous jobs. */
  readonly ownerId: string | null;
  /** The owner's role when the job started (for plugins with admin-only options). */
  readonly ownerRole: 'anonymous' | 'user' | 'manager' | 'admin';
  readonly runId: string | null;
  /** Parameters validated against the plugin's schema, with defaults applied. File
   *  parameters hold the absolute local path of the uploaded file. */
  readonly parameters: P;
  /** Uploaded (byReference) parameter files by parameter name: absolute local paths. */
  readonly files: Readonly<Record<string, string>>;
  /** A private, empty directory for this job only; removed when the job ends. */
  readonly workDir: string;
  readonly results: ResultSink;
  /** The owner's files (`~/`), shared data (`DATA/`) and job folders (`JOBS/`). */
  readonly storage: JobStorage;
  /** Report progress: fraction in [0, 1] (or null when unknown) and a short message. Cheap to
   *  call often; core forwards at most a few updates per second. */
  progress(fraction: number | null, message?: string): void;
  readonly log: PluginLogger;
  /** Fires on UWS ABORT, when executionDuration is exceeded, on destruction and on shutdown.
   *  Stop promptly: the thread is terminated if the job does not return within the grace time. */
  readonly signal: AbortSignal;
  /** Run a program without a shell; it is killed (with its process group) when `signal` fires. */
  exec(command: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Seconds the job may run, 0 = unlimited. */
  readonly executionDuration: number;
}
