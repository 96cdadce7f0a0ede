/** Shapes of the JSON the server sends (core/src/http/*-routes.ts, core/src/uws/views.ts). */

export type Role = 'anonymous' | 'user' | 'manager' | 'admin';
export type Phase = 'PENDING' | 'QUEUED' | 'EXECUTING' | 'COMPLETED' | 'ERROR' | 'ABORTED' | 'UNKNOWN' | 'HELD' | 'SUSPENDED' | 'ARCHIVED';
export const PHASES: readonly Phase[] = ['PENDING', 'QUEUED', 'EXECUTING', 'COMPLETED', 'ERROR', 'ABORTED', 'HELD', 'SUSPENDED', 'ARCHIVED', 'UNKNOWN'];
export const ACTIVE_PHASES: ReadonlySet<Phase> = new Set(['QUEUED', 'EXECUTING', 'HELD', 'SUSPENDED']);
export const FINAL_PHASES: ReadonlySet<Phase> = new Set(['COMPLETED', 'ERROR', 'ABORTED', 'ARCHIVED']);

export interface UserInfo {
  username: string;
  email: string;
  displayName: string;
  organisation: string;
  role: Exclude<Role, 'anonymous'>;
  enabled: boolean;
  storageQuota: number | null;
  maxRunningJobs: number | null;
  maxQueuedJobs: number | null;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface Session {
  user: UserInfo | null;
  role: Role;
  via: string;
  csrfToken: string | null;
  usage: { storageBytes: number; storage: number; maxRunningJobs: number; maxQueuedJobs: number };
  anonymousAllowed: boolean;
  registration: 'open' | 'invite' | 'closed';
}

export interface ApiToken {
  id: number;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface Progress {
  fraction: number | null;
  message: string | null;
}

export interface JobSummary {
  jobId: string;
  jobType: string;
  href: string;
  runId: string | null;
  ownerId: string | null;
  phase: Phase;
  creationTime: string;
  startTime: string | null;
  endTime: string | null;
  progress: Progress | null;
  errorSummary: { type: string; message: string } | null;
}

export interface JobList {
  total: number;
  counts: Partial<Record<Phase, number>>;
  jobs: JobSummary[];
}

export interface JobResult {
  id: string;
  href: string;
  size: number | null;
  mimeType: string | null;
}

export interface JobDetail {
  jobId: string;
  jobType: string;
  href: string;
  runId: string | null;
  ownerId: string | null;
  phase: Phase;
  quote: string | null;
  creationTime: string;
  startTime: string | null;
  endTime: string | null;
  executionDuration: number;
  destruction: string | null;
  parameters: { id: string; value: string; byReference: boolean }[];
  results: JobResult[];
  errorSummary: { type: string; hasDetail: boolean; message: string } | null;
  progress: Progress | null;
  history?: { phase: Phase; at: string; reason: string | null }[];
}

/** A JSON Schema as plugins declare their parameters (TypeBox output). */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  writeOnly?: boolean;
  unit?: string;
  'x-vocloud-storage'?: StorageKind;
  [key: string]: unknown;
}

/** What a storage-path parameter points at (the sdk's StoragePathKind): an existing file, folder
 *  or either, or 'target' — a folder the owner may write that is created when missing. */
export type StorageKind = 'file' | 'folder' | 'any' | 'target';

export interface JobType {
  name: string;
  kind: 'worker' | 'datasource';
  title: string;
  description: string;
  version: string;
  restricted: boolean;
  usable: boolean;
  enabled: boolean;
  limits: { concurrency: number; defaultExecutionDuration: number; maxExecutionDuration: number };
  parameters: JsonSchema;
}

export interface FileEntry {
  path: string;
  name: string;
  type: 'file' | 'directory';
  size: number;
  modified: string;
  /** In listings asked with provenance=true: the file has a provenance sidecar. */
  provenance?: boolean;
}

export interface FileList {
  path: string;
  total: number;
  offset: number;
  entries: FileEntry[];
}

export type FilePreview =
  | { kind: 'text'; name: string; size: number; text: string; truncated: boolean }
  | {
      kind: 'fits';
      name: string;
      size: number;
      truncated: boolean;
      hdus: { index: number; type: string; cards: { keyword: string; value: unknown; comment?: string }[] }[];
    }
  | {
      kind: 'votable';
      name: string;
      size: number;
      queryStatus: string | null;
      tables: {
        name: string | null;
        rows: number;
        fields: { name: string; datatype: string; arraysize?: string; unit?: string; ucd?: string; utype?: string; description?: string }[];
      }[];
    }
  | { kind: 'binary'; name: string; size: number; message: string };
