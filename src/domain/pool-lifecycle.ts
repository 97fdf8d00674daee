/**
 * Resizing a pool in place (issue 18): one write transaction, one `pool.resized` event.
 *
 * - grow: the new range strictly contains the old one, lies inside the parent (strictly smaller) and overlaps
 *   no other direct child of the parent (nor, for a top-level pool, another top-level prefix of the scope, nor
 *   a linked scope); CONFLICT names the siblings in the way.
 * - shrink: the new range lies strictly inside the old one and every live direct child (child pools,
 *   allocations, reservations) still fits strictly inside it, and the pool's rules still hold for the new
 *   length; CONFLICT names the children that would be left outside.
 * Children keep their rows and parent; the parent's free blocks give back the old range and take the new one,
 * the pool's own free blocks are grown (buddy merging) or clipped, so utilisation (computed from the children
 * and the free blocks) stays exact without re-reading the children.
 */
import {
  containsPrefix,
  formatPrefix,
  growSteps,
  grownBlocks,
  resizeKind,
  type Family,
  type Prefix,
} from "../allocator/index.js";
import { clipFreeBlocks, runFreeBlocks } from "../db/free-blocks.js";
import {
  childrenNotFitting,
  directChildrenWithin,
  lockPoolRows,
  setScopeOfSubtree,
  updatePrefixRow,
} from "../db/pools.js";
import {
  containingLive,
  rangeColumns,
  rowPrefix,
  topLevelWithinLive,
  withinLive,
  type PrefixRow,
} from "../db/prefixes.js";
import { linkedScopeIds, scopeById } from "../db/scopes.js";
import type { Db, Store } from "../db/store.js";
import type { Caller } from "./caller.js";
import { Conflict, Invalid, NotFound } from "./errors.js";
import { appendEvent } from "./events.js";
import {
  assertClearOfLinkedScopes,
  describePrefix,
  lockTopLevel,
  occupyInPool,
  prefixRef,
  vacateInPool,
} from "./placement.js";
import { mergeRules, poolRules, prefixSnapshot, toPoolRecord, type PoolRecord } from "./pools.js";
import { parseCidr, requirePool } from "./validation.js";

/** How many objects in the way a refusal lists in extensions.conflicting. */
const LISTED = 20;

export interface ResizedPool {
  pool: PoolRecord;
  previousCidr: string;
}

function names(rows: readonly PrefixRow[], total: number): string {
  const shown = rows.slice(0, 3).map(describePrefix).join(", ");
  return total > 3 ? `${shown} and ${total - 3} more` : shown;
}

/** Grows or shrinks a pool to `cidr`, keeping every child; see the module header for the rules. */
export async function resizePool(
  store: Store,
  caller: Caller,
  id: number,
  cidr: string,
): Promise<ResizedPool> {
  const to = parseCidr("cidr", cidr);
  return store.write(async (db) => {
    // The pool (its free blocks) and its parent (which gives back the old range and takes the new one).
    await lockPoolRows(db, [(await requirePool(db, id, "id")).parentId, id]);
    const pool = await requirePool(db, id, "id"); // as it is under the lock
    const from = rowPrefix(pool);
    const kind = resizeKind(from, to);
    if (kind === "family")
      throw new Invalid(
        "cidr",
        `${formatPrefix(to)} is IPv${to.family} but ${describePrefix(pool)} is IPv${from.family}`,
      );
    if (kind === "same")
      throw new Invalid("cidr", `${describePrefix(pool)} already has the range ${formatPrefix(to)}`);
    if (kind === "unrelated")
      throw new Invalid(
        "cidr",
        `${formatPrefix(to)} neither contains nor lies inside ${describePrefix(pool)}; a resize keeps the pool's start inside its new range (to re-home it, use movePool)`,
      );
    const parent = pool.parentId !== null ? await requirePool(db, pool.parentId, "id") : null;
    // Growing a top-level pool takes space of its scope's top level: lock it (after the pool rows).
    if (kind === "grow" && !parent) await lockTopLevel(db, pool.scopeId);
    if (kind === "grow") {
      if (parent && to.length <= parent.prefixLen)
        throw new Invalid(
          "cidr",
          `${formatPrefix(to)} is not smaller than the parent ${describePrefix(parent)}; a child pool needs a longer prefix than /${parent.prefixLen}`,
          { conflicting: prefixRef(parent) },
        );
      if (parent && !containsPrefix(rowPrefix(parent), to))
        throw new Invalid("cidr", `${formatPrefix(to)} lies outside the parent ${describePrefix(parent)}`, {
          conflicting: prefixRef(parent),
        });
      const inWay = await directChildrenWithin(
        db,
        pool.scopeId,
        parent?.id ?? null,
        grownBlocks(from, to),
        LISTED,
      );
      if (inWay.length > 0)
        throw new Conflict(
          `${describePrefix(pool)} cannot grow to ${formatPrefix(to)}: ${names(inWay, inWay.length)} ${inWay.length === 1 ? "is" : "are"} in the way`,
          { field: "cidr", conflicting: inWay.map(prefixRef) },
        );
      if (!parent) await assertClearOfLinkedScopes(db, pool.scopeId, to, "cidr");
    } else {
      const outside = await childrenNotFitting(db, pool.id, to, LISTED);
      if (outside.count > 0)
        throw new Conflict(
          `${describePrefix(pool)} cannot shrink to ${formatPrefix(to)}: ${names(outside.rows, outside.count)} would be left outside`,
          { field: "cidr", conflicting: outside.rows.map(prefixRef), count: outside.count },
        );
      mergeRules(poolRules(pool), undefined, to.family as Family, to.length);
    }
    if (parent) {
      await vacateInPool(db, parent, from);
      await occupyInPool(db, parent, to, "cidr");
    }
    const after = await updatePrefixRow(db, pool.id, rangeColumns(to));
    if (kind === "grow") await runFreeBlocks(db, pool.id, to.family, growSteps(from, to));
    else await clipFreeBlocks(db, pool.id, to);
    await appendEvent(db, caller, {
      type: "pool.resized",
      subjectType: "Pool",
      subjectId: pool.id,
      before: prefixSnapshot(pool),
      after: prefixSnapshot(after),
    });
    return { pool: toPoolRecord(after), previousCidr: pool.cidr };
  });
}

export interface MovedPool {
  pool: PoolRecord;
  previousParentId: number | null;
}

/** Where a pool moves: under another pool, or top-level (of `scopeId`, default its own scope). */
export type MoveTarget = { parentId: number } | { parentId: null; scopeId?: number | null };

/** Live prefixes of linked scope `linked` overlapping x, leaving out the moved subtree itself (its own scope). */
async function linkedInWay(db: Db, linked: number, pool: PrefixRow, x: Prefix): Promise<PrefixRow[]> {
  const containing = (await containingLive(db, linked, x)).filter((r) => r.id !== pool.id);
  // Inside x in the pool's own scope is only the pool's own subtree, which moves with it.
  const inside = linked === pool.scopeId ? [] : await withinLive(db, linked, x, LISTED);
  return [...containing, ...inside];
}

/**
 * Re-parents a pool (with its whole subtree) under a pool of another scope, or makes it top-level of another
 * scope. Within one scope the only pools containing it are its ancestors, so a same-scope move always meets
 * the ancestor in between (CONFLICT). One write transaction, one `pool.moved` event.
 */
export async function movePool(
  store: Store,
  caller: Caller,
  id: number,
  target: MoveTarget,
): Promise<MovedPool> {
  return store.write(async (db) => {
    // The pool, its old parent (gets the range back) and the new one (takes it), in id order.
    const unlocked = await requirePool(db, id, "id");
    await lockPoolRows(db, [id, unlocked.parentId, target.parentId]);
    const pool = await requirePool(db, id, "id"); // as it is under the lock
    const x = rowPrefix(pool);
    const oldParent = pool.parentId !== null ? await requirePool(db, pool.parentId, "id") : null;
    let newParent: PrefixRow | null = null;
    let scopeId: number;
    const inWay: PrefixRow[] = [];
    if (target.parentId !== null) {
      if (target.parentId === pool.id)
        throw new Invalid("parentId", `${describePrefix(pool)} cannot be its own parent`);
      newParent = await requirePool(db, target.parentId, "parentId");
      if (newParent.id === pool.parentId)
        throw new Invalid(
          "parentId",
          `${describePrefix(pool)} is already under ${describePrefix(newParent)}`,
          {
            conflicting: prefixRef(newParent),
          },
        );
      const np = rowPrefix(newParent);
      if (newParent.scopeId === pool.scopeId && np.family === x.family && containsPrefix(x, np))
        throw new Invalid(
          "parentId",
          `${describePrefix(newParent)} lies inside ${describePrefix(pool)}; a pool cannot move under its own descendant`,
          { conflicting: prefixRef(newParent) },
        );
      if (np.family !== x.family)
        throw new Invalid(
          "parentId",
          `${describePrefix(newParent)} is IPv${np.family} but ${describePrefix(pool)} is IPv${x.family}`,
          { conflicting: prefixRef(newParent) },
        );
      if (x.length <= np.length || !containsPrefix(np, x))
        throw new Invalid(
          "parentId",
          `${describePrefix(pool)} does not lie strictly inside ${describePrefix(newParent)}`,
          {
            conflicting: prefixRef(newParent),
          },
        );
      scopeId = newParent.scopeId;
      // Direct children of the new parent containing x (in one scope: the ancestor in between) or inside it.
      inWay.push(
        ...(await containingLive(db, scopeId, x)).filter((r) => r.parentId === newParent!.id),
        ...(await directChildrenWithin(db, scopeId, newParent.id, [x], LISTED)).filter(
          (r) => r.id !== pool.id,
        ),
      );
    } else {
      scopeId = target.scopeId ?? pool.scopeId;
      if (scopeId === pool.scopeId) {
        if (!oldParent)
          throw new Invalid("parentId", `${describePrefix(pool)} is already top-level in its scope`);
        throw new Invalid(
          "parentId",
          `${describePrefix(pool)} cannot be top-level in its own scope: its ancestors cover its range (give scopeId to move it to another scope)`,
          { conflicting: prefixRef(oldParent) },
        );
      }
      if (!(await scopeById(db, scopeId))) throw new NotFound("Scope", scopeId, "scopeId");
      await lockTopLevel(db, scopeId); // the new scope's top level, after the pool rows
      inWay.push(
        ...(await containingLive(db, scopeId, x)),
        ...(await topLevelWithinLive(db, scopeId, x, LISTED)),
      );
    }
    for (const linked of await linkedScopeIds(db, scopeId))
      inWay.push(...(await linkedInWay(db, linked, pool, x)));
    if (inWay.length > 0) {
      const listed = inWay.slice(0, LISTED);
      throw new Conflict(
        `${describePrefix(pool)} cannot move there: ${names(listed, inWay.length)} ${inWay.length === 1 ? "is" : "are"} in the way`,
        { field: "parentId", conflicting: listed.map(prefixRef) },
      );
    }
    // Apply: the subtree (live and released rows) changes scope, the old parent gets the range back, the new one
    // loses it; the pool's own free blocks are untouched.
    if (scopeId !== pool.scopeId) await setScopeOfSubtree(db, pool.id, scopeId);
    if (oldParent) await vacateInPool(db, oldParent, x);
    if (newParent) await occupyInPool(db, newParent, x, "parentId");
    const after = await updatePrefixRow(db, pool.id, { parentId: newParent?.id ?? null, scopeId });
    await appendEvent(db, caller, {
      type: "pool.moved",
      subjectType: "Pool",
      subjectId: pool.id,
      before: prefixSnapshot(pool),
      after: prefixSnapshot(after),
    });
    return { pool: toPoolRecord(after), previousParentId: pool.parentId };
  });
}
