/**
 * The analytics view of the address space: a filterable, sortable table of every allocation and child
 * pool, and the aggregates behind the charts. Read-only; every query honours the same filter.
 *
 * Released allocations are history: left out unless `statuses` names RELEASED.
 */
import { blockSize, type Family } from "../allocator/index.js";
import {
  allocationsByAccountHistogram,
  allocationsByPoolHistogram,
  allocationsCreatedPer,
  blocksPage,
  countBlocks,
  orderSignature,
  sortKeys,
  type BlockOrder,
  type BlockOrderField,
  type Interval,
  type LengthHistogramRow,
  type PrefixRowFilter,
} from "../db/analytics.js";
import { resolveKeysetPage, type Page, type PageArgs } from "../db/pagination.js";
import type { PrefixRow } from "../db/prefixes.js";
import type { Store } from "../db/store.js";
import { Invalid } from "./errors.js";
import { parseCidr } from "./validation.js";

export type { BlockOrder, BlockOrderField, Interval };

/** One row of the analytics table (an allocation or a child pool) as the domain hands it out. */
export interface AnalyticsBlockRecord {
  id: number;
  kind: "pool" | "allocation";
  /** The parent pool's id. */
  poolId: number | null;
  accountId: number | null;
  scopeId: number;
  cidr: string;
  family: number;
  prefixLength: number;
  /** Addresses in the block. */
  addressCount: bigint;
  name: string | null;
  status: string;
  /** ISO-8601 UTC. */
  createdAt: string;
}

function toAnalyticsBlockRecord(row: PrefixRow): AnalyticsBlockRecord {
  return {
    id: row.id,
    kind: row.kind === "pool" ? "pool" : "allocation",
    poolId: row.parentId,
    accountId: row.accountId,
    scopeId: row.scopeId,
    cidr: row.cidr,
    family: row.family,
    prefixLength: row.prefixLen,
    addressCount: blockSize(row.family as Family, row.prefixLen),
    name: row.name,
    status: row.status,
    createdAt: row.createdAt,
  };
}

export const BLOCK_STATUSES = ["PLANNED", "ACTIVE", "DEPRECATED", "ALLOCATED", "RELEASED"] as const;
const LIVE_STATUSES = BLOCK_STATUSES.filter((s) => s !== "RELEASED");

/** What the table, the aggregates and the CSV export select. Ids are database ids. */
export interface AnalyticsFilter {
  kinds?: readonly ("pool" | "allocation")[] | null;
  accountIds?: readonly number[] | null;
  providers?: readonly string[] | null;
  platforms?: readonly string[] | null;
  tiers?: readonly string[] | null;
  environments?: readonly string[] | null;
  regions?: readonly string[] | null;
  poolIds?: readonly number[] | null;
  scopeIds?: readonly number[] | null;
  /** Default: every status but RELEASED. */
  statuses?: readonly string[] | null;
  /** CIDR text: rows inside or equal to it. */
  within?: string | null;
  /** ISO-8601 instants: createdAfter <= createdAt < createdBefore. */
  createdAfter?: string | null;
  createdBefore?: string | null;
}

function parseInstant(field: string, text: string): string {
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new Invalid(field, `"${text}" is not an ISO-8601 date-time`);
  return new Date(t).toISOString();
}

/** Validates a filter and turns it into the row filter of src/db/analytics.ts. */
export function toRowFilter(f: AnalyticsFilter, childPoolsOnly: boolean): PrefixRowFilter {
  for (const s of f.statuses ?? [])
    if (!(BLOCK_STATUSES as readonly string[]).includes(s))
      throw new Invalid("filter.statuses", `"${s}" is not a status (${BLOCK_STATUSES.join(", ")})`);
  const from = f.createdAfter ? parseInstant("filter.createdAfter", f.createdAfter) : null;
  const before = f.createdBefore ? parseInstant("filter.createdBefore", f.createdBefore) : null;
  if (from && before && from >= before)
    throw new Invalid(
      "filter.createdBefore",
      `createdBefore (${before}) must be later than createdAfter (${from})`,
    );
  return {
    kinds: f.kinds,
    childPoolsOnly,
    accountIds: f.accountIds,
    providers: f.providers,
    platforms: f.platforms,
    tiers: f.tiers,
    environments: f.environments,
    regions: f.regions,
    poolIds: f.poolIds,
    scopeIds: f.scopeIds,
    statuses: f.statuses?.length ? f.statuses : LIVE_STATUSES,
    within: f.within ? parseCidr("filter.within", f.within) : null,
    createdFrom: from,
    createdBefore: before,
  };
}

const DEFAULT_ORDER: BlockOrder[] = [{ field: "network", descending: false }];

/**
 * One page of the analytics table (allocations and child pools) in the requested order, with stable
 * keyset cursors over every sort key; the count runs on demand.
 */
export async function listBlocks(
  store: Store,
  filter: AnalyticsFilter,
  orderBy: readonly BlockOrder[] | null | undefined,
  args: PageArgs,
  maxPageSize: number,
): Promise<{ page: Page<AnalyticsBlockRecord>; count: () => Promise<number> }> {
  const rowFilter = toRowFilter(filter, true);
  const order = orderBy?.length ? dedupeOrder(orderBy) : DEFAULT_ORDER;
  const resolved = resolveKeysetPage(args, maxPageSize, orderSignature(order), sortKeys(order).length);
  const page = await store.read((db) => blocksPage(db, rowFilter, order, resolved));
  return {
    page: { ...page, items: page.items.map(toAnalyticsBlockRecord) },
    count: () => store.read((db) => countBlocks(db, rowFilter)),
  };
}

/** A field named twice sorts by its first mention only. */
function dedupeOrder(order: readonly BlockOrder[]): BlockOrder[] {
  const seen = new Set<BlockOrderField>();
  return order.filter((o) => !seen.has(o.field) && seen.add(o.field));
}

// ---------------------------------------------------------------------------------------------------
// Aggregates.

/** Allocation count and address count (decimal string: IPv6 counts exceed 2^53) of one group. */
export interface SpaceBucket {
  id: number | null;
  allocations: number;
  /** IPv4 and IPv6 addresses are counted separately: adding them would mean nothing. */
  ipv4Addresses: string;
  ipv6Addresses: string;
}

/** Sums a (group, family, length) histogram into buckets, largest allocation count first. */
function sumBuckets(rows: LengthHistogramRow[]): SpaceBucket[] {
  const by = new Map<number | null, { n: number; v4: bigint; v6: bigint }>();
  for (const r of rows) {
    const b = by.get(r.groupId) ?? { n: 0, v4: 0n, v6: 0n };
    const size = blockSize(r.family as Family, r.prefixLen) * BigInt(r.n);
    b.n += r.n;
    if (r.family === 4) b.v4 += size;
    else b.v6 += size;
    by.set(r.groupId, b);
  }
  return [...by.entries()]
    .map(([id, b]) => ({
      id,
      allocations: b.n,
      ipv4Addresses: b.v4.toString(),
      ipv6Addresses: b.v6.toString(),
    }))
    .sort((a, b) => b.allocations - a.allocations || (a.id ?? 0) - (b.id ?? 0));
}

/** Allocations per parent pool (ids of pools), most allocations first. */
export async function allocationsPerPool(store: Store, filter: AnalyticsFilter): Promise<SpaceBucket[]> {
  const f = toRowFilter(filter, false);
  return sumBuckets(await store.read((db) => allocationsByPoolHistogram(db, f)));
}

/** Address space allocated per account (id null: allocations without an account), largest first. */
export async function addressSpacePerAccount(store: Store, filter: AnalyticsFilter): Promise<SpaceBucket[]> {
  const f = toRowFilter(filter, false);
  return sumBuckets(await store.read((db) => allocationsByAccountHistogram(db, f)));
}

/** Allocations created per UTC day or ISO week (period = the day, or the Monday of the week). */
export async function allocationsCreated(
  store: Store,
  filter: AnalyticsFilter,
  interval: Interval,
): Promise<{ period: string; allocations: number }[]> {
  const f = toRowFilter(filter, false);
  const rows = await store.read((db) => allocationsCreatedPer(db, f, interval));
  return rows.map((r) => ({ period: r.period, allocations: r.n }));
}
