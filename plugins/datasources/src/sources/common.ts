import { setMaxListeners } from 'node:events';
import { JobError, SecretParameter, StoragePathParameter, Type, type JobContext } from '@vocloud/sdk';
import { asItemError } from '../common/errors.js';
import { checkOutcome, Importer, type ImportItem, type ImportSettings } from '../common/importer.js';
import { TargetFolder, type ExistingPolicy } from '../common/target.js';
import type { DataSourceOptions } from '../options.js';
import { NetworkGuard } from '../net/guard.js';
import { HttpClient, type HttpCredentials } from '../net/http.js';
import type { RetryPolicy } from '../common/retry.js';

/** Parameters every import has. */
export function importParameters(options: DataSourceOptions) {
  return {
    // kind 'target': core checks at job creation that the owner may write there (400 if not)
    target: StoragePathParameter({
      kind: 'target',
      default: '~/imports',
      minLength: 1,
      maxLength: 1024,
      description: 'Folder to import into (created when missing), e.g. ~/spectra/2026; nothing is ever written outside it',
    }),
    existing: Type.Union([Type.Literal('skip'), Type.Literal('replace'), Type.Literal('keep-both')], {
      default: 'skip',
      description: 'A file imported before from the same source into this folder: skip it (running an import again resumes it), replace it, or keep both',
    }),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: options.maxConcurrency, description: `Downloads at the same time (default ${options.concurrency})` })),
    maxTotalSize: Type.Optional(Type.Integer({ minimum: 1, maximum: options.maxTotalSize, description: 'Stop importing after this many bytes' })),
  };
}

/** Credentials for protected services: the password is stored encrypted and never shown back. */
export function credentialParameters() {
  return {
    username: Type.Optional(Type.String({ maxLength: 256, description: 'User name for a protected service (HTTP Basic, FTP login)' })),
    password: Type.Optional(SecretParameter({ description: 'Password for a protected service; stored encrypted, never shown back' })),
  };
}

/** Parameters of recursive imports (index pages, FTP, server folders). */
export function crawlParameters(options: DataSourceOptions) {
  return {
    recursive: Type.Boolean({ default: false, description: 'Follow sub-folders (index pages, FTP folders)' }),
    depth: Type.Integer({ minimum: 0, maximum: options.maxDepth, default: Math.min(5, options.maxDepth), description: 'How many folder levels below the start to follow' }),
    include: Type.Array(Type.String({ minLength: 1, maxLength: 500 }), {
      default: [],
      maxItems: 50,
      description: 'Glob patterns of files to import, matched against the path below the start (e.g. **/*.fits); none = every file',
    }),
    exclude: Type.Array(Type.String({ minLength: 1, maxLength: 500 }), {
      default: [],
      maxItems: 50,
      description: 'Glob patterns of files or folders to leave out (e.g. **/preview/**)',
    }),
  };
}

export interface CommonParams {
  target: string;
  existing: ExistingPolicy;
  concurrency?: number;
  maxTotalSize?: number;
  username?: string;
  password?: string;
}

export function retryPolicy(options: DataSourceOptions): RetryPolicy {
  return { retries: options.retries, delay: options.retryDelay };
}

export function importSettings(options: DataSourceOptions, p: CommonParams): ImportSettings {
  return {
    concurrency: p.concurrency ?? options.concurrency,
    retry: retryPolicy(options),
    maxFileSize: options.maxFileSize,
    maxTotalSize: Math.min(p.maxTotalSize ?? options.maxTotalSize, options.maxTotalSize),
    maxItems: options.maxItems,
    idleMs: options.timeouts.idle * 1000,
    itemMs: options.timeouts.item * 1000,
    existing: p.existing,
  };
}

export function httpClient(options: DataSourceOptions, concurrency: number): HttpClient {
  return new HttpClient(
    new NetworkGuard(options.allowPrivateNetworks),
    {
      connect: options.timeouts.connect * 1000,
      response: options.timeouts.response * 1000,
      idle: options.timeouts.idle * 1000,
      body: options.timeouts.item * 1000,
    },
    options.userAgent,
    Math.max(4, concurrency * 2),
    options.ca,
  );
}

/** Basic credentials for the origin of `url`, when a user name was given. */
export function credentialsFor(url: string, p: { username?: string; password?: string }): HttpCredentials | undefined {
  if (!p.username) {
    if (p.password) throw new JobError('password: give the username as well');
    return undefined;
  }
  return { username: p.username, password: p.password ?? '', origin: new URL(url).origin };
}

/**
 * Run an import end to end: open the target, fetch every item, publish the manifest, and end
 * the job in ERROR only when nothing at all could be imported.
 */
export async function runImport(
  ctx: JobContext<unknown>,
  options: DataSourceOptions,
  p: CommonParams,
  what: string,
  items: (importer: Importer) => AsyncIterable<ImportItem> | Iterable<ImportItem>,
): Promise<Importer> {
  // concurrent requests each listen to the job's signal for the length of a request
  setMaxListeners(0, ctx.signal);
  const target = await TargetFolder.open(ctx.storage, p.target);
  const importer = new Importer(ctx, target, importSettings(options, p));
  const summary = await importer.run(items(importer));
  if (ctx.signal.aborted) return importer;
  const line = checkOutcome(summary, importer.manifest, what);
  ctx.log.info(line);
  ctx.progress(1, line);
  return importer;
}

/** Items from a walk whose start cannot be read: the job fails with a message naming the start. */
export async function* startOrFail<T>(items: AsyncGenerator<T>, what: string): AsyncGenerator<T> {
  try {
    yield* items;
  } catch (err) {
    if ((err as Error)?.name === 'AbortError' || err instanceof JobError) throw err;
    throw new JobError(`cannot read ${what}: ${asItemError(err).message}`);
  }
}
