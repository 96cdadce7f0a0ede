/**
 * The admin GraphQL schema (SDL). It is a view of the same domain model as UWS XML and the JSON
 * API: every field maps to a service call, none has logic of its own.
 *
 * `@listSize` tells the cost limit (limits.ts) how many items a list field returns: a fixed
 * estimate (`assumedSize`) or the value of a paging argument (`slicingArgument`), which sizes
 * the connection's list fields named in `sizedFields`.
 */
export const typeDefs = /* GraphQL */ `
directive @listSize(assumedSize: Int, slicingArgument: String, sizedFields: [String!]) on FIELD_DEFINITION

"An instant, as an ISO 8601 string in UTC (2025-01-31T12:00:00.000Z)."
scalar DateTime
"Any JSON value (job type parameter schemas, audit before/after states)."
scalar JSON
"A whole number up to 2^53 - 1: byte counts and quotas, which outgrow GraphQL's 32-bit Int."
scalar Long

enum Role { user manager admin }
enum ActorRole { anonymous user manager admin }
enum Phase { PENDING QUEUED EXECUTING COMPLETED ERROR ABORTED UNKNOWN HELD SUSPENDED ARCHIVED }

type Query {
  "Who is asking. The only field open to every signed-in user (and to anonymous callers when anonymous use is on)."
  me: Me!
  "User accounts, by user name."
  users(filter: UserFilter, first: Int = 20, offset: Int = 0): UserConnection! @listSize(slicingArgument: "first", sizedFields: ["nodes"])
  user(username: String!): User
  "Jobs of every owner and type, newest first, with counts per phase for the same filter (without its phases)."
  jobs(filter: JobFilter, first: Int = 50, offset: Int = 0): JobConnection! @listSize(slicingArgument: "first", sizedFields: ["nodes"])
  job(id: ID!): Job
  "Every job type, with its effective limits (the plugin's values with the admin's overrides)."
  jobTypes: [JobType!]! @listSize(assumedSize: 50)
  jobType(name: String!): JobType
  "Nodes of the cluster (at most the 200 most recently started)."
  nodes(aliveOnly: Boolean = false): [Node!]! @listSize(assumedSize: 50)
  "Storage used per user against the quota, largest first."
  storageUsage(search: String, first: Int = 20, offset: Int = 0): StorageUsageConnection! @listSize(slicingArgument: "first", sizedFields: ["nodes"])
  "The availability checks that /availability reports."
  health: Health!
  "Admin changes, newest first."
  auditLog(filter: AuditFilter, first: Int = 50, offset: Int = 0): AuditConnection! @listSize(slicingArgument: "first", sizedFields: ["nodes"])
}

type Mutation {
  createUser(input: CreateUserInput!): User!
  "Change an account. A field left out keeps its value; null for a quota or limit means the configured default."
  updateUser(username: String!, input: UpdateUserInput!): User!
  "Disable an account: it can no longer sign in or use its tokens, and its sessions end."
  disableUser(username: String!): User!
  deleteUser(username: String!): Boolean!
  "Issue a one-time password-reset link; with sendMail it is also mailed to the account's address."
  resetPassword(username: String!, sendMail: Boolean = false): PasswordReset!
  "Revoke every API token of a user and end their sessions; returns how many tokens were revoked."
  revokeTokens(username: String!): Int!
  "An invite code for registration mode 'invite'."
  createInvite(role: Role = user, days: Int = 7, note: String = ""): Invite!
  setJobTypeEnabled(name: String!, enabled: Boolean!): JobType!
  "Override a job type's limits at runtime on every node. A field left out keeps its override; null returns to the plugin's value."
  setJobTypeLimits(name: String!, limits: JobTypeLimitsInput!): JobType!
  abortJob(id: ID!, reason: String): Job!
  deleteJob(id: ID!): Boolean!
  "Destroy finished jobs created before olderThan; returns how many."
  purgeJobs(olderThan: DateTime!, phases: [Phase!] = [COMPLETED, ERROR, ABORTED, ARCHIVED]): Int!
}

type Subscription {
  "Every phase change of a job (and its deletion), in the order they happened; optionally only one owner's or one job type's."
  jobPhaseChanged(owner: String, jobType: String): JobPhaseChange!
  "The nodes as they are when subscribing (CURRENT), then every node that joins, changes its running jobs or capacity, goes down or comes back."
  nodeStatus: NodeStatusChange!
}

type Me {
  "null when anonymous."
  username: String
  role: ActorRole!
  "How the request authenticated: anonymous, session, token or basic."
  via: String!
  user: User
}

type User {
  username: String!
  email: String!
  displayName: String!
  organisation: String!
  role: Role!
  enabled: Boolean!
  "The account's own storage quota in bytes; null = the configured default (see limits)."
  storageQuota: Long
  maxRunningJobs: Int
  maxQueuedJobs: Int
  "The limits in force: the account's own, or the configured defaults."
  limits: UserLimits!
  "Bytes stored by the account's jobs and uploads."
  storageUsed: Long!
  hasPassword: Boolean!
  createdAt: DateTime!
  lastLoginAt: DateTime
}

type UserLimits {
  storageQuota: Long!
  maxRunningJobs: Int!
  maxQueuedJobs: Int!
}

input UserFilter {
  "Part of the user name, e-mail, display name or organisation (case-insensitive)."
  search: String
  role: Role
  enabled: Boolean
}

type UserConnection {
  totalCount: Int!
  nodes: [User!]!
}

input CreateUserInput {
  username: String!
  email: String!
  "Without a password the account can sign in only after a password reset."
  password: String
  displayName: String
  organisation: String
  role: Role = user
  enabled: Boolean = true
  storageQuota: Long
  maxRunningJobs: Int
  maxQueuedJobs: Int
}

input UpdateUserInput {
  email: String
  displayName: String
  organisation: String
  role: Role
  enabled: Boolean
  storageQuota: Long
  maxRunningJobs: Int
  maxQueuedJobs: Int
}

type PasswordReset {
  "The one-time token; shown only in this answer."
  token: String!
  link: String!
  expiresAt: DateTime!
  mailed: Boolean!
  "Why mailing failed, when it did (the link still works)."
  mailError: String
}

type Invite {
  "The invite code; shown only in this answer."
  code: String!
  role: Role!
  expiresAt: DateTime!
}

type Job {
  id: ID!
  jobType: String!
  runId: String
  "The owner's user name; null for anonymous jobs."
  ownerId: String
  phase: Phase!
  quote: DateTime
  creationTime: DateTime!
  startTime: DateTime
  endTime: DateTime
  "Seconds; 0 = unlimited."
  executionDuration: Int!
  destruction: DateTime
  queuedAt: DateTime
  nodeId: String
  attempts: Int!
  progress: Float
  progressMessage: String
  error: JobError
  parameters: [JobParameter!]! @listSize(assumedSize: 20)
  results: [JobResult!]! @listSize(assumedSize: 20)
}

type JobError {
  "transient or fatal."
  type: String!
  message: String!
  detail: String
}

type JobParameter {
  name: String!
  value: String!
  byReference: Boolean!
  "Size of an uploaded file, bytes."
  fileSize: Long
}

type JobResult {
  name: String!
  mimeType: String!
  size: Long!
  createdAt: DateTime!
}

input JobFilter {
  "A user name; 'anonymous' for anonymous jobs."
  owner: String
  jobType: String
  phases: [Phase!]
  createdAfter: DateTime
  createdBefore: DateTime
}

type PhaseCount {
  phase: Phase!
  count: Int!
}

type JobConnection {
  totalCount: Int!
  nodes: [Job!]!
  "Every phase with its count, for the filter without its phases."
  countsByPhase: [PhaseCount!]! @listSize(assumedSize: 10)
}

type JobTypeLimits {
  concurrency: Int!
  "Seconds a job gets when the client does not ask."
  defaultExecutionDuration: Int!
  "Seconds; 0 = no cap."
  maxExecutionDuration: Int!
}

"An admin's overrides; null = the plugin's value."
type JobTypeOverrides {
  enabled: Boolean
  concurrency: Int
  defaultExecutionDuration: Int
  maxExecutionDuration: Int
}

input JobTypeLimitsInput {
  concurrency: Int
  defaultExecutionDuration: Int
  maxExecutionDuration: Int
}

type JobType {
  name: String!
  "worker or datasource."
  kind: String!
  title: String!
  description: String!
  version: String!
  "The plugin package that declares it."
  source: String!
  "Only managers and admins may create jobs of a restricted type."
  restricted: Boolean!
  enabled: Boolean!
  "The limits in force."
  limits: JobTypeLimits!
  "The plugin's own limits."
  pluginLimits: JobTypeLimits!
  overrides: JobTypeOverrides!
  "JSON Schema of the parameters."
  parameterSchema: JSON!
  "Jobs of this type per phase (phases with none are left out)."
  jobCounts: [PhaseCount!]! @listSize(assumedSize: 10)
}

type Node {
  id: ID!
  name: String!
  hostname: String!
  roles: [String!]!
  maxConcurrentJobs: Int!
  runningJobs: Int!
  "runningJobs / maxConcurrentJobs; null for a node that does not execute jobs."
  load: Float
  startedAt: DateTime!
  heartbeatAt: DateTime!
  stoppedAt: DateTime
  "Not stopped, and a heartbeat within executor.deadAfter."
  alive: Boolean!
}

type StorageUsage {
  "User name; null for anonymous jobs (one shared quota)."
  owner: String
  bytes: Long!
  quota: Long!
  "bytes / quota; null when the quota is 0."
  fraction: Float
}

type StorageUsageConnection {
  totalCount: Int!
  nodes: [StorageUsage!]!
  anonymous: StorageUsage!
}

type HealthCheck {
  name: String!
  ok: Boolean!
  detail: String!
}

type Health {
  available: Boolean!
  upSince: DateTime!
  checks: [HealthCheck!]! @listSize(assumedSize: 5)
}

input AuditFilter {
  "Who made the change (a user name, 'system' or 'cli')."
  actor: String
  "For example user.update, job.abort, jobType.setLimits."
  action: String
  targetType: String
  targetId: String
  since: DateTime
}

type AuditEntry {
  id: ID!
  at: DateTime!
  actor: String!
  action: String!
  targetType: String!
  targetId: String
  before: JSON
  after: JSON
}

type AuditConnection {
  totalCount: Int!
  nodes: [AuditEntry!]!
}

type JobPhaseChange {
  jobId: ID!
  "The new phase; null when the job was deleted."
  phase: Phase
  deleted: Boolean!
  "When this node heard of the change."
  at: DateTime!
  "null when not known (a job deleted before it was ever seen)."
  jobType: String
  ownerId: String
  "The job as it is now (it may have moved on since); null once deleted."
  job: Job
}

enum NodeChange { CURRENT JOINED CHANGED DOWN UP }

type NodeStatusChange {
  change: NodeChange!
  node: Node!
}
`;
