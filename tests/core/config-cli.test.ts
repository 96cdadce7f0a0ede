import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, PluginLoadError, PluginRegistry, loadConfig } from '@vocloud/core';
import { pino } from 'pino';
import { DB_KIND, REPO, TEST_PG_URL, TEST_PLUGIN, createTestDatabase, type TestDatabase } from '../support/server.js';
import { needPeer, peers } from '../support/peers.js';
import { runCli, seedPglite, startServe, tempDir, type CliResult } from '../support/cli.js';
import { createJob, getJob } from '../support/uws.js';
import { freePort } from '../support/ports.js';

/*
 * Configuration and the `vocloud` command: every bad key or value is refused with a message
 * that names it (and the environment variable it came from), environment overrides win over
 * the file, and the CLI's commands exit with the codes they document (0 fine, 2 configuration,
 * 1 anything else such as a missing or invalid plugin).
 */

const fixture = (name: string) => join(REPO, 'tests', 'fixtures', name);

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The ConfigError message loadConfig throws (fails the test when it does not throw). */
function configError(options: Parameters<typeof loadConfig>[0]): string {
  try {
    loadConfig({ noFile: true, env: {}, ...options });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
}

async function yamlFile(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** A config with the test plugin; anonymous clients may create jobs (as in the quick start). */
const testPluginYaml = (dataDir: string) => `dataDir: ${dataDir}\nlog:\n  level: warn\nauth:\n  anonymous: true\nplugins:\n  - package: ${TEST_PLUGIN}\n`;

const output = (r: CliResult) => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

describe('configuration validation', () => {
  it('an unknown key is refused with a message naming it', () => {
    expect(configError({ overrides: { uws: { maxWiat: 5 } } })).toMatch(/uws\.maxWiat: unknown key/);
    expect(configError({ overrides: { executr: {} } })).toMatch(/executr: unknown key/);
  });

  it('a bad value is refused with a message naming the key and what is wrong, every problem at once', () => {
    const message = configError({ overrides: { executor: { maxConcurrentJobs: 0 }, uws: { maxWait: 'long' }, log: { level: 'loud' } } });
    expect(message).toMatch(/executor\.maxConcurrentJobs: must be >= 1/);
    expect(message).toMatch(/uws\.maxWait: must be integer/);
    expect(message).toMatch(/log\.level/);
  });

  it('a bad value from the environment names the key and the variable', () => {
    expect(configError({ env: { VOCLOUD_UWS__MAX_WAIT: 'soon' } })).toMatch(/uws\.maxWait \(from VOCLOUD_UWS__MAX_WAIT\): must be integer/);
    expect(configError({ env: { PORT: 'http' } })).toMatch(/server\.port \(from PORT\)/);
    expect(configError({ env: { PORT: '70000' } })).toMatch(/server\.port \(from PORT\): must be <= 65535/);
    expect(configError({ env: { DATABASE_URL: 'mysql://db/x' } })).toMatch(/database\.url \(from DATABASE_URL\): must start with postgres:\/\//);
  });

  it('an unknown key from the environment names the variable', () => {
    expect(configError({ env: { VOCLOUD_UWS__MAXWAIT: '3' } })).toMatch(/uws\.maxwait: unknown key \(VOCLOUD_UWS__MAXWAIT\)/);
    expect(configError({ env: { VOCLOUD_UWS___MAX_WAIT: '3' } })).toMatch(/VOCLOUD_UWS___MAX_WAIT/);
  });

  it('the environment wins over the file, which wins over the defaults', async () => {
    const file = await yamlFile('env-over-file.yaml', 'server:\n  port: 8000\n  host: 0.0.0.0\nuws:\n  maxWait: 30\n  reaperInterval: 5\nexecutor:\n  enabled: true\n');
    const { config } = loadConfig({
      file,
      env: { VOCLOUD_UWS__MAX_WAIT: '7', PORT: '9999', DATABASE_URL: 'postgres://u@db.example/vocloud', VOCLOUD_EXECUTOR__ENABLED: 'false' },
    });
    expect(config.uws.maxWait).toBe(7);
    expect(config.uws.reaperInterval).toBe(5);
    expect(config.server.port).toBe(9999);
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.database.url).toBe('postgres://u@db.example/vocloud');
    expect(config.executor.enabled).toBe(false);
    expect(config.executor.maxConcurrentJobs).toBe(8);
  });

  it('a file that is not YAML, or not a mapping, is refused naming the file', async () => {
    const broken = await yamlFile('broken.yaml', 'uws:\n  maxWait: [1, 2\n');
    expect(configError({ noFile: false, file: broken })).toContain(broken);
    const list = await yamlFile('list.yaml', '- a\n- b\n');
    expect(configError({ noFile: false, file: list })).toMatch(/top level must be a mapping/);
    expect(configError({ noFile: false, file: join(dir, 'missing.yaml') })).toMatch(/missing\.yaml does not exist/);
  });
});

describe('the vocloud command', () => {
  it('`config check` exits 0 for a good configuration and names the job types', async () => {
    const file = await yamlFile('good.yaml', testPluginYaml(join(dir, 'var-good')));
    const r = await runCli(['--config', file, 'config', 'check']);
    expect(r.code, output(r)).toBe(0);
    expect(r.stdout).toContain('configuration OK');
    const types = /job types: (.*)/.exec(r.stdout)?.[1]?.split(', ');
    expect(types).toEqual(expect.arrayContaining(['noop', 'wait', 'cpu', 'hang', 'fail', 'typed', 'files']));
  });

  it('`config check` exits 2 naming the key for a bad key or value, in the file or the environment', async () => {
    const file = await yamlFile('bad-key.yaml', `${testPluginYaml(join(dir, 'var-bad'))}uws:\n  maxWiat: 5\n`);
    const r = await runCli(['--config', file, 'config', 'check']);
    expect(r.code, output(r)).toBe(2);
    expect(r.stderr).toMatch(/uws\.maxWiat: unknown key/);
    expect(r.stderr).toContain(file);

    const good = await yamlFile('good-for-env.yaml', testPluginYaml(join(dir, 'var-env')));
    const e = await runCli(['--config', good, 'config', 'check'], { env: { VOCLOUD_EXECUTOR__MAX_CONCURRENT_JOBS: '-3' } });
    expect(e.code, output(e)).toBe(2);
    expect(e.stderr).toMatch(/executor\.maxConcurrentJobs \(from VOCLOUD_EXECUTOR__MAX_CONCURRENT_JOBS\): must be >= 1/);

    const missing = await runCli(['--config', join(dir, 'nowhere.yaml'), 'config', 'check']);
    expect(missing.code, output(missing)).toBe(2);
    expect(missing.stderr).toMatch(/nowhere\.yaml does not exist/);
  });

  it('`config check` takes --config after the subcommand too', async () => {
    const file = await yamlFile('after.yaml', testPluginYaml(join(dir, 'var-after')));
    const r = await runCli(['config', 'check', '--config', file]);
    expect(r.code, output(r)).toBe(0);
    expect(r.stdout).toContain(file);
  });

  it('`plugins` lists every job type with its parameters and limits', async () => {
    const file = await yamlFile('plugins.yaml', testPluginYaml(join(dir, 'var-plugins')));
    const r = await runCli(['--config', file, 'plugins']);
    expect(r.code, output(r)).toBe(0);
    for (const name of ['noop', 'wait', 'cpu', 'hang', 'fail', 'typed', 'files']) expect(r.stdout).toMatch(new RegExp(`^${name} \\(worker, `, 'm'));
    expect(r.stdout).toMatch(/parameters: count, scale, mode, verbose, bands, label, grid/);
    expect(r.stdout).toMatch(/limits: default 60 s, max 120 s, concurrency 4/);
  });

  // Every kind of bad plugin: the registry `serve` and `config check` load them with (in
  // process, quick), and one through `config check` itself.
  const badPlugins: [string, string, RegExp][] = [
    ['a plugin that is not installed', '@vocloud/plugin-that-does-not-exist', /plugin '@vocloud\/plugin-that-does-not-exist' is not installed/],
    ['a plugin file that does not exist', fixture('no-such-plugin.mjs'), /no-such-plugin\.mjs does not exist/],
    ['a plugin without a default export', fixture('no-default-plugin.mjs'), /has no default export/],
    ['a plugin that throws when imported', fixture('broken-plugin.mjs'), /failed to load: this plugin is broken on purpose/],
    ['a plugin whose export is not a worker', fixture('not-a-worker-plugin.mjs'), /must come from defineWorker\(\)/],
  ];
  for (const [what, spec, message] of badPlugins) {
    it(`loading the plugins fails with a PluginLoadError naming the problem, given ${what}`, async () => {
      const config = loadConfig({ noFile: true, env: {}, overrides: { dataDir: join(dir, 'var-registry'), plugins: [{ package: spec }] } });
      const registry = new PluginRegistry(config, pino({ level: 'silent' }));
      const err = await registry.load().then(() => null, (e: unknown) => e as Error);
      expect(err).toBeInstanceOf(PluginLoadError);
      expect(err!.message).toMatch(message);
    });
  }

  it('`config check` exits 1 naming a plugin that cannot be loaded', async () => {
    const file = await yamlFile('bad-plugin.yaml', `dataDir: ${join(dir, 'var-bad-plugin')}\nplugins:\n  - package: ${fixture('broken-plugin.mjs')}\n`);
    const r = await runCli(['--config', file, 'config', 'check']);
    expect(r.code, output(r)).toBe(1);
    expect(r.stderr).toMatch(/broken-plugin\.mjs' failed to load: this plugin is broken on purpose/);
  });

  for (const [what, spec, message] of [badPlugins[0]!, badPlugins[2]!]) {
    it(`\`serve\` refuses to start, with a clear message and a non-zero exit, given ${what}`, async () => {
      const dataDir = join(dir, `var-refuse-${badPlugins.findIndex((r) => r[0] === what)}`);
      await seedPglite(dataDir);
      const database: TestDatabase = await createTestDatabase();
      try {
        const file = await yamlFile(`refuse-${what.replace(/\W+/g, '-')}.yaml`, `dataDir: ${dataDir}\nserver:\n  port: 0\n${database.url ? `database:\n  url: ${database.url}\n` : ''}plugins:\n  - package: ${JSON.stringify(spec)}\n`);
        const r = await runCli(['--config', file, 'serve'], { timeoutMs: 30_000 });
        expect(r.signal, `still running after 30 s:\n${output(r)}`).toBeNull();
        expect(r.code, output(r)).not.toBe(0);
        expect(r.stderr).toMatch(/cannot start/);
        expect(r.stderr).toMatch(message);
        expect(r.stdout).not.toMatch(/is serving/);
      } finally {
        await database.drop();
      }
    });
  }

  it(`\`migrate\` applies the migrations once and is idempotent (${DB_KIND})`, async () => {
    const database: TestDatabase = await createTestDatabase();
    try {
      const file = await yamlFile('migrate.yaml', `dataDir: ${join(dir, 'var-migrate')}\n${database.url ? `database:\n  url: ${database.url}\n` : ''}`);
      const first = await runCli(['--config', file, 'migrate'], { timeoutMs: 60_000 });
      expect(first.code, output(first)).toBe(0);
      expect(first.stdout).toMatch(/applied 001-jobs/);
      const second = await runCli(['--config', file, 'migrate'], { timeoutMs: 60_000 });
      expect(second.code, output(second)).toBe(0);
      expect(second.stdout).toMatch(/is up to date \(0 pending before\)/);
    } finally {
      await database.drop();
    }
  });
});

describe('environment overrides of a running server', () => {
  it('PORT and VOCLOUD_UWS__MAX_WAIT change what `serve` does', async () => {
    const dataDir = join(dir, 'var-env-serve');
    await seedPglite(dataDir);
    const database: TestDatabase = await createTestDatabase();
    const file = await yamlFile('env-serve.yaml', `${testPluginYaml(dataDir)}server:\n  port: 1\n${database.url ? `database:\n  url: ${database.url}\n` : ''}`);
    const port = await freePort();
    const node = await startServe(['--config', file], { env: { PORT: String(port), VOCLOUD_UWS__MAX_WAIT: '1' } });
    try {
      expect(node.url).toBe(`http://127.0.0.1:${port}`);
      const job = await createJob(node.url, 'noop');
      // WAIT=-1 on a PENDING job blocks at most uws.maxWait: 1 s here, 60 s by default.
      const waited = await getJob(job, '?WAIT=-1');
      expect(waited.phase).toBe('PENDING');
    } finally {
      node.kill('SIGTERM');
      expect((await node.waitExit(20_000)).code).toBe(0);
      await database.drop();
    }
  });

  describe.skipIf(!needPeer(peers.postgres(), 'DATABASE_URL overrides the database of `vocloud serve`'))('with PostgreSQL', () => {
    it('DATABASE_URL makes `serve` use PostgreSQL instead of the embedded database', async () => {
      const database = await createTestDatabase(TEST_PG_URL ?? `postgres://postgres@${process.env.PGHOST ?? '127.0.0.1'}:${process.env.PGPORT ?? '5432'}/postgres`);
      const file = await yamlFile('env-db.yaml', testPluginYaml(join(dir, 'var-env-db')));
      const node = await startServe(['--config', file], { env: { DATABASE_URL: database.url! } });
      try {
        expect(node.output()).toMatch(/database: +PostgreSQL postgres:\/\//);
        const id = (await createJob(node.url, 'noop', { RUNID: 'from-env' })).split('/').pop();
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        try {
          const rows = (await client.query('SELECT run_id FROM jobs WHERE id = $1', [id])).rows;
          expect(rows).toEqual([{ run_id: 'from-env' }]);
        } finally {
          await client.end();
        }
      } finally {
        node.kill('SIGTERM');
        await node.waitExit(20_000);
        await database.drop();
      }
    });
  });
});
