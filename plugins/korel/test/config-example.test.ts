// config/default.yaml as `npm start` reads it: the som and korel entries load with their limits,
// and the commented KOREL external-mode example, once uncommented as its comment says (the two
// paths set; the fake KOREL of test/fixtures stands in for the Fortran binary), runs a job.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@vocloud/core';
import { REPO, startServer, type TestServer } from '../../../tests/support/server.js';
import { waitFinal } from '../../../tests/support/uws.js';

const FAKE_KOREL = join(REPO, 'plugins', 'korel', 'test', 'fixtures', 'fake-korel');
const EXAMPLE_START = '  # - package: "@vocloud/plugin-command"';

/** default.yaml with the external-mode block uncommented and its two paths set. */
async function uncommented(): Promise<string> {
  const text = await readFile(join(REPO, 'config', 'default.yaml'), 'utf8');
  const at = text.indexOf(EXAMPLE_START);
  if (at < 0) throw new Error('config/default.yaml has no commented external-mode example');
  const block = text.slice(at).split('\n').map((l) => (l.startsWith('  # ') ? `  ${l.slice(4)}` : l)).join('\n');
  return text.slice(0, at) + block.replace('/path/to/vocloud', REPO).replace('--korel=/opt/korel/korel', `--korel=${FAKE_KOREL}`);
}

let s: TestServer;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vocloud-korel-config-'));
  const file = join(dir, 'vocloud.yaml');
  await writeFile(file, await uncommented());
  s = await startServer({ plugins: loadConfig({ file, env: {} }).config.plugins });
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('config/default.yaml', () => {
  it('offers som, korel and korel-prepare with the limits it sets for a 2-core machine', async () => {
    const { jobTypes } = (await (await fetch(`${s.url}/api/job-types`)).json()) as { jobTypes: { name: string; limits: Record<string, number> }[] };
    const limits = Object.fromEntries(jobTypes.map((t) => [t.name, t.limits]));
    expect(limits.som).toEqual({ concurrency: 1, defaultExecutionDuration: 3600, maxExecutionDuration: 28800 });
    expect(limits.korel).toEqual({ concurrency: 2, defaultExecutionDuration: 3600, maxExecutionDuration: 28800 });
    expect(limits['korel-prepare']).toEqual({ concurrency: 1, defaultExecutionDuration: 600, maxExecutionDuration: 3600 });
    expect(limits['korel-fortran']).toBeDefined();
  });

  it('the external-mode example runs the KOREL binary on uploaded korel.dat and korel.par', async () => {
    const form = new FormData();
    form.append('dat', new Blob(['1 6500 2 1 4\n1 1 1 1\n2 6500 2 1 4\n1 1 0.9 1\n']), 'korel.dat');
    form.append('parFile', new Blob(['   1   1   0   0   0   2   0   0   0\no 0 5 1 1 1 80 5\no 0 0\n']), 'korel.par');
    form.append('PHASE', 'RUN');
    const res = await fetch(`${s.url}/uws/korel-fortran`, { method: 'POST', body: form, redirect: 'manual' });
    expect(res.status, await res.text()).toBe(303);
    const job = await waitFinal(res.headers.get('location')!);
    expect(job.phase, job.errorSummary?.message).toBe('COMPLETED');
    const ids = job.results.map((r) => r.id);
    for (const name of ['korel.res', 'korel.spe', 'korel.rv', 'korel.o-c', 'phg.ps']) expect(ids.some((id) => id.endsWith(name))).toBe(true);
    const resHref = job.results.find((r) => r.id.endsWith('korel.res'))!.href;
    expect(await (await fetch(resHref)).text()).toMatch(/korel\.par first line: +1 +1 +0/);
  });
});
