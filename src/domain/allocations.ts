/**
 * Allocations: a range carved from a pool for an account, safe under concurrency and retries.
 *
 * Each mutation is one store.write (SQLite: BEGIN IMMEDIATE, so it holds the database's write lock across
 * processes; PostgreSQL: it first locks the pool's row, `lockPoolRow`, so one pool's writers queue): the free block is taken from the pool's persisted free-block index, the row inserted and
 * the event appended together. The partial unique index prefixes_live_unique is the backstop against
 * duplicates; idempotency keys make client retries return the first result.
 *
 * Pool status: only ACTIVE pools hand out new allocations. A PLANNED pool is not in use yet and a
 * DEPRECATED one is being emptied, so both refuse with CONFLICT; releasing and updating work in any status.
 */
import { createHash } from "node:crypto";
import { tracingEnabled, withSpan } from "../tracing.js";
import {
  AllocatorError,
  formatPrefix,
  maxLength,
  type AllocationRules,
  type AllocationStrategy,
  type Prefix,
} from "../allocator/index.js";
import {
  countPrefixList,
  idempotencyKeyRow,
  insertIdempotencyKey,
  prefixListPage,
  prefixesOfKindByIds,
  updatePrefixRow,
  type AccountSummary,
  type PrefixListFilter,
} from "../db/allocations.js";
import { resolvePage, type Page, type PageArgs } from "../db/pagination.js";
import { lockPoolRow } from "../db/pools.js";
import { insertPrefix, prefixById, rangeColumns, rowPrefix, type PrefixRow } from "../db/prefixes.js";
import type { Db, Store } from "../db/store.js";
import type { Caller } from "./caller.js";
import { Conflict, DomainError, Invalid } from "./errors.js";
import { appendEvent, appendEvents, type EventInput } from "./events.js";
import { snapshotRowId, type Snapshot, type SnapshotOf } from "./event-snapshots.js";
import {
  conflictInPool,
  describePrefix,
  largestFreeInPool,
  occupyInPool,
  prefixRef,
  previewNextInPool,
  takeNextInPool,
  vacateInPool,
} from "./placement.js";
import { actorLabel } from "./roles.js";
import {
  cleanTags,
  freeText,
  idempotencyKey,
  optionalName,
  parseCidr,
  requireAccountSummary,
  requireAllocation,
  requireLiveAllocation,
  requirePool,
} from "./validation.js";

export type AllocationStatus = "ALLOCATED" | "RELEASED";

/** The cloud resource an allocation is bound to (set by reconciliation). */
export interface ResourceBinding {
  provider: string | null;
  resourceId: string;
  type: string | null;
  region: string | null;
}

/** An allocation as the rest of the code sees it; also the event snapshot (poolId/accountId numeric). */
export interface AllocationRecord {
  id: number;
  poolId: number;
  accountId: number | null;
  scopeId: number;
  cidr: string;
  family: number;
  prefixLength: number;
  name: string | null;
  description: string | null;
  status: AllocationStatus;
  tags: Record<string, string>;
  resource: ResourceBinding | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  releasedAt: string | null;
  /** Soft delete (issue #18): only on a deleted object (lists with includeDeleted). */
  deletedAt?: string;
  deletedBy?: string | null;
}

export function toAllocationRecord(row: PrefixRow): AllocationRecord {
  return {
    id: row.id,
    poolId: row.parentId!,
    accountId: row.accountId,
    scopeId: row.scopeId,
    cidr: row.cidr,
    family: row.family,
    prefixLength: row.prefixLen,
    name: row.name,
    description: row.description,
    status: row.status as AllocationStatus,
    tags: JSON.parse(row.tags) as Record<string, string>,
    resource: row.resourceId
      ? {
          provider: row.resourceProvider,
          resourceId: row.resourceId,
          type: row.resourceType,
          region: row.resourceRegion,
        }
      : null,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    // A delete also sets released_at (src/db/deletions.ts); an allocation live when deleted was not released.
    releasedAt: row.deletedAt !== null && row.status !== "RELEASED" ? null : row.releasedAt,
    ...(row.deletedAt !== null ? { deletedAt: row.deletedAt, deletedBy: row.deletedBy } : {}),
  };
}

/** An allocation event's snapshot: the record with its row ids as global ids (event-snapshots.ts). */
export type AllocationSnapshot = SnapshotOf<AllocationRecord, "id" | "poolId" | "accountId" | "scopeId">;

/**
 * The allocation as an event shows it (its state at that event). `at` (the event's time) stands in for
 * timestamps that old cascade-deletion snapshots did not carry.
 */
export function allocationOfSnapshot(s: Snapshot, at: string): AllocationRecord {
  const a = s as Partial<AllocationSnapshot> & { parentId?: string };
  return {
    id: snapshotRowId(a.id, "Allocation")!,
    poolId: snapshotRowId(a.poolId ?? a.parentId, "Pool")!,
    accountId: snapshotRowId(a.accountId, "Account"),
    scopeId: snapshotRowId(a.scopeId, "Scope")!,
    cidr: a.cidr!,
    family: a.family!,
    prefixLength: a.prefixLength!,
    name: a.name ?? null,
    description: a.description ?? null,
    status: (a.status ?? "ALLOCATED") as AllocationStatus,
    tags: a.tags ?? {},
    resource: a.resource ?? null,
    createdBy: a.createdBy ?? null,
    createdAt: a.createdAt ?? at,
    updatedAt: a.updatedAt ?? at,
    releasedAt: a.releasedAt ?? null,
  };
}

export type Strategy = AllocationStrategy;

export interface AllocateInput {
  poolId: number;
  /** The length of the next free block to take; absent with no cidr: the pool's default child length. */
  prefixLength?: number | null;
  /** Exactly this range instead of the next free one. */
  cidr?: string | null;
  accountId: number;
  name?: string | null;
  description?: string | null;
  strategy?: Strategy | null;
  idempotencyKey?: string | null;
  tags?: Record<string, unknown> | null;
}

export interface AllocationPreview {
  cidr: string;
  poolId: number;
  accountId: number;
  /** The allocation this idempotency key already created (allocate would return it). */
  existing: AllocationRecord | null;
}

// ---------------------------------------------------------------------------------------------------
// Input validation (plain values in, canonical values out; errors name the input field).

/** The request after validation; its hash identifies it for idempotency. */
interface Request {
  poolId: number;
  accountId: number;
  prefixLength: number | null;
  cidr: Prefix | null;
  name: string | null;
  description: string | null;
  strategy: Strategy;
  tags: Record<string, string>;
  idempotencyKey: string | null;
}

function cleanRequest(input: AllocateInput): Request {
  const cidr = input.cidr ? parseCidr("cidr", input.cidr) : null;
  const prefixLength = input.prefixLength ?? null;
  if (prefixLength !== null && (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 128))
    throw new Invalid(
      "prefixLength",
      `prefixLength must be an integer between 0 and 128 (got ${prefixLength})`,
    );
  if (cidr && prefixLength !== null && cidr.length !== prefixLength) {
    throw new Invalid(
      "prefixLength",
      `prefixLength /${prefixLength} disagrees with cidr ${formatPrefix(cidr)}; pass one of them`,
    );
  }
  return {
    poolId: input.poolId,
    accountId: input.accountId,
    prefixLength,
    cidr,
    name: optionalName("name", input.name),
    description: freeText("description", input.description),
    strategy: input.strategy ?? "smallest-fit",
    tags: cleanTags("tags", input.tags),
    idempotencyKey: idempotencyKey("idempotencyKey", input.idempotencyKey),
  };
}

function requestHash(r: Request): string {
  const canonical = JSON.stringify([
    r.poolId,
    r.accountId,
    r.prefixLength,
    r.cidr ? formatPrefix(r.cidr) : null,
    r.name,
    r.description,
    r.strategy,
    r.tags,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

// ---------------------------------------------------------------------------------------------------
// Rules.

/** The pool's allowed tiers (null = any), compared case-insensitively with the account's tier. */
export function assertTierAllowed(pool: PrefixRow, account: AccountSummary, field = "accountId"): void {
  if (!pool.allowedTiers) return;
  const allowed = (JSON.parse(pool.allowedTiers) as string[]).map((t) => t.toUpperCase());
  if (allowed.length === 0) return;
  const tier = account.tier?.toUpperCase() ?? null;
  if (tier && allowed.includes(tier)) return;
  throw new Invalid(
    field,
    `account '${account.name}' (${account.key}) has tier ${tier ?? "(none)"}; ${describePrefix(pool)} accepts only ${allowed.join(", ")}`,
    { tier, allowedTiers: allowed, conflicting: prefixRef(pool) },
  );
}

function assertActive(pool: PrefixRow): void {
  if (pool.status === "ACTIVE") return;
  const why =
    pool.status === "PLANNED"
      ? "it is PLANNED; make it ACTIVE before allocating from it"
      : `it is ${pool.status} and hands out no new allocations`;
  throw new Conflict(`cannot allocate from ${describePrefix(pool)}: ${why}`, {
    field: "poolId",
    status: pool.status,
    conflicting: prefixRef(pool),
  });
}

function rulesOf(pool: PrefixRow): AllocationRules {
  return { minLength: pool.minChildLen ?? undefined, maxLength: pool.maxChildLen ?? undefined };
}

/** Exactly `cidr`, or the next free block of the requested / default length. */
type Placement = { prefix: Prefix } | { length: number };

function placementOf(pool: PrefixRow, r: Pick<Request, "cidr" | "prefixLength">): Placement {
  if (r.cidr) return { prefix: r.cidr };
  const length = r.prefixLength ?? pool.defaultChildLen;
  if (length === null || length === undefined) {
    throw new Invalid(
      "prefixLength",
      `${describePrefix(pool)} has no default child length; pass prefixLength or cidr`,
    );
  }
  return { length };
}

/** Allocator refusals as domain errors that name the input field and, for a full pool, the largest free block. */
export async function placementError(
  e: unknown,
  db: Db,
  pool: PrefixRow,
  placement: Placement,
): Promise<unknown> {
  if (!(e instanceof AllocatorError)) return e;
  const field = "prefix" in placement ? "cidr" : "prefixLength";
  switch (e.code) {
    case "NO_SPACE": {
      const largest = await largestFreeInPool(db, pool);
      const largestFree = largest ? formatPrefix(largest) : null;
      const length = "length" in placement ? placement.length : maxLength(rowPrefix(pool).family);
      return new Conflict(
        `no free /${length} left in ${describePrefix(pool)}; ${largestFree ? `the largest free block is ${largestFree}` : "it is full"}`,
        { field, largestFree, conflicting: prefixRef(pool) },
      );
    }
    case "LENGTH_OUT_OF_RANGE":
      return new Invalid(field, `${e.message} in ${describePrefix(pool)}`, {
        min: e.details.min,
        max: e.details.max,
      });
    case "OUTSIDE_PARENT":
    case "FAMILY_MISMATCH":
      return new Invalid(field, e.message, { conflicting: prefixRef(pool) });
    default:
      return new Invalid(field, e.message);
  }
}

function place(db: Db, pool: PrefixRow, placement: Placement, strategy: Strategy): Promise<Prefix> {
  const attributes = !tracingEnabled()
    ? {}
    : {
        "cloudpam.pool.cidr": pool.cidr,
        "cloudpam.strategy": strategy,
        ...("prefix" in placement
          ? { "cloudpam.request.cidr": formatPrefix(placement.prefix) }
          : { "cloudpam.request.prefix_length": placement.length }),
      };
  return withSpan("allocator.place", attributes, async (span) => {
    try {
      let placed: Prefix;
      if ("prefix" in placement) {
        await occupyInPool(db, pool, placement.prefix, "cidr", rulesOf(pool));
        placed = placement.prefix;
      } else placed = await takeNextInPool(db, pool, placement.length, strategy, rulesOf(pool));
      span?.setAttribute("cloudpam.allocation.cidr", formatPrefix(placed));
      return placed;
    } catch (e) {
      throw await placementError(e, db, pool, placement);
    }
  });
}

/** The first result of an idempotency key, or null if the key is new; CONFLICT if it was used differently. */
async function replayed(db: Db, r: Request, hash: string): Promise<PrefixRow | null> {
  if (!r.idempotencyKey) return null;
  const existing = await idempotencyKeyRow(db, r.idempotencyKey);
  if (!existing) return null;
  const first = (await prefixById(db, existing.allocationId))!;
  if (existing.requestHash !== hash) {
    throw new Conflict(
      `idempotencyKey "${r.idempotencyKey}" was already used for a different request (allocation ${first.cidr}); use a new key for a new request`,
      { field: "idempotencyKey", conflicting: prefixRef(first) },
    );
  }
  return first;
}

// ---------------------------------------------------------------------------------------------------
// Operations.

/** Takes a block from the pool for the account (or returns the first result of a retried key). */
export async function allocate(
  store: Store,
  caller: Caller,
  input: AllocateInput,
): Promise<AllocationRecord> {
  const r = cleanRequest(input);
  const hash = requestHash(r);
  return store.write(async (db) => {
    // Lock the pool before reading the key: a concurrent retry of the same key waits here, then replays.
    await lockPoolRow(db, r.poolId);
    const first = await replayed(db, r, hash);
    if (first) return toAllocationRecord(first);
    const record = await createAllocationIn(db, caller, r, null);
    if (r.idempotencyKey)
      await insertIdempotencyKey(db, { key: r.idempotencyKey, requestHash: hash, allocationId: record.id });
    return record;
  });
}

/**
 * The one path that creates an allocation: pool and account checks, placement, the row and its event,
 * inside the caller's write transaction, which has locked the pool (`lockPoolRow`). With `events`, the event is
 * added to that list for the caller to append once, after all its writes (a batch), instead of appended here.
 */
async function createAllocationIn(
  db: Db,
  caller: Caller,
  r: Request,
  binding: ResourceBinding | null,
  events?: EventInput[],
): Promise<AllocationRecord> {
  const pool = await requirePool(db, r.poolId, "poolId");
  const account = await requireAccountSummary(db, r.accountId, "accountId");
  assertActive(pool);
  assertTierAllowed(pool, account);
  const prefix = await place(db, pool, placementOf(pool, r), r.strategy);
  const row = await insertPrefix(db, {
    kind: "allocation",
    scopeId: pool.scopeId,
    parentId: pool.id,
    status: "ALLOCATED",
    accountId: account.id,
    name: r.name,
    description: r.description,
    tags: JSON.stringify(r.tags),
    ...(binding
      ? {
          resourceProvider: binding.provider,
          resourceId: binding.resourceId,
          resourceType: binding.type,
          resourceRegion: binding.region,
        }
      : {}),
    createdBy: actorLabel(caller.actor),
    createdAt: new Date().toISOString(),
    ...rangeColumns(prefix),
  });
  const record = toAllocationRecord(row);
  const event: EventInput = {
    type: "allocation.created",
    subjectType: "Allocation",
    subjectId: row.id,
    after: record,
  };
  if (events) events.push(event);
  else await appendEvent(db, caller, event);
  return record;
}

/** What allocate would return now, without writing (same errors). */
export async function previewAllocation(store: Store, input: AllocateInput): Promise<AllocationPreview> {
  const r = cleanRequest(input);
  const hash = requestHash(r);
  return store.read(async (db) => {
    const first = await replayed(db, r, hash);
    if (first) {
      const existing = toAllocationRecord(first);
      return { cidr: existing.cidr, poolId: existing.poolId, accountId: existing.accountId!, existing };
    }
    const pool = await requirePool(db, r.poolId, "poolId");
    const account = await requireAccountSummary(db, r.accountId, "accountId");
    assertActive(pool);
    assertTierAllowed(pool, account);
    const placement = placementOf(pool, r);
    let prefix: Prefix;
    try {
      prefix = await previewNextInPool(db, pool, placement, r.strategy, rulesOf(pool));
    } catch (e) {
      if (e instanceof AllocatorError && e.code === "NOT_FREE" && "prefix" in placement) {
        throw await conflictInPool(db, pool, placement.prefix, "cidr");
      }
      throw await placementError(e, db, pool, placement);
    }
    return { cidr: formatPrefix(prefix), poolId: pool.id, accountId: account.id, existing: null };
  });
}

/** Frees the range (merging buddies) and keeps the row as RELEASED for history. */
export async function releaseAllocation(store: Store, caller: Caller, id: number): Promise<AllocationRecord> {
  return store.write(async (db) => {
    const unlocked = await requireAllocation(db, id, "id");
    await lockPoolRow(db, unlocked.parentId!);
    const row = await requireAllocation(db, id, "id"); // as it is under the pool's lock
    if (row.releasedAt) {
      throw new Conflict(`${describePrefix(row)} was already released at ${row.releasedAt}`, {
        field: "id",
        releasedAt: row.releasedAt,
        conflicting: prefixRef(row),
      });
    }
    const pool = (await prefixById(db, row.parentId!))!;
    await vacateInPool(db, pool, rowPrefix(row));
    const now = new Date().toISOString();
    const released = await updatePrefixRow(db, row.id, { status: "RELEASED", releasedAt: now });
    const before = toAllocationRecord(row);
    const after = toAllocationRecord(released);
    await appendEvent(db, caller, {
      type: "allocation.released",
      subjectType: "Allocation",
      subjectId: row.id,
      before,
      after,
    });
    return after;
  });
}

export interface UpdateAllocationInput {
  id: number;
  /** Absent (undefined): unchanged; null: cleared. */
  name?: string | null;
  description?: string | null;
  /** Absent: unchanged; the new account must satisfy the pool's tiers. */
  accountId?: number;
  /** Absent: unchanged; replaces every tag. */
  tags?: Record<string, unknown> | null;
}

/** Changes only the fields present; an account change re-checks the pool's allowed tiers. */
export async function updateAllocation(
  store: Store,
  caller: Caller,
  input: UpdateAllocationInput,
): Promise<AllocationRecord> {
  const patch: Partial<PrefixRow> = {};
  if (input.name !== undefined) patch.name = optionalName("name", input.name);
  if (input.description !== undefined) patch.description = freeText("description", input.description);
  if (input.tags !== undefined) patch.tags = JSON.stringify(cleanTags("tags", input.tags));
  return store.write(async (db) => {
    const row = await requireLiveAllocation(db, input.id, "id");
    if (input.accountId !== undefined && input.accountId !== row.accountId) {
      const account = await requireAccountSummary(db, input.accountId, "accountId");
      assertTierAllowed((await prefixById(db, row.parentId!))!, account);
      patch.accountId = account.id;
    }
    const before = toAllocationRecord(row);
    if (Object.keys(patch).length === 0) return before;
    const after = toAllocationRecord(await updatePrefixRow(db, row.id, patch));
    await appendEvent(db, caller, {
      type: "allocation.updated",
      subjectType: "Allocation",
      subjectId: row.id,
      before,
      after,
    });
    return after;
  });
}

/** Allocations by id in the order asked (null where missing): the Allocation loader's batch function. */
export async function allocationsById(
  store: Store,
  ids: readonly number[],
): Promise<(AllocationRecord | null)[]> {
  const rows = await store.read((db) => prefixesOfKindByIds(db, "allocation", ids));
  const byId = new Map(rows.map((r) => [r.id, toAllocationRecord(r)]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** Which allocations a list shows. */
export interface AllocationListFilter {
  poolId?: number;
  accountId?: number;
  status?: AllocationStatus | null;
  /** Deleted allocations too (issue #18; auditors). */
  includeDeleted?: boolean | null;
}

/** One keyset page of a pool's or an account's allocations in address order; the count runs on demand. */
export async function listAllocations(
  store: Store,
  filter: AllocationListFilter,
  args: PageArgs,
  maxPageSize: number,
): Promise<{ page: Page<AllocationRecord>; count: () => Promise<number> }> {
  const resolved = resolvePage(args, maxPageSize);
  const f: PrefixListFilter = {
    kind: "allocation",
    poolId: filter.poolId,
    accountId: filter.accountId,
    live: filter.status ? filter.status === "ALLOCATED" : undefined,
    includeDeleted: filter.includeDeleted ?? false,
  };
  const page = await store.read((db) => prefixListPage(db, f, resolved));
  return {
    page: { ...page, items: page.items.map(toAllocationRecord) },
    count: () => store.read((db) => countPrefixList(db, f)),
  };
}

// ---------------------------------------------------------------------------------------------------
// Cloud resource bindings (used by reconciliation inside its own write transaction).

/**
 * Allocates exactly `input.cidr` bound to a cloud resource, inside the caller's write transaction
 * (adoption of an unmanaged cloud CIDR). Same rules and errors as `allocate`; no idempotency key.
 */
export async function allocateBoundIn(
  db: Db,
  caller: Caller,
  input: Omit<AllocateInput, "prefixLength" | "strategy" | "idempotencyKey"> & { cidr: string },
  binding: ResourceBinding,
): Promise<AllocationRecord> {
  const r = cleanRequest({ ...input, idempotencyKey: null });
  await lockPoolRow(db, r.poolId);
  return createAllocationIn(db, caller, r, binding);
}

/** Binds a live allocation to a cloud resource (null: unbinds it), inside the caller's write transaction. */
export async function bindAllocationIn(
  db: Db,
  caller: Caller,
  id: number,
  binding: ResourceBinding | null,
  field = "allocationId",
): Promise<AllocationRecord> {
  const row = await requireLiveAllocation(db, id, field);
  const after = toAllocationRecord(
    await updatePrefixRow(db, id, {
      resourceProvider: binding?.provider ?? null,
      resourceId: binding?.resourceId ?? null,
      resourceType: binding?.type ?? null,
      resourceRegion: binding?.region ?? null,
    }),
  );
  await appendEvent(db, caller, {
    type: "allocation.updated",
    subjectType: "Allocation",
    subjectId: id,
    before: toAllocationRecord(row),
    after,
  });
  return after;
}

export interface AllocateManyInput {
  poolId: number;
  requests: readonly { prefixLength: number; accountId: number; name?: string | null }[];
  idempotencyKey?: string | null;
}

/**
 * Places every request in one write transaction, largest block first (ties in request order), each into the
 * smallest free block that holds it (the packing of `packMany` in src/allocator: it fits whenever any placement
 * fits and leaves the lexicographically largest free blocks). All or nothing; returns the allocations in request
 * order. A retried idempotency key returns the first batch (each request's row is recorded under `key#i`).
 */
export async function allocateMany(
  store: Store,
  caller: Caller,
  input: AllocateManyInput,
): Promise<AllocationRecord[]> {
  if (input.requests.length === 0) throw new Invalid("requests", "requests must hold at least one request");
  if (input.requests.length > 10_000)
    throw new Invalid("requests", `at most 10000 requests per batch (got ${input.requests.length})`);
  const key = idempotencyKey("idempotencyKey", input.idempotencyKey);
  const requests = input.requests.map((q, i) => {
    try {
      return cleanRequest({ ...q, poolId: input.poolId, strategy: "smallest-fit", idempotencyKey: null });
    } catch (e) {
      throw withRequestField(e, i);
    }
  });
  const batchHash = createHash("sha256")
    .update(JSON.stringify(requests.map(requestHash)))
    .digest("hex");
  const order = requests
    .map((_, i) => i)
    .sort((a, b) => requests[a]!.prefixLength! - requests[b]!.prefixLength! || a - b);
  return store.write(async (db) => {
    await lockPoolRow(db, input.poolId);
    await requirePool(db, input.poolId, "poolId"); // the batch's pool: its error names poolId, not requests[i]
    if (key) {
      const first = await replayed(db, { ...requests[0]!, idempotencyKey: `${key}#0` }, batchHash);
      if (first) {
        const replay: AllocationRecord[] = [];
        for (let i = 0; i < requests.length; i++) {
          const row = await idempotencyKeyRow(db, `${key}#${i}`);
          replay.push(toAllocationRecord((await prefixById(db, row!.allocationId))!));
        }
        return replay;
      }
    }
    const records = new Array<AllocationRecord>(requests.length);
    // The events of the batch in creation order, appended in one statement after every row (src/db/README.md:
    // event-writing transactions serialise from their first append to their commit on PostgreSQL).
    const events: EventInput[] = [];
    for (const i of order) {
      try {
        records[i] = await createAllocationIn(db, caller, requests[i]!, null, events);
      } catch (e) {
        throw withRequestField(e, i);
      }
      if (key)
        await insertIdempotencyKey(db, {
          key: `${key}#${i}`,
          requestHash: batchHash,
          allocationId: records[i].id,
        });
    }
    await appendEvents(db, caller, events);
    return records;
  });
}

/** A per-request error names its request: `requests[3].prefixLength`. */
function withRequestField(e: unknown, index: number): unknown {
  if (e instanceof DomainError) {
    const field = typeof e.details.field === "string" ? e.details.field : "prefixLength";
    e.details.field = `requests[${index}].${field}`;
    e.details.index = index;
    e.message = `requests[${index}]: ${e.message}`;
  }
  return e;
}
