// Plumbing of the external mode (a real KOREL binary run by a `command` job type) with a fake
// executable: staging of the inputs, collection of the outputs, exit codes. The science is
// checked on the native implementation, not here.
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { parseKorelPar } from '../src/formats/korel-par.js';
import { parseExternalArgs, runExternalKorel } from '../src/external/run-external.js';

const fake = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fake-korel');
const par = '   1   1   0   0   0   2   0   0   0\no 0 5 1 1 1 80 5\no 0 0\n';
const dat = '1 6500 2 1 4\n1 1 1 1\n2 6500 2 1 4\n1 1 0.9 1\n';

async function inputs() {
  const dir = await mkdtemp(join(tmpdir(), 'korel-external-'));
  await writeFile(join(dir, 'korel.dat'), dat);
  await writeFile(join(dir, 'korel.par'), par);
  await writeFile(join(dir, 'korel.tmp'), '6500 2 1\n1\n1\n1\n1\n');
  return dir;
}

describe('external mode: a KOREL binary on the same inputs', () => {
  it('stages korel.dat/par/tmp in KOREL’s working directory and collects every file it writes', async () => {
    const dir = await inputs();
    const resultDir = join(dir, 'results');
    const r = await runExternalKorel({ korel: fake, dat: join(dir, 'korel.dat'), par: join(dir, 'korel.par'), tmp: join(dir, 'korel.tmp'), workDir: join(dir, 'work'), resultDir });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toEqual(['korel.o-c', 'korel.res', 'korel.rv', 'korel.spe', 'phg.ps']);
    expect((await readdir(resultDir)).sort()).toEqual(['korel.o-c', 'korel.res', 'korel.rv', 'korel.spe', 'korel.stderr.txt', 'korel.stdout.txt', 'phg.ps']);
    expect(await readFile(join(resultDir, 'korel.res'), 'utf8')).toMatch(/first line: +1 +1 +0.*\ntemplate: yes/);
    expect(await readFile(join(resultDir, 'korel.stdout.txt'), 'utf8')).toMatch(/^fake KOREL:/);
    expect((await readFile(join(resultDir, 'korel.spe'), 'utf8')).trim()).toBe('4');
  });

  it('takes korel.par as JSON and the files from a zip archive with a korel/ folder', async () => {
    const dir = await inputs();
    const zip = join(dir, 'korel.zip');
    await writeFile(zip, zipSync({ 'korel/korel.dat': strToU8(dat), 'korel/korel.par': strToU8('ignored') }));
    const resultDir = join(dir, 'results');
    const r = await runExternalKorel({ korel: fake, archive: zip, parJson: parseKorelPar(par).par, workDir: join(dir, 'work'), resultDir });
    expect(r.exitCode).toBe(0);
    const res = await readFile(join(resultDir, 'korel.res'), 'utf8');
    expect(res).toMatch(/first line: +1 +1/);
    expect(res).toMatch(/template: no/);
  });

  it('reports a failing binary by its exit code, with its stderr kept', async () => {
    const dir = await inputs();
    const resultDir = join(dir, 'results');
    process.env.FAKE_KOREL_FAIL = '1';
    try {
      const r = await runExternalKorel({ korel: fake, dat: join(dir, 'korel.dat'), par: join(dir, 'korel.par'), workDir: join(dir, 'work'), resultDir });
      expect(r.exitCode).toBe(4);
      expect(await readFile(join(resultDir, 'korel.stderr.txt'), 'utf8')).toBe('fake failure\n');
    } finally {
      delete process.env.FAKE_KOREL_FAIL;
    }
  });

  it('missing inputs and a missing binary are clear errors', async () => {
    const dir = await inputs();
    await expect(runExternalKorel({ korel: fake, par: join(dir, 'korel.par'), workDir: dir, resultDir: join(dir, 'r') })).rejects.toThrow(/^korel\.dat: missing/);
    await expect(runExternalKorel({ korel: join(dir, 'no-such-korel'), dat: join(dir, 'korel.dat'), par: join(dir, 'korel.par'), workDir: dir, resultDir: join(dir, 'r') })).rejects.toThrow(/cannot start the KOREL binary/);
  });

  it('parses the command line a command job type gives it', () => {
    const o = parseExternalArgs(['--korel=/opt/korel/korel', '--result-dir=/w/results', '--dat=/u/korel.dat', '--par-json={"runs":[]}'], '/w');
    expect(o).toEqual({ korel: '/opt/korel/korel', resultDir: '/w/results', workDir: '/w', dat: '/u/korel.dat', parJson: { runs: [] } });
    expect(() => parseExternalArgs(['--korel=/k', '--result-dir=/r', '--bogus=1'], '/w')).toThrow(/unknown option --bogus/);
    expect(() => parseExternalArgs(['--result-dir=/r'], '/w')).toThrow(/--korel=PATH/);
  });
});
