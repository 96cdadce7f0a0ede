import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../http/app.js';

/**
 * The admin GraphQL API at /graphql (mercurius): queries, mutations with an audit entry each,
 * subscriptions over WebSocket. Admin only; managers may run queries.
 */
export async function graphqlRoutes(_app: FastifyInstance, _services: AppServices): Promise<void> {
  // implemented in core/src/graphql/*
}
