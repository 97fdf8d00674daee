/**
 * Where a prefix may go: the one set of rules every pool, allocation and reservation passes through.
 *
 * Within a scope, live prefixes nest and never overlap otherwise (CIDR blocks either nest or are
 * disjoint, so the rule is about nesting): a prefix lives inside exactly one parent pool, takes space
 * from that pool's free blocks, and gives it back when it goes. Top-level pools must not overlap
 * anything in their scope. All functions run inside the caller's write transaction, after the caller has
 * locked the pools whose free space they change (`lockPoolRows`, src/db/pools.ts).
 */
import {
  AllocatorError,
  allocateSteps,
  containsPrefix,
  formatPrefix,
  freeBlocks,
  largestSteps,
  nearestFreeOfLength,
  previewSteps,
  releaseSteps,
  seedFreeBlocks,
  type AllocationRules,
  type AllocationStrategy,
  type Family,
  type FreeBlockProgram,
  type Prefix,
} from "../allocator/index.js";
import { replaceFreeBlocks, runFreeBlocks } from "../db/free-blocks.js";
import {
  containingLive,
  liveChildren,
  rowPrefix,
  topLevelWithinLive,
  withinLive,
  type PrefixRow,
} from "../db/prefixes.js";
import { lockScopeRows } from "../db/pools.js";
import { linkedScopeIds, scopeById } from "../db/scopes.js";
import type { Db } from "../db/store.js";
import { Conflict, type ObjectRef } from "./errors.js";
import { toGlobalId } from "../ids.js";

const KIND_LABEL: Record<PrefixRow["kind"], string> = {
  pool: "pool",
  allocation: "allocation",
  reservation: "reservation",
};
const TYPE_NAME: Record<PrefixRow["kind"], string> = {
  pool: "Pool",
  allocation: "Allocation",
  reservation: "Reservation",
};

/** The reference to a prefix row used in error details. */
export function prefixRef(row: PrefixRow): ObjectRef {
  return { type: TYPE_NAME[row.kind], id: row.id, name: row.name, cidr: row.cidr };
}

/** "pool 'prod-use1' (10.0.0.0/23)" */
export function describePrefix(row: PrefixRow): string {
  return `${KIND_LABEL[row.kind]}${row.name ? ` '${row.name}'` : ""} (${row.cidr})`;
}

/** Runs an allocator program on the pool's free blocks (SQLite: in the same tick; PostgreSQL: awaited). */
function onFreeBlocks<T>(db: Db, pool: PrefixRow, program: FreeBlockProgram<T>): Promise<T> {
  return runFreeBlocks(db, pool.id, pool.family as Family, program);
}

/** Seeds a new pool's free blocks: its whole range minus its (existing) live children. O(children). */
export async function seedPool(db: Db, pool: PrefixRow): Promise<void> {
  const children = (await liveChildren(db, pool.id)).map(rowPrefix);
  await replaceFreeBlocks(db, pool.id, seedFreeBlocks(rowPrefix(pool), children));
}

/** How many conflicting objects an error names in `details.conflicts`. */
export const MAX_NAMED_CONFLICTS = 10;

/** "allocation 'a' (10.0.0.0/24)", or "3 prefixes: allocation 'a' (…), … and 1 more" when several. */
function describeConflicts(rows: PrefixRow[], total: number): string {
  if (total === 1) return describePrefix(rows[0]!);
  const shown = rows.slice(0, 3).map(describePrefix).join(", ");
  return `${total} prefixes: ${shown}${total > 3 ? ` and ${total - 3} more` : ""}`;
}

/**
 * Explains why `x` is not free inside `pool`: names every direct child in the way (up to
 * MAX_NAMED_CONFLICTS in `details.conflicts`) and the nearest free block of x's size, if any. O(children).
 */
export async function conflictInPool(db: Db, pool: PrefixRow, x: Prefix, field: string): Promise<Conflict> {
  const children = await liveChildren(db, pool.id);
  const nearest = nearestFreeOfLength(
    freeBlocks(
      rowPrefix(pool),
      children.map((c) => rowPrefix(c)),
    ),
    x,
  );
  const nearestText = nearest
    ? `; the nearest free /${x.length} is ${formatPrefix(nearest)}`
    : `; no /${x.length} is free in ${describePrefix(pool)}`;
  const nearestDetails = nearest ? { nearestFree: formatPrefix(nearest) } : {};
  const holder = children.find((c) => containsPrefix(rowPrefix(c), x));
  if (holder) {
    const hint = holder.kind === "pool" ? `; to put it there, use that pool as the parent` : "";
    return new Conflict(`${formatPrefix(x)} overlaps ${describePrefix(holder)}${hint}${nearestText}`, {
      field,
      conflicting: prefixRef(holder),
      conflicts: [prefixRef(holder)],
      conflictCount: 1,
      ...nearestDetails,
    });
  }
  const inside = children.filter((c) => containsPrefix(x, rowPrefix(c)));
  if (inside.length > 0) {
    const named = inside.slice(0, MAX_NAMED_CONFLICTS);
    return new Conflict(
      `${formatPrefix(x)} overlaps ${describeConflicts(named, inside.length)}${nearestText}`,
      {
        field,
        conflicting: prefixRef(inside[0]!),
        conflicts: named.map(prefixRef),
        conflictCount: inside.length,
        ...nearestDetails,
      },
    );
  }
  return new Conflict(`${formatPrefix(x)} is not free in ${describePrefix(pool)}${nearestText}`, {
    field,
    conflicting: prefixRef(pool),
    ...nearestDetails,
  });
}

/** Takes exactly `x` from the pool's free space, or throws Conflict naming what is in the way. */
export async function occupyInPool(
  db: Db,
  pool: PrefixRow,
  x: Prefix,
  field = "cidr",
  rules: AllocationRules = {},
): Promise<void> {
  try {
    await onFreeBlocks(db, pool, allocateSteps(rowPrefix(pool), { prefix: x }, "smallest-fit", rules));
  } catch (e) {
    if (e instanceof AllocatorError && e.code === "NOT_FREE") throw await conflictInPool(db, pool, x, field);
    throw e;
  }
  await assertClearOfLinkedScopes(db, pool.scopeId, x, field);
}

/** Takes the next free block of `length` from the pool (smallest-fit by default); allocator errors propagate. */
export async function takeNextInPool(
  db: Db,
  pool: PrefixRow,
  length: number,
  strategy: AllocationStrategy = "smallest-fit",
  rules: AllocationRules = {},
  field = "prefixLength",
): Promise<Prefix> {
  const x = await onFreeBlocks(db, pool, allocateSteps(rowPrefix(pool), { length }, strategy, rules));
  await assertClearOfLinkedScopes(db, pool.scopeId, x, field);
  return x;
}

/** What `takeNextInPool` would return now, without writing. */
export async function previewNextInPool(
  db: Db,
  pool: PrefixRow,
  request: { length: number } | { prefix: Prefix },
  strategy: AllocationStrategy = "smallest-fit",
  rules: AllocationRules = {},
): Promise<Prefix> {
  return onFreeBlocks(db, pool, previewSteps(rowPrefix(pool), request, strategy, rules));
}

/** Gives `x` back to the pool's free space (merging buddies). */
export async function vacateInPool(db: Db, pool: PrefixRow, x: Prefix): Promise<void> {
  await onFreeBlocks(db, pool, releaseSteps(rowPrefix(pool), x));
}

/** The pool's largest free block, if any. */
export async function largestFreeInPool(db: Db, pool: PrefixRow): Promise<Prefix | undefined> {
  return onFreeBlocks(db, pool, largestSteps());
}

/** The first live prefix of `scopeId` that overlaps x (the outermost one containing it, else the first inside). */
async function overlappingLive(db: Db, scopeId: number, x: Prefix): Promise<PrefixRow | undefined> {
  return (await containingLive(db, scopeId, x))[0] ?? (await withinLive(db, scopeId, x, 1))[0];
}

/**
 * Peered scopes are routed together: x must not overlap any live prefix of a scope linked to `scopeId`.
 * O(links × prefix length × log n); one indexed query when the scope has no links.
 */
export async function assertClearOfLinkedScopes(
  db: Db,
  scopeId: number,
  x: Prefix,
  field: string,
): Promise<void> {
  for (const linked of await linkedScopeIds(db, scopeId)) {
    const other = await overlappingLive(db, linked, x);
    if (other) {
      const scope = (await scopeById(db, linked))!;
      throw new Conflict(
        `${formatPrefix(x)} overlaps ${describePrefix(other)} in scope '${scope.name}', which is linked (routed together) with this scope`,
        {
          field,
          conflicting: prefixRef(other),
          linkedScope: { type: "Scope", id: toGlobalId("Scope", scope.id), name: scope.name },
        },
      );
    }
  }
}

/** The first pair of overlapping live prefixes across scopes a and b, if any; O(top-level prefixes × log n). */
export async function firstOverlapBetween(
  db: Db,
  a: number,
  b: number,
  topLevel: (scopeId: number) => PrefixRow[] | Promise<PrefixRow[]>,
): Promise<{ mine: PrefixRow; theirs: PrefixRow } | undefined> {
  // Every live prefix lies inside a top-level one of its scope, so comparing a's top level with all of b suffices.
  for (const mine of await topLevel(a)) {
    const theirs = await overlappingLive(db, b, rowPrefix(mine));
    if (theirs) return { mine, theirs };
  }
  return undefined;
}

/**
 * Locks the top level of a scope and of the scopes linked to it (their scope rows, ascending), before a write
 * that adds or grows a top-level pool there reads what is in the way: two such writes in one scope (or in linked
 * scopes) serialise, so they cannot both pass `assertTopLevelFree`. Taken after the write's pool-row locks.
 * A no-op on SQLite.
 */
export async function lockTopLevel(db: Db, scopeId: number): Promise<void> {
  await lockScopeRows(db, [scopeId, ...(await linkedScopeIds(db, scopeId))]);
}

/** A top-level pool must not overlap any live prefix of its scope, nor of a linked scope. */
export async function assertTopLevelFree(db: Db, scopeId: number, x: Prefix, field = "cidr"): Promise<void> {
  const container = (await containingLive(db, scopeId, x))[0];
  if (container) {
    const equal = container.prefixLen === x.length;
    throw new Conflict(
      equal
        ? `${formatPrefix(x)} already exists as ${describePrefix(container)}`
        : `${formatPrefix(x)} lies inside ${describePrefix(container)}; create it with that pool as its parent`,
      { field, conflicting: prefixRef(container) },
    );
  }
  // Top-level prefixes inside x, in address order; one past the limit tells "more than 10".
  const inside = await topLevelWithinLive(db, scopeId, x, MAX_NAMED_CONFLICTS + 1);
  if (inside.length > 0) {
    const named = inside.slice(0, MAX_NAMED_CONFLICTS);
    const count = inside.length > MAX_NAMED_CONFLICTS ? `more than ${MAX_NAMED_CONFLICTS}` : inside.length;
    throw new Conflict(
      inside.length === 1
        ? `${formatPrefix(x)} would contain ${describePrefix(inside[0]!)}`
        : `${formatPrefix(x)} would contain ${count} pools: ${named.slice(0, 3).map(describePrefix).join(", ")}${inside.length > 3 ? ", …" : ""}`,
      {
        field,
        conflicting: prefixRef(inside[0]!),
        conflicts: named.map(prefixRef),
        conflictCount: inside.length > MAX_NAMED_CONFLICTS ? null : inside.length,
      },
    );
  }
  await assertClearOfLinkedScopes(db, scopeId, x, field);
}
