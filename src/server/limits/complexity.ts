/**
 * Query complexity (graphql-query-complexity): each field costs 1 plus its children; a field with
 * `first`/`last` (a connection or paged list) costs its children once per requested item, so
 * `pools(first: 500) { edges { node { children(first: 500) { ... } } } }` is priced as the
 * 250,000 rows it could return. A field's own `complexity` option (type-graphql) wins.
 * It needs the operation's variables, so it runs after validation: in an Apollo plugin
 * (didResolveOperation) and in the WebSocket path's onSubscribe.
 */
import type { DocumentNode, GraphQLError, GraphQLSchema } from "graphql";
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

/** Null when the operation is within the limit, otherwise the error to answer with. */
export function checkComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
  limit: ComplexityLimit,
): GraphQLError | null {
  let complexity: number;
  try {
    complexity = operationComplexity(schema, document, variables, operationName, limit.maxPageSize);
  } catch (e) {
    // Too many nodes is a limit; bad variables are left for execution to report as BAD_USER_INPUT.
    if (!/maximum allowed number of nodes/.test((e as Error).message)) return null;
    return queryTooComplex(`the operation has too many fields to price: ${(e as Error).message}`, {
      limit: "complexity",
      maximum: limit.maxComplexity,
      actual: -1,
    });
  }
  if (complexity <= limit.maxComplexity) return null;
  return queryTooComplex(
    `operation${operationName ? ` '${operationName}'` : ""} has complexity ${complexity}; the limit is ${limit.maxComplexity} (MAX_COMPLEXITY). Ask for smaller pages (first/last) or fewer nested connections.`,
    { limit: "complexity", maximum: limit.maxComplexity, actual: complexity },
  );
}
