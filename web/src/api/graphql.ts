import { ApiError, request } from './http';

/** A GraphQL request to /graphql (the admin API); errors come back as one readable ApiError. */
export async function gql<T>(queryText: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await request('/graphql', { method: 'POST', body: { query: queryText, variables }, headers: { Accept: 'application/json' } });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new ApiError(200, body.errors.map((e) => e.message).join('; '));
  if (!body.data) throw new ApiError(200, 'the GraphQL answer has no data');
  return body.data;
}
