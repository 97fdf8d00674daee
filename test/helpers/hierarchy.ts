/**
 * The invariants every pool hierarchy keeps, checked from scratch against the allocator's reference
 * model (test/allocator/reference-model.ts): each live child lies strictly inside its pool, in the
 * pool's scope, disjoint from its siblings; each pool's free blocks and utilisation equal a fresh
 * recomputation from its live children. Shared by the resize and move property tests.
 */
import { expect } from "vitest";
import {
  containsPrefix,
  formatPrefix,
  overlaps,
  utilizationOf,
  type Prefix,
} from "../../src/allocator/index.js";
import { listFreeBlocks } from "../../src/db/free-blocks.js";
import { liveChildren, prefixById, rowPrefix, type PrefixRow } from "../../src/db/prefixes.js";
import type { Store } from "../../src/db/store.js";
import { poolUtilization } from "../../src/domain/blocks.js";
import { referenceFreeBlocks } from "../allocator/reference-model.js";

/** Ids of every live pool, in id order. */
export async function poolIds(store: Store): Promise<number[]> {
  return store.read((db) =>
    db.$client
      .prepare<[], { id: number }>(
        "SELECT id FROM prefixes WHERE kind = 'pool' AND released_at IS NULL ORDER BY id",
      )
      .all()
      .map((r) => r.id),
  );
}

/** A pool's row, its live children and its stored free blocks. */
export async function poolState(
  store: Store,
  id: number,
): Promise<{ row: PrefixRow; children: PrefixRow[]; free: Prefix[] }> {
  return store.read(async (db) => {
    const row = (await prefixById(db, id))!;
    return { row, children: await liveChildren(db, id), free: await listFreeBlocks(db, id, 4) };
  });
}

/** Asserts the invariants above for every live pool. */
export async function assertHierarchyExact(store: Store): Promise<void> {
  for (const id of await poolIds(store)) {
    const { row, children, free } = await poolState(store, id);
    const range = rowPrefix(row);
    const occupied = children.map(rowPrefix);
    for (const [i, c] of children.entries()) {
      expect(c.scopeId).toBe(row.scopeId);
      expect(containsPrefix(range, occupied[i]!) && c.prefixLen > range.length).toBe(true);
      for (const d of occupied.slice(i + 1)) expect(overlaps(occupied[i]!, d)).toBe(false);
    }
    expect(free.map(formatPrefix)).toEqual(referenceFreeBlocks(range, occupied).map(formatPrefix));
    const u = await poolUtilization(store, id);
    const ref = utilizationOf(
      range,
      children.map((c) => ({ prefix: rowPrefix(c), reserved: c.kind === "reservation" })),
    );
    expect({ ...u, largestFree: u.largestFree && formatPrefix(u.largestFree) }).toEqual({
      ...ref,
      largestFree: ref.largestFree && formatPrefix(ref.largestFree),
    });
  }
}
