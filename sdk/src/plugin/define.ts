import type { Static, TObject } from '@sinclair/typebox';
import type { JobContext } from './context.js';
import { checkParameterSchema } from '../params/schema-check.js';
import { PluginDefinitionError } from './errors.js';

/** Execution limits of a job type, in seconds. 0 means unlimited. */
export interface WorkerLimits {
  /** executionDuration a new job gets when the client does not set one. */
  readonly defaultExecutionDuration: number;
  /** The cap: a client asking for more (or for 0 = unlimited) gets this. 0 = no cap. */
  readonly maxExecutionDuration: number;
  /** How many jobs of this type one executor node runs at the same time. */
  readonly concurrency: number;
}

/** The kinds of job type a plugin can provide. */
export type PluginKind = 'worker' | 'datasource';

/** What every job type declares, whatever its kind. */
export interface JobTypeDefinition<S extends TObject = TObject> {
  readonly kind: PluginKind;
  /** The job type: `/uws/{name}`. Lower case letters, digits and dashes. */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly version: string;
  /** JSON Schema (TypeBox) of the parameters: validation, UWS parsing, docs and the web form. */
  readonly parameters: S;
  readonly limits: WorkerLimits;
  /** Only managers and admins may create jobs of a restricted type. */
  readonly restricted: boolean;
  run(ctx: JobContext<Static<S>>): Promise<void>;
}

export interface WorkerDefinition<S extends TObject = TObject> extends JobTypeDefinition<S> {
  readonly kind: 'worker';
}

/** What a data source's synchronous preview gets: the parameters, no results, no work dir. */
export interface PreviewContext<P = Record<string, unknown>> {
  readonly ownerId: string | null;
  readonly ownerRole: JobContext['ownerRole'];
  readonly parameters: P;
  readonly signal: AbortSignal;
  readonly log: JobContext['log'];
  /** Read-only view of the owner's storage (e.g. an uploaded VOTable). */
  readonly storage: Pick<JobContext['storage'], 'stat' | 'read' | 'localFile' | 'list'>;
}

/**
 * A data source: a job type that imports data into the owner's storage (SSAP queries, VOTable
 * access references, HTTP/FTP downloads). Each import is a UWS job of its own; `preview` answers
 * at once (e.g. the rows an SSAP query would import) so a UI can show them first.
 */
export interface DataSourceDefinition<S extends TObject = TObject> extends JobTypeDefinition<S> {
  readonly kind: 'datasource';
  preview?(ctx: PreviewContext<Static<S>>): Promise<unknown>;
}

export interface DataSourceSpec<S extends TObject> extends WorkerSpec<S> {
  preview?(ctx: PreviewContext<Static<S>>): Promise<unknown>;
}

/** Declare a data-source job type. */
export function defineDataSource<S extends TObject>(spec: DataSourceSpec<S>): DataSourceDefinition<S> {
  const base = completeJobType('datasource', spec);
  if (spec.preview !== undefined && typeof spec.preview !== 'function') {
    throw new PluginDefinitionError(`data source '${spec.name}': preview must be a function`);
  }
  return Object.freeze({ ...base, kind: 'datasource' as const, ...(spec.preview ? { preview: spec.preview } : {}) }) as DataSourceDefinition<S>;
}

/** What a plugin author writes; everything but `name`, `parameters` and `run` has a default. */
export interface WorkerSpec<S extends TObject> {
  name: string;
  title?: string;
  description?: string;
  version?: string;
  parameters: S;
  limits?: Partial<WorkerLimits>;
  restricted?: boolean;
  run(ctx: JobContext<Static<S>>): Promise<void>;
}

export const DEFAULT_LIMITS: WorkerLimits = Object.freeze({
  defaultExecutionDuration: 3600,
  maxExecutionDuration: 86400,
  concurrency: 2,
});

const JOB_TYPE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** Check and complete the common part of a job type declaration. */
export function completeJobType<S extends TObject>(kind: PluginKind, spec: WorkerSpec<S>): JobTypeDefinition<S> {
  const where = `job type '${String(spec?.name)}'`;
  if (typeof spec?.name !== 'string' || !JOB_TYPE_NAME.test(spec.name)) {
    throw new PluginDefinitionError(
      `${where}: name must match ${JOB_TYPE_NAME} (lower case letters, digits, dashes; it becomes the URL /uws/{name})`,
    );
  }
  if (typeof spec.run !== 'function') throw new PluginDefinitionError(`${where}: run(ctx) must be a function`);
  checkParameterSchema(spec.parameters, where);
  const limits: WorkerLimits = { ...DEFAULT_LIMITS, ...(spec.limits ?? {}) };
  for (const key of ['defaultExecutionDuration', 'maxExecutionDuration', 'concurrency'] as const) {
    const v = limits[key];
    if (!Number.isInteger(v) || v < 0) throw new PluginDefinitionError(`${where}: limits.${key} must be an integer >= 0 (got ${v})`);
  }
  if (limits.concurrency < 1) throw new PluginDefinitionError(`${where}: limits.concurrency must be at least 1`);
  if (limits.maxExecutionDuration > 0 && (limits.defaultExecutionDuration === 0 || limits.defaultExecutionDuration > limits.maxExecutionDuration)) {
    throw new PluginDefinitionError(
      `${where}: limits.defaultExecutionDuration (${limits.defaultExecutionDuration}) must be between 1 and maxExecutionDuration (${limits.maxExecutionDuration})`,
    );
  }
  return Object.freeze({
    kind,
    name: spec.name,
    title: spec.title ?? spec.name,
    description: spec.description ?? '',
    version: spec.version ?? '0.0.0',
    parameters: spec.parameters,
    limits: Object.freeze(limits),
    restricted: spec.restricted ?? false,
    run: spec.run,
  });
}

/** Declare a worker job type. */
export function defineWorker<S extends TObject>(spec: WorkerSpec<S>): WorkerDefinition<S> {
  return completeJobType('worker', spec) as WorkerDefinition<S>;
}

/**
 * A plugin package whose job types depend on its options from the config (the `command` plugin
 * declares one job type per configured program). `create` must be deterministic: core calls it
 * once in the server and once in each executor thread, with the same options.
 */
export interface PluginFactory<O = unknown> {
  readonly kind: 'factory';
  readonly name: string;
  create(options: O): readonly JobTypeDefinition[];
}

export function definePluginFactory<O>(name: string, create: (options: O) => readonly JobTypeDefinition[]): PluginFactory<O> {
  return Object.freeze({ kind: 'factory' as const, name, create });
}

/** What a plugin module may export as its default export. */
export type PluginModuleExport = JobTypeDefinition | readonly JobTypeDefinition[] | PluginFactory;

export function isJobTypeDefinition(value: unknown): value is JobTypeDefinition {
  const v = value as Partial<JobTypeDefinition> | null;
  return (
    typeof v === 'object' && v !== null && (v.kind === 'worker' || v.kind === 'datasource') &&
    typeof v.name === 'string' && typeof v.run === 'function' && typeof v.parameters === 'object'
  );
}

export function isPluginFactory(value: unknown): value is PluginFactory {
  const v = value as Partial<PluginFactory> | null;
  return typeof v === 'object' && v !== null && v.kind === 'factory' && typeof v.create === 'function';
}

/**
 * Turn a plugin module's default export (and its options) into job types. Used by core when it
 * loads plugins and by executor threads; throws PluginDefinitionError with a clear message.
 */
export function resolvePluginExport(exported: unknown, options: unknown, source: string): JobTypeDefinition[] {
  let defs: unknown;
  if (isPluginFactory(exported)) {
    try {
      defs = exported.create(options ?? {});
    } catch (err) {
      throw new PluginDefinitionError(`${source}: invalid options: ${(err as Error).message}`);
    }
  } else {
    defs = exported;
  }
  const list = Array.isArray(defs) ? defs : [defs];
  if (list.length === 0) throw new PluginDefinitionError(`${source}: declares no job types`);
  for (const d of list) {
    if (!isJobTypeDefinition(d)) {
      throw new PluginDefinitionError(
        `${source}: the default export must come from defineWorker(), defineDataSource() or definePluginFactory()`,
      );
    }
  }
  return list as JobTypeDefinition[];
}
