import type { NodeStatus } from '../../scheduler/node-registry.js';
import { guarded } from '../access.js';
import type { GraphQLContext } from '../context.js';
import { page, type PageArgs } from '../pagination.js';

export interface AuditFilterArgs {
  readonly actor?: string | null;
  readonly action?: string | null;
  readonly targetType?: string | null;
  readonly targetId?: string | null;
  readonly since?: Date | null;
}

function usageView(owner: string | null, bytes: number, quota: number) {
  return { owner, bytes, quota, fraction: quota > 0 ? bytes / quota : null };
}

/** Nodes, storage, health and the audit log: what an operator looks at. */
export const systemResolvers = {
  Query: guarded('read', 'query', {
    nodes: async (_root: unknown, args: { aliveOnly?: boolean | null }, ctx: GraphQLContext) => {
      const nodes = await ctx.services.nodes.list();
      return args.aliveOnly ? nodes.filter((n) => n.alive) : nodes;
    },
    storageUsage: async (_root: unknown, args: PageArgs & { search?: string | null }, ctx: GraphQLContext) => {
      const { usage } = ctx.services;
      const { owners, total } = await usage.report({ ...(args.search ? { search: args.search.slice(0, 200) } : {}), ...page(args, 20) });
      const [bytes, limits] = await Promise.all([usage.usage(null), usage.limits(null)]);
      return {
        totalCount: total,
        nodes: owners.map((o) => usageView(o.owner, o.bytes, o.quota)),
        anonymous: usageView(null, bytes, limits.storage),
      };
    },
    health: (_root: unknown, _args: unknown, ctx: GraphQLContext) => ctx.services.health.check(),
    auditLog: async (_root: unknown, args: PageArgs & { filter?: AuditFilterArgs | null }, ctx: GraphQLContext) => {
      const f = args.filter ?? {};
      const { entries, total } = await ctx.services.audit.list({
        ...(f.actor ? { actor: f.actor } : {}),
        ...(f.action ? { action: f.action } : {}),
        ...(f.targetType ? { targetType: f.targetType } : {}),
        ...(f.targetId ? { targetId: f.targetId } : {}),
        ...(f.since ? { since: f.since } : {}),
        ...page(args, 50),
      });
      return { totalCount: total, nodes: entries };
    },
  }),

  Node: {
    load: (node: NodeStatus) => (node.maxConcurrentJobs > 0 ? node.runningJobs / node.maxConcurrentJobs : null),
  },
};
