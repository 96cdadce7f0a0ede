import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { FileParameter, JobError, Type, defineWorker } from '@vocloud/sdk';
import { runWorkerForTest } from '@vocloud/sdk/testing';

const worker = defineWorker({
  name: 'demo',
  parameters: Type.Object({ n: Type.Integer({ minimum: 1 }), input: Type.Optional(FileParameter()), fail: Type.Boolean({ default: false }) }),
  async run(ctx) {
    ctx.progress(0.25, 'starting');
    if (ctx.parameters.fail) throw new JobError('the spectrum has no flux column; choose another file');
    const text = ctx.files.input ? await readFile(ctx.files.input, 'utf8') : '';
    const file = join(ctx.workDir, 'out.txt');
    await writeFile(file, `${text.toUpperCase()}${ctx.parameters.n}`);
    await ctx.results.add('out.txt', file);
    for (let i = 0; i < ctx.parameters.n; i++) {
      if (ctx.signal.aborted) return;
      await sleep(10);
    }
    ctx.progress(1);
  },
});

describe('runWorkerForTest', () => {
  it('runs a plugin with parsed parameters, files, results and progress', async () => {
    const r = await runWorkerForTest(worker, { n: '2' }, { files: { input: { content: 'abc' } } });
    expect(r.phase).toBe('COMPLETED');
    expect(r.parameters).toMatchObject({ n: 2, fail: false });
    expect(r.results.map((x) => [x.name, x.mimeType, x.size])).toEqual([['out.txt', 'text/plain', 4]]);
    expect(await readFile(r.results[0]!.path, 'utf8')).toBe('ABC2');
    expect(r.progress).toEqual([{ fraction: 0.25, message: 'starting' }, { fraction: 1 }]);
  });

  it('reports ERROR with the JobError message, and bad parameters as ERROR', async () => {
    expect(await runWorkerForTest(worker, { n: 1, fail: true })).toMatchObject({ phase: 'ERROR', error: 'the spectrum has no flux column; choose another file' });
    expect(await runWorkerForTest(worker, { n: 0 })).toMatchObject({ phase: 'ERROR', error: "parameter 'n': must be >= 1" });
  });

  it('fires the abort signal and reports ABORTED', async () => {
    const r = await runWorkerForTest(worker, { n: 1000 }, { abortAfterMs: 50, abortCause: 'executionDuration' });
    expect(r.phase).toBe('ABORTED');
    expect(r.error).toMatch(/executionDuration/);
  });
});
