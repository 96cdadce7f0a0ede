import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/server.js';
import { runCli, seedPglite, startServeNode, tempDir, writeServeConfig } from '../support/cli.js';
import { basic } from '../support/auth.js';

/* `vocloud user add`: the way to make the first (or another) admin from a shell. */

let dataDir: string;
let database: TestDatabase;
let config: string;

beforeAll(async () => {
  dataDir = await tempDir();
  database = await createTestDatabase();
  await seedPglite(dataDir);
  config = await writeServeConfig(dataDir, database, { overrides: { auth: { anonymous: false } } });
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await database.drop();
});

describe('vocloud user add', () => {
  it('creates an admin with a generated password, printed once, that signs in', async () => {
    const r = await runCli(['--config', config, 'user', 'add', 'root2', '--email', 'root2@example.org', '--admin']);
    expect(r.code, r.stderr).toBe(0);
    const m = /created admin 'root2' with password (\S+) \(shown only now\)/.exec(r.stdout);
    expect(m).not.toBeNull();
    const again = await runCli(['--config', config, 'user', 'add', 'root2', '--email', 'other@example.org']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/taken/);
    const bad = await runCli(['--config', config, 'user', 'add', 'Bad Name', '--email', 'x@example.org']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/user name is 2–32 characters/);

    const node = await startServeNode(dataDir, database, { overrides: { auth: { anonymous: false } } });
    try {
      const me = await fetch(`${node.url}/api/me`, { headers: basic('root2', m![1]!) });
      expect(((await me.json()) as any).user).toMatchObject({ username: 'root2', role: 'admin' });
      // while the server runs on embedded PGlite, the command refuses to open its database
      if (!database.url) {
        const busy = await runCli(['--config', config, 'user', 'add', 'late', '--email', 'late@example.org']);
        expect(busy.code).not.toBe(0);
        expect(busy.stderr).toMatch(/in use by process/);
      }
    } finally {
      node.kill('SIGTERM');
      expect((await node.waitExit(60_000)).code).toBe(0);
    }
  });
});
