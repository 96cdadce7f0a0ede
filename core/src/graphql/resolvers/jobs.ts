import { SECRET_PREFIX } from '../../uws/job-service.js';
import type { JobSearch } from '../../uws/job-store.js';
import { BadRequestError, NotFoundError } from '../../uws/errors.js';
import { FINAL_PHASES, PHASES, type Job, type JobDetail, type JobParameter, type Phase } from '../../uws/model.js';
import { guarded } from '../access.js';
import { once, type GraphQLContext } from '../context.js';
import { page, type PageArgs } from '../pagination.js';

export interface JobFilterArgs {
  readonly owner?: string | null;
  readonly jobType?: string | null;
  readonly phases?: readonly Phase[] | null;
  readonly createdAfter?: Date | null;
  readonly createdBefore?: Date | null;
}

/** 'anonymous' is a reserved user name, so it can stand for anonymous jobs. */
export function ownerIdOf(owner: string): string | null {
  return owner === 'anonymous' ? null : owner;
}

/** What the audit log keeps of a job. */
function summary(job: Job): Record<string, unknown> {
  return { jobType: job.jobType, ownerId: job.ownerId, phase: job.phase };
}

async function findJob(ctx: GraphQLContext, id: string): Promise<JobDetail | null> {
  try {
    return await ctx.services.jobs.getAny(ctx.actor, id);
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}

/** Parameters and results come with a job read by id; a job from a list loads them once. */
function detailOf(ctx: GraphQLContext, job: Job | JobDetail): Promise<JobDetail | null> {
  if ('parameters' in job) return Promise.resolve(job);
  return once(ctx, `job:${job.id}`, () => ctx.services.jobs.internalGet(job.id));
}

export const jobResolvers = {
  Query: guarded('read', 'query', {
    jobs: async (_root: unknown, args: PageArgs & { filter?: JobFilterArgs | null }, ctx: GraphQLContext) => {
      const f = args.filter ?? {};
      const search: JobSearch = {
        ...(f.owner !== null && f.owner !== undefined ? { ownerId: ownerIdOf(f.owner) } : {}),
        ...(f.jobType ? { jobType: f.jobType } : {}),
        phases: f.phases ?? [],
        ...(f.createdAfter ? { after: f.createdAfter } : {}),
        ...(f.createdBefore ? { before: f.createdBefore } : {}),
        ...page(args, 50),
      };
      const { jobs, total, counts } = await ctx.services.jobs.search(ctx.actor, search);
      return { totalCount: total, nodes: jobs, countsByPhase: PHASES.map((phase) => ({ phase, count: counts.get(phase) ?? 0 })) };
    },
    job: (_root: unknown, args: { id: string }, ctx: GraphQLContext) => findJob(ctx, args.id),
  }),

  Mutation: guarded('admin', 'mutation', {
    abortJob: async (_root: unknown, args: { id: string; reason?: string | null }, ctx: GraphQLContext) => {
      const { jobs, audit } = ctx.services;
      const before = await jobs.getAny(ctx.actor, args.id);
      const reason = args.reason?.trim().slice(0, 500);
      await jobs.abort(ctx.actor, before.jobType, before.id, `aborted by administrator ${ctx.actor.ownerId}${reason ? `: ${reason}` : ''}`);
      const after = await jobs.getAny(ctx.actor, before.id);
      await audit.record(ctx.actor, 'job.abort', 'job', before.id, summary(before), { ...summary(after), reason: reason ?? null });
      return after;
    },
    deleteJob: async (_root: unknown, args: { id: string }, ctx: GraphQLContext) => {
      const { jobs, audit } = ctx.services;
      const before = await jobs.getAny(ctx.actor, args.id);
      await jobs.delete(ctx.actor, before.jobType, before.id);
      await audit.record(ctx.actor, 'job.delete', 'job', before.id, summary(before), null);
      return true;
    },
    purgeJobs: async (_root: unknown, args: { olderThan: Date; phases?: readonly Phase[] | null }, ctx: GraphQLContext) => {
      const phases = args.phases ?? ['COMPLETED', 'ERROR', 'ABORTED', 'ARCHIVED'];
      const active = phases.filter((p) => !FINAL_PHASES.has(p));
      if (phases.length === 0 || active.length > 0) {
        throw new BadRequestError(`purgeJobs removes finished jobs only: phases must be some of ${[...FINAL_PHASES].join(', ')}` +
          (active.length ? ` (not ${active.join(', ')}; abort those first)` : ''));
      }
      if (args.olderThan.getTime() > Date.now()) throw new BadRequestError('olderThan must not be in the future');
      const purged = await ctx.services.jobs.purge(ctx.actor, args.olderThan, phases);
      await ctx.services.audit.record(ctx.actor, 'job.purge', 'job', null, { olderThan: args.olderThan, phases }, { purged });
      return purged;
    },
  }),

  JobParameter: {
    // secrets (passwords of remote archives) are stored sealed and shown to nobody, as in UWS
    value: (p: JobParameter) => (p.value.startsWith(SECRET_PREFIX) ? '(hidden)' : p.value),
  },

  Job: {
    parameters: async (job: Job, _args: unknown, ctx: GraphQLContext) => (await detailOf(ctx, job))?.parameters ?? [],
    results: async (job: Job, _args: unknown, ctx: GraphQLContext) => (await detailOf(ctx, job))?.results ?? [],
  },
};
