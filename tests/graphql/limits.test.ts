import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getIntrospectionQuery } from 'graphql';
import { DB_KIND, startServer, type TestServer } from '../support/server.js';
import { addUser, adminHeaders, basic } from '../support/auth.js';
import { Events, gql, subscriber } from './client.js';

/*
 * Depth and cost limits refuse expensive documents before anything runs, with messages that
 * say which limit and what to do; bad documents get 400 with a clear message; GraphiQL is
 * served only when configured. This server is configured small: maxDepth 3, maxCost 1000.
 */

let s: TestServer;
const admin = adminHeaders();
let manager: Record<string, string>;

beforeAll(async () => {
  s = await startServer({ overrides: { graphql: { graphiql: true, maxDepth: 3, maxCost: 1000 } } });
  const m = await addUser(s, 'mona', 'manager');
  manager = basic(m.username, m.password);
});
afterAll(async () => s?.stop());

async function refusedWith(query: string, code: string, variables?: Record<string, unknown>): Promise<string> {
  const r = await gql(s.url, query, { headers: admin, ...(variables ? { variables } : {}) });
  expect(r.status, JSON.stringify(r.body)).toBe(400);
  expect(r.body.data).toBeNull();
  expect(r.body.errors?.[0]?.extensions?.code, JSON.stringify(r.body)).toBe(code);
  return r.body.errors![0]!.message;
}

async function accepted(query: string, variables?: Record<string, unknown>, headers = admin): Promise<void> {
  const r = await gql(s.url, query, { headers, ...(variables ? { variables } : {}) });
  expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
  expect(r.body.errors).toBeUndefined();
}

describe(`GraphQL limits (${DB_KIND})`, () => {
  it('a document nested deeper than graphql.maxDepth is refused, naming the limit', async () => {
    await accepted('{ users { nodes { username } } }');
    expect(await refusedWith('{ users { nodes { limits { storageQuota } } } }', 'QUERY_TOO_DEEP')).toBe(
      'the query nests deeper than 3 levels, the limit (graphql.maxDepth); ask for fewer nested fields',
    );
    expect(await refusedWith('query Deep { jobs { nodes { error { message } } } }', 'QUERY_TOO_DEEP')).toMatch(/^query Deep nests deeper than 3 levels/);
    // fragments add no level of their own, but what they hold counts
    await accepted('{ ...F } fragment F on Query { users { nodes { ...U } } } fragment U on User { username }');
    await refusedWith('{ ...F } fragment F on Query { users { nodes { ...U } } } fragment U on User { limits { storageQuota } }', 'QUERY_TOO_DEEP');
  });

  it('a document whose estimated cost exceeds graphql.maxCost is refused with the estimate', async () => {
    // 1 (users) + 1 (nodes) + 400 × 2 fields
    await accepted('{ users(first: 400) { nodes { username email } } }');
    const message = await refusedWith('{ users(first: 500) { nodes { username email } } }', 'QUERY_TOO_COSTLY');
    expect(message).toBe(
      'the query has an estimated cost of 1,002, over the limit of 1,000 (graphql.maxCost). Every field counts once per item it is fetched for, ' +
        'and a list multiplies what is below it by its size: ask for smaller pages (first) or fewer fields',
    );
    const r = await gql(s.url, '{ users(first: 500) { nodes { username email } } }', { headers: admin });
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ cost: 1002, maxCost: 1000 });
    // aliases add up
    await refusedWith('{ a: users(first: 300) { nodes { username email } } b: users(first: 300) { nodes { username email } } }', 'QUERY_TOO_COSTLY');
    // nested lists multiply: 1 + 50 job types (assumed) × (1 + 10 phases (assumed) × 2 fields)
    expect(await refusedWith('{ jobTypes { jobCounts { phase count } } }', 'QUERY_TOO_COSTLY')).toMatch(/estimated cost of 1,051,/);
    await accepted('{ jobTypes { name jobCounts { phase } } }');
  });

  it('page sizes given as variables count with their values, or the defaults', async () => {
    const query = 'query Page($n: Int) { users(first: $n) { nodes { username email } } }';
    await accepted(query, { n: 10 });
    expect(await refusedWith(query, 'QUERY_TOO_COSTLY', { n: 500 })).toMatch(/^query Page has an estimated cost of 1,002/);
    await accepted(query); // no value: the field's default page of 20
    await refusedWith('query Page($n: Int = 600) { users(first: $n) { nodes { username email } } }', 'QUERY_TOO_COSTLY');
    // only the operation that runs is costed
    const two = 'query Small { me { username } } query Big { users(first: 900) { nodes { username email } } }';
    expect((await gql(s.url, two, { headers: admin, operationName: 'Small' })).status).toBe(200);
    const big = await gql(s.url, two, { headers: admin, operationName: 'Big' });
    expect(big.body.errors?.[0]?.message).toMatch(/^query Big has an estimated cost of 1,802/);
  });

  it('introspection is outside both limits (GraphiQL works), and open to managers', async () => {
    const r = await gql(s.url, getIntrospectionQuery(), { headers: manager });
    expect(r.status).toBe(200);
    expect(r.body.data.__schema.queryType.name).toBe('Query');
    expect(r.body.data.__schema.types.map((t: any) => t.name)).toEqual(expect.arrayContaining(['Job', 'User', 'JobPhaseChange', 'DateTime']));
  });

  it('fragments that expand exponentially are refused, not walked', async () => {
    const defs = ['fragment F0 on Query { me { username } }'];
    for (let i = 1; i <= 24; i++) defs.push(`fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`);
    const message = await refusedWith(`{ ...F24 } ${defs.join(' ')}`, 'QUERY_TOO_COMPLEX');
    expect(message).toMatch(/expands to more than 100000 selections through its fragments/);
  });

  it('bad documents and variables get 400 with the parser\'s or validator\'s message', async () => {
    expect(await refusedWith('{ users { nodes { username }', 'GRAPHQL_VALIDATION_FAILED')).toMatch(/Syntax Error/);
    expect(await refusedWith('query($n: Int) { users(first: $n) { totalCount } }', 'GRAPHQL_VALIDATION_FAILED', { n: 'ten' })).toMatch(/\$n.*Int/);
    expect(await refusedWith(`{ ${'me { username } '.repeat(3000)} }`, 'GRAPHQL_VALIDATION_FAILED')).toMatch(/Document contains more th(at|an) 10000 tokens/);
    expect(await refusedWith('{ jobs(filter: { phases: [RUNNING] }) { totalCount } }', 'GRAPHQL_VALIDATION_FAILED')).toMatch(/RUNNING/);
    const sub = await gql(s.url, 'subscription { nodeStatus { change } }', { headers: admin });
    expect(sub.status).toBe(400);
    expect(sub.body.errors?.[0]?.message).toBe('subscriptions work over WebSocket only: connect to /graphql with the graphql-transport-ws protocol');
    const notJson = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: '{"query": ' });
    expect(notJson.status).toBe(400);
  });

  it('subscriptions are held to the same limits, over the WebSocket', async () => {
    const sub = subscriber(s.url, { headers: admin });
    try {
      const deep = new Events(sub.client, 'subscription { jobPhaseChanged { job { results { name } } } }');
      expect(await deep.failure()).toMatch(/nests deeper than 3 levels, the limit \(graphql\.maxDepth\)/);
      const wrong = new Events(sub.client, 'subscription { nodeStatus { nope } }');
      expect(await wrong.failure()).toMatch(/Cannot query field "nope" on type "NodeStatusChange"/);
      const fine = new Events(sub.client, 'subscription { nodeStatus { change node { id } } }');
      expect((await fine.until((i) => i.length > 0))[0].nodeStatus.change).toBe('CURRENT');
      fine.stop();
    } finally {
      await sub.dispose();
    }
  });

  it('GraphiQL is served when graphql.graphiql is on, with a CSP that lets it load', async () => {
    const res = await fetch(`${s.url}/graphiql`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self' https:\/\/unpkg\.com/);
    // everything else keeps the strict policy
    expect((await fetch(`${s.url}/api/health`)).headers.get('content-security-policy')).not.toMatch(/unpkg/);
  });
});
