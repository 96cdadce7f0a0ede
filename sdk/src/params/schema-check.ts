import type { TObject, TSchema } from '@sinclair/typebox';
import { PluginDefinitionError } from '../plugin/errors.js';

/** UWS and DALI words with a meaning of their own in a job creation request. */
export const RESERVED_PARAMETER_NAMES = new Set([
  'phase', 'runid', 'executionduration', 'destruction', 'action', 'upload', 'wait', 'quote', 'owner', 'targetdir',
]);

const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean']);

/**
 * Refuse schemas that the UWS parameter mapping cannot represent, with a message that names
 * the plugin and the property: names must be unique ignoring case (UWS names are
 * case-insensitive), must not be UWS words, and each property must be a scalar, an array of
 * scalars or a JSON object.
 */
export function checkParameterSchema(schema: unknown, where: string): asserts schema is TObject {
  const s = schema as TObject | undefined;
  if (typeof s !== 'object' || s === null || s.type !== 'object' || typeof s.properties !== 'object') {
    throw new PluginDefinitionError(`${where}: parameters must be an object schema (Type.Object({...}))`);
  }
  const seen = new Map<string, string>();
  for (const [name, prop] of Object.entries(s.properties as Record<string, TSchema>)) {
    if (!PARAMETER_NAME.test(name)) {
      throw new PluginDefinitionError(`${where}: parameter name '${name}' must match ${PARAMETER_NAME}`);
    }
    const lower = name.toLowerCase();
    if (RESERVED_PARAMETER_NAMES.has(lower)) {
      throw new PluginDefinitionError(`${where}: parameter '${name}' is a reserved UWS word; choose another name`);
    }
    const other = seen.get(lower);
    if (other !== undefined) {
      throw new PluginDefinitionError(`${where}: parameters '${other}' and '${name}' differ only in case (UWS names are case-insensitive)`);
    }
    seen.set(lower, name);
    const kind = parameterKind(prop);
    if (kind === null) {
      throw new PluginDefinitionError(
        `${where}: parameter '${name}' must be a string, number, integer, boolean, an array of those, or an object`,
      );
    }
  }
}

export type ParameterKind = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'file';

/** How a property is carried in UWS; null when it cannot be. */
export function parameterKind(prop: TSchema): ParameterKind | null {
  const type = (prop as { type?: unknown }).type;
  if (type === 'string' && (prop as { format?: string }).format === 'binary') return 'file';
  if (typeof type === 'string' && SCALAR_TYPES.has(type)) return type as ParameterKind;
  if (type === 'object') return 'object';
  if (type === 'array') {
    const items = (prop as { items?: TSchema }).items;
    const itemType = (items as { type?: unknown } | undefined)?.type;
    return typeof itemType === 'string' && SCALAR_TYPES.has(itemType) ? 'array' : null;
  }
  // enums written as Type.Union([Type.Literal('a'), ...]) have anyOf of constants
  const anyOf = (prop as { anyOf?: TSchema[] }).anyOf;
  if (Array.isArray(anyOf) && anyOf.length > 0 && anyOf.every((a) => 'const' in a)) return 'string';
  if (Array.isArray((prop as { enum?: unknown[] }).enum)) return 'string';
  return null;
}
