/**
 * The job form's model, derived from a job type's parameter JSON Schema (the one schema a
 * plugin declares — rule 4 of the design). Pure functions, so the mapping is tested without a
 * browser: which widget a property gets, its default, its inline validation, and how the
 * values travel as UWS parameters.
 */
import type { JsonSchema, StorageKind } from '../api/types';

export type FieldKind =
  | 'file' // format: binary → an upload (or a file taken from storage)
  | 'storage' // format: vocloud-path → a storage picker
  | 'secret' // format: password / writeOnly → a password input, never shown back
  | 'enum' // enum, or anyOf of const → a select
  | 'multi-enum' // an array of an enum → checkboxes
  | 'boolean'
  | 'integer'
  | 'number'
  | 'string'
  | 'text' // a long string (maxLength > 200) → a textarea
  | 'list' // an array of scalars → one item per line
  | 'storage-list' // an array of storage paths
  | 'json'; // anything else (objects) → JSON text

export interface Option {
  readonly value: string | number | boolean;
  readonly label: string;
}

export interface Field {
  readonly name: string;
  readonly label: string;
  readonly description: string;
  readonly kind: FieldKind;
  readonly required: boolean;
  readonly default: unknown;
  readonly options: readonly Option[];
  readonly min?: number;
  readonly max?: number;
  readonly exclusiveMin?: number;
  readonly exclusiveMax?: number;
  readonly unit?: string;
  readonly storageKind: StorageKind;
  readonly itemType: 'string' | 'number' | 'integer' | 'boolean';
  readonly schema: JsonSchema;
}

/** Values of the form as JSON (what the advanced editor shows); files are kept apart. */
export type FormValues = Record<string, unknown>;

function typeOf(s: JsonSchema | undefined): string | undefined {
  const t = s?.type;
  return Array.isArray(t) ? t.find((x) => x !== 'null') : t;
}

/** The constants of an enum written as `enum` or as anyOf/oneOf of `const`. */
export function enumOptions(s: JsonSchema | undefined): Option[] | null {
  if (!s) return null;
  if (Array.isArray(s.enum)) return s.enum.map((v) => ({ value: v as Option['value'], label: String(v) }));
  const branches = s.anyOf ?? s.oneOf;
  if (branches && branches.length > 0 && branches.every((b) => 'const' in b)) {
    return branches.map((b) => ({ value: b.const as Option['value'], label: b.title ?? String(b.const) }));
  }
  return null;
}

/** "wavelengthMin" → "Wavelength min". */
export function humanise(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A unit written in the schema (`unit`, `x-unit`) or at the end of the description "(Angstrom)". */
function unitOf(s: JsonSchema): string | undefined {
  const u = (s.unit ?? s['x-unit']) as string | undefined;
  if (typeof u === 'string' && u) return u;
  const m = /\((Angstrom|Å|nm|µm|um|km\/s|m\/s|s|seconds|pixels|px|MHz|GHz|Hz|degrees|deg|arcsec|arcmin|days|MJD|K|%)\)\.?$/.exec(s.description ?? '');
  return m?.[1];
}

export function fieldOf(name: string, s: JsonSchema, required: boolean): Field {
  const type = typeOf(s);
  const items = s.items;
  const itemEnum = type === 'array' ? enumOptions(items) : null;
  const options = enumOptions(s) ?? itemEnum ?? [];
  let kind: FieldKind;
  if (type === 'string' && s.format === 'binary') kind = 'file';
  else if (s.format === 'vocloud-path') kind = 'storage';
  else if (s.format === 'password' || s.writeOnly === true) kind = 'secret';
  else if (enumOptions(s)) kind = 'enum';
  else if (type === 'boolean') kind = 'boolean';
  else if (type === 'integer') kind = 'integer';
  else if (type === 'number') kind = 'number';
  else if (type === 'string') kind = (s.maxLength ?? 0) > 200 && !s.pattern ? 'text' : 'string';
  else if (type === 'array' && itemEnum) kind = 'multi-enum';
  else if (type === 'array' && items?.format === 'vocloud-path') kind = 'storage-list';
  else if (type === 'array' && ['string', 'number', 'integer', 'boolean'].includes(typeOf(items) ?? '')) kind = 'list';
  else kind = 'json';
  const storage = (s['x-vocloud-storage'] ?? items?.['x-vocloud-storage'] ?? 'any') as Field['storageKind'];
  const unit = unitOf(s);
  return {
    name,
    label: s.title ?? humanise(name),
    description: s.description ?? '',
    kind,
    // a property with a default is filled in by the server when left out
    required: required && s.default === undefined,
    default: s.default,
    options,
    ...(s.minimum !== undefined ? { min: s.minimum } : {}),
    ...(s.maximum !== undefined ? { max: s.maximum } : {}),
    ...(typeof s.exclusiveMinimum === 'number' ? { exclusiveMin: s.exclusiveMinimum } : {}),
    ...(typeof s.exclusiveMaximum === 'number' ? { exclusiveMax: s.exclusiveMaximum } : {}),
    ...(unit ? { unit } : {}),
    storageKind: storage,
    itemType: (typeOf(kind === 'list' || kind === 'storage-list' || kind === 'multi-enum' ? items : s) ?? 'string') as Field['itemType'],
    schema: s,
  };
}

/** The fields of a parameter schema, required ones first (in declaration order otherwise). */
export function fieldsOf(schema: JsonSchema): Field[] {
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, s]) => fieldOf(name, s, required.has(name)));
  return [...fields.filter((f) => f.required), ...fields.filter((f) => !f.required)];
}

/** Start values: the schema defaults (files and secrets start empty). */
export function initialValues(fields: readonly Field[]): FormValues {
  const v: FormValues = {};
  for (const f of fields) if (f.default !== undefined && f.kind !== 'file' && f.kind !== 'secret') v[f.name] = f.default;
  return v;
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** Why a value is not acceptable, in words for the form; null when it is. */
export function validateField(f: Field, value: unknown, hasFile = false): string | null {
  if (f.kind === 'file') return f.required && !hasFile ? 'Choose a file.' : null;
  if (isEmpty(value)) return f.required ? 'Required.' : null;
  const s = f.schema;
  const num = (v: unknown): string | null => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return 'Enter a number.';
    if ((f.kind === 'integer' || f.itemType === 'integer') && !Number.isInteger(v)) return 'Enter a whole number.';
    const lim = f.kind === 'list' ? (s.items ?? {}) : s;
    if (lim.minimum !== undefined && v < lim.minimum) return `At least ${lim.minimum}.`;
    if (lim.maximum !== undefined && v > lim.maximum) return `At most ${lim.maximum}.`;
    if (typeof lim.exclusiveMinimum === 'number' && v <= lim.exclusiveMinimum) return `More than ${lim.exclusiveMinimum}.`;
    if (typeof lim.exclusiveMaximum === 'number' && v >= lim.exclusiveMaximum) return `Less than ${lim.exclusiveMaximum}.`;
    return null;
  };
  const str = (v: unknown, lim: JsonSchema): string | null => {
    if (typeof v !== 'string') return 'Enter text.';
    if (lim.minLength !== undefined && v.length < lim.minLength) return `At least ${lim.minLength} characters.`;
    if (lim.maxLength !== undefined && v.length > lim.maxLength) return `At most ${lim.maxLength} characters.`;
    if (lim.pattern && !new RegExp(lim.pattern, 'u').test(v)) return `Does not match the expected form (${lim.pattern}).`;
    if (f.kind === 'storage' || f.kind === 'storage-list') {
      const p = v.replace(/^vocloud:\//, '');
      if (!/^(~|DATA|JOBS)(\/|$)/.test(p)) return 'A storage path starts with ~/ (your files), DATA/ or JOBS/{id}/.';
    }
    return null;
  };
  switch (f.kind) {
    case 'integer':
    case 'number':
      return num(value);
    case 'boolean':
      return typeof value === 'boolean' ? null : 'Choose yes or no.';
    case 'enum':
      return f.options.some((o) => o.value === value) ? null : `Choose one of ${f.options.map((o) => o.label).join(', ')}.`;
    case 'multi-enum':
      return Array.isArray(value) && value.every((x) => f.options.some((o) => o.value === x)) ? null : 'Choose from the list.';
    case 'list':
    case 'storage-list': {
      if (!Array.isArray(value)) return 'Enter a list.';
      if (s.minItems !== undefined && value.length < s.minItems) return `At least ${s.minItems} items.`;
      if (s.maxItems !== undefined && value.length > s.maxItems) return `At most ${s.maxItems} items.`;
      for (const [i, x] of value.entries()) {
        const e =
          f.itemType === 'number' || f.itemType === 'integer'
            ? num(x)
            : f.itemType === 'boolean'
              ? typeof x === 'boolean'
                ? null
                : 'true or false'
              : str(x, s.items ?? {});
        if (e) return `Item ${i + 1}: ${e}`;
      }
      return null;
    }
    case 'json':
      return typeof value === 'object' ? null : 'Enter JSON.';
    default:
      return str(value, s);
  }
}

/** Every field's message, for the fields that have one. */
export function validateAll(fields: readonly Field[], values: FormValues, files: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const e = validateField(f, values[f.name], files.has(f.name));
    if (e) out[f.name] = e;
  }
  return out;
}

/**
 * The values as UWS parameters (name, text): scalars as text, arrays and objects as JSON (the
 * server's parameter parser takes a JSON array as a whole array). Empty optional values are
 * left out so the plugin's defaults apply.
 */
export function toUwsParameters(fields: readonly Field[], values: FormValues): [string, string][] {
  const out: [string, string][] = [];
  for (const f of fields) {
    if (f.kind === 'file') continue;
    const v = values[f.name];
    if (isEmpty(v)) continue;
    if (f.kind === 'storage' && typeof v === 'string') out.push([f.name, v]);
    else out.push([f.name, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
  }
  return out;
}

/** Values back from a job's stored parameters (text), typed by the schema — for "run again". */
export function fromUwsParameters(fields: readonly Field[], params: readonly { id: string; value: string; byReference: boolean }[]): FormValues {
  const v: FormValues = {};
  for (const p of params) {
    const f = fields.find((x) => x.name.toLowerCase() === p.id.toLowerCase());
    if (!f || f.kind === 'file' || f.kind === 'secret') continue;
    v[f.name] = parseText(f, p.value);
  }
  return v;
}

/** A typed value from text as a user or the server writes it; the text itself when it does not parse. */
export function parseText(f: Field, text: string): unknown {
  const t = text.trim();
  switch (f.kind) {
    case 'integer':
    case 'number':
      return t === '' ? undefined : Number.isFinite(Number(t)) ? Number(t) : text;
    case 'boolean':
      return /^(true|1|yes|on)$/i.test(t) ? true : /^(false|0|no|off)$/i.test(t) ? false : text;
    case 'enum': {
      const o = f.options.find((x) => String(x.value) === t);
      return o ? o.value : text;
    }
    case 'multi-enum':
    case 'list':
    case 'storage-list':
    case 'json':
      try {
        return JSON.parse(t);
      } catch {
        return f.kind === 'json' ? text : t.split('\n').filter(Boolean);
      }
    default:
      return text;
  }
}

/**
 * Apply JSON typed in the advanced editor: it must be an object whose keys are parameters.
 * Returns the values, or a message saying what is wrong.
 */
export function valuesFromJson(fields: readonly Field[], text: string): { values: FormValues } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { error: `Not valid JSON: ${(err as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { error: 'The parameters must be a JSON object: {"name": value, …}' };
  const known = new Map(fields.map((f) => [f.name.toLowerCase(), f]));
  const values: FormValues = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    const f = known.get(k.toLowerCase());
    if (!f) return { error: `Unknown parameter "${k}". This job type takes: ${fields.map((x) => x.name).join(', ')}` };
    if (f.kind === 'file') return { error: `"${f.name}" is a file: choose it in the form.` };
    values[f.name] = v;
  }
  return { values };
}

/** The JSON the advanced editor shows: every non-file value, in field order. */
export function valuesToJson(fields: readonly Field[], values: FormValues): string {
  const o: Record<string, unknown> = {};
  for (const f of fields) if (f.kind !== 'file' && values[f.name] !== undefined) o[f.name] = values[f.name];
  return JSON.stringify(o, null, 2);
}
