import { requireAccessIn } from '../access.js';
import type { GraphQLContext } from '../context.js';
import type { JobPhaseChange, JobPhaseFeed } from '../job-feed.js';
import type { NodeStatusFeed } from '../node-feed.js';
import { ownerIdOf } from './jobs.js';

export interface Feeds {
  readonly jobs: JobPhaseFeed;
  readonly nodes: NodeStatusFeed;
}

const passThrough = <T>(payload: T): T => payload;

/** Subscriptions (administrators only): each returns the feed's iterator for this subscriber. */
export function subscriptionResolvers(feeds: Feeds) {
  return {
    Subscription: {
      jobPhaseChanged: {
        subscribe: (_root: unknown, args: { owner?: string | null; jobType?: string | null }, ctx: GraphQLContext) => {
          requireAccessIn(ctx, 'admin', 'the subscription jobPhaseChanged');
          return feeds.jobs.subscribe({
            ...(args.owner !== null && args.owner !== undefined ? { ownerId: ownerIdOf(args.owner) } : {}),
            ...(args.jobType ? { jobType: args.jobType } : {}),
          });
        },
        resolve: passThrough,
      },
      nodeStatus: {
        subscribe: (_root: unknown, _args: unknown, ctx: GraphQLContext) => {
          requireAccessIn(ctx, 'admin', 'the subscription nodeStatus');
          return feeds.nodes.subscribe();
        },
        resolve: passThrough,
      },
    },
    JobPhaseChange: {
      job: (change: JobPhaseChange, _args: unknown, ctx: GraphQLContext) => (change.deleted ? null : ctx.services.jobs.internalGet(change.jobId)),
    },
  };
}
