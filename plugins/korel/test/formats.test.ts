import { describe, expect, it } from 'vitest';
import { KorelInputError } from '../src/formats/errors.js';
import { parseKorelDat, writeKorelDat } from '../src/formats/korel-dat.js';
import { jsonParSource, parseKorelPar, writeKorelPar } from '../src/formats/korel-par.js';
import { parseKorelTmp, writeKorelTmp } from '../src/formats/korel-tmp.js';
import { runKorel } from '../src/method/fit.js';

const dat = [
  ' 2450001.12345  6500.0000  2.000  1.000     8',
  ' 0.99000 0.98000 0.97000 1.00000 1.01000',
  ' 0.99500 1.00000 0.90000',
  '2450002.5 6500.0 2.0 0.5 8',
  '1 1 1 1 1 1 1 1.5D-01',
  '2450003.5 8500.0 4.0 1.0 4',
  '1.0 0.9 0.8 1.1',
  '',
].join('\n');

const par = [
  '   1   2   0   0   0   3   2   0  12',
  'o  0  1  1  1  1       3.5   0.01 = PERIOD(0)',
  'o  0  3  0  1  1       0.2   0.05',
  'o  0  4  1  1  1       60    10',
  's  2  2  0  1  0       0.1   0',
  'w  0  3  0  1  0       2.0   0',
  'o  0  0  0  0  0 0 0',
  '   1   1   0   0   0   0   0   0   0',
  'o  0  5  1  1  1 80 5',
  'o 0 0',
  '',
].join('\n');

function error(fn: () => unknown): KorelInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KorelInputError) return e;
    throw e;
  }
  throw new Error('expected a KorelInputError');
}

async function rejection(p: Promise<unknown>): Promise<KorelInputError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KorelInputError) return e;
    throw e;
  }
  throw new Error('expected a KorelInputError');
}

describe('korel.dat, korel.par and korel.tmp', () => {
  it('korel.dat: parse → write → parse gives the same records, Fortran D exponents included', () => {
    const a = parseKorelDat(dat);
    expect(a.records).toHaveLength(3);
    expect(a.records[0]!.t).toBe(2450001.12345);
    expect(a.records[1]!.values[7]).toBe(0.15);
    const b = parseKorelDat(writeKorelDat(a));
    expect(b.records.map((r) => [r.t, r.lambda0, r.dv, r.weight, Array.from(r.values)])).toEqual(
      a.records.map((r) => [r.t, r.lambda0, r.dv, r.weight, Array.from(r.values)]),
    );
    // KOREL's fixed layout reads back too
    expect(parseKorelDat(writeKorelDat(a, { decimals: 5 })).records[0]!.values[2]).toBe(0.97);
  });

  it('korel.par: parse → write → parse gives the same runs (and the JSON form is the same object)', () => {
    const a = parseKorelPar(par);
    expect(a.par.runs).toHaveLength(2);
    expect(a.par.runs[0]!.lines[0]).toEqual({ type: 'o', j1: 0, j2: 1, k1: 1, le: 1, ld: 1, value: 3.5, step: 0.01, comment: '= PERIOD(0)' });
    expect(a.source.header).toEqual([1, 8]);
    expect(a.source.lines[0]).toEqual([2, 3, 4, 5, 6]);
    const text = writeKorelPar(a.par);
    const b = parseKorelPar(text);
    expect(b.par).toEqual(a.par);
    expect(JSON.parse(JSON.stringify(a.par))).toEqual(a.par);
    // the line numbers given for a JSON korel.par are those of its written form
    expect(jsonParSource(a.par)).toEqual(b.source);
  });

  it('korel.tmp: parse → write → parse, with N taken from the matching korel.dat region', () => {
    const regions = (l: number, d: number) => (l === 6500 && d === 2 ? 8 : l === 8500 && d === 4 ? 4 : undefined);
    const text = '6500.0 2.0 1\n1\n0.9\n0.8\n1\n1\n1\n1\n1\n8500 4 2\n1 1 0.5 1\n0 0 0\n';
    const a = parseKorelTmp(text, regions);
    expect(a.records.map((r) => [r.star, r.values.length])).toEqual([[1, 8], [2, 4]]);
    const b = parseKorelTmp(writeKorelTmp(a), regions);
    expect(b.records.map((r) => Array.from(r.values))).toEqual(a.records.map((r) => Array.from(r.values)));
  });

  it('a length that is not a power of two is refused, naming the file and line', () => {
    const e = error(() => parseKorelDat('1 6500 2 1 1000\n' + '1 '.repeat(1000)));
    expect(e.message).toMatch(/^korel\.dat, line 1: length N = 1000 is not a power of two.*1024/);
  });

  it('an inconsistent N within a region is refused', () => {
    const e = error(() => parseKorelDat('1 6500 2 1 4\n1 1 1 1\n2 6500 2 1 8\n1 1 1 1 1 1 1 1\n'));
    expect(e.message).toMatch(/^korel\.dat, line 3: inconsistent N: 8 bins, but the spectrum at line 1 .* has 4/);
  });

  it('more values than N on a line, a short file, NaN and empty files give clear errors', () => {
    expect(error(() => parseKorelDat('1 6500 2 1 4\n1 1 1 1 1\n')).message).toMatch(/line 2: 5 values on this line but only 4 remain/);
    expect(error(() => parseKorelDat('1 6500 2 1 4\n1 1\n')).message).toMatch(/line 1: the file ends after 2 of the N = 4 values/);
    expect(error(() => parseKorelDat('1 6500 2 1 4\n1 NaN 1 1\n')).message).toMatch(/^korel\.dat, line 2: value 2 .* 'NaN' is not a number \(NaN and infinite values are not allowed\)/);
    expect(error(() => parseKorelDat('  \n\n')).message).toMatch(/^korel\.dat: the file is empty/);
    expect(error(() => parseKorelPar('')).message).toMatch(/^korel\.par: the file is empty/);
    expect(error(() => parseKorelDat('1 6500 -2 1 4\n1 1 1 1\n')).message).toMatch(/line 1: dv .* must be positive/);
  });

  it('korel.par: unknown line types, non-integers and a missing end line are refused', () => {
    expect(error(() => parseKorelPar('1 1 0 0 0 1 0 0 0\nx 0 1 0 1 1 3 1\no 0 0\n')).message).toMatch(/^korel\.par, line 2: unknown line type 'x'/);
    expect(error(() => parseKorelPar('1 1 0 0 0 1.5 0 0 0\no 0 0\n')).message).toMatch(/^korel\.par, line 1: k0: '1\.5' is not an integer/);
    expect(error(() => parseKorelPar('1 1 0 0 0 1 0 0 0\no 0 1 1 1 1 3.5 0.1\n')).message).toMatch(/has no end line/);
    expect(error(() => parseKorelPar('1 1 0 0 0 1 0 0 0\no 0 1 1 1 1 3.5\no 0 0\n')).message).toMatch(/line 2: an 'o' line needs 7 fields/);
  });

  it('korel.tmp whose region is not in korel.dat is refused', () => {
    expect(error(() => parseKorelTmp('6501 2 1\n1\n', () => undefined)).message).toMatch(/^korel\.tmp, line 1: no region of korel\.dat has λ0 = 6501/);
  });

  describe('what korel.par asks for is checked against the data', () => {
    const data = parseKorelDat('1 6500 2 1 8\n1 1 1 0.9 1 1 1 1\n2 6500 2 1 8\n1 1 0.9 1 1 1 1 1\n');
    const run = (text: string) => {
      const { par, source } = parseKorelPar(text);
      return runKorel({ dat: data, tmp: null, par, parSource: source, parFile: 'korel.par' });
    };
    const head = '1 1 0 0 0 2 0 0 0\n';
    it('e ≥ 1', async () => {
      expect((await rejection(run(`${head}o 0 1 0 1 1 3 0.1\no 0 3 0 1 1 1.2 0.1\no 0 0\n`))).message).toMatch(/^korel\.par, line 3: eccentricity e = 1\.2 must be in \[0, 1\)/);
    });
    it('unknown keys and elements', async () => {
      expect((await rejection(run('1 3 0 0 0 2 0 0 0\no 0 0\n'))).message).toMatch(/^korel\.par, line 1: key2 = 3 is not a known key/);
      expect((await rejection(run('1 101 0 0 0 2 0 0 0\no 0 0\n'))).message).toMatch(/key2 = 101: line-profile variation codes/);
      expect((await rejection(run(`${head}o 0 12 0 1 1 3 0.1\no 0 0\n`))).message).toMatch(/line 2: element j2 = 12 must be 1\.\.11/);
      expect((await rejection(run(`${head}o 4 1 0 1 1 3 0.1\no 0 0\n`))).message).toMatch(/line 2: orbit j1 = 4 must be 0\.\.3/);
    });
    it('exposures that do not exist, and free e starting at 0', async () => {
      expect((await rejection(run(`${head}w 0 3 0 1 0 1 0\no 0 0\n`))).message).toMatch(/line 2: exposure j2 = 3 must be 1\.\.2/);
      expect((await rejection(run(`${head}o 0 1 0 1 1 3 0.1\no 0 3 1 1 1 0 0.1\no 0 0\n`))).message).toMatch(/line 3: eccentricity of orbit 0 is free but starts at 0/);
    });
    it('ifil beyond the spectra and simulation mode', async () => {
      expect((await rejection(run('1 1 0 0 0 2 4 0 0\no 0 0\n'))).message).toMatch(/line 1: ifil = 4 must be between 0 and 3/);
      expect((await rejection(run('1 1 0 0 0 -2 0 0 0\no 0 0\n'))).message).toMatch(/simulation mode \(k0 < 0\) is not supported/);
    });
  });
});
