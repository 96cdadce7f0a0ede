import type { TObject, TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { ParameterError } from '../plugin/errors.js';
import { parameterKind, type ParameterKind } from './schema-check.js';
import { isUserPath, parseUserPath } from '../storage/user-path.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM interop.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;

/** One UWS parameter as a client sent it (names keep their case; values are strings). */
export interface RawParameter {
  readonly name: string;
  readonly value: string;
}

// verbose: errors carry the value, so a storage path's refusal can say what is wrong with it
const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: false, strict: false, verbose: true });
addFormats(ajv);
// OpenAPI's marker for uploaded files; the value is a path or URL, any string is fine.
ajv.addFormat('binary', true);
ajv.addFormat('vocloud-path', (v: string) => isUserPath(v));
ajv.addFormat('password', true);
const validators = new WeakMap<TObject, ValidateFunction>();

function validatorFor(schema: TObject): ValidateFunction {
  let v = validators.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    validators.set(schema, v);
  }
  return v;
}

/** Map a client's parameter name to the schema's property name, ignoring case (DALI). */
export function canonicalParameterName(schema: TObject, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(schema.properties).find((p) => p.toLowerCase() === lower);
}

/** The property names of a schema that carry uploaded files. */
export function fileParameterNames(schema: TObject): string[] {
  return Object.entries(schema.properties as Record<string, TSchema>)
    .filter(([, p]) => parameterKind(p) === 'file')
    .map(([n]) => n);
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on', 't', 'y']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', 'f', 'n']);

function coerceScalar(kind: ParameterKind, value: string, name: string): unknown {
  switch (kind) {
    case 'number':
    case 'integer': {
      const t = value.trim();
      // Number('') is 0 and Number('0x10') is 16: accept only plain decimal notation.
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) && !/^[+-]?(Infinity|NaN)$/i.test(t)) {
        throw new ParameterError(`parameter '${name}': '${truncate(value)}' is not a number`, name);
      }
      const n = Number(t);
      if (!Number.isFinite(n)) throw new ParameterError(`parameter '${name}': must be a finite number (got '${truncate(value)}')`, name);
      if (kind === 'integer' && !Number.isInteger(n)) {
        throw new ParameterError(`parameter '${name}': must be an integer (got '${truncate(value)}')`, name);
      }
      return n;
    }
    case 'boolean': {
      const w = value.trim().toLowerCase();
      if (TRUE_WORDS.has(w)) return true;
      if (FALSE_WORDS.has(w)) return false;
      throw new ParameterError(`parameter '${name}': '${truncate(value)}' is not a boolean (use true or false)`, name);
    }
    default:
      return value;
  }
}

function truncate(v: string, n = 60): string {
  return v.length > n ? `${v.slice(0, n)}…` : v;
}

/** Turn the string values of one property into the typed value its schema wants. */
function coerceProperty(prop: TSchema, values: readonly string[], name: string): unknown {
  const kind = parameterKind(prop) ?? 'string';
  if (kind === 'array') {
    const itemKind = parameterKind((prop as unknown as { items: TSchema }).items) ?? 'string';
    // A single value that looks like a JSON array is a whole array; otherwise repeated
    // parameters (DALI style) are the items.
    if (values.length === 1 && values[0]!.trim().startsWith('[')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(values[0]!);
      } catch {
        throw new ParameterError(`parameter '${name}': not a valid JSON array`, name);
      }
      return parsed;
    }
    return values.map((v) => coerceScalar(itemKind, v, name));
  }
  if (values.length > 1) {
    throw new ParameterError(`parameter '${name}' takes one value but was given ${values.length}`, name);
  }
  const value = values[0]!;
  if (kind === 'object') {
    try {
      return JSON.parse(value);
    } catch {
      throw new ParameterError(`parameter '${name}': not a valid JSON object`, name);
    }
  }
  return coerceScalar(kind, value, name);
}

/** Group raw parameters by canonical name, refusing names the schema does not know. */
export function groupRawParameters(schema: TObject, raw: readonly RawParameter[]): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const p of raw) {
    const canonical = canonicalParameterName(schema, p.name);
    if (canonical === undefined) {
      const known = Object.keys(schema.properties);
      throw new ParameterError(
        `unknown parameter '${truncate(p.name, 64)}'; this job type accepts: ${known.length ? known.join(', ') : '(no parameters)'}`,
        p.name,
      );
    }
    const list = grouped.get(canonical) ?? [];
    list.push(p.value);
    grouped.set(canonical, list);
  }
  return grouped;
}

function describeAjvError(e: ErrorObject): string {
  const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const name = path || (e.params as { missingProperty?: string }).missingProperty || '';
  switch (e.keyword) {
    case 'required':
      return `missing required parameter '${(e.params as { missingProperty: string }).missingProperty}'`;
    case 'enum':
      return `parameter '${name}': must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')}`;
    case 'anyOf':
      return `parameter '${name}': value not allowed`;
    case 'format':
      if ((e.params as { format?: string }).format === 'vocloud-path') return `parameter '${name}': ${whyNotUserPath(e.data)}`;
      return `parameter '${name}': ${e.message ?? 'invalid'}`;
    default:
      return `parameter '${name}': ${e.message ?? 'invalid'}`;
  }
}

/** Why a value is not a storage path: parseUserPath's reason, which says what to write. */
function whyNotUserPath(value: unknown): string {
  try {
    parseUserPath(String(value));
  } catch (err) {
    return (err as Error).message;
  }
  return 'not a storage path';
}

/** Describe ajv's errors; a union of constants (an enum written with Type.Union of
 *  Type.Literal) becomes one 'must be one of …' instead of a failure per branch. */
function describeAjvErrors(errors: readonly ErrorObject[]): string[] {
  const constsAt = new Map<string, unknown[]>();
  for (const e of errors) {
    if (e.keyword === 'const') {
      const list = constsAt.get(e.instancePath) ?? [];
      list.push((e.params as { allowedValue: unknown }).allowedValue);
      constsAt.set(e.instancePath, list);
    }
  }
  return errors.flatMap((e) => {
    if (e.keyword === 'const' && constsAt.has(e.instancePath)) return [];
    if (e.keyword === 'anyOf' && constsAt.has(e.instancePath)) {
      const name = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
      return [`parameter '${name}': must be one of ${constsAt.get(e.instancePath)!.map(String).join(', ')}`];
    }
    return [describeAjvError(e)];
  });
}

export interface ParseOptions {
  /** Check that every required parameter is present (at PHASE=RUN), not only the types. */
  readonly complete: boolean;
}

/**
 * Parse UWS parameters (strings, names in any case) into typed values checked against the
 * plugin's schema, with defaults applied. Throws ParameterError with a message for the user.
 * Values that are not strings (from the test harness or JSON clients) are taken as they are.
 */
export function parseParameters<T = Record<string, unknown>>(
  schema: TObject,
  raw: readonly RawParameter[] | Readonly<Record<string, unknown>>,
  options: ParseOptions,
): T {
  const typed: Record<string, unknown> = {};
  if (Array.isArray(raw)) {
    for (const [name, values] of groupRawParameters(schema, raw as readonly RawParameter[])) {
      typed[name] = coerceProperty(schema.properties[name] as TSchema, values, name);
    }
  } else {
    for (const [name, value] of Object.entries(raw)) {
      const canonical = canonicalParameterName(schema, name);
      if (canonical === undefined) {
        throw new ParameterError(`unknown parameter '${name}'; this job type accepts: ${Object.keys(schema.properties).join(', ')}`, name);
      }
      const prop = schema.properties[canonical] as TSchema;
      typed[canonical] =
        typeof value === 'string' ? coerceProperty(prop, [value], canonical)
        : Array.isArray(value) && value.every((v) => typeof v === 'string') && parameterKind(prop) === 'array'
          ? coerceProperty(prop, value as string[], canonical)
          : value;
    }
  }
  const validate = validatorFor(schema);
  if (!validate(typed)) {
    const errors = (validate.errors ?? []).filter((e) => options.complete || e.keyword !== 'required');
    if (errors.length > 0) {
      throw new ParameterError([...new Set(describeAjvErrors(errors))].join('; '));
    }
  }
  return typed as T;
}
