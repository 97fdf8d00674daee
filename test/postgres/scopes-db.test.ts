/**
 * src/db/scopes.ts in await style answers the same on SQLite and PostgreSQL: scope rows and pages, the
 * default scope, links stored lower id first and read from either side, and a scope's top-level live prefixes
 * in address order.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresAvailability } from "../helpers/postgres.js";
import { bothBackends, type BothBackends } from "../helpers/both-backends.js";
import type { Db } from "../../src/db/store.js";
import { resolvePage } from "../../src/db/pagination.js";
import { rangeColumns } from "../../src/db/prefixes.js";
import { prefixes } from "../../src/db/schema.js";
import { parsePrefix } from "../../src/allocator/index.js";
import {
  allScopeIds,
  anyPrefixInScope,
  countScopes,
  defaultScope,
  deleteScopeLink,
  deleteScopeRow,
  insertScope,
  insertScopeLink,
  linkedScopeIds,
  scopeById,
  scopeByName,
  scopeLinkRow,
  scopesByIds,
  scopesPage,
  topLevelLive,
  updateScopeRow,
} from "../../src/db/scopes.js";

const availability = postgresAvailability();

async function exercise(db: Db) {
  const def = await defaultScope(db);
  const [a, b, c] = [
    await insertScope(db, { name: "a", description: "first" }),
    await insertScope(db, { name: "b" }),
    await insertScope(db, { name: "c" }),
  ];
  const name = (id: number) => [def, a, b, c].find((s) => s.id === id)?.name ?? `#${id}`;
  await insertScopeLink(db, c.id, a.id); // stored as (a, c)
  await insertScopeLink(db, a.id, b.id);
  // (a plain insert: prefixes.ts is converted separately)
  const pool = async (cidr: string, scopeId: number, parentId: number | null = null) =>
    (
      await db
        .insert(prefixes)
        .values({
          kind: "pool",
          scopeId,
          parentId,
          status: "ACTIVE",
          name: cidr,
          ...rangeColumns(parsePrefix(cidr)),
        })
        .returning()
    )[0]!;
  const big = await pool("10.0.0.0/8", a.id);
  await pool("10.1.0.0/16", a.id, big.id);
  await pool("192.168.0.0/16", a.id);
  await pool("2001:db8::/32", a.id);
  await pool("172.16.0.0/12", a.id);
  const p1 = await scopesPage(db, resolvePage({ first: 2 }, 100));
  const p2 = await scopesPage(db, resolvePage({ first: 2, after: p1.cursors[1]! }, 100));
  const out = {
    def: { name: def.name, isDefault: def.isDefault },
    ids: (await allScopeIds(db)).map(name),
    pages: [
      p1.items.map((s) => s.name),
      p1.hasNextPage,
      p2.items.map((s) => s.name),
      p2.hasNextPage,
      p2.hasPreviousPage,
    ],
    count: await countScopes(db),
    byId: (await scopeById(db, b.id))?.name,
    byName: (await scopeByName(db, "a"))?.description,
    missing: [(await scopeById(db, 99_999)) ?? null, (await scopeByName(db, "zz")) ?? null],
    byIds: (await scopesByIds(db, [c.id, a.id])).map((s) => s.name).sort(),
    linkedA: (await linkedScopeIds(db, a.id)).map(name),
    linkedC: (await linkedScopeIds(db, c.id)).map(name),
    linkRow: await scopeLinkRow(db, c.id, a.id).then((r) => r && [name(r.scopeId), name(r.linkedScopeId)]),
    noLink: (await scopeLinkRow(db, b.id, c.id)) ?? null,
    topLevel: (await topLevelLive(db, a.id)).map((p) => p.cidr),
    anyInA: (await anyPrefixInScope(db, a.id))?.scopeId === a.id,
    anyInB: (await anyPrefixInScope(db, b.id)) ?? null,
  };
  const renamed = await updateScopeRow(db, b.id, { name: "b2" });
  await deleteScopeLink(db, b.id, a.id);
  await deleteScopeRow(db, c.id);
  return {
    ...out,
    renamed: renamed.name,
    afterUnlink: (await linkedScopeIds(db, a.id)).map(name),
    afterDelete: await countScopes(db),
  };
}

describe.skipIf(!availability.available)("scope rows on both backends", () => {
  let both: BothBackends;
  beforeAll(async () => {
    both = await bothBackends(availability.bin!);
  }, 60_000);
  afterAll(async () => {
    await both?.stop();
  });

  it("answer the same on SQLite and PostgreSQL", async () => {
    const { sqlite, pg } = await both.run(exercise);
    expect(sqlite).toEqual({
      def: { name: "default", isDefault: true },
      ids: ["default", "a", "b", "c"],
      pages: [["default", "a"], true, ["b", "c"], false, true],
      count: 4,
      byId: "b",
      byName: "first",
      missing: [null, null],
      byIds: ["a", "c"],
      linkedA: ["b", "c"],
      linkedC: ["a"],
      linkRow: ["a", "c"],
      noLink: null,
      // IPv4 before IPv6, then address order; children are not top level.
      topLevel: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "2001:db8::/32"],
      anyInA: true,
      anyInB: null,
      renamed: "b2",
      afterUnlink: [],
      afterDelete: 3,
    });
    expect(pg).toEqual(sqlite);
  });
});
