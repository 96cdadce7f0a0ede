import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DB_KIND, REPO, testConfig, type TestDatabase, type TestServerOptions } from './server.js';
import { keepLog } from './recent-log.js';

/**
 * The real `vocloud` command as a child process: fault tests need a server they can SIGTERM
 * and SIGKILL, and CLI tests need its exit codes and messages.
 */

export const CLI = join(REPO, 'core', 'dist', 'cli', 'main.js');

/**
 * The environment for a child: ours without VOCLOUD_* (the test harness's own variables, such
 * as VOCLOUD_PGLITE_TEMPLATE, would be read as configuration keys), DATABASE_URL and PORT —
 * so a test states exactly the overrides it means.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VOCLOUD_') || k === 'DATABASE_URL' || k === 'PORT') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** Killed (SIGKILL) after this long; the result then has signal SIGKILL. */
  readonly timeoutMs?: number;
}

/** Run `vocloud <args>` to its end. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? tmpdir(), env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running `vocloud serve`. */
export interface ServeProcess {
  readonly url: string;
  readonly pid: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  kill(signal: NodeJS.Signals): void;
  /** Resolves when the process has exited. */
  readonly exited: Promise<Exit>;
  /** Wait for the exit; SIGKILL and throw after `timeoutMs`. */
  waitExit(timeoutMs?: number): Promise<Exit>;
  /** SIGKILL it if it still runs, and wait (cleanup). */
  dispose(): Promise<void>;
}

/** Start `vocloud serve` and wait until it prints the URL it serves. */
export function startServe(args: readonly string[], options: CliOptions = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, ...args, 'serve'], { cwd: options.cwd ?? tmpdir(), env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let done = false;
  const forget = keepLog(`vocloud serve (pid ${child.pid})`, () => out);
  const exited = new Promise<Exit>((resolve) => child.on('close', (code, signal) => {
    done = true;
    resolve({ code, signal });
  }));
  const proc: Omit<ServeProcess, 'url'> = {
    pid: child.pid!,
    output: () => out,
    kill: (signal) => {
      if (!done) child.kill(signal);
    },
    exited,
    async waitExit(timeoutMs = 30_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), timeoutMs)));
      const r = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (r === 'timeout') {
        child.kill('SIGKILL');
        throw new Error(`vocloud serve (pid ${child.pid}) did not exit within ${timeoutMs} ms; output:\n${out}`);
      }
      return r;
    },
    async dispose() {
      if (!done) child.kill('SIGKILL');
      await exited;
      forget();
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vocloud serve did not start within ${options.timeoutMs ?? 60_000} ms; output:\n${out}`));
    }, options.timeoutMs ?? 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /is serving (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ ...proc, url: m[1]! });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`vocloud serve exited (code ${e.code}, signal ${e.signal}) before serving; output:\n${out}`));
    });
  });
}

/**
 * Give a new PGlite data dir the migrated template of this run (global-setup), so a child
 * server opens it in ~0.5 s instead of running initdb for ~5 s. The dump is a tar of PGDATA.
 */
export async function seedPglite(dataDir: string): Promise<void> {
  const template = process.env.VOCLOUD_PGLITE_TEMPLATE;
  const dbDir = join(dataDir, 'db');
  if (DB_KIND !== 'pglite' || !template || !existsSync(template) || existsSync(dbDir)) return;
  await mkdir(dbDir, { recursive: true });
  const r = spawnSync('tar', ['-xf', template, '-C', dbDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`could not unpack the PGlite template: ${r.stderr}`);
}

/**
 * Write a YAML config for a child server (the test defaults of server.ts, all values spelled
 * out; JSON is YAML) into `dataDir`, and return its path.
 */
export async function writeServeConfig(dataDir: string, database: TestDatabase, options: TestServerOptions = {}): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const { config } = testConfig(dataDir, database, options);
  const file = join(dataDir, `vocloud-${randomBytes(3).toString('hex')}.yaml`);
  await writeFile(file, `# written by tests/support/cli.ts\n${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/** A child `vocloud serve` on `dataDir` and `database` (PGlite seeded from the template). */
export async function startServeNode(dataDir: string, database: TestDatabase, options: TestServerOptions & CliOptions = {}): Promise<ServeProcess> {
  await seedPglite(dataDir);
  // everything down to debug: it is kept in memory and printed only for a failed test
  const file = await writeServeConfig(dataDir, database, { logLevel: 'debug', ...options });
  return startServe(['--config', file], options);
}

export async function tempDir(prefix = 'vocloud-cli-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}
