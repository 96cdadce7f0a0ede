import { Type, type Static } from '@sinclair/typebox';

/**
 * The whole configuration, as one JSON Schema: defaults, validation at start (with the key
 * path in every message), and the configuration reference in docs/configuration.md.
 */
const Seconds = (description: string, def: number, min = 0) => Type.Integer({ description, default: def, minimum: min });

export const PluginEntrySchema = Type.Object(
  {
    package: Type.String({ minLength: 1, description: 'npm package name, or a path (relative to the config file) to a plugin module' }),
    enabled: Type.Boolean({ default: true, description: 'false keeps the entry in the file but does not load it' }),
    options: Type.Optional(Type.Unknown({ description: 'passed to the plugin factory (e.g. the command job types)' })),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    dataDir: Type.String({ default: './var', description: 'Root for the embedded database, local storage and job work directories (relative to the working directory)' }),
    server: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1', description: 'Interface to listen on; 0.0.0.0 for all' }),
        port: Type.Integer({ default: 8080, minimum: 0, maximum: 65535, description: 'TCP port (env PORT); 0 picks a free one' }),
        publicUrl: Type.Optional(Type.String({ format: 'uri', description: 'Base URL clients see (behind a proxy); used in Location headers and xlink:href. Default: from the request Host header' })),
        trustProxy: Type.Boolean({ default: false, description: 'Trust X-Forwarded-* headers' }),
        bodyLimit: Type.Integer({ default: 1048576, minimum: 1024, description: 'Maximum size in bytes of a non-upload request body' }),
      },
      { additionalProperties: false, default: {} },
    ),
    database: Type.Object(
      {
        url: Type.Optional(Type.String({ description: 'postgres://… to use PostgreSQL (env DATABASE_URL); empty = embedded PGlite under dataDir/db' })),
        poolMax: Type.Integer({ default: 10, minimum: 1, description: 'PostgreSQL connection pool size' }),
      },
      { additionalProperties: false, default: {} },
    ),
    storage: Type.Object(
      {
        backend: Type.Union([Type.Literal('local')], { default: 'local', description: 'Where results and uploads live' }),
        root: Type.Optional(Type.String({ description: 'Local storage root; default dataDir/storage' })),
      },
      { additionalProperties: false, default: {} },
    ),
    uws: Type.Object(
      {
        maxWait: Seconds('Longest a WAIT request blocks; WAIT=-1 and larger values are cut to this', 60, 1),
        defaultDestruction: Seconds('A new job is destroyed this many seconds after creation', 7 * 86400, 60),
        maxDestruction: Seconds('Clients may not set destruction later than this many seconds after creation', 30 * 86400, 60),
        destructionPolicy: Type.Union([Type.Literal('delete'), Type.Literal('archive')], {
          default: 'delete',
          description: 'At destruction: delete the job entirely, or keep it as ARCHIVED (results removed)',
        }),
        reaperInterval: Seconds('How often expired jobs are looked for', 30, 1),
        maxJobList: Type.Integer({ default: 1000, minimum: 1, description: 'Most jobs one job-list response contains (newest first); use LAST/AFTER/PHASE to narrow' }),
        maxUploadSize: Type.Integer({ default: 1073741824, minimum: 1, description: 'Largest inline upload (bytes) per file' }),
        maxUploadFiles: Type.Integer({ default: 100, minimum: 1, description: 'Most files in one multipart request' }),
        maxParameters: Type.Integer({ default: 1000, minimum: 1, description: 'Most parameters one job may have' }),
        maxParameterLength: Type.Integer({ default: 1048576, minimum: 16, description: 'Longest parameter value in bytes' }),
      },
      { additionalProperties: false, default: {} },
    ),
    executor: Type.Object(
      {
        enabled: Type.Boolean({ default: true, description: 'Run jobs on this node (role executor); false = API only' }),
        maxConcurrentJobs: Type.Integer({ default: 8, minimum: 1, description: 'Jobs this node runs at once, over all job types' }),
        pollInterval: Type.Number({ default: 5, minimum: 0.05, description: 'Seconds between queue checks when no notification arrives (a safety net; LISTEN/NOTIFY wakes the scheduler at once)' }),
        heartbeatInterval: Type.Number({ default: 5, minimum: 0.1, description: 'Seconds between node heartbeats' }),
        deadAfter: Type.Number({ default: 30, minimum: 0.5, description: 'A node whose heartbeat is this many seconds old is dead; its running jobs end in ERROR' }),
        abortGrace: Type.Number({ default: 10, minimum: 0, description: 'Seconds a job has to stop after abort before its thread is terminated' }),
        shutdownGrace: Type.Number({ default: 20, minimum: 0, description: 'On SIGTERM, seconds to let running jobs finish before they are stopped and requeued' }),
        keepWorkDirs: Type.Boolean({ default: false, description: 'Keep job work directories after the job (for debugging)' }),
      },
      { additionalProperties: false, default: {} },
    ),
    node: Type.Object(
      {
        name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Stable name of this node (default: hostname:port). A restarted node with the same name ends its previous jobs at once instead of waiting for deadAfter' })),
      },
      { additionalProperties: false, default: {} },
    ),
    log: Type.Object(
      {
        level: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info', description: 'Least severe log level written' }),
        pretty: Type.Boolean({ default: false, description: 'Human-readable log lines instead of JSON' }),
      },
      { additionalProperties: false, default: {} },
    ),
    docs: Type.Object(
      { enabled: Type.Boolean({ default: true, description: 'Serve OpenAPI at /docs' }) },
      { additionalProperties: false, default: {} },
    ),
    plugins: Type.Array(PluginEntrySchema, { default: [], description: 'Plugin packages to load' }),
  },
  { additionalProperties: false },
);

export type VocloudConfig = Static<typeof ConfigSchema>;
export type PluginEntry = Static<typeof PluginEntrySchema>;
