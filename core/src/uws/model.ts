/** The UWS domain model: one source for the XML, JSON and (later) GraphQL views. */

export const PHASES = [
  'PENDING', 'QUEUED', 'EXECUTING', 'COMPLETED', 'ERROR', 'ABORTED', 'UNKNOWN', 'HELD', 'SUSPENDED', 'ARCHIVED',
] as const;
export type Phase = (typeof PHASES)[number];

/** Phases in which a job may still change by itself; WAIT blocks only in these. */
export const ACTIVE_PHASES: ReadonlySet<Phase> = new Set(['PENDING', 'QUEUED', 'EXECUTING', 'HELD', 'SUSPENDED']);
/** Phases a job never leaves except to ARCHIVED or deletion. */
export const FINAL_PHASES: ReadonlySet<Phase> = new Set(['COMPLETED', 'ERROR', 'ABORTED', 'ARCHIVED']);

export function isPhase(value: string): value is Phase {
  return (PHASES as readonly string[]).includes(value);
}

export interface ErrorSummary {
  readonly type: 'transient' | 'fatal';
  readonly message: string;
  /** True when `…/error` has more than the message. */
  readonly hasDetail: boolean;
}

export interface JobParameter {
  readonly name: string;
  readonly value: string;
  readonly byReference: boolean;
  /** Storage path of an inline upload; null for plain values and remote references. */
  readonly filePath: string | null;
  readonly fileSize: number | null;
}

export interface JobResult {
  readonly name: string;
  readonly mimeType: string;
  readonly size: number;
  readonly storagePath: string;
  readonly createdAt: Date;
}

export interface Job {
  readonly id: string;
  readonly jobType: string;
  readonly runId: string | null;
  readonly ownerId: string | null;
  readonly phase: Phase;
  readonly quote: Date | null;
  readonly creationTime: Date;
  readonly startTime: Date | null;
  readonly endTime: Date | null;
  /** Seconds; 0 = unlimited. */
  readonly executionDuration: number;
  readonly destruction: Date | null;
  readonly error: (ErrorSummary & { readonly detail: string | null }) | null;
  readonly progress: number | null;
  readonly progressMessage: string | null;
  readonly queuedAt: Date | null;
  readonly nodeId: string | null;
  readonly attempts: number;
  /** Where the results are copied on completion (a user path in the owner's space), if asked. */
  readonly targetDir: string | null;
}

/** A job with everything its XML shows. */
export interface JobDetail extends Job {
  readonly parameters: readonly JobParameter[];
  readonly results: readonly JobResult[];
}

/** One entry of the phase history (the job page's timeline). */
export interface PhaseChange {
  readonly phase: Phase;
  readonly at: Date;
  readonly reason: string | null;
}

/** Roles, from least to most trusted. */
export type Role = 'user' | 'manager' | 'admin';

/** Who is asking: an authenticated user, or anonymous (when the config allows it). */
export interface Actor {
  /** The UWS ownerId this actor's jobs get (the username); null = anonymous. */
  readonly ownerId: string | null;
  readonly role: 'anonymous' | Role;
  readonly isAdmin: boolean;
  readonly userId: number | null;
  /** How the request authenticated. */
  readonly via: 'anonymous' | 'session' | 'token' | 'basic';
}

export const ANONYMOUS: Actor = Object.freeze({ ownerId: null, role: 'anonymous', isAdmin: false, userId: null, via: 'anonymous' });

/** Managers and admins may use restricted job types and read admin data. */
export function isManager(actor: Actor): boolean {
  return actor.role === 'manager' || actor.role === 'admin';
}
