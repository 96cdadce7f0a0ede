import { Type, type Static } from '@sinclair/typebox';
import { WebHdfsOptionsSchema } from '../storage/webhdfs-backend.js';

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
        metricsPublic: Type.Boolean({ default: false, description: 'Serve /metrics without credentials (otherwise managers and admins, e.g. a scraper with an API token)' }),
        corsOrigins: Type.Array(Type.String(), { default: [], description: 'Origins allowed to call the API from other web sites (CORS); empty = same origin only' }),
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
        backend: Type.Union([Type.Literal('local'), Type.Literal('webhdfs')], {
          default: 'local',
          description: "Where files live: 'local' (a folder, also NFS) or 'webhdfs' (a Hadoop cluster over WebHDFS/HttpFS)",
        }),
        root: Type.Optional(Type.String({ description: 'Local storage root; default dataDir/storage' })),
        webhdfs: Type.Optional(WebHdfsOptionsSchema),
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
        warmThreads: Type.Integer({
          default: 1,
          minimum: 0,
          description:
            'Job threads kept alive however long they are idle (at most maxConcurrentJobs), with their plugins loaded and their code compiled: a job after a quiet spell then starts without a new thread. 0 = every idle thread ends',
        }),
        idleThreadTimeout: Type.Number({ default: 60, minimum: 0.1, description: 'Seconds an idle job thread beyond warmThreads lives before it ends' }),
        pollInterval: Type.Number({ default: 5, minimum: 0.05, description: 'Seconds between queue checks when no notification arrives (a safety net; LISTEN/NOTIFY wakes the scheduler at once)' }),
        heartbeatInterval: Type.Number({ default: 5, minimum: 0.1, description: 'Seconds between node heartbeats' }),
        deadAfter: Type.Number({ default: 30, minimum: 0.5, description: 'A node whose heartbeat is this many seconds old is dead; its running jobs end in ERROR' }),
        abortGrace: Type.Number({ default: 10, minimum: 0, description: 'Seconds a job has to stop after abort before its thread is terminated' }),
        shutdownGrace: Type.Number({ default: 20, minimum: 0, description: 'On SIGTERM, seconds to let running jobs finish before they are stopped and requeued' }),
        keepWorkDirs: Type.Boolean({ default: false, description: 'Keep job work directories after the job (for debugging)' }),
        previewTimeout: Seconds('Longest a data-source preview (e.g. an SSAP query shown before importing) may take', 60, 1),
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
    auth: Type.Object(
      {
        anonymous: Type.Boolean({ default: false, description: 'Let requests without credentials create and see anonymous jobs (ownerId nil). On in the quick start, off in production' }),
        registration: Type.Union([Type.Literal('open'), Type.Literal('invite'), Type.Literal('closed')], {
          default: 'closed',
          description: 'Who may create an account: anyone, holders of an admin-issued invite code, or nobody (admins create users)',
        }),
        sessionTtl: Seconds('Browser sessions expire this many seconds after sign-in', 7 * 86400, 60),
        secureCookies: Type.Union([Type.Literal('auto'), Type.Boolean()], {
          default: 'auto',
          description: "Mark the session cookie Secure: 'auto' = when the request or server.publicUrl is https",
        }),
        tokenMaxDays: Type.Integer({ default: 365, minimum: 1, description: 'Longest lifetime of a personal API token, days' }),
        passwordMinLength: Type.Integer({ default: 10, minimum: 8, description: 'Shortest password accepted' }),
        loginAttempts: Type.Integer({ default: 10, minimum: 1, description: 'Failed sign-ins allowed per user name within loginWindow' }),
        loginAttemptsPerAddress: Type.Integer({ default: 100, minimum: 1, description: 'Failed sign-ins allowed per client address within loginWindow (many users may share one address)' }),
        loginWindow: Seconds('Window of the sign-in rate limit', 900, 1),
        resetTokenTtl: Seconds('A password-reset link is valid this long', 3600, 60),
        bootstrapAdmin: Type.Object(
          {
            username: Type.String({ default: 'admin', description: 'Name of the admin created on first start when there are no users' }),
            password: Type.Optional(Type.String({ minLength: 8, description: 'Its password (env VOCLOUD_AUTH__BOOTSTRAP_ADMIN__PASSWORD); when absent a random one is printed once to the log' })),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    quotas: Type.Object(
      {
        storage: Type.Integer({ default: 10 * 1024 ** 3, minimum: 0, description: "A user's storage quota in bytes (results, uploads, files) unless set on the user" }),
        maxRunningJobs: Type.Integer({ default: 4, minimum: 0, description: 'Jobs of one user executing at once unless set on the user (more stay QUEUED)' }),
        maxQueuedJobs: Type.Integer({ default: 100, minimum: 0, description: 'Jobs of one user waiting in QUEUED unless set on the user (more are refused)' }),
        anonymousStorage: Type.Integer({ default: 1024 ** 3, minimum: 0, description: 'Storage quota shared by all anonymous jobs, bytes' }),
        anonymousMaxRunningJobs: Type.Integer({ default: 2, minimum: 0, description: 'Anonymous jobs executing at once' }),
        anonymousMaxQueuedJobs: Type.Integer({ default: 20, minimum: 0, description: 'Anonymous jobs waiting in QUEUED' }),
      },
      { additionalProperties: false, default: {} },
    ),
    mail: Type.Object(
      {
        transport: Type.Union([Type.Literal('log'), Type.Literal('smtp')], { default: 'log', description: "'smtp' sends mail; 'log' writes it to the log (development)" }),
        from: Type.String({ default: 'vocloud <vocloud@localhost>', description: 'Sender address' }),
        smtp: Type.Object(
          {
            host: Type.String({ default: '127.0.0.1' }),
            port: Type.Integer({ default: 25, minimum: 1, maximum: 65535 }),
            secure: Type.Boolean({ default: false, description: 'TLS from the start (port 465); otherwise STARTTLS when offered' }),
            user: Type.Optional(Type.String()),
            password: Type.Optional(Type.String({ description: 'env VOCLOUD_MAIL__SMTP__PASSWORD' })),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    secrets: Type.Object(
      {
        key: Type.Optional(
          Type.String({ description: 'Server key (base64 of 32 random bytes; env VOCLOUD_SECRETS__KEY) for signed file URLs and encrypted stored credentials. Every node of a cluster needs the same; when absent a key file is created in dataDir' }),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    files: Type.Object(
      {
        maxListPage: Type.Integer({ default: 1000, minimum: 1, description: 'Most entries one folder listing returns' }),
        maxUploadFiles: Type.Integer({ default: 10000, minimum: 1, description: 'Most files in one file-manager upload request' }),
        signedUrlTtl: Seconds('Default lifetime of a signed file URL', 3600, 10),
        maxSignedUrlTtl: Seconds('Longest lifetime a signed file URL may be given', 7 * 86400, 10),
        previewBytes: Type.Integer({ default: 65536, minimum: 1024, description: 'Bytes of a text file shown in a preview' }),
      },
      { additionalProperties: false, default: {} },
    ),
    graphql: Type.Object(
      {
        graphiql: Type.Boolean({ default: false, description: 'Serve the GraphiQL IDE at /graphiql (development only)' }),
        maxDepth: Type.Integer({ default: 8, minimum: 2, description: 'Deepest GraphQL query accepted' }),
        maxCost: Type.Integer({ default: 20000, minimum: 10, description: 'Largest estimated result size (fields × list sizes) a query may ask for' }),
      },
      { additionalProperties: false, default: {} },
    ),
    web: Type.Object(
      {
        enabled: Type.Boolean({ default: true, description: 'Serve the web UI at / (from the @vocloud/web build)' }),
        root: Type.Optional(Type.String({ description: 'Folder of a built web UI to serve instead of the bundled one' })),
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
