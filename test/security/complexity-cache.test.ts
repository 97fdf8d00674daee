/**
 * The complexity check remembers prices per document (#14): a cached price must never change an answer. Same
 * document object each time, as Apollo's document store hands it out.
 */
import { describe, expect, it } from "vitest";
import { buildSchema, parse } from "graphql";
import { checkComplexity, pricedVariables } from "../../src/server/limits/complexity.js";

const schema = buildSchema(`
  type Query { pools(first: Int, name: String): PoolConnection!, pool(id: ID!): Pool }
  type PoolConnection { edges: [PoolEdge!]!, totalCount: Int! }
  type PoolEdge { node: Pool! }
  type Pool { name: String!, children(first: Int): PoolConnection! }
`);
const limit = { maxComplexity: 1000, maxPageSize: 500 };

describe("complexity cache", () => {
  it("keys the price by the variables it depends on: a bigger page through the same document is refused", () => {
    const doc = parse(
      "query ($n: Int, $name: String) { pools(first: $n, name: $name) { edges { node { children(first: 20) { totalCount } } } } }",
    );
    expect(checkComplexity(schema, doc, { n: 10, name: "a" }, undefined, limit)).toBeNull();
    expect(checkComplexity(schema, doc, { n: 10, name: "b" }, undefined, limit)).toBeNull();
    const refused = checkComplexity(schema, doc, { n: 400, name: "a" }, undefined, limit);
    expect(refused?.extensions.code).toBe("QUERY_TOO_COMPLEX");
    expect(refused?.extensions.details).toMatchObject({
      limit: "complexity",
      actual: 1 + 400 * (1 + 1 + (1 + 20)),
    });
    // A refusal is not remembered as a pass, and a pass stays a pass.
    expect(checkComplexity(schema, doc, { n: 400, name: "a" }, undefined, limit)?.extensions.code).toBe(
      "QUERY_TOO_COMPLEX",
    );
    expect(checkComplexity(schema, doc, { n: 10, name: "a" }, undefined, limit)).toBeNull();
  });

  it("tells absent from null, and counts @skip/@include variables", () => {
    const doc = parse(
      "query ($n: Int = 400, $big: Boolean!) { a: pools(first: 1) { totalCount } b: pools(first: $n) @include(if: $big) { edges { node { children(first: 20) { totalCount } } } } }",
    );
    expect(pricedVariables(schema, doc)).toEqual(["big", "n"]);
    expect(checkComplexity(schema, doc, { big: false }, undefined, limit)).toBeNull();
    expect(checkComplexity(schema, doc, { big: true }, undefined, limit)?.extensions.code).toBe(
      "QUERY_TOO_COMPLEX",
    );
    expect(checkComplexity(schema, doc, { n: 10, big: true }, undefined, limit)).toBeNull();
  });

  it("a variable outside priced arguments does not split the cache; an unknown field makes every variable count", () => {
    expect(pricedVariables(schema, parse("query ($id: ID!) { pool(id: $id) { name } }"))).toEqual([]);
    expect(pricedVariables(schema, parse("query ($id: ID!) { nope(id: $id) }"))).toBeNull();
  });
});
