import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import WebSocket from 'ws';
import { ADMIN_PASSWORD, DB_KIND, startServer, type TestServer } from '../support/server.js';
import { addUser, adminHeaders, basic, bearer, createToken, login } from '../support/auth.js';
import { post } from '../support/uws.js';
import { createJobAs, data, Events, subscriber, type Subscriber } from './client.js';

/*
 * Subscriptions over a real WebSocket (graphql-ws client, graphql-transport-ws protocol)
 * against a real server with anonymous use off: who may connect, and that events arrive —
 * a job's phases in the order they happened, node status changes.
 */

let s: TestServer;
const admin = adminHeaders();
let alice: Record<string, string>;
let bob: Record<string, string>;
let aliceToken = '';
let adminToken = '';
const open: Subscriber[] = [];

beforeAll(async () => {
  s = await startServer({ overrides: { auth: { anonymous: false } } });
  const a = await addUser(s, 'alice');
  const b = await addUser(s, 'bob');
  alice = basic(a.username, a.password);
  bob = basic(b.username, b.password);
  aliceToken = (await createToken(s.url, alice, 'ws')).token;
  adminToken = (await createToken(s.url, admin, 'ws')).token;
});
afterAll(async () => {
  for (const sub of open) await sub.dispose();
  await s?.stop();
});

function connect(options: Parameters<typeof subscriber>[1]): Subscriber {
  const sub = subscriber(s.url, options);
  open.push(sub);
  return sub;
}

const createJob = (headers: Record<string, string>, jobType: string, form: Record<string, string> | FormData = {}) => createJobAs(s.url, headers, jobType, form);

const PHASES = 'subscription($owner: String, $jobType: String) { jobPhaseChanged(owner: $owner, jobType: $jobType) { jobId phase deleted at jobType ownerId job { id phase } } }';

type Change = { jobPhaseChanged: { jobId: string; phase: string | null; deleted: boolean; at: string; jobType: string | null; ownerId: string | null; job: { phase: string } | null } };

/**
 * A subscription is live once it has delivered something: the client gets no
 * acknowledgement per subscription. Create throw-away jobs of `owner` until one shows.
 */
async function live(events: Events<Change>, owner: Record<string, string>, jobType = 'noop'): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (events.items.length === 0) {
    if (Date.now() > deadline) throw new Error('the subscription never delivered an event');
    await createJob(owner, jobType, { PHASE: 'RUN' });
    await events.until((i) => i.length > 0, 1000).catch(() => undefined);
  }
}

const of = (events: Events<Change>, id: string) => events.items.map((e) => e.jobPhaseChanged).filter((c) => c.jobId === id);

/**
 * The HTTP answer to a WebSocket upgrade that the server refuses. It resolves once the server
 * has also closed the connection: a refused upgrade must not hold a socket (and a shutdown).
 */
function upgradeRefusal(headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { headers });
    const timer = setTimeout(() => reject(new Error('the server kept the refused connection open')), 5000);
    ws.on('open', () => {
      ws.close();
      reject(new Error('the upgrade was accepted'));
    });
    ws.on('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      req.socket.once('close', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    ws.on('error', () => undefined);
  });
}

describe(`GraphQL subscriptions (${DB_KIND})`, () => {
  it('jobPhaseChanged delivers every phase of a job in order, then its deletion', async () => {
    const sub = connect({ headers: admin });
    const events = new Events<Change>(sub.client, PHASES, { owner: 'alice' });
    await live(events, alice);

    const id = await createJob(alice, 'wait', { ms: '300' });
    await post(`${s.url}/uws/wait/${id}/phase`, { PHASE: 'RUN' }, alice);
    await events.until((items) => items.some((e) => e.jobPhaseChanged.jobId === id && e.jobPhaseChanged.phase === 'COMPLETED'), 20_000, 'COMPLETED');
    const changes = of(events, id);
    expect(changes.map((c) => c.phase)).toEqual(['PENDING', 'QUEUED', 'EXECUTING', 'COMPLETED']);
    for (const c of changes) expect(c).toMatchObject({ deleted: false, jobType: 'wait', ownerId: 'alice', job: { id } });
    const times = changes.map((c) => Date.parse(c.at));
    expect([...times].sort((x, y) => x - y)).toEqual(times);

    await data(s.url, `mutation { deleteJob(id: "${id}") }`, admin);
    await events.until((items) => items.some((e) => e.jobPhaseChanged.jobId === id && e.jobPhaseChanged.deleted), 10_000, 'the deletion');
    expect(of(events, id).at(-1)).toMatchObject({ phase: null, deleted: true, jobType: 'wait', ownerId: 'alice', job: null });
    events.stop();
  });

  it('an aborted job shows QUEUED, EXECUTING, ABORTED in that order', async () => {
    const sub = connect({ headers: admin });
    const events = new Events<Change>(sub.client, PHASES, { owner: 'alice', jobType: 'wait' });
    await live(events, alice, 'wait');
    const id = await createJob(alice, 'wait', { ms: '60000' });
    await post(`${s.url}/uws/wait/${id}/phase`, { PHASE: 'RUN' }, alice);
    await events.until((items) => items.some((e) => e.jobPhaseChanged.jobId === id && e.jobPhaseChanged.phase === 'EXECUTING'), 20_000, 'EXECUTING');
    await data(s.url, `mutation { abortJob(id: "${id}") { phase } }`, admin);
    await events.until((items) => items.some((e) => e.jobPhaseChanged.jobId === id && e.jobPhaseChanged.phase === 'ABORTED'), 10_000, 'ABORTED');
    expect(of(events, id).map((c) => c.phase)).toEqual(['PENDING', 'QUEUED', 'EXECUTING', 'ABORTED']);
    events.stop();
  });

  it('owner and jobType filters pass only matching jobs', async () => {
    const sub = connect({ headers: admin });
    const bobs = new Events<Change>(sub.client, PHASES, { owner: 'bob' });
    const noops = new Events<Change>(sub.client, PHASES, { jobType: 'noop' });
    await live(bobs, bob);
    await live(noops, alice);
    const aliceCpu = await createJob(alice, 'cpu', { ms: '0', PHASE: 'RUN' });
    const bobNoop = await createJob(bob, 'noop', { PHASE: 'RUN' });
    const done = (events: Events<Change>, id: string) => events.until(() => of(events, id).some((c) => c.phase === 'COMPLETED'), 20_000, `job ${id}`);
    await done(bobs, bobNoop);
    await done(noops, bobNoop);
    for (;;) {
      const { job } = await data(s.url, `{ job(id: "${aliceCpu}") { phase } }`, admin);
      if (job.phase === 'COMPLETED') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // a last job after alice's has ended: once it shows, alice's events would have shown first
    const marker = await createJob(bob, 'noop', { PHASE: 'RUN' });
    await done(bobs, marker);
    await done(noops, marker);
    expect(of(bobs, aliceCpu)).toEqual([]);
    expect(of(noops, aliceCpu)).toEqual([]);
    expect(bobs.items.every((e) => e.jobPhaseChanged.ownerId === 'bob')).toBe(true);
    expect(noops.items.every((e) => e.jobPhaseChanged.jobType === 'noop')).toBe(true);
    expect(of(noops, bobNoop).map((c) => c.phase)).toEqual(['QUEUED', 'EXECUTING', 'COMPLETED']);
    bobs.stop();
    noops.stop();
  });

  it('nodeStatus starts with the current nodes, then reports running jobs, nodes joining and going down', async () => {
    // start from an idle node: jobs of the tests before may still be stopping
    for (let i = 0; (await data(s.url, '{ nodes { runningJobs } }', admin)).nodes[0].runningJobs > 0; i++) {
      if (i > 100) throw new Error('the node never became idle');
      await new Promise((r) => setTimeout(r, 100));
    }
    const sub = connect({ headers: admin });
    type N = { nodeStatus: { change: string; node: { id: string; alive: boolean; runningJobs: number; maxConcurrentJobs: number; load: number | null } } };
    const events = new Events<N>(sub.client, 'subscription { nodeStatus { change node { id alive runningJobs maxConcurrentJobs load } } }');
    const [first] = await events.until((i) => i.length > 0);
    expect(first!.nodeStatus).toMatchObject({ change: 'CURRENT', node: { alive: true, runningJobs: 0 } });
    const self = first!.nodeStatus.node.id;

    const id = await createJob(alice, 'wait', { ms: '2500', PHASE: 'RUN' });
    await events.until((i) => i.some((e) => e.nodeStatus.change === 'CHANGED' && e.nodeStatus.node.runningJobs === 1), 10_000, 'runningJobs 1');
    await events.until((i) => i.some((e, n) => n > 1 && e.nodeStatus.change === 'CHANGED' && e.nodeStatus.node.runningJobs === 0), 10_000, 'runningJobs 0');
    const busy = events.items.find((e) => e.nodeStatus.node.runningJobs === 1)!.nodeStatus.node;
    expect(busy).toMatchObject({ id: self, load: 1 / busy.maxConcurrentJobs });
    void id;

    // another node announces itself, then stops sending heartbeats
    await s.vocloud.database.knex('nodes').insert({
      id: 'elsewhere#1', name: 'elsewhere', hostname: 'elsewhere', pid: 1, roles: 'executor', max_concurrent_jobs: 4, running_jobs: 0,
      started_at: new Date(), heartbeat_at: new Date(),
    });
    await events.until((i) => i.some((e) => e.nodeStatus.node.id === 'elsewhere#1' && e.nodeStatus.change === 'JOINED'), 10_000, 'JOINED');
    await events.until((i) => i.some((e) => e.nodeStatus.node.id === 'elsewhere#1' && e.nodeStatus.change === 'DOWN'), 15_000, 'DOWN');
    expect(events.items.filter((e) => e.nodeStatus.node.id === 'elsewhere#1').map((e) => [e.nodeStatus.change, e.nodeStatus.node.alive])).toEqual([
      ['JOINED', true],
      ['DOWN', false],
    ]);
    events.stop();
  });

  it('upgrade requests to other paths are answered as plain HTTP on a connection that then closes', async () => {
    /** Send raw request text; resolve with what came back once the server closed the connection. */
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const url = new URL(s.url);
        const sock = net.connect(Number(url.port), url.hostname);
        let got = '';
        const timer = setTimeout(() => {
          sock.destroy();
          reject(new Error(`the server kept the connection open; got ${JSON.stringify(got.slice(0, 200))}`));
        }, 5000);
        sock.on('data', (d) => (got += d));
        sock.on('close', () => {
          clearTimeout(timer);
          resolve(got);
        });
        sock.write(text.replaceAll('HOST', url.host));
      });
    const ws = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
    const health = await raw(`GET /api/health HTTP/1.1\r\nHost: HOST\r\n${ws}\r\n`);
    expect(health).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(health).toMatch(/\r\nconnection: close\r\n/i);
    expect(health).toContain('"available":true');
    // curl --http2 on http:// asks for h2c
    expect(await raw('GET /api/health HTTP/1.1\r\nHost: HOST\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 OK/);
    // anonymous use is off: the authentication hook still answers
    expect(await raw(`GET /api/me HTTP/1.1\r\nHost: HOST\r\n${ws}\r\n`)).toMatch(/^HTTP\/1\.1 401/);
    expect(await raw(`POST /api/tokens HTTP/1.1\r\nHost: HOST\r\nContent-Length: 2\r\n${ws}\r\n{}`)).toMatch(/^HTTP\/1\.1 400 Bad Request[\s\S]*without the Upgrade header/);
  });

  describe('who may connect', () => {
    const NODES = 'subscription { nodeStatus { change } }';

    async function works(options: Parameters<typeof subscriber>[1]): Promise<void> {
      const events = new Events(connect(options).client, NODES);
      expect((await events.until((i) => i.length > 0))[0]).toEqual({ nodeStatus: { change: 'CURRENT' } });
      events.stop();
    }

    async function closedWith(options: Parameters<typeof subscriber>[1]): Promise<string> {
      const sub = connect(options);
      const events = new Events(sub.client, NODES);
      const why = await events.failure();
      expect(events.items).toEqual([]);
      return why;
    }

    it('admins: Basic or Bearer on the upgrade, or a Bearer token in connection_init', async () => {
      await works({ headers: admin });
      await works({ headers: bearer(adminToken) });
      await works({ connectionParams: { authorization: `Bearer ${adminToken}` } });
      await works({ connectionParams: { headers: { Authorization: `Bearer ${adminToken}` } } });
    });

    it('nobody else: anonymous and bad tokens get 4401, other roles 4403, each with the reason', async () => {
      expect(await closedWith({})).toMatch(/^closed 4401 sign in first: a subscription needs an administrator/);
      expect(await closedWith({ connectionParams: { authorization: `Bearer ${aliceToken}` } })).toBe(
        'closed 4403 a subscription is for administrators only; you are signed in as alice with role user',
      );
      expect(await closedWith({ connectionParams: { authorization: 'Bearer vct_unknown' } })).toBe('closed 4401 the API token is not valid (unknown or revoked)');
      expect(await closedWith({ connectionParams: { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` } })).toMatch(
        /^closed 4403 connection_init: authorization must be "Bearer <API token>"/,
      );
    });

    it('the upgrade itself is refused for signed-in non-admins and bad credentials', async () => {
      const manager = await addUser(s, 'mona', 'manager');
      const gone = await addUser(s, 'gone');
      await data(s.url, 'mutation { disableUser(username: "gone") { enabled } }', admin);
      const user = await upgradeRefusal(alice);
      expect(user).toMatchObject({ status: 403 });
      expect(user.body).toMatch(/a subscription is for administrators only; you are signed in as alice with role user/);
      expect((await upgradeRefusal(basic(manager.username, manager.password))).status).toBe(403);
      expect((await upgradeRefusal(basic(gone.username, gone.password))).status).toBe(403);
      expect((await upgradeRefusal(bearer('vct_revoked-or-unknown'))).status).toBe(401);
      expect((await upgradeRefusal(basic('admin', 'wrong password'))).status).toBe(401);
    });

    it('a session cookie counts only from our own pages (no cross-site WebSocket hijacking)', async () => {
      const session = await login(s.url, 'admin', ADMIN_PASSWORD);
      await works({ headers: { cookie: session.cookie } });
      await works({ headers: { cookie: session.cookie, origin: s.url } });
      const foreign = await upgradeRefusal({ cookie: session.cookie, origin: 'https://evil.example' });
      expect(foreign.status).toBe(403);
      expect(foreign.body).toMatch(/opened by the page at https:\/\/evil\.example may not use your session/);
    });
  });
});
