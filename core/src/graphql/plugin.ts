import type { FastifyInstance } from 'fastify';
import mercurius, { type IResolvers, type MercuriusContext } from 'mercurius';
import { GraphQLError, Kind, specifiedRules, validate, type DocumentNode } from 'graphql/index.js';
import type { AppServices } from '../http/app.js';
import { sendError } from '../http/errors.js';
import { BadRequestError } from '../uws/errors.js';
import { documentAccess, requireAccessIn } from './access.js';
import { contextOf, type GraphQLContext } from './context.js';
import { asGraphQLError, formatErrors } from './errors.js';
import { JobPhaseFeed } from './job-feed.js';
import { costLimit, depthLimit } from './limits.js';
import { NodeStatusFeed } from './node-feed.js';
import { buildResolvers } from './resolvers/index.js';
import { typeDefs } from './schema.js';
import { confineUpgrades } from './upgrades.js';
import { checkUpgrade, closeReason, isWebSocketUpgrade, verdictOnConnectionInit } from './websocket-auth.js';

// Every file here imports graphql as 'graphql/index.js': the CommonJS build that mercurius
// requires. A bundler-style resolver (vitest's) would otherwise pick index.mjs, a second copy
// whose schema objects the first one refuses ("from another module or realm").

const PATH = '/graphql';

/** GraphiQL (development only) loads React and GraphiQL from unpkg: its page needs a wider CSP. */
const GRAPHIQL_CSP =
  "default-src 'self'; script-src 'self' https://unpkg.com; style-src 'self' 'unsafe-inline' https://unpkg.com; " +
  "img-src 'self' data: https://unpkg.com; font-src 'self' data: https://unpkg.com; connect-src 'self'; worker-src 'self'; " +
  "frame-ancestors 'self'; object-src 'none'";

const hasSubscription = (document: DocumentNode) =>
  document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === 'subscription');

/**
 * The admin GraphQL API at /graphql (mercurius): queries, mutations with an audit entry each,
 * subscriptions over WebSocket. Admin only; managers may run queries.
 */
export async function graphqlRoutes(app: FastifyInstance, services: AppServices): Promise<void> {
  const { config } = services.config;
  const { maxDepth, maxCost } = config.graphql;
  const feeds = {
    jobs: new JobPhaseFeed(services.events, services.jobs, services.log),
    nodes: new NodeStatusFeed(services.nodes, Math.max(100, config.executor.heartbeatInterval * 1000), services.log),
  };
  let releaseUpgrades = () => undefined as void;
  // once every plugin is loaded: @fastify/websocket (inside mercurius) has claimed 'upgrade'
  app.addHook('onReady', async () => {
    releaseUpgrades = confineUpgrades(app.server, PATH);
  });
  app.addHook('onClose', async () => {
    releaseUpgrades();
    feeds.jobs.close();
    feeds.nodes.close();
  });

  // Anonymous requests reach /graphql even when anonymous use is off: the WebSocket upgrade
  // (GET) may bring its credentials only with connection_init, and every operation decides
  // access itself (access.ts), answering in GraphQL's format. Credentials that are sent are
  // still checked by the authentication hook, and so is the CSRF token of session requests.
  app.addHook('onRoute', (route) => {
    if (route.url === PATH) route.config = { ...(route.config ?? {}), public: true };
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.split('?')[0] !== PATH || !isWebSocketUpgrade(request)) return;
    try {
      checkUpgrade(request, config);
    } catch (err) {
      return sendError(request, reply, err);
    }
  });
  // An upgrade answered with an HTTP status (refused above or by the authentication hook) still
  // holds the client's socket, paused, where nobody notices it close: end it, or the server
  // can never close. (Accepted upgrades are hijacked and never reach onResponse.)
  app.addHook('onResponse', async (request) => {
    if (isWebSocketUpgrade(request)) request.raw.socket?.destroy();
  });
  if (config.graphql.graphiql) {
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.url.startsWith('/graphiql')) reply.header('content-security-policy', GRAPHIQL_CSP);
      return payload;
    });
  }

  await app.register(mercurius, {
    schema: typeDefs,
    resolvers: buildResolvers(feeds) as unknown as IResolvers,
    path: PATH,
    graphiql: config.graphql.graphiql,
    // The cost limit needs each request's variables, which mercurius's parse cache would skip.
    cache: false,
    graphql: { parseOptions: { maxTokens: 10_000 } },
    context: (request) => contextOf(request, services),
    validationRules: ({ variables, operationName }) => [
      depthLimit(maxDepth),
      costLimit(maxCost, app.graphql.schema, variables ?? {}, operationName ?? null),
    ],
    errorFormatter: (execution, ctx) => formatErrors(execution, ctx as unknown as Parameters<typeof formatErrors>[1]),
    subscription: {
      context: (_socket, request) => contextOf(request, services),
      // mercurius calls onConnect as a method of the connection (16.x): `this` gives the socket
      // and the upgrade's context, so a refusal can close with a graphql-transport-ws code and a
      // reason. Without them, the identity check falls to each subscription (same outcome).
      async onConnect(this: unknown, { payload }: { payload: unknown }) {
        const connection = this as { socket?: { close(code: number, reason: string): void }; context?: Partial<GraphQLContext> } | undefined;
        const verdict = await verdictOnConnectionInit(services.auth, payload, connection?.context?.actor ?? null);
        if (verdict.ok) return verdict.actor ? { actor: verdict.actor } : true;
        services.log.warn({ reason: verdict.reason }, 'GraphQL subscription connection refused');
        connection?.socket?.close(verdict.code, closeReason(verdict.reason));
        return false;
      },
      keepAlive: 30_000,
    },
  });

  // Access is decided before validation, so nobody without the right to read the schema learns
  // it from validation messages; refusals answer 401/403 for the whole request.
  app.graphql.addHook('preValidation', async (_schema, document, context: MercuriusContext) => {
    const { level, what } = documentAccess(document);
    requireAccessIn(context as unknown as GraphQLContext, level, what);
    if (hasSubscription(document)) {
      throw new BadRequestError(`subscriptions work over WebSocket only: connect to ${PATH} with the graphql-transport-ws protocol`);
    }
  });

  // mercurius runs no validation for subscriptions: do all of it here, limits included.
  app.graphql.addHook('preSubscriptionExecution', async (schema, document, context: MercuriusContext) => {
    try {
      requireAccessIn(context as unknown as GraphQLContext, 'admin', 'a subscription');
    } catch (err) {
      throw asGraphQLError(err);
    }
    const errors = validate(schema, document, [...specifiedRules, depthLimit(maxDepth), costLimit(maxCost, schema, null)]);
    if (errors.length > 0) {
      throw new GraphQLError(errors.map((e) => e.message).join('; '), { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    }
  });
}
