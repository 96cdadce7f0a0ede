import type { WorkerLimits } from '@vocloud/sdk';
import type { JobType } from '../../plugins/registry.js';
import type { JobTypeOverride } from '../../plugins/job-type-settings.js';
import { BadRequestError, NotFoundError } from '../../uws/errors.js';
import { guarded } from '../access.js';
import { once, type GraphQLContext } from '../context.js';

/** The most jobs of one type a node may run at once, and the longest duration (int32 seconds). */
const MAX_CONCURRENCY = 10_000;
const MAX_SECONDS = 2 ** 31 - 1;

type LimitsInput = { -readonly [K in keyof WorkerLimits]?: number | null };

/** A job type as the schema shows it. */
function view(ctx: GraphQLContext, type: JobType) {
  const d = type.definition;
  return {
    name: d.name,
    kind: d.kind,
    title: d.title,
    description: d.description,
    version: d.version,
    source: type.source,
    restricted: d.restricted,
    enabled: ctx.services.jobs.enabled(type),
    limits: ctx.services.jobs.limitsOf(type),
    pluginLimits: d.limits,
    overrides: ctx.services.settings.get(d.name),
    parameterSchema: d.parameters,
  };
}

type JobTypeView = ReturnType<typeof view>;

/** What the audit log keeps of a job type's settings. */
const auditView = (v: JobTypeView) => ({ enabled: v.enabled, limits: v.limits, overrides: v.overrides });

/** The limits that would be in force after `change`, or a clear error if they make no sense. */
export function checkLimits(base: WorkerLimits, current: JobTypeOverride, change: LimitsInput): void {
  const keys = Object.keys(change) as (keyof WorkerLimits)[];
  if (keys.length === 0) throw new BadRequestError('give at least one of concurrency, defaultExecutionDuration, maxExecutionDuration (null = the plugin\'s value)');
  for (const key of keys) {
    const v = change[key];
    if (v === null || v === undefined) continue;
    const [min, max] = key === 'concurrency' ? [1, MAX_CONCURRENCY] : [0, MAX_SECONDS];
    if (!Number.isInteger(v) || v < min || v > max) throw new BadRequestError(`${key} must be a whole number from ${min} to ${max} (got ${v})`);
  }
  const pick = (key: keyof WorkerLimits) => (key in change ? change[key] : current[key]) ?? base[key];
  const def = pick('defaultExecutionDuration');
  const cap = pick('maxExecutionDuration');
  if (cap > 0 && (def === 0 || def > cap)) {
    throw new BadRequestError(
      `defaultExecutionDuration (${def} s) must be between 1 and maxExecutionDuration (${cap} s); 0 means unlimited, which the cap does not allow`,
    );
  }
}

export const jobTypeResolvers = {
  Query: guarded('read', 'query', {
    jobTypes: (_root: unknown, _args: unknown, ctx: GraphQLContext) => ctx.services.jobs.jobTypes().map((t) => view(ctx, t)),
    jobType: (_root: unknown, args: { name: string }, ctx: GraphQLContext) => {
      try {
        return view(ctx, ctx.services.jobs.jobType(args.name));
      } catch (err) {
        if (err instanceof NotFoundError) return null;
        throw err;
      }
    },
  }),

  Mutation: guarded('admin', 'mutation', {
    setJobTypeEnabled: async (_root: unknown, args: { name: string; enabled: boolean }, ctx: GraphQLContext) => {
      const type = ctx.services.jobs.jobType(args.name);
      const before = view(ctx, type);
      await ctx.services.settings.set(type.definition.name, { enabled: args.enabled });
      const after = view(ctx, type);
      await ctx.services.audit.record(ctx.actor, 'jobType.setEnabled', 'jobType', type.definition.name, auditView(before), auditView(after));
      return after;
    },
    setJobTypeLimits: async (_root: unknown, args: { name: string; limits: LimitsInput }, ctx: GraphQLContext) => {
      const type = ctx.services.jobs.jobType(args.name);
      const name = type.definition.name;
      const change = Object.fromEntries(Object.entries(args.limits).filter(([, v]) => v !== undefined)) as LimitsInput;
      checkLimits(type.definition.limits, ctx.services.settings.get(name), change);
      const before = view(ctx, type);
      await ctx.services.settings.set(name, change);
      const after = view(ctx, type);
      await ctx.services.audit.record(ctx.actor, 'jobType.setLimits', 'jobType', name, auditView(before), auditView(after));
      return after;
    },
  }),

  JobType: {
    jobCounts: async (type: JobTypeView, _args: unknown, ctx: GraphQLContext) => {
      const all = await once(ctx, 'jobCounts', () => ctx.services.jobs.countsByPhase());
      return [...(all.get(type.name) ?? new Map())].map(([phase, count]) => ({ phase, count }));
    },
  },
};
