import { DateTime, JSONScalar, Long } from '../scalars.js';
import { jobTypeResolvers } from './job-types.js';
import { jobResolvers } from './jobs.js';
import { subscriptionResolvers, type Feeds } from './subscriptions.js';
import { systemResolvers } from './system.js';
import { userResolvers } from './users.js';

/** Every resolver of the schema, by type, from the files of each area. */
export function buildResolvers(feeds: Feeds) {
  return {
    DateTime,
    JSON: JSONScalar,
    Long,
    Query: { ...userResolvers.Query, ...jobResolvers.Query, ...jobTypeResolvers.Query, ...systemResolvers.Query },
    Mutation: { ...userResolvers.Mutation, ...jobResolvers.Mutation, ...jobTypeResolvers.Mutation },
    ...subscriptionResolvers(feeds),
    User: userResolvers.User,
    Job: jobResolvers.Job,
    JobParameter: jobResolvers.JobParameter,
    JobType: jobTypeResolvers.JobType,
    Node: systemResolvers.Node,
  };
}
