/**
 * Query complexity (graphql-query-complexity): each field costs 1 plus its children; a field with
 * `first`/`last` (a connection or paged list) costs its children once per requested item, so
 * `pools(first: 500) { edges { node { children(first: 500) { ... } } } }` is priced as the
 * 250,000 rows it could return. A field's own `complexity` option (type-graphql) wins.
 * It needs the operation's variables, so it runs after validation: in an Apollo plugin
 * (didResolveOperation) and in the WebSocket path's onSubscribe.
 */
import {
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
} from "graphql";
import { createRequire } from "node:module";
import type { ComplexityEstimator } from "graphql-query-complexity";

// The CommonJS build on purpose: the ESM build imports "graphql/index.mjs", a second copy of graphql
// beside the CommonJS one type-graphql builds the schema with ("... from another module or realm").
const { fieldExtensionsEstimator, getComplexity, simpleEstimator } = createRequire(import.meta.url)(
  "graphql-query-complexity",
) as typeof import("graphql-query-complexity");
import { DEFAULT_PAGE_SIZE } from "../../db/pagination.js";
import { queryTooComplex } from "./limit-error.js";

/** Prices a field with `first`/`last` arguments at `1 + pageSize * childComplexity`. */
export function connectionEstimator(maxPageSize: number): ComplexityEstimator {
  return ({ field, args, childComplexity }) => {
    if (!field.args.some((a) => a.name === "first" || a.name === "last")) return undefined;
    const requested = [args.first, args.last].find((v): v is number => typeof v === "number");
    const pageSize = Math.min(
      Math.max(requested ?? Math.min(DEFAULT_PAGE_SIZE, maxPageSize), 0),
      maxPageSize,
    );
    return 1 + pageSize * Math.max(childComplexity, 1);
  };
}

export interface ComplexityLimit {
  maxComplexity: number;
  maxPageSize: number;
}

/** The operation's complexity; O(size of the document), fragments expanded. */
export function operationComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
  maxPageSize: number,
): number {
  return getComplexity({
    schema,
    query: document,
    variables: variables ?? {},
    operationName: operationName ?? undefined,
    estimators: [
      fieldExtensionsEstimator(),
      connectionEstimator(maxPageSize),
      simpleEstimator({ defaultComplexity: 1 }),
    ],
  });
}

/**
 * The variables an operation's price can depend on: those used in the arguments of a field that has
 * `first`/`last` or its own `complexity`, and in `@skip`/`@include`. Null when some field is unknown to the
 * schema (then every variable counts). Computed once per document.
 */
export function pricedVariables(schema: GraphQLSchema, document: DocumentNode): string[] | null {
  const names = new Set<string>();
  let unknown = false;
  const collect = (nodes: readonly ASTNode[] | undefined) => {
    for (const node of nodes ?? [])
      visit(node, {
        Variable(v) {
          names.add(v.name.value);
        },
      });
  };
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const def = typeInfo.getFieldDef();
        if (!def) {
          if (node.name.value !== "__typename") unknown = true;
          return;
        }
        if (
          def.args.some((a) => a.name === "first" || a.name === "last") ||
          def.extensions?.complexity != null
        )
          collect(node.arguments);
      },
      Directive(node) {
        if (node.name.value === "skip" || node.name.value === "include") collect(node.arguments);
      },
    }),
  );
  return unknown ? null : [...names].sort();
}

interface PriceCache {
  variables: string[] | null;
  /** Key (operation name + the priced variables' values) -> a complexity within the limit. */
  within: Map<string, number>;
}
const MAX_PRICES_PER_DOCUMENT = 256;
const priceCaches = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, PriceCache>>();

function priceKey(
  cache: PriceCache,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
  maxPageSize: number,
): string {
  const vars = variables ?? {};
  const names = cache.variables ?? Object.keys(vars).sort();
  // [value] for a variable given, 0 for one absent (its default applies), so null and absent differ.
  const values = names.map((n) => (Object.prototype.hasOwnProperty.call(vars, n) ? [n, vars[n]] : [n, 0]));
  return JSON.stringify([operationName ?? null, maxPageSize, values]);
}

/**
 * Null when the operation is within the limit, otherwise the error to answer with. A price within the limit
 * is remembered per document (parsed documents come from Apollo's document store, so the same query text is
 * the same object) and per value of the variables it depends on; refusals are recomputed every time, so an
 * answer is always the one an uncached check would give.
 */
export function checkComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
  limit: ComplexityLimit,
): GraphQLError | null {
  let bySchema = priceCaches.get(schema);
  if (!bySchema) priceCaches.set(schema, (bySchema = new WeakMap()));
  let cache = bySchema.get(document);
  if (!cache)
    bySchema.set(document, (cache = { variables: pricedVariables(schema, document), within: new Map() }));
  const key = priceKey(cache, variables, operationName, limit.maxPageSize);
  const known = cache.within.get(key);
  if (known !== undefined && known <= limit.maxComplexity) return null;
  const { error, complexity } = uncachedCheck(schema, document, variables, operationName, limit);
  // Only a price actually computed is kept (not a pass because the variables did not coerce).
  if (!error && complexity !== null) {
    if (cache.within.size >= MAX_PRICES_PER_DOCUMENT) cache.within.clear();
    cache.within.set(key, complexity);
  }
  return error;
}

function uncachedCheck(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
  limit: ComplexityLimit,
): { error: GraphQLError | null; complexity: number | null } {
  let complexity: number;
  try {
    complexity = operationComplexity(schema, document, variables, operationName, limit.maxPageSize);
  } catch (e) {
    // Too many nodes is a limit; bad variables are left for execution to report as BAD_USER_INPUT.
    if (!/maximum allowed number of nodes/.test((e as Error).message))
      return { error: null, complexity: null };
    const error = queryTooComplex(`the operation has too many fields to price: ${(e as Error).message}`, {
      limit: "complexity",
      maximum: limit.maxComplexity,
      actual: -1,
    });
    return { error, complexity: null };
  }
  if (complexity <= limit.maxComplexity) return { error: null, complexity };
  const error = queryTooComplex(
    `operation${operationName ? ` '${operationName}'` : ""} has complexity ${complexity}; the limit is ${limit.maxComplexity} (MAX_COMPLEXITY). Ask for smaller pages (first/last) or fewer nested connections.`,
    { limit: "complexity", maximum: limit.maxComplexity, actual: complexity },
  );
  return { error, complexity };
}
