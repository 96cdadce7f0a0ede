import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecStartError, execProgram } from '@vocloud/sdk';

async function dir() {
  return mkdtemp(join(tmpdir(), 'vocloud-exec-'));
}

describe('execProgram', () => {
  it('passes arguments as data, never through a shell', async () => {
    const cwd = await dir();
    const r = await execProgram('/bin/echo', ['$(touch pwned)', '; rm -rf /', '`id`', '*'], { cwd, signal: new AbortController().signal });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('$(touch pwned) ; rm -rf / `id` *\n');
  });

  it('does not leak the server environment; sets HOME and TMPDIR to the work dir', async () => {
    const cwd = await dir();
    process.env.VOCLOUD_SECRET_FOR_TEST = 'hunter2';
    const r = await execProgram('/usr/bin/env', [], { cwd, env: { EXTRA: '1' }, signal: new AbortController().signal });
    delete process.env.VOCLOUD_SECRET_FOR_TEST;
    expect(r.stdout).not.toContain('hunter2');
    expect(r.stdout).toContain(`HOME=${cwd}`);
    expect(r.stdout).toContain(`TMPDIR=${cwd}`);
    expect(r.stdout).toContain('EXTRA=1');
  });

  it('reports a non-zero exit with the tail of stderr, and writes output files', async () => {
    const cwd = await dir();
    const out = join(cwd, 'out.txt');
    const r = await execProgram('/bin/sh', ['-c', 'echo to-stdout; for i in $(seq 1 30); do echo "line $i" >&2; done; exit 3'], {
      cwd,
      stdoutFile: out,
      signal: new AbortController().signal,
    });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('');
    expect(await readFile(out, 'utf8')).toBe('to-stdout\n');
    expect(r.stderrTail.split('\n')).toHaveLength(20);
    expect(r.stderrTail.endsWith('line 30')).toBe(true);
  });

  it('kills the whole process group on abort, grandchildren included', async () => {
    const cwd = await dir();
    const controller = new AbortController();
    const started = Date.now();
    const pidFile = join(cwd, 'child.pid');
    const p = execProgram('/bin/sh', ['-c', `sleep 60 & echo $! > ${pidFile}; wait`], { cwd, signal: controller.signal, killGraceSeconds: 1 });
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    const r = await p;
    expect(r.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 200));
    // gone, or a zombie waiting for a reaper (PID 1 in some containers never reaps)
    const state = await readFile(`/proc/${grandchild}/status`, 'utf8').then((t) => /State:\s+(\w)/.exec(t)?.[1], () => 'gone');
    expect(['gone', 'Z', 'X']).toContain(state);
  });

  it('a program that cannot start is a clear error', async () => {
    const cwd = await dir();
    await expect(execProgram('/nonexistent/tool', [], { cwd, signal: new AbortController().signal })).rejects.toThrow(ExecStartError);
    await expect(execProgram('/nonexistent/tool', [], { cwd, signal: new AbortController().signal })).rejects.toThrow(/cannot start '\/nonexistent\/tool': ENOENT/);
  });
});
