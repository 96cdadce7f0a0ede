import { describe, expect, it } from 'vitest';
import { FileParameter, ParameterError, StoragePathParameter, Type, checkParameterSchema, defineWorker, parseParameters, PluginDefinitionError } from '@vocloud/sdk';

const schema = Type.Object({
  count: Type.Integer({ minimum: 1 }),
  ratio: Type.Number({ default: 0.5 }),
  fast: Type.Boolean({ default: false }),
  kind: Type.Union([Type.Literal('rect'), Type.Literal('hex')], { default: 'rect' }),
  bands: Type.Optional(Type.Array(Type.Number())),
  grid: Type.Optional(Type.Object({ x: Type.Integer(), y: Type.Integer() })),
  input: Type.Optional(FileParameter()),
});

const raw = (pairs: [string, string][]) => pairs.map(([name, value]) => ({ name, value }));

describe('parseParameters', () => {
  it('says what is wrong with a storage path, not only that it is one', () => {
    const paths = Type.Object({ spectra: StoragePathParameter({ kind: 'folder' }), more: Type.Optional(Type.Array(StoragePathParameter())) });
    expect(parseParameters(paths, raw([['spectra', 'vocloud:/DATA/lamost/']]), { complete: true })).toEqual({ spectra: 'vocloud:/DATA/lamost/' });
    const refusal = (pairs: [string, string][]) => {
      try {
        parseParameters(paths, raw(pairs), { complete: true });
      } catch (err) {
        expect(err).toBeInstanceOf(ParameterError);
        return (err as Error).message;
      }
      return 'accepted';
    };
    const where = "a path starts with ~/ (your files), DATA/ (shared data) or JOBS/{id}/ (a job's files)";
    expect(refusal([['spectra', 'vocloud:/~/../bob']])).toBe("parameter 'spectra': invalid path '..': '..' is not allowed as a name");
    expect(refusal([['spectra', '/etc/passwd']])).toBe(`parameter 'spectra': invalid path '/etc/passwd': ${where}`);
    expect(refusal([['spectra', 'vocloud:/DATA/a\\b']])).toBe("parameter 'spectra': invalid path 'a\\b': backslashes are not allowed");
    expect(refusal([['spectra', '~/ok'], ['more', 'DATA/x']])).toBe('accepted');
    expect(refusal([['spectra', '~/ok'], ['more', 'etc']])).toBe(`parameter 'more.0': invalid path 'etc': ${where}`);
  });

  it('coerces UWS strings by the schema and fills defaults', () => {
    expect(parseParameters(schema, raw([['count', '3']]), { complete: true })).toEqual({ count: 3, ratio: 0.5, fast: false, kind: 'rect' });
    expect(parseParameters(schema, raw([['COUNT', '3'], ['Fast', 'YES'], ['ratio', '-1.5e-3'], ['kind', 'hex']]), { complete: true })).toMatchObject({
      count: 3,
      fast: true,
      ratio: -0.0015,
      kind: 'hex',
    });
  });

  it('takes repeated values or a JSON array for array parameters, JSON for objects', () => {
    expect(parseParameters(schema, raw([['count', '1'], ['bands', '4000'], ['bands', '5000.5']]), { complete: true }).bands).toEqual([4000, 5000.5]);
    expect(parseParameters(schema, raw([['count', '1'], ['bands', '[1, 2]']]), { complete: true }).bands).toEqual([1, 2]);
    expect(parseParameters(schema, raw([['count', '1'], ['grid', '{"x": 3, "y": 4}']]), { complete: true }).grid).toEqual({ x: 3, y: 4 });
  });

  it('refuses what is not plainly a number: hex, empty, trailing text, infinities', () => {
    for (const v of ['0x10', '', ' ', '12abc', 'Infinity', '1,5']) {
      expect(() => parseParameters(schema, raw([['count', v]]), { complete: true }), v).toThrow(ParameterError);
    }
  });

  it('says which parameter is wrong and why', () => {
    expect(() => parseParameters(schema, raw([['count', '0']]), { complete: true })).toThrow("parameter 'count': must be >= 1");
    expect(() => parseParameters(schema, raw([['count', '1'], ['kind', 'HEX']]), { complete: true })).toThrow("parameter 'kind': must be one of rect, hex");
    expect(() => parseParameters(schema, raw([['colour', 'red']]), { complete: false })).toThrow("unknown parameter 'colour'");
    expect(() => parseParameters(schema, raw([['count', '1'], ['count', '2']]), { complete: true })).toThrow('takes one value but was given 2');
  });

  it('checks required parameters only when asked to (PHASE=RUN)', () => {
    expect(parseParameters(schema, raw([['fast', 'true']]), { complete: false })).toMatchObject({ fast: true });
    expect(() => parseParameters(schema, raw([['fast', 'true']]), { complete: true })).toThrow("missing required parameter 'count'");
  });

  it('accepts typed values from JSON clients and the test harness', () => {
    expect(parseParameters(schema, { count: 2, bands: [1, 2], grid: { x: 1, y: 1 } }, { complete: true })).toMatchObject({ count: 2, bands: [1, 2] });
    expect(() => parseParameters(schema, { count: '2', nope: 1 }, { complete: true })).toThrow(/unknown parameter 'nope'/);
  });
});

describe('parameter schemas', () => {
  it('refuses names that differ only in case, UWS words and unsupported types', () => {
    expect(() => checkParameterSchema(Type.Object({ a: Type.String(), A: Type.String() }), 'x')).toThrow(/differ only in case/);
    expect(() => checkParameterSchema(Type.Object({ phase: Type.String() }), 'x')).toThrow(/reserved UWS word/);
    expect(() => checkParameterSchema(Type.Object({ m: Type.Array(Type.Array(Type.Number())) }), 'x')).toThrow(/must be a string, number/);
    expect(() => checkParameterSchema(Type.String(), 'x')).toThrow(/object schema/);
  });

  it('defineWorker checks names and limits and fills defaults', () => {
    const w = defineWorker({ name: 'ok-name', parameters: Type.Object({}), async run() {} });
    expect(w).toMatchObject({ kind: 'worker', title: 'ok-name', restricted: false, limits: { defaultExecutionDuration: 3600, maxExecutionDuration: 86400, concurrency: 2 } });
    expect(() => defineWorker({ name: 'Bad Name', parameters: Type.Object({}), async run() {} })).toThrow(PluginDefinitionError);
    expect(() => defineWorker({ name: 'x', parameters: Type.Object({}), limits: { concurrency: 0 }, async run() {} })).toThrow(/concurrency/);
    expect(() =>
      defineWorker({ name: 'x', parameters: Type.Object({}), limits: { defaultExecutionDuration: 100, maxExecutionDuration: 50 }, async run() {} }),
    ).toThrow(/between 1 and maxExecutionDuration/);
  });
});
