import type { Role, User, UserInput } from '../../auth/model.js';
import type { NewUser } from '../../auth/user-service.js';
import { BadRequestError } from '../../uws/errors.js';
import { guarded } from '../access.js';
import { once, type GraphQLContext } from '../context.js';
import { page, type PageArgs } from '../pagination.js';

export interface UserArgs {
  readonly username: string;
}

export interface UserInputArgs {
  readonly email?: string | null;
  readonly displayName?: string | null;
  readonly organisation?: string | null;
  readonly role?: Role | null;
  readonly enabled?: boolean | null;
  readonly storageQuota?: number | null;
  readonly maxRunningJobs?: number | null;
  readonly maxQueuedJobs?: number | null;
}

/** Limits where null means "the configured default"; every other field has no null. */
const NULLABLE = new Set(['storageQuota', 'maxRunningJobs', 'maxQueuedJobs']);

/** GraphQL lets a client send null for any optional input field; only limits take it. */
function userInput(input: UserInputArgs & { password?: string | null }, dropNulls: boolean): UserInput & { password?: string } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (value === null && !NULLABLE.has(key)) {
      if (dropNulls) continue;
      throw new BadRequestError(`${key} cannot be null; leave it out to keep the current value`);
    }
    out[key] = value;
  }
  return out as UserInput & { password?: string };
}

export const userResolvers = {
  Query: {
    ...guarded('signedIn', 'query', {
      me: async (_root: unknown, _args: unknown, ctx: GraphQLContext) => ({
        username: ctx.actor.ownerId,
        role: ctx.actor.role,
        via: ctx.actor.via,
        user: ctx.actor.ownerId ? await ctx.services.users.get(ctx.actor.ownerId) : null,
      }),
    }),
    ...guarded('read', 'query', {
      users: async (_root: unknown, args: PageArgs & { filter?: { search?: string | null; role?: Role | null; enabled?: boolean | null } | null }, ctx: GraphQLContext) => {
        const f = args.filter ?? {};
        const { users, total } = await ctx.services.users.list({
          ...(f.search ? { search: f.search.slice(0, 200) } : {}),
          ...(f.role ? { role: f.role } : {}),
          ...(f.enabled !== null && f.enabled !== undefined ? { enabled: f.enabled } : {}),
          ...page(args, 20),
        });
        return { totalCount: total, nodes: users };
      },
      user: (_root: unknown, args: UserArgs, ctx: GraphQLContext) => ctx.services.users.get(args.username),
    }),
  },

  Mutation: guarded('admin', 'mutation', {
    createUser: (_root: unknown, args: { input: UserInputArgs & { username: string; email: string; password?: string | null } }, ctx: GraphQLContext) =>
      ctx.services.users.create(ctx.actor, userInput(args.input, true) as NewUser),
    updateUser: (_root: unknown, args: UserArgs & { input: UserInputArgs }, ctx: GraphQLContext) =>
      ctx.services.users.update(ctx.actor, args.username, userInput(args.input, false)),
    disableUser: (_root: unknown, args: UserArgs, ctx: GraphQLContext) =>
      ctx.services.users.update(ctx.actor, args.username, { enabled: false }, 'user.disable'),
    deleteUser: async (_root: unknown, args: UserArgs, ctx: GraphQLContext) => {
      await ctx.services.users.delete(ctx.actor, args.username);
      return true;
    },
    resetPassword: (_root: unknown, args: UserArgs & { sendMail?: boolean | null }, ctx: GraphQLContext) =>
      ctx.services.auth.adminReset(ctx.actor, args.username, ctx.baseUrl, args.sendMail === true),
    revokeTokens: (_root: unknown, args: UserArgs, ctx: GraphQLContext) => ctx.services.auth.revokeAll(ctx.actor, args.username),
    createInvite: async (_root: unknown, args: { role?: Role | null; days?: number | null; note?: string | null }, ctx: GraphQLContext) => {
      const role = args.role ?? 'user';
      const { code, expiresAt } = await ctx.services.users.createInvite(ctx.actor, role, args.days ?? 7, args.note ?? '');
      return { code, role, expiresAt };
    },
  }),

  User: {
    limits: (user: User, _args: unknown, ctx: GraphQLContext) => {
      const q = ctx.services.config.config.quotas;
      return {
        storageQuota: user.storageQuota ?? q.storage,
        maxRunningJobs: user.maxRunningJobs ?? q.maxRunningJobs,
        maxQueuedJobs: user.maxQueuedJobs ?? q.maxQueuedJobs,
      };
    },
    storageUsed: async (user: User, _args: unknown, ctx: GraphQLContext) =>
      (await once(ctx, 'usage', () => ctx.services.usage.all())).get(user.username) ?? 0,
  },
};
