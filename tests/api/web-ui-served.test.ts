import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, startServer, type TestServer } from '../support/server.js';

/* The web UI is served at / to signed-out users too (its sign-in page), while the API is not. */

const built = existsSync(join(REPO, 'web', 'dist', 'index.html'));
let s: TestServer;
beforeAll(async () => {
  s = await startServer({ overrides: { auth: { anonymous: false } } });
});
afterAll(async () => s?.stop());

describe.skipIf(!built)('web UI with anonymous use off', () => {
  it('serves the app, its assets and client-side routes without credentials; the API still asks for them', async () => {
    const index = await fetch(`${s.url}/`);
    expect(index.status).toBe(200);
    const html = await index.text();
    expect(html).toMatch(/<div id="root">|<script type="module"/);
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const js = await fetch(`${s.url}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${s.url}/jobs/abc`)).status).toBe(200); // client-side route
    expect((await fetch(`${s.url}/api/jobs`)).status).toBe(401);
    expect((await fetch(`${s.url}/uws/noop`)).status).toBe(401);
    expect((await fetch(`${s.url}/api/nothing-here`)).status).toBe(404);
  });
});
