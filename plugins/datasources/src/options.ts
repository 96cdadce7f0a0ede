import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Ajv } from 'ajv';
import { Type, type Static } from '@vocloud/sdk';

/**
 * What an admin sets in the config for `@vocloud/plugin-datasources`. Every network operation
 * is bounded by these timeouts; the size and count limits cap what one import job may fetch.
 */
export const DataSourceOptionsSchema = Type.Object(
  {
    serverRoots: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: 'Absolute server folders an admin may import from with the serverdir job type (nothing outside them is ever read)',
    }),
    allowPrivateNetworks: Type.Boolean({
      default: false,
      description: 'Let imports reach loopback, private, link-local and other non-public addresses (off: a user cannot make the server fetch from its own network)',
    }),
    concurrency: Type.Integer({ minimum: 1, maximum: 64, default: 8, description: 'Downloads one import runs at a time unless the job asks otherwise' }),
    maxConcurrency: Type.Integer({ minimum: 1, maximum: 64, default: 16, description: 'The most a job may ask for' }),
    retries: Type.Integer({ minimum: 0, maximum: 20, default: 3, description: 'Further attempts after a transient failure (timeout, reset, HTTP 5xx/429, FTP 4xx, a dropped FTP connection)' }),
    retryDelay: Type.Number({ minimum: 0, maximum: 60, default: 0.5, description: 'First backoff delay in seconds; doubled each attempt (with jitter), at most 30 s' }),
    timeouts: Type.Object(
      {
        connect: Type.Number({ exclusiveMinimum: 0, default: 10, description: 'Seconds to open a connection' }),
        response: Type.Number({ exclusiveMinimum: 0, default: 60, description: 'Seconds to wait for a response (headers, FTP replies)' }),
        idle: Type.Number({ exclusiveMinimum: 0, default: 30, description: 'Seconds without a byte before a transfer is given up' }),
        item: Type.Number({ exclusiveMinimum: 0, default: 3600, description: 'Seconds one attempt at one file may take in all' }),
      },
      { default: {}, additionalProperties: false },
    ),
    maxFileSize: Type.Integer({ minimum: 1, default: 20 * 2 ** 30, description: 'Bytes one imported file may have' }),
    maxTotalSize: Type.Integer({ minimum: 1, default: 200 * 2 ** 30, description: 'Bytes one import job may fetch (a job may ask for less)' }),
    maxItems: Type.Integer({ minimum: 1, default: 200_000, description: 'Files one import job may fetch' }),
    maxDepth: Type.Integer({ minimum: 0, maximum: 100, default: 20, description: 'Deepest recursion into index pages, FTP or server folders' }),
    previewRows: Type.Integer({ minimum: 1, maximum: 100_000, default: 2000, description: 'Rows or files a preview returns at most' }),
    userAgent: Type.String({ default: 'vocloud-datasources/0.1', description: 'User-Agent of HTTP requests' }),
    trustedCertificates: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: 'PEM files of certificate authorities to trust for HTTPS and FTPS besides the system ones (an institute CA)',
    }),
    concurrentJobs: Type.Integer({ minimum: 1, default: 4, description: 'Import jobs of each type one executor node runs at the same time' }),
  },
  { additionalProperties: false },
);

export type DataSourceOptions = Static<typeof DataSourceOptionsSchema> & {
  /** The PEM text of `trustedCertificates` with the system's roots, read when the options are parsed. */
  readonly ca?: readonly string[];
};

const validate = new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile<DataSourceOptions>(DataSourceOptionsSchema);

/** Check the config's options (defaults filled in); the message names the bad key. */
export function parseOptions(raw: unknown): DataSourceOptions {
  const options = structuredClone(raw ?? {}) as Record<string, unknown>;
  if (!validate(options)) {
    const e = validate.errors?.[0];
    const where = `options${(e?.instancePath ?? '').replace(/\//g, '.')}`;
    throw new Error(`${where}: ${e?.message ?? 'invalid'} (see docs/plugins/datasources.md)`);
  }
  const o = options as DataSourceOptions;
  for (const root of o.serverRoots) {
    if (!root.startsWith('/')) throw new Error(`options.serverRoots: '${root}' must be an absolute path`);
  }
  if (o.concurrency > o.maxConcurrency) throw new Error('options.concurrency must not be larger than options.maxConcurrency');
  if (o.trustedCertificates.length === 0) return o;
  const extra = o.trustedCertificates.map((file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`options.trustedCertificates: cannot read ${file}: ${(err as Error).message}`);
    }
  });
  return { ...o, ca: [...rootCertificates, ...extra] };
}
