// The job form is generated from a job type's JSON Schema (web/src/forms/schema.ts): which
// widget each property gets, what the form checks before sending, and how values travel as UWS
// parameters and come back for "run again". The real plugin schemas are the inputs.
import { describe, expect, it } from 'vitest';
import { somParameters } from '@vocloud/plugin-som';
import { FileParameter, SecretParameter, StoragePathParameter, Type } from '@vocloud/sdk';
import type { JsonSchema } from '../../web/src/api/types.js';
import {
  fieldsOf,
  fromUwsParameters,
  initialValues,
  toUwsParameters,
  validateAll,
  validateField,
  valuesFromJson,
  valuesToJson,
} from '../../web/src/forms/schema.js';

const schema = Type.Object({
  data: FileParameter({ description: 'input' }),
  folder: StoragePathParameter({ kind: 'folder', description: 'where' }),
  into: Type.Optional(StoragePathParameter({ kind: 'target', description: 'where results go' })),
  password: Type.Optional(SecretParameter()),
  mode: Type.Union([Type.Literal('fast'), Type.Literal('slow')], { default: 'fast' }),
  rows: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
  sigma: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Width of the kernel (Angstrom).' })),
  flag: Type.Boolean({ default: false }),
  names: Type.Array(Type.String(), { maxItems: 3, default: [] }),
  picks: Type.Array(Type.Union([Type.Literal('a'), Type.Literal('b')]), { default: [] }),
  extra: Type.Optional(Type.Record(Type.String(), Type.String())),
}) as unknown as JsonSchema;

describe('fields from a JSON Schema', () => {
  const fields = fieldsOf(schema);
  const by = (n: string) => fields.find((f) => f.name === n)!;

  it('gives each property the widget its schema asks for', () => {
    expect(Object.fromEntries(fields.map((f) => [f.name, f.kind]))).toEqual({
      data: 'file',
      folder: 'storage',
      into: 'storage',
      password: 'secret',
      mode: 'enum',
      rows: 'integer',
      sigma: 'number',
      flag: 'boolean',
      names: 'list',
      picks: 'multi-enum',
      extra: 'json',
    });
    expect(by('folder').storageKind).toBe('folder');
    expect(by('into').storageKind).toBe('target');
    expect(by('mode').options.map((o) => o.value)).toEqual(['fast', 'slow']);
    expect(by('sigma').unit).toBe('Angstrom');
    expect(by('rows').label).toBe('Rows');
  });

  it('asks only for what has no default, required fields first', () => {
    expect(fields.filter((f) => f.required).map((f) => f.name)).toEqual(['data', 'folder']);
    expect(fields.slice(0, 2).map((f) => f.name)).toEqual(['data', 'folder']);
    expect(initialValues(fields)).toEqual({ mode: 'fast', rows: 20, flag: false, names: [], picks: [] });
  });

  it('names each problem before anything is sent', () => {
    expect(validateField(by('rows'), 0)).toBe('At least 1.');
    expect(validateField(by('rows'), 2.5)).toBe('Enter a whole number.');
    expect(validateField(by('sigma'), 0)).toBe('More than 0.');
    expect(validateField(by('folder'), 'spectra')).toMatch(/starts with ~\//);
    expect(validateField(by('folder'), 'vocloud:/~/spectra')).toBeNull();
    expect(validateField(by('names'), ['a', 'b', 'c', 'd'])).toBe('At most 3 items.');
    expect(validateField(by('mode'), 'medium')).toBe('Choose one of fast, slow.');
    expect(validateAll(fields, initialValues(fields), new Set())).toEqual({ data: 'Choose a file.', folder: 'Required.' });
    expect(validateAll(fields, { ...initialValues(fields), folder: '~/x' }, new Set(['data']))).toEqual({});
  });

  it('sends scalars as text and lists and objects as JSON, leaving empty optional values out', () => {
    const values = { ...initialValues(fields), folder: '~/x', rows: 7, flag: true, names: ['a b', 'c'], extra: { K: 'v' }, sigma: undefined };
    expect(toUwsParameters(fields, values)).toEqual([
      ['folder', '~/x'],
      ['mode', 'fast'],
      ['rows', '7'],
      ['flag', 'true'],
      ['names', '["a b","c"]'],
      ['extra', '{"K":"v"}'],
    ]);
  });

  it('reads a job’s stored parameters back for "run again" (files and secrets are not copied as text)', () => {
    const back = fromUwsParameters(fields, [
      { id: 'ROWS', value: '7', byReference: false },
      { id: 'flag', value: 'true', byReference: false },
      { id: 'names', value: '["a b","c"]', byReference: false },
      { id: 'mode', value: 'slow', byReference: false },
      { id: 'data', value: 'http://x/uws/t/1/parameters/data', byReference: true },
      { id: 'password', value: '(hidden)', byReference: false },
    ]);
    expect(back).toEqual({ rows: 7, flag: true, names: ['a b', 'c'], mode: 'slow' });
  });

  it('keeps the advanced JSON editor and the form in step, refusing unknown keys and files', () => {
    const v = { ...initialValues(fields), folder: '~/x' };
    const text = valuesToJson(fields, v);
    expect(valuesFromJson(fields, text)).toEqual({ values: v });
    expect(valuesFromJson(fields, '{"Rows": 3}')).toEqual({ values: { rows: 3 } });
    expect(valuesFromJson(fields, '{"nosuch": 1}')).toEqual({ error: expect.stringContaining('Unknown parameter "nosuch"') });
    expect(valuesFromJson(fields, '{"data": "x"}')).toEqual({ error: '"data" is a file: choose it in the form.' });
    expect(valuesFromJson(fields, '[1]')).toEqual({ error: expect.stringContaining('must be a JSON object') });
    expect(valuesFromJson(fields, '{"rows":')).toEqual({ error: expect.stringMatching(/^Not valid JSON/) });
  });

  it('maps the SOM plugin’s real schema: selects for its enums, bounds on its numbers, a file for its data', () => {
    const f = fieldsOf(somParameters as unknown as JsonSchema);
    const get = (n: string) => f.find((x) => x.name === n)!;
    expect(get('data').kind).toBe('file');
    expect(get('topology').kind).toBe('enum');
    expect(get('rows')).toMatchObject({ kind: 'integer', min: 1, max: 200, required: false, default: 20 });
    expect(validateAll(f, initialValues(f), new Set(['data']))).toEqual({});
  });
});
