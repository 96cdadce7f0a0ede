import { GraphQLError, Kind, valueFromASTUntyped, type ValueNode } from 'graphql/index.js';

/** What mercurius copies onto a scalar type of the SDL. */
export interface ScalarImplementation {
  serialize(value: unknown): unknown;
  parseValue(value: unknown): unknown;
  parseLiteral(ast: ValueNode, variables?: Record<string, unknown> | null): unknown;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function parseDate(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_8601.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError(`DateTime: expected an ISO 8601 date or date-time such as 2025-01-31T12:00:00Z, got ${JSON.stringify(value)?.slice(0, 40)}`);
  }
  return new Date(value);
}

export const DateTime: ScalarImplementation = {
  serialize(value) {
    const d = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(d.getTime())) throw new GraphQLError(`DateTime: cannot serialise ${String(value).slice(0, 40)}`);
    return d.toISOString();
  },
  parseValue: parseDate,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime: expected a string such as "2025-01-31T12:00:00Z"');
    return parseDate(ast.value);
  },
};

export const JSONScalar: ScalarImplementation = {
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables ?? undefined),
};

function parseLong(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new GraphQLError(`Long: expected a whole number between -(2^53 - 1) and 2^53 - 1, got ${JSON.stringify(value)?.slice(0, 40)}`);
  }
  return value;
}

export const Long: ScalarImplementation = {
  serialize: (value) => parseLong(typeof value === 'string' ? Number(value) : value),
  parseValue: parseLong,
  parseLiteral(ast) {
    if (ast.kind !== Kind.INT) throw new GraphQLError('Long: expected a whole number');
    return parseLong(Number(ast.value));
  },
};
