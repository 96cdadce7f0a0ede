import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWorkerForTest } from '@vocloud/sdk/testing';
import commandPlugin, { commandJobType, expandArgs, tokenize, type CommandJobTypeConfig } from '@vocloud/plugin-command';
import { resolvePluginExport } from '@vocloud/sdk';

const REAL = resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'real');
const builtins = { workDir: '/w', resultDir: '/w/results', jobId: 'j1', examplesDir: '/ex' };

function jobType(partial: Partial<CommandJobTypeConfig> & Pick<CommandJobTypeConfig, 'command' | 'args'>, properties: Record<string, unknown> = {}) {
  return commandJobType({
    name: 'cmd',
    env: {},
    restricted: false,
    parameters: { type: 'object', properties },
    ...partial,
  } as CommandJobTypeConfig);
}

describe('argument templates', () => {
  it('substitutes parameters and builtins, one template argument at a time', () => {
    expect(expandArgs(['--n={n}', '{name}', '{resultDir}/out.fits'], { n: 3, name: 'a b; c' }, builtins)).toEqual(['--n=3', 'a b; c', '/w/results/out.fits']);
  });

  it('expands an array into several arguments, or joins it inside text', () => {
    expect(expandArgs(['{files}', '--bands={bands}'], { files: ['a', 'b'], bands: [1, 2] }, builtins)).toEqual(['a', 'b', '--bands=1,2']);
  });

  it('leaves out arguments whose parameter is absent, and handles boolean flags', () => {
    expect(expandArgs(['--opt={opt}', '{opt}', '{v?--verbose}', '{q?-q}'], { v: true, q: false }, builtins)).toEqual(['--verbose']);
  });

  it('keeps literal braces written twice, and refuses broken templates', () => {
    expect(expandArgs(['{{json}}'], {}, builtins)).toEqual(['{json}']);
    expect(() => tokenize('{unclosed')).toThrow(/without a closing/);
    expect(() => tokenize('stray}')).toThrow(/without an opening/);
    expect(() => tokenize('{bad name}')).toThrow(/not a placeholder name/);
  });
});

describe('job type configuration', () => {
  it('refuses unknown placeholders, flags on non-booleans and clashes with builtins', () => {
    expect(() => jobType({ command: '/bin/echo', args: ['{nope}'] })).toThrow(/uses \{nope\}, which is neither a parameter nor a builtin/);
    expect(() => jobType({ command: '/bin/echo', args: ['{n?-x}'] }, { n: { type: 'integer' } })).toThrow(/needs a boolean parameter/);
    expect(() => jobType({ command: '/bin/echo', args: [] }, { workDir: { type: 'string' } })).toThrow(/clashes with the builtin/);
  });

  it('refuses programs that do not exist or are not executable', () => {
    expect(() => jobType({ command: '/nonexistent/prog', args: [] })).toThrow(/not found or is not executable/);
    expect(() => jobType({ command: 'no-such-program-anywhere', args: [] })).toThrow(/not found.*on PATH/);
    expect(() => jobType({ command: 'relative/prog', args: [] })).toThrow(/absolute path or a program name/);
    const plain = join(tmpdir(), `vocloud-not-executable-${process.pid}`);
    writeFileSync(plain, 'data', { mode: 0o644 });
    expect(() => jobType({ command: plain, args: [] })).toThrow(/not executable/);
  });

  it('the factory validates its options and names the bad one', () => {
    expect(() => resolvePluginExport(commandPlugin, { jobTypes: [] }, 'command')).toThrow(/options\.jobTypes.*must NOT have fewer than 1 items/);
    expect(() => resolvePluginExport(commandPlugin, { jobTypes: [{ name: 'x', command: '/bin/echo', args: [], parameters: { type: 'object', properties: {} }, colour: 1 }] }, 'command')).toThrow(/additional properties/);
    const defs = resolvePluginExport(commandPlugin, { jobTypes: [{ name: 'x', command: 'echo', parameters: { type: 'object', properties: {} } }] }, 'command');
    expect(defs.map((d) => d.name)).toEqual(['x']);
  });
});

describe('running programs', () => {
  it('collects stdout, stderr and every file in the result directory; values stay data', async () => {
    const w = jobType(
      { command: '/bin/sh', args: ['-c', 'echo "[$0]"; echo warn >&2; mkdir -p "$1/plots"; echo 1 > "$1/plots/a.txt"; echo 2 > "$1/b.csv"', '{text}', '{resultDir}'] },
      { text: { type: 'string' } },
    );
    const r = await runWorkerForTest(w, { text: '$(id) `rm -rf ~` ; | &' });
    expect(r.phase).toBe('COMPLETED');
    expect(r.results.map((x) => x.name)).toEqual(['stdout.txt', 'stderr.txt', 'b.csv', 'plots/a.txt']);
    expect(await readFile(r.results[0]!.path, 'utf8')).toBe('[$(id) `rm -rf ~` ; | &]\n');
    expect(await readFile(r.results[1]!.path, 'utf8')).toBe('warn\n');
    expect(r.results.find((x) => x.name === 'b.csv')!.mimeType).toBe('text/csv');
  });

  it('a non-zero exit is ERROR with the last lines of stderr, and the output is kept', async () => {
    const w = jobType({ command: '/bin/sh', args: ['-c', 'echo partial; echo "FITS file has no SCI extension" >&2; exit 4'] });
    const r = await runWorkerForTest(w, {});
    expect(r.phase).toBe('ERROR');
    expect(r.error).toBe('cmd: the program exited with code 4:\nFITS file has no SCI extension');
    expect(r.results.map((x) => x.name)).toEqual(['stdout.txt', 'stderr.txt']);
  });

  it('reports progress from stdout lines matching progressPattern', async () => {
    const w = jobType({ command: '/bin/sh', args: ['-c', 'echo "PROGRESS 25"; echo noise; echo "PROGRESS 100"'], progressPattern: '^PROGRESS ([0-9.]+)' });
    const r = await runWorkerForTest(w, {});
    expect(r.progress).toEqual([
      { fraction: 0.25, message: 'PROGRESS 25' },
      { fraction: 1, message: 'PROGRESS 100' },
    ]);
  });

  it('abort kills the program', async () => {
    const w = jobType({ command: 'sleep', args: ['30'] });
    const t0 = Date.now();
    const r = await runWorkerForTest(w, {}, { abortAfterMs: 200 });
    expect(r.phase).toBe('ABORTED');
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('the shipped column-stats example works on a real supernova spectrum', async () => {
    const cfg = (await import('yaml')).parse(await readFile(resolve(import.meta.dirname, '..', '..', '..', 'config', 'default.yaml'), 'utf8'));
    const entry = cfg.plugins[0].options.jobTypes.find((t: { name: string }) => t.name === 'column-stats');
    const w = commandJobType({ env: {}, restricted: false, ...entry });
    const r = await runWorkerForTest(w, { column: 'flux', bins: 10 }, { files: { table: join(REAL, 'oac-sn-spectrum.csv') } });
    expect(r.phase, r.error).toBe('COMPLETED');
    const stats = JSON.parse(await readFile(r.results.find((x) => x.name === 'stats.json')!.path, 'utf8'));
    const rows = (await readFile(join(REAL, 'oac-sn-spectrum.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
    expect(stats.count).toBe(rows.length);
    expect(stats.max).toBe(Math.max(...rows));
    expect(stats.mean).toBeCloseTo(rows.reduce((a, b) => a + b, 0) / rows.length, 12);
    const hist = (await readFile(r.results.find((x) => x.name === 'histogram.csv')!.path, 'utf8')).trim().split('\n');
    expect(hist).toHaveLength(11);
    expect(hist.slice(1).reduce((n, l) => n + Number(l.split(',')[2]), 0)).toBe(rows.length);
    const bad = await runWorkerForTest(w, { column: 'nope' }, { files: { table: join(REAL, 'oac-sn-spectrum.csv') } });
    expect(bad.phase).toBe('ERROR');
    expect(bad.error).toMatch(/column 'nope' not found; the columns are: wavelength, flux/);
  });

  it('gives storage-path parameters to the program as local files and folders', async () => {
    const root = await mkdtemp(join(tmpdir(), 'vocloud-cmd-storage-'));
    await mkdir(join(root, 'home', 'night1', 'sub'), { recursive: true });
    await writeFile(join(root, 'home', 'night1', 'a.txt'), 'alpha');
    await writeFile(join(root, 'home', 'night1', 'sub', 'b.txt'), 'beta');
    const w = jobType(
      { command: '/bin/sh', args: ['-c', 'cat "$0"; echo; ls -R "$1" | grep txt | sort', '{file}', '{folder}'] },
      { file: { type: 'string', format: 'vocloud-path', 'x-vocloud-storage': 'file' }, folder: { type: 'string', format: 'vocloud-path', 'x-vocloud-storage': 'folder' } },
    );
    const r = await runWorkerForTest(w, { file: 'vocloud:/~/night1/a.txt', folder: 'vocloud:/~/night1' }, { storageRoot: root });
    expect(r.phase, r.error).toBe('COMPLETED');
    expect(await readFile(r.results[0]!.path, 'utf8')).toBe('alpha\na.txt\nb.txt\n');
  });
});
