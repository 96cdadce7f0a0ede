import { defineDataSource, JobError, Type, type PreviewContext, type Static } from '@vocloud/sdk';
import { asItemError } from '../common/errors.js';
import { pathFilter } from '../common/glob.js';
import { percentBytes } from '../common/names.js';
import type { DataSourceOptions } from '../options.js';
import { FtpPool, type FtpTarget } from '../net/ftp.js';
import { walkFtp, type FtpWalkOptions } from '../net/ftp-walk.js';
import { NetworkGuard } from '../net/guard.js';
import { crawlParameters, credentialParameters, importParameters, retryPolicy, runImport, startOrFail, type CommonParams } from './common.js';

function ftpParameters(options: DataSourceOptions) {
  return Type.Object({
    url: Type.String({ minLength: 1, maxLength: 4096, description: 'ftp://host[:port]/path (a file or a folder); ftps:// for FTP over TLS' }),
    tls: Type.Union([Type.Literal('auto'), Type.Literal('none'), Type.Literal('explicit'), Type.Literal('implicit')], {
      default: 'auto',
      description: 'TLS: auto (ftps:// → explicit AUTH TLS, ftp:// → none), none, explicit, or implicit (legacy, port 990)',
    }),
    ...crawlParameters(options),
    ...importParameters(options),
    ...credentialParameters(),
  });
}

type FtpParams = Static<ReturnType<typeof ftpParameters>> & CommonParams;

function target(p: FtpParams, ca?: readonly string[]): { t: FtpTarget; path: string; origin: string } {
  let u: URL;
  try {
    u = new URL(p.url);
  } catch {
    throw new JobError(`url: '${p.url.slice(0, 200)}' is not a URL`);
  }
  if (u.protocol !== 'ftp:' && u.protocol !== 'ftps:') throw new JobError('url: give an ftp:// or ftps:// URL');
  if (u.username || u.password) throw new JobError('url: give credentials with the username and password parameters, not in the URL');
  if (p.password && !p.username) throw new JobError('password: give the username as well');
  const tls = p.tls === 'auto' ? (u.protocol === 'ftps:' ? 'explicit' : 'none') : p.tls;
  const secure = tls === 'none' ? false : tls === 'implicit' ? 'implicit' : true;
  const port = u.port ? Number(u.port) : tls === 'implicit' ? 990 : 21;
  // the URL's percent-encoded bytes are the server's bytes: keep them exactly
  const path = Buffer.from(percentBytes(u.pathname)).toString('latin1') || '/';
  return {
    t: {
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port,
      secure,
      // anonymous FTP by convention: user "anonymous", an e-mail-like password
      user: p.username || 'anonymous',
      password: p.username ? (p.password ?? '') : 'anonymous@',
      ca,
    },
    path,
    origin: `${u.protocol}//${u.host}`,
  };
}

function walkOptions(pool: FtpPool, origin: string, options: DataSourceOptions, p: FtpParams, signal: AbortSignal, record: FtpWalkOptions['record'], note: FtpWalkOptions['note']): FtpWalkOptions {
  return {
    pool,
    origin,
    retry: retryPolicy(options),
    signal,
    recursive: p.recursive,
    depth: p.depth,
    filter: pathFilter(p.include, p.exclude),
    record,
    note,
    query: p.url,
  };
}

function makePool(options: DataSourceOptions, t: FtpTarget, size: number): FtpPool {
  const timeout = Math.max(options.timeouts.connect, options.timeouts.response, options.timeouts.idle) * 1000;
  return new FtpPool(t, new NetworkGuard(options.allowPrivateNetworks), timeout, size);
}

/** `ftp`: files and folders from an FTP(S) server, anonymous or with a login, in passive mode. */
export function ftpSource(options: DataSourceOptions) {
  return defineDataSource({
    name: 'ftp',
    title: 'FTP(S) import',
    description: 'Import a file or (recursive) a folder tree from an FTP or FTPS server, anonymously or with a login, with depth, glob filters and a size limit',
    version: '0.1.0',
    parameters: ftpParameters(options),
    limits: { defaultExecutionDuration: 3600, maxExecutionDuration: 86400, concurrency: options.concurrentJobs },
    async preview(ctx) {
      const p = (ctx as PreviewContext<FtpParams>).parameters;
      const { t, path, origin } = target(p, options.ca);
      const pool = makePool(options, t, 1);
      const files: { url: string; path: string; size: number | null }[] = [];
      const skipped: { url: string; state: string; error: string }[] = [];
      const notes: string[] = [];
      try {
        const o = walkOptions(pool, origin, options, p, ctx.signal, (url, state, error) => skipped.push({ url, state, error }), (n) => notes.push(n));
        for await (const item of walkFtp(path, o)) {
          files.push({ url: item.url, path: [...item.folder, item.name].join('/'), size: item.size ?? null });
          if (files.length >= options.previewRows) {
            notes.push(`only the first ${options.previewRows} files are shown`);
            break;
          }
        }
        return { files, skipped, notes };
      } catch (err) {
        throw new JobError(`cannot read ${p.url}: ${asItemError(err).message}`);
      } finally {
        pool.close();
      }
    },
    async run(ctx) {
      const p = ctx.parameters as FtpParams;
      const { t, path, origin } = target(p, options.ca);
      const concurrency = p.concurrency ?? options.concurrency;
      // one more connection than downloads, so listing goes on while files transfer
      const pool = makePool(options, t, concurrency + 1);
      try {
        await runImport(ctx, options, p, 'FTP import', (importer) => {
          const o = walkOptions(
            pool, origin, options, p, ctx.signal,
            (url, state, error) => void importer.manifest.record(url, state, error),
            (n) => void importer.manifest.notes.push(n),
          );
          return startOrFail(walkFtp(path, o), p.url);
        });
      } finally {
        pool.close();
      }
    },
  });
}

