/**
 * Pools: nested ranges of a scope that allocations are carved from.
 *
 * Rules (all checked inside the one write transaction of the mutation):
 * - a top-level pool overlaps nothing in its scope (placement.assertTopLevelFree);
 * - a child pool lies inside its parent, in the parent's scope and family, with a longer prefix, and
 *   takes its range out of the parent's free space (placement.occupyInPool / takeNextInPool), so siblings
 *   never overlap or repeat;
 * - deleting a pool gives its range back to its parent; live children or allocations block it unless
 *   `cascade`, which removes the whole subtree (and the released history of its pools) in the same
 *   transaction with one event per removed row.
 * Allocation rules (min/max/default child prefix length, allowed tiers) constrain allocations (issue 6);
 * `defaultChildPrefixLength` is also the length of a child pool created with neither cidr nor prefixLength.
 */
import {
  AllocatorError,
  containsPrefix,
  formatPrefix,
  maxLength,
  type Family,
  type Prefix,
} from "../allocator/index.js";
import { resolvePage, type Page, type PageArgs } from "../db/pagination.js";
import {
  countPools,
  lockPoolRow,
  lockPoolRows,
  poolPath,
  poolSubtree,
  poolsByIds,
  poolsPage,
  updatePrefixRow,
  type PoolOrderField,
  type PoolRowFilter,
} from "../db/pools.js";
import {
  countLiveChildren,
  insertPrefix,
  liveChildren,
  prefixById,
  rangeColumns,
  rowPrefix,
  type PrefixRow,
} from "../db/prefixes.js";
import { insertDeletion, markPrefixesDeleted } from "../db/deletions.js";
import { allScopeIds, defaultScope } from "../db/scopes.js";
import type { Db, Store } from "../db/store.js";
import type { Caller } from "./caller.js";
import { Conflict, Invalid } from "./errors.js";
import { appendEvent } from "./events.js";
import { toAllocationRecord } from "./allocations.js";
import { toReservationRecord } from "./reservations.js";
import {
  assertTopLevelFree,
  lockTopLevel,
  describePrefix,
  largestFreeInPool,
  occupyInPool,
  prefixRef,
  seedPool,
  takeNextInPool,
  vacateInPool,
} from "./placement.js";
import { actorLabel } from "./roles.js";
import { requireScope } from "./scopes.js";
import { cleanTags, freeText, parseCidr, requireAccount, requiredName, requirePool } from "./validation.js";

export type PoolRow = PrefixRow;

export const POOL_STATUSES = ["PLANNED", "ACTIVE", "DEPRECATED"] as const;
export type PoolStatus = (typeof POOL_STATUSES)[number];
export const TIERS = ["DEV", "STG", "SBX", "PRD"] as const;
export type Tier = (typeof TIERS)[number];

export interface PoolRules {
  minChildPrefixLength: number | null;
  maxChildPrefixLength: number | null;
  defaultChildPrefixLength: number | null;
  allowedTiers: Tier[] | null;
}

/** Parsed tags of a row (a JSON object of strings). */
export function poolTags(row: PrefixRow): Record<string, string> {
  return JSON.parse(row.tags) as Record<string, string>;
}

export function poolRules(row: PrefixRow): PoolRules {
  return {
    minChildPrefixLength: row.minChildLen,
    maxChildPrefixLength: row.maxChildLen,
    defaultChildPrefixLength: row.defaultChildLen,
    allowedTiers: row.allowedTiers === null ? null : (JSON.parse(row.allowedTiers) as Tier[]),
  };
}

/** A pool as the domain hands it out: what the API maps (src/schema never sees a database row). */
export interface PoolRecord {
  id: number;
  scopeId: number;
  parentId: number | null;
  accountId: number | null;
  name: string | null;
  cidr: string;
  family: number;
  prefixLength: number;
  status: PoolStatus;
  description: string | null;
  tags: Record<string, string>;
  rules: PoolRules;
  /** Measured by the per-pool utilisation gauge of /metrics. */
  monitored: boolean;
  /** ISO-8601 UTC. */
  createdAt: string;
  updatedAt: string;
  /** Soft delete (issue #18): only on a deleted object (lists with includeDeleted). */
  deletedAt?: string;
  deletedBy?: string | null;
}

export function toPoolRecord(row: PrefixRow): PoolRecord {
  return {
    id: row.id,
    scopeId: row.scopeId,
    parentId: row.parentId,
    accountId: row.accountId,
    name: row.name,
    cidr: row.cidr,
    family: row.family,
    prefixLength: row.prefixLen,
    status: row.status as PoolStatus,
    description: row.description,
    tags: poolTags(row),
    rules: poolRules(row),
    monitored: row.monitored,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...(row.deletedAt !== null ? { deletedAt: row.deletedAt, deletedBy: row.deletedBy } : {}),
  };
}

export type PrefixKind = PrefixRow["kind"];

/** A row removed with a pool or an account (any kind), as the payloads of the deletions show it. */
export interface RemovedPrefixRecord {
  id: number;
  kind: PrefixKind;
  cidr: string;
  name: string | null;
  /** Already released (history) when removed. */
  released: boolean;
}

export function toRemovedPrefixRecord(row: PrefixRow): RemovedPrefixRecord {
  return { id: row.id, kind: row.kind, cidr: row.cidr, name: row.name, released: row.releasedAt !== null };
}

/**
 * The record an event of any prefix row snapshots (event-snapshots.ts turns its ids into global ids):
 * allocations and reservations as their own records, so a deleted allocation looks like a created one.
 */
export function prefixSnapshot(row: PrefixRow) {
  if (row.kind === "allocation") return toAllocationRecord(row);
  if (row.kind === "reservation") return toReservationRecord(row);
  return {
    id: row.id,
    kind: row.kind,
    scopeId: row.scopeId,
    parentId: row.parentId,
    poolId: row.parentId,
    accountId: row.accountId,
    name: row.name,
    cidr: row.cidr,
    family: row.family,
    prefixLength: row.prefixLen,
    status: row.status,
    description: row.description,
    tags: poolTags(row),
    ...(row.kind === "pool" ? { rules: poolRules(row), monitored: row.monitored } : {}),
    releasedAt: row.releasedAt,
  };
}

const EVENT_SUBJECT = { pool: "Pool", allocation: "Allocation", reservation: "Reservation" } as const;

/** Appends `<kind>.deleted` for each removed row, in the order given. */
export async function appendDeletedEvents(db: Db, caller: Caller, rows: readonly PrefixRow[]): Promise<void> {
  for (const r of rows) {
    await appendEvent(db, caller, {
      type: `${r.kind}.deleted`,
      subjectType: EVENT_SUBJECT[r.kind],
      subjectId: r.id,
      before: prefixSnapshot(r),
    });
  }
}

export interface PoolRulesInput {
  minChildPrefixLength?: number | null;
  maxChildPrefixLength?: number | null;
  defaultChildPrefixLength?: number | null;
  allowedTiers?: readonly string[] | null;
}

/** Merges a rules patch into `current` and checks it against the pool's length and family. */
export function mergeRules(
  current: PoolRules,
  patch: PoolRulesInput | null | undefined,
  family: Family,
  poolLength: number,
): PoolRules {
  if (patch === null)
    return {
      minChildPrefixLength: null,
      maxChildPrefixLength: null,
      defaultChildPrefixLength: null,
      allowedTiers: null,
    };
  const next: PoolRules = { ...current };
  if (patch) {
    for (const k of ["minChildPrefixLength", "maxChildPrefixLength", "defaultChildPrefixLength"] as const)
      if (patch[k] !== undefined) next[k] = patch[k];
    if (patch.allowedTiers !== undefined) {
      const tiers = patch.allowedTiers;
      for (const t of tiers ?? [])
        if (!(TIERS as readonly string[]).includes(t))
          throw new Invalid("rules.allowedTiers", `"${t}" is not a tier (${TIERS.join(", ")})`, { value: t });
      next.allowedTiers = tiers ? ([...new Set(tiers)] as Tier[]) : null;
    }
  }
  const max = maxLength(family);
  for (const k of ["minChildPrefixLength", "maxChildPrefixLength", "defaultChildPrefixLength"] as const) {
    const v = next[k];
    if (v !== null && (!Number.isInteger(v) || v <= poolLength || v > max))
      throw new Invalid(
        `rules.${k}`,
        `${k} must be between ${poolLength + 1} and ${max} for a /${poolLength} pool, got ${v}`,
        {
          minimum: poolLength + 1,
          maximum: max,
        },
      );
  }
  const { minChildPrefixLength: lo, maxChildPrefixLength: hi, defaultChildPrefixLength: def } = next;
  if (lo !== null && hi !== null && lo > hi)
    throw new Invalid(
      "rules.maxChildPrefixLength",
      `maxChildPrefixLength (/${hi}) must not be shorter than minChildPrefixLength (/${lo})`,
    );
  if (def !== null && ((lo !== null && def < lo) || (hi !== null && def > hi)))
    throw new Invalid(
      "rules.defaultChildPrefixLength",
      `defaultChildPrefixLength /${def} is outside /${lo ?? poolLength + 1}../${hi ?? max}`,
    );
  return next;
}

function rulesColumns(r: PoolRules) {
  return {
    minChildLen: r.minChildPrefixLength,
    maxChildLen: r.maxChildPrefixLength,
    defaultChildLen: r.defaultChildPrefixLength,
    allowedTiers: r.allowedTiers === null ? null : JSON.stringify(r.allowedTiers),
  };
}

const NO_RULES: PoolRules = {
  minChildPrefixLength: null,
  maxChildPrefixLength: null,
  defaultChildPrefixLength: null,
  allowedTiers: null,
};

function assertStatus(field: string, status: string): PoolStatus {
  if (!(POOL_STATUSES as readonly string[]).includes(status))
    throw new Invalid(field, `"${status}" is not a pool status (${POOL_STATUSES.join(", ")})`);
  return status as PoolStatus;
}

export interface CreatePoolInput {
  scopeId?: number | null;
  parentId?: number | null;
  /** Explicit range; or leave it out and pass parentId + prefixLength to take the next free block. */
  cidr?: string | null;
  prefixLength?: number | null;
  name: string;
  description?: string | null;
  status?: string | null;
  accountId?: number | null;
  tags?: Record<string, unknown> | null;
  rules?: PoolRulesInput | null;
  /** Default false. */
  monitored?: boolean | null;
}

/** Where the new pool goes: its range, taken from the parent's free space or checked top-level free. */
async function placeNewPool(
  db: Db,
  input: CreatePoolInput,
  parent: PrefixRow | null,
  scopeId: number,
): Promise<Prefix> {
  if (input.cidr != null && input.prefixLength != null)
    throw new Invalid("prefixLength", "pass either cidr or prefixLength, not both");
  if (input.cidr != null) {
    const x = parseCidr("cidr", input.cidr);
    if (!parent) {
      await assertTopLevelFree(db, scopeId, x, "cidr");
      return x;
    }
    const where = describePrefix(parent);
    if (x.family !== parent.family)
      throw new Invalid(
        "cidr",
        `${formatPrefix(x)} is IPv${x.family} but the parent ${where} is IPv${parent.family}`,
        {
          conflicting: prefixRef(parent),
        },
      );
    if (x.length <= parent.prefixLen || !containsPrefix(rowPrefix(parent), x))
      throw new Invalid(
        "cidr",
        x.length <= parent.prefixLen && containsPrefix(x, rowPrefix(parent))
          ? `${formatPrefix(x)} is not smaller than its parent ${where}; a child pool needs a longer prefix than /${parent.prefixLen}`
          : `${formatPrefix(x)} lies outside its parent ${where}`,
        { conflicting: prefixRef(parent) },
      );
    await occupyInPool(db, parent, x, "cidr");
    return x;
  }
  if (!parent)
    throw new Invalid("cidr", "a pool needs a cidr, or a parentId and a prefixLength to carve from it");
  const length = input.prefixLength ?? parent.defaultChildLen;
  if (length == null)
    throw new Invalid(
      "prefixLength",
      `pass cidr or prefixLength: ${describePrefix(parent)} has no defaultChildPrefixLength`,
    );
  const max = maxLength(parent.family as Family);
  if (!Number.isInteger(length) || length <= parent.prefixLen || length > max)
    throw new Invalid(
      "prefixLength",
      `prefixLength must be between ${parent.prefixLen + 1} and ${max} inside ${describePrefix(parent)}, got ${length}`,
      {
        minimum: parent.prefixLen + 1,
        maximum: max,
      },
    );
  try {
    return await takeNextInPool(db, parent, length);
  } catch (e) {
    if (e instanceof AllocatorError && e.code === "NO_SPACE") {
      const largest = await largestFreeInPool(db, parent);
      throw new Conflict(
        largest
          ? `${describePrefix(parent)} has no free /${length}; its largest free block is ${formatPrefix(largest)}`
          : `${describePrefix(parent)} is full`,
        {
          field: "prefixLength",
          conflicting: prefixRef(parent),
          largestFree: largest ? formatPrefix(largest) : null,
        },
      );
    }
    throw e;
  }
}

export async function createPool(store: Store, caller: Caller, input: CreatePoolInput): Promise<PoolRecord> {
  const name = requiredName("name", input.name);
  const description = freeText("description", input.description);
  const status = assertStatus("status", input.status ?? "ACTIVE");
  const tags = JSON.stringify(cleanTags("tags", input.tags));
  return store.write(async (db) => {
    // A child pool takes its range from the parent's free space: lock the parent first, then read it.
    if (input.parentId != null) await lockPoolRow(db, input.parentId);
    const parent = input.parentId != null ? await requirePool(db, input.parentId, "parentId") : null;
    let scopeId: number;
    if (parent) {
      if (input.scopeId != null && input.scopeId !== parent.scopeId)
        throw new Invalid(
          "scopeId",
          `a child pool lives in its parent's scope; ${describePrefix(parent)} is not in that scope`,
          {
            conflicting: prefixRef(parent),
          },
        );
      scopeId = parent.scopeId;
    } else
      scopeId =
        input.scopeId != null ? (await requireScope(db, input.scopeId)).id : (await defaultScope(db)).id;
    const accountId =
      input.accountId != null ? (await requireAccount(db, input.accountId, "accountId")).id : null;
    // A top-level pool has no parent row to lock: lock its scope's top level instead (PostgreSQL).
    if (!parent) await lockTopLevel(db, scopeId);
    const x = await placeNewPool(db, input, parent, scopeId);
    const rules = mergeRules(NO_RULES, input.rules, x.family, x.length);
    const row = await insertPrefix(db, {
      kind: "pool",
      scopeId,
      parentId: parent?.id ?? null,
      ...rangeColumns(x),
      name,
      description,
      status,
      accountId,
      tags,
      ...rulesColumns(rules),
      monitored: input.monitored ?? false,
      createdBy: caller.actor.name,
    });
    await seedPool(db, row);
    await appendEvent(db, caller, {
      type: "pool.created",
      subjectType: "Pool",
      subjectId: row.id,
      after: prefixSnapshot(row),
    });
    return toPoolRecord(row);
  });
}

export interface UpdatePoolInput {
  name?: string | null;
  description?: string | null;
  status?: string | null;
  accountId?: number | null;
  tags?: Record<string, unknown> | null;
  rules?: PoolRulesInput | null;
  monitored?: boolean | null;
}

/** Changes only the fields present (undefined = keep); null clears (name and status cannot be cleared). */
export async function updatePool(
  store: Store,
  caller: Caller,
  id: number,
  patch: UpdatePoolInput,
): Promise<PoolRecord> {
  if (patch.name === null) throw new Invalid("name", "a pool's name cannot be cleared");
  if (patch.status === null) throw new Invalid("status", "a pool's status cannot be cleared");
  if (patch.monitored === null)
    throw new Invalid("monitored", "monitored cannot be cleared; pass true or false");
  const name = patch.name === undefined ? undefined : requiredName("name", patch.name);
  const description =
    patch.description === undefined ? undefined : freeText("description", patch.description);
  const status = patch.status === undefined ? undefined : assertStatus("status", patch.status);
  const tags = patch.tags === undefined ? undefined : JSON.stringify(cleanTags("tags", patch.tags));
  return store.write(async (db) => {
    await lockPoolRow(db, id);
    const before = await requirePool(db, id, "id");
    const accountId =
      patch.accountId === undefined
        ? undefined
        : patch.accountId === null
          ? null
          : (await requireAccount(db, patch.accountId, "accountId")).id;
    const rules =
      patch.rules === undefined
        ? undefined
        : mergeRules(poolRules(before), patch.rules, before.family as Family, before.prefixLen);
    const after = await updatePrefixRow(db, id, {
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(status !== undefined ? { status } : {}),
      ...(accountId !== undefined ? { accountId } : {}),
      ...(tags !== undefined ? { tags } : {}),
      ...(rules !== undefined ? rulesColumns(rules) : {}),
      ...(patch.monitored != null ? { monitored: patch.monitored } : {}),
    });
    await appendEvent(db, caller, {
      type: "pool.updated",
      subjectType: "Pool",
      subjectId: id,
      before: prefixSnapshot(before),
      after: prefixSnapshot(after),
    });
    return toPoolRecord(after);
  });
}

export interface DeletedPool {
  pool: PoolRecord;
  /** Every other row removed with it (descendant pools, allocations, reservations, released history), deepest first. */
  removed: RemovedPrefixRecord[];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Deletes a pool, giving its range back to its parent; with `cascade`, its whole subtree too. */
export async function deletePool(
  store: Store,
  caller: Caller,
  id: number,
  cascade: boolean,
): Promise<DeletedPool> {
  return store.write(async (db) => {
    await lockPoolRows(db, [(await requirePool(db, id, "id")).parentId, id]);
    const pool = await requirePool(db, id, "id"); // as it is under the lock
    if (!cascade) {
      const n = await countLiveChildren(db, id);
      if (n.pools + n.allocations + n.reservations > 0) {
        const children = await liveChildren(db, id);
        const parts = [
          n.pools ? plural(n.pools, "child pool") : "",
          n.allocations ? plural(n.allocations, "allocation") : "",
          n.reservations ? plural(n.reservations, "reservation") : "",
        ].filter(Boolean);
        throw new Conflict(
          `${describePrefix(pool)} still holds ${parts.join(", ")} (first: ${describePrefix(children[0]!)}); delete them first or pass cascade: true`,
          { field: "cascade", conflicting: children.slice(0, 20).map(prefixRef), counts: n },
        );
      }
    }
    const subtree = await poolSubtree(db, pool);
    // Writers in the pools of the subtree wait for the delete (and then find their pool gone).
    await lockPoolRows(
      db,
      subtree.filter((r) => r.kind === "pool" && r.id !== pool.id).map((r) => r.id),
    );
    if (pool.parentId !== null)
      await vacateInPool(db, await requirePool(db, pool.parentId, "parentId"), rowPrefix(pool));
    // Soft delete (issue #18): the rows stay, marked as one delete operation that restore can bring back.
    const deletion = await insertDeletion(db, {
      subjectType: "Pool",
      subjectId: pool.id,
      deletedBy: actorLabel(caller.actor),
      deletedAt: new Date().toISOString(),
    });
    await markPrefixesDeleted(
      db,
      subtree.map((r) => r.id),
      deletion,
    );
    const removed = subtree
      .filter((r) => r.id !== pool.id)
      .sort(
        (a, b) =>
          Number(a.kind === "pool") - Number(b.kind === "pool") || b.prefixLen - a.prefixLen || a.id - b.id,
      );
    await appendDeletedEvents(db, caller, [...removed, pool]);
    return { pool: toPoolRecord(pool), removed: removed.map(toRemovedPrefixRecord) };
  });
}

export interface PoolFilter {
  scopeId?: number | null;
  parentId?: number | null;
  rootsOnly?: boolean | null;
  accountId?: number | null;
  statuses?: readonly string[] | null;
  family?: 4 | 6 | null;
  search?: string | null;
  within?: string | null;
  withinOrEqual?: string | null;
  contains?: string | null;
  containsOrEqual?: string | null;
  overlaps?: string | null;
  equals?: string | null;
  /** Deleted pools too (issue #18; auditors). */
  includeDeleted?: boolean | null;
}

const CONTAINMENT = ["within", "withinOrEqual", "contains", "containsOrEqual", "overlaps", "equals"] as const;

function toRowFilter(f: PoolFilter): PoolRowFilter {
  const out: PoolRowFilter = {
    scopeId: f.scopeId,
    parentId: f.parentId,
    rootsOnly: f.rootsOnly,
    accountId: f.accountId,
    statuses: f.statuses,
    family: f.family,
    search: f.search?.trim() || null,
    includeDeleted: f.includeDeleted ?? false,
  };
  for (const k of CONTAINMENT) {
    const v = f[k];
    if (v != null) out[k] = parseCidr(`filter.${k}`, v);
  }
  return out;
}

export async function listPools(
  store: Store,
  filter: PoolFilter,
  order: PoolOrderField,
  descending: boolean,
  args: PageArgs,
  maxPageSize: number,
): Promise<{ page: Page<PoolRecord>; count: () => Promise<number> }> {
  const rowFilter = toRowFilter(filter);
  const resolved = resolvePage(args, maxPageSize, descending);
  const page = await store.read((db) => poolsPage(db, rowFilter, order, resolved, () => allScopeIds(db)));
  return {
    page: { ...page, items: page.items.map(toPoolRecord) },
    count: () => store.read((db) => countPools(db, rowFilter)),
  };
}

/** Pools by id in the order asked (null where missing): the Pool DataLoader's batch function. */
export async function poolsById(store: Store, ids: readonly number[]): Promise<(PoolRecord | null)[]> {
  const rows = await store.read((db) => poolsByIds(db, ids));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => {
    const row = byId.get(id);
    return row ? toPoolRecord(row) : null;
  });
}

/** The pool's ancestors and itself, root first. */
export function pathOfPool(store: Store, poolId: number): Promise<PoolRecord[]> {
  return store.read(async (db) => {
    const row = await prefixById(db, poolId);
    if (row?.kind === "pool" && row.deletedAt !== null) {
      // A deleted pool (listed with includeDeleted): its parents as they were when it was deleted, live or not.
      const chain = [row];
      for (let p = row; p.parentId !== null;) {
        const parent = await prefixById(db, p.parentId);
        if (!parent) break;
        chain.unshift(parent);
        p = parent;
      }
      return chain.map(toPoolRecord);
    }
    return (await poolPath(db, await requirePool(db, poolId, "id"))).map(toPoolRecord);
  });
}
