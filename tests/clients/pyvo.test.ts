import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, COMMAND_PLUGIN, startServer, type TestServer } from '../support/server.js';
import { addUser, basic, createToken } from '../support/auth.js';
import { needPeer, peers } from '../support/peers.js';
import { createJob } from '../support/uws.js';

/*
 * A real VO client: pyvo 1.2.1 (Debian's python3-pyvo) drives jobs made over HTTP — phase,
 * execution_duration and destruction setters, run(), wait() (WAIT=-1 with no sleep between
 * polls, so WAIT must really block), result URIs, abort(), delete() (which follows the 303).
 */

const hasPyvo = needPeer(peers.pyvo(), 'pyvo drives UWS jobs');

// Asynchronous on purpose: the server runs in this process and must keep answering.
async function drive(jobUrl: string, mode: 'complete' | 'abort', env: Record<string, string> = {}): Promise<Record<string, any>> {
  const { stdout } = await promisify(execFile)('/usr/bin/python3', [join(REPO, 'tests', 'clients', 'pyvo_drive.py'), jobUrl, mode], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

describe.skipIf(!hasPyvo)('pyvo AsyncTAPJob', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({
      plugins: [
        {
          package: COMMAND_PLUGIN,
          options: {
            jobTypes: [
              {
                name: 'greet',
                command: '/bin/sh',
                args: ['-c', 'sleep 1; echo "hello $0"; echo side > "$1/side.txt"', '{name}', '{resultDir}'],
                parameters: { type: 'object', properties: { name: { type: 'string', maxLength: 100 } }, required: ['name'] },
              },
            ],
          },
        },
      ],
    });
  });
  afterAll(async () => s?.stop());

  it('runs a job to COMPLETED, reads its results and deletes it', async () => {
    const url = await createJob(s.url, 'greet', { name: 'Ondřejov; rm -rf /' });
    const seen = await drive(url, 'complete');
    expect(seen.version).toBe('1.2.1');
    expect(seen.initial_phase).toBe('PENDING');
    expect(seen.execution_duration).toBe(90);
    // pyvo sends …S.ffffff; we keep milliseconds
    expect(seen.destruction_got).toBe(seen.destruction_sent.slice(0, 23));
    expect(seen.final_phase).toBe('COMPLETED');
    expect(seen.result_uris).toEqual([`${url}/results/stdout.txt`, `${url}/results/stderr.txt`, `${url}/results/side.txt`]);
    // the parameter reached the program as one argument, never through a shell
    expect(seen.results['stdout.txt']).toBe('hello Ondřejov; rm -rf /\n');
    expect(seen.results['side.txt']).toBe('side\n');
    expect(seen.uws_version).toBe('1.1');
    expect(seen.status_after_delete).toBe(404);
  });

  it('aborts a running job', async () => {
    const url = await createJob(s.url, 'greet', { name: 'abort me' });
    const seen = await drive(url, 'abort');
    expect(seen.phase_after_abort).toBe('ABORTED');
    expect(seen.status_after_delete).toBe(404);
  });
});

describe.skipIf(!hasPyvo)('pyvo with credentials (anonymous use off)', () => {
  let s: TestServer;
  let user: { username: string; password: string };
  beforeAll(async () => {
    s = await startServer({ overrides: { auth: { anonymous: false } } });
    user = await addUser(s, 'vouser');
  });
  afterAll(async () => s?.stop());

  async function jobFor(headers: Record<string, string>): Promise<string> {
    const res = await fetch(`${s.url}/uws/wait`, { method: 'POST', headers, body: new URLSearchParams({ ms: '300' }), redirect: 'manual' });
    expect(res.status).toBe(303);
    return res.headers.get('location')!;
  }

  it('drives a job with HTTP Basic (requests session auth)', async () => {
    const url = await jobFor(basic(user.username, user.password));
    const seen = await drive(url, 'complete', { VOCLOUD_BASIC: `${user.username}:${user.password}` });
    expect(seen.final_phase).toBe('COMPLETED');
    expect(seen.owner).toBe('vouser');
    expect(seen.status_after_delete).toBe(404);
  });

  it('drives a job with a personal API token (session headers)', async () => {
    const { token } = await createToken(s.url, basic(user.username, user.password), 'pyvo');
    const url = await jobFor(basic(user.username, user.password));
    const seen = await drive(url, 'complete', { VOCLOUD_TOKEN: token });
    expect(seen.final_phase).toBe('COMPLETED');
    expect(seen.owner).toBe('vouser');
  });

  it('without credentials pyvo gets 401, not someone else’s job', async () => {
    const url = await jobFor(basic(user.username, user.password));
    await expect(drive(url, 'complete')).rejects.toThrow(/401/);
  });
});
