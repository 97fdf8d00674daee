/**
 * Top-level pools on PostgreSQL: there is no parent row to lock, so createPool (and a top-level grow or a move to
 * the top level) locks the scope's row (`lockTopLevel`). Two stores on one database (two replicas) creating
 * overlapping top-level pools in one scope at the same time: exactly one of each pair commits, the other is
 * refused with CONFLICT, and the scope never holds two overlapping top-level pools. Different scopes do not block
 * each other.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { overlaps, parsePrefix } from "../../src/allocator/index.js";
import { openPgSeam } from "../../src/db/store.pg.js";
import type { Store } from "../../src/db/store.js";
import { createPool } from "../../src/domain/pools.js";
import { resizePool } from "../../src/domain/pool-lifecycle.js";
import { createScope } from "../../src/domain/scopes.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";
import { postgresAvailability, startPostgres, type PgCluster } from "../helpers/postgres.js";

const availability = postgresAvailability();
const caller = { actor: SYSTEM_ACTOR, requestId: "top-level-lock" };

describe.skipIf(!availability.available)("top-level pools on PostgreSQL", () => {
  let cluster: PgCluster;
  const stores: Store[] = [];
  beforeAll(async () => {
    cluster = await startPostgres({ bin: availability.bin! });
    const url = await cluster.createDatabase();
    stores.push(await openPgSeam({ url }), await openPgSeam({ url }));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await cluster?.destroy();
  });

  it("two replicas creating overlapping top-level pools in one scope: one commits, the other gets CONFLICT", async () => {
    const [a, b] = [stores[0]!, stores[1]!];
    const created: string[] = [];
    for (let round = 0; round < 12; round++) {
      // A /16 and a /24 inside it, in the same top level, at once from two stores.
      const big = `10.${round}.0.0/16`;
      const small = `10.${round}.7.0/24`;
      const outcomes = await Promise.allSettled([
        createPool(a, caller, { name: `big-${round}`, cidr: big }),
        createPool(b, caller, { name: `small-${round}`, cidr: small }),
      ]);
      const won = outcomes.filter((o) => o.status === "fulfilled");
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0]!.reason as { code?: string }).code).toBe("CONFLICT");
      for (const o of won) created.push(o.value.cidr);
    }
    // A grow of a top-level pool against a concurrent create beside it: never both.
    const grow = await createPool(a, caller, { name: "grow", cidr: "10.200.0.0/24" });
    const outcomes = await Promise.allSettled([
      resizePool(a, caller, grow.id, "10.200.0.0/16"),
      createPool(b, caller, { name: "beside", cidr: "10.200.9.0/24" }),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const top = await a.read((db) =>
      db.query.prefixes.findMany({
        where: (p, { and, eq, isNull }) => and(eq(p.scopeId, 1), isNull(p.parentId)),
      }),
    );
    const prefixes = top.map((r) => parsePrefix(r.cidr));
    for (let i = 0; i < prefixes.length; i++)
      for (let j = i + 1; j < prefixes.length; j++) expect(overlaps(prefixes[i]!, prefixes[j]!)).toBe(false);
    expect(created).toHaveLength(12);
  });

  it("top-level creates in different scopes do not wait for each other", async () => {
    const [a, b] = [stores[0]!, stores[1]!];
    const red = await createScope(a, caller, { name: "red" });
    const blue = await createScope(a, caller, { name: "blue" });
    const made = await Promise.all([
      createPool(a, caller, { name: "red-root", cidr: "172.16.0.0/12", scopeId: red.id }),
      createPool(b, caller, { name: "blue-root", cidr: "172.16.0.0/12", scopeId: blue.id }),
    ]);
    expect(made.map((p) => p.cidr)).toEqual(["172.16.0.0/12", "172.16.0.0/12"]);
  });
});
