/**
 * `resizePool` of a pool holding 100 vs 100,000 direct children (reservations, seeded with direct SQL), through the
 * domain function on a real SQLite file: alternately grow 10.0.0.0/12 -> /11 and shrink it back. A grow touches
 * only the parent's and the pool's free blocks (O(prefix length × log n)); a shrink also checks that every child
 * still fits, one index range scan over the pool's children (O(children)). Run with `npm run bench -- pool-resize`.
 */
import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makePrefix } from "../src/allocator/index.js";
import { insertPrefix, rangeColumns } from "../src/db/prefixes.js";
import { openStore, type Store } from "../src/db/store.js";
import { seedPool } from "../src/domain/placement.js";
import { resizePool } from "../src/domain/pool-lifecycle.js";
import { SYSTEM_ACTOR } from "../src/domain/roles.js";
import { measure, report, type BenchResult } from "./harness.js";

const caller = { actor: SYSTEM_ACTOR, requestId: "bench" };

/** Root 10.0.0.0/8 holding pool 10.0.0.0/12 with `children` /30 reservations from its start; returns the pool id. */
function seed(store: Store, children: number): Promise<number> {
  return store.write(async (db) => {
    const pool = async (p: ReturnType<typeof makePrefix>, parentId: number | null, name: string) =>
      insertPrefix(db, { kind: "pool", scopeId: 1, parentId, status: "ACTIVE", name, ...rangeColumns(p) });
    const root = await pool(makePrefix(4, 10n << 24n, 8), null, "root");
    const x = await pool(makePrefix(4, 10n << 24n, 12), root.id, "x");
    for (let i = 0; i < children; i++)
      await insertPrefix(db, {
        kind: "reservation",
        scopeId: 1,
        parentId: x.id,
        status: "ACTIVE",
        ...rangeColumns(makePrefix(4, (10n << 24n) + BigInt(i) * 4n, 30)),
      });
    await seedPool(db, x);
    await seedPool(db, root);
    return x.id;
  });
}

const results: BenchResult[] = [];
for (const children of [100, 100_000]) {
  const dir = mkdtempSync(join(tmpdir(), "cloudpam-bench-resize-"));
  const store = openStore({ dsn: join(dir, "bench.db") });
  try {
    const id = await seed(store, children);
    let grown = false;
    const step = async () => {
      await resizePool(store, caller, id, grown ? "10.0.0.0/12" : "10.0.0.0/11");
      grown = !grown;
    };
    results.push(
      await measure(`resizePool grow+shrink @ ${children} children`, step, { iterations: 200, warmup: 20 }),
    );
    grown = false;
    // Grows and shrinks timed apart.
    const grows: number[] = [];
    const shrinks: number[] = [];
    const time = async (into: number[], cidr: string) => {
      const t = performance.now();
      await resizePool(store, caller, id, cidr);
      into.push((performance.now() - t) * 1000);
    };
    for (let i = 0; i < 100; i++) {
      await time(grows, "10.0.0.0/11");
      await time(shrinks, "10.0.0.0/12");
    }
    for (const [name, xs] of [
      ["grow only", grows],
      ["shrink only", shrinks],
    ] as const) {
      xs.sort((a, b) => a - b);
      results.push({
        name: `  ${name} @ ${children}`,
        ops: 100,
        medianUs: xs[50]!,
        p99Us: xs[99]!,
        opsPerSec: 1e6 / xs[50]!,
      });
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
report(results);
