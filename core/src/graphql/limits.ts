import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isListType,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  valueFromASTUntyped,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql/index.js';
import { MAX_PAGE } from './pagination.js';

/**
 * Two validation rules that refuse expensive documents before anything runs:
 * - depth: how deeply selections nest (fragments add no level of their own);
 * - cost: an estimate of the result's size, each field counted once per item it is fetched
 *   for — a list multiplies everything below it by its size (`@listSize` in the schema: the
 *   page size `first`, or an assumed size).
 * Introspection (`__schema`, `__type`) is left out of both: GraphiQL's own introspection query
 * is deep, and it costs only the schema's size.
 */

/** The size of a list field nobody annotated: big enough not to undercount. */
const UNANNOTATED_LIST = 100;

interface ListSize {
  readonly assumedSize?: number;
  readonly slicingArgument?: string;
  readonly sizedFields?: readonly string[];
}

function listSizeOf(field: GraphQLField<unknown, unknown>): ListSize | null {
  const d = field.astNode?.directives?.find((x) => x.name.value === 'listSize');
  if (!d) return null;
  const out: Record<string, unknown> = {};
  for (const a of d.arguments ?? []) out[a.name.value] = valueFromASTUntyped(a.value);
  return out as ListSize;
}

function fragmentsOf(context: ValidationContext): Map<string, FragmentDefinitionNode> {
  const map = new Map<string, FragmentDefinitionNode>();
  for (const d of context.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) map.set(d.name.value, d);
  return map;
}

const isIntrospection = (field: FieldNode) => field.name.value.startsWith('__') && field.name.value !== '__typename';

function operationLabel(op: OperationDefinitionNode): string {
  return op.name ? `${op.operation} ${op.name.value}` : `the ${op.operation}`;
}

/**
 * Fragments spread twice in each of a chain of fragments make a small document that expands to
 * an exponential number of selections: walks stop after this many, and refuse the document.
 */
const MAX_WALK = 100_000;

class TooComplex extends Error {}

function walkBudget(): () => void {
  let n = 0;
  return () => {
    if (++n > MAX_WALK) throw new TooComplex();
  };
}

function tooComplex(op: OperationDefinitionNode): GraphQLError {
  return new GraphQLError(`${operationLabel(op)} expands to more than ${MAX_WALK} selections through its fragments; write it without repeating fragments`, {
    nodes: [op],
    extensions: { code: 'QUERY_TOO_COMPLEX' },
  });
}

/** Refuse operations whose selections nest deeper than `maxDepth` levels. */
export function depthLimit(maxDepth: number): ValidationRule {
  return (context) => {
    const fragments = fragmentsOf(context);
    let step = walkBudget();
    // Stops descending once past the limit, so a hostile document cannot make it work hard.
    const depth = (set: SelectionSetNode, level: number, seen: ReadonlySet<string>): number => {
      if (level > maxDepth) return level;
      let deepest = level;
      for (const s of set.selections) {
        step();
        if (s.kind === Kind.FIELD) {
          if (isIntrospection(s)) continue;
          deepest = Math.max(deepest, s.selectionSet ? depth(s.selectionSet, level + 1, seen) : level + 1);
        } else if (s.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depth(s.selectionSet, level, seen));
        } else {
          const f = fragments.get(s.name.value);
          if (f && !seen.has(f.name.value)) deepest = Math.max(deepest, depth(f.selectionSet, level, new Set([...seen, f.name.value])));
        }
        if (deepest > maxDepth) break;
      }
      return deepest;
    };
    return {
      OperationDefinition(op) {
        step = walkBudget();
        let deepest: number;
        try {
          deepest = depth(op.selectionSet, 0, new Set());
        } catch (err) {
          if (err instanceof TooComplex) return context.reportError(tooComplex(op));
          throw err;
        }
        if (deepest > maxDepth) {
          context.reportError(
            new GraphQLError(
              `${operationLabel(op)} nests deeper than ${maxDepth} levels, the limit (graphql.maxDepth); ask for fewer nested fields`,
              { nodes: [op], extensions: { code: 'QUERY_TOO_DEEP', maxDepth } },
            ),
          );
        }
      },
    } satisfies ASTVisitor;
  };
}

/**
 * Refuse operations whose estimated cost exceeds `maxCost`. `variables` are the request's: a
 * page size given as a variable counts with its value (or the variable's default); null means
 * they are not known (subscriptions), and then a page size from a variable counts as the largest.
 */
export function costLimit(maxCost: number, schema: GraphQLSchema, variables: Record<string, unknown> | null, operationName?: string | null): ValidationRule {
  return (context) => {
    const fragments = fragmentsOf(context);
    let variableDefaults = new Map<string, unknown>();

    const intArg = (node: FieldNode, field: GraphQLField<unknown, unknown>, name: string): number => {
      const arg = node.arguments?.find((a) => a.name.value === name);
      const fieldDefault = field.args.find((a) => a.name === name)?.defaultValue;
      let value: unknown;
      if (!arg) value = fieldDefault;
      else if (arg.value.kind !== Kind.VARIABLE) value = valueFromASTUntyped(arg.value) ?? fieldDefault;
      else if (variables === null) value = MAX_PAGE;
      else {
        const v = arg.value.name.value;
        value = (Object.hasOwn(variables, v) ? variables[v] : variableDefaults.get(v)) ?? fieldDefault;
      }
      return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.min(value, MAX_PAGE) : MAX_PAGE;
    };

    let step = walkBudget();
    // The cost of a selection set fetched `times` times.
    const cost = (set: SelectionSetNode, type: GraphQLCompositeType, times: number, sized: ReadonlyMap<string, number>, seen: ReadonlySet<string>): number => {
      let total = 0;
      for (const s of set.selections) {
        step();
        if (s.kind === Kind.INLINE_FRAGMENT || s.kind === Kind.FRAGMENT_SPREAD) {
          const f = s.kind === Kind.FRAGMENT_SPREAD ? fragments.get(s.name.value) : s;
          if (!f || (s.kind === Kind.FRAGMENT_SPREAD && seen.has(s.name.value))) continue;
          const cond = f.typeCondition ? schema.getType(f.typeCondition.name.value) : type;
          const next = s.kind === Kind.FRAGMENT_SPREAD ? new Set([...seen, s.name.value]) : seen;
          if (cond && isCompositeType(cond)) total += cost(f.selectionSet, cond, times, sized, next);
          continue;
        }
        if (isIntrospection(s) || s.name.value === '__typename') continue;
        const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[s.name.value] : undefined;
        if (!field) continue; // unknown fields are reported by the standard rules
        total += times;
        if (!s.selectionSet) continue;
        const hint = listSizeOf(field);
        let inner = times;
        if (isListType(getNullableType(field.type))) {
          const size = sized.get(s.name.value) ?? hint?.assumedSize ?? (hint?.slicingArgument ? intArg(s, field, hint.slicingArgument) : UNANNOTATED_LIST);
          inner = times * size;
        }
        const childSized = new Map<string, number>();
        if (hint?.slicingArgument && hint.sizedFields) {
          const size = intArg(s, field, hint.slicingArgument);
          for (const name of hint.sizedFields) childSized.set(name, size);
        }
        const named = getNamedType(field.type);
        if (isCompositeType(named)) total += cost(s.selectionSet, named, inner, childSized, seen);
      }
      return total;
    };

    return {
      OperationDefinition(op) {
        if (operationName && op.name?.value !== operationName) return;
        const root = schema.getRootType(op.operation);
        if (!root) return;
        variableDefaults = new Map((op.variableDefinitions ?? []).map((d) => [d.variable.name.value, d.defaultValue ? valueFromASTUntyped(d.defaultValue) : undefined]));
        step = walkBudget();
        let total: number;
        try {
          total = cost(op.selectionSet, root, 1, new Map(), new Set());
        } catch (err) {
          if (err instanceof TooComplex) return context.reportError(tooComplex(op));
          throw err;
        }
        if (total > maxCost) {
          const estimate = total < 1e15 ? Math.round(total).toLocaleString('en') : total.toExponential(1);
          context.reportError(
            new GraphQLError(
              `${operationLabel(op)} has an estimated cost of ${estimate}, over the limit of ${maxCost.toLocaleString('en')} (graphql.maxCost). ` +
                `Every field counts once per item it is fetched for, and a list multiplies what is below it by its size: ask for smaller pages (first) or fewer fields`,
              { nodes: [op], extensions: { code: 'QUERY_TOO_COSTLY', cost: Math.round(Math.min(total, Number.MAX_SAFE_INTEGER)), maxCost } },
            ),
          );
        }
      },
    } satisfies ASTVisitor;
  };
}
