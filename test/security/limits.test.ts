/** The limit rules as pure functions over documents (the server-level behaviour is in abuse.test.ts). */
import { describe, expect, it } from "vitest";
import { buildSchema, parse, validate } from "graphql";
import { operationComplexity } from "../../src/server/limits/complexity.js";
import { depthLimitRule } from "../../src/server/limits/depth.js";
import { aliasLimitRule } from "../../src/server/limits/aliases.js";

const schema = buildSchema(`
  type Query { pools(first: Int, last: Int): PoolConnection!, pool(id: ID!): Pool }
  type PoolConnection { edges: [PoolEdge!]!, totalCount: Int! }
  type PoolEdge { node: Pool! }
  type Pool { name: String!, children(first: Int): PoolConnection! }
`);
const cost = (query: string, variables?: Record<string, unknown>) =>
  operationComplexity(schema, parse(query), variables, undefined, 500);

describe("connection complexity", () => {
  it("grows in proportion to first/last", () => {
    const page = (n: number) => cost(`{ pools(first: ${n}) { edges { node { name } } } }`);
    expect(page(10)).toBe(1 + 10 * 3);
    expect(page(100)).toBe(1 + 100 * 3);
    expect(cost("{ pools(last: 7) { edges { node { name } } } }")).toBe(1 + 7 * 3);
  });

  it("multiplies nested connections and reads page sizes from variables", () => {
    const q =
      "query ($n: Int) { pools(first: $n) { edges { node { children(first: 20) { totalCount } } } } }";
    expect(cost(q, { n: 100 })).toBe(1 + 100 * (1 + 1 + (1 + 20 * 1)));
  });

  it("prices a connection without first/last at the default page size, capped by the maximum", () => {
    expect(cost("{ pools { totalCount } }")).toBe(1 + 50);
    expect(cost("{ pools(first: 100000) { totalCount } }")).toBe(1 + 500);
  });
});

describe("depth and alias rules", () => {
  it("measures depth through fragments and inline fragments", () => {
    const doc = parse(
      "{ pool(id: 1) { ...P } } fragment P on Pool { children { edges { node { ... on Pool { name } } } } }",
    );
    expect(validate(schema, doc, [depthLimitRule(5)])).toHaveLength(0);
    const [error] = validate(schema, doc, [depthLimitRule(4)]);
    expect(error?.extensions).toMatchObject({
      code: "QUERY_TOO_COMPLEX",
      details: { actual: 5, maximum: 4 },
    });
  });

  it("counts the aliases of a fragment once per spread", () => {
    const doc = parse(
      "{ a: pool(id: 1) { ...F } b: pool(id: 2) { ...F } } fragment F on Pool { x: name y: name }",
    );
    const [error] = validate(schema, doc, [aliasLimitRule(5)]);
    expect(error?.extensions?.details).toEqual({ limit: "aliases", maximum: 5, actual: 6 });
    expect(validate(schema, doc, [aliasLimitRule(6)])).toHaveLength(0);
  });
});
