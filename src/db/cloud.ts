/**
 * Observed cloud resources (cloud_resources), their CIDRs (cloud_cidrs) and the sync state per
 * account/region (sync_state). Bulk writes are chunked to stay under SQLite's bound-parameter limit.
 */
import { and, asc, count, eq, inArray, isNotNull, isNull, sql, type SQL } from "drizzle-orm";
import { encodeAddress, parsePrefix, prefixLast, type Prefix } from "../allocator/index.js";
import { keysetOrder, keysetWhere, toPage, type Page, type ResolvedPage } from "./pagination.js";
import { containingLive, isLive, withinLive, type PrefixRow } from "./prefixes.js";
import { accounts, cloudCidrs, cloudResources, prefixes, syncState } from "./schema.js";
import type { Db } from "./store.js";

export type CloudResourceRow = typeof cloudResources.$inferSelect;
export type NewCloudResourceRow = typeof cloudResources.$inferInsert;
export type CloudCidrRow = typeof cloudCidrs.$inferSelect;
export type NewCloudCidrRow = typeof cloudCidrs.$inferInsert;
export type SyncStateRow = typeof syncState.$inferSelect;

const CHUNK = 400;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Range columns of a CIDR as the cloud reports it (canonicalised). */
export function cidrColumns(
  text: string,
): Pick<NewCloudCidrRow, "cidr" | "family" | "prefixLen" | "rangeStart" | "rangeEnd"> & { prefix: Prefix } {
  const p = parsePrefix(text);
  return {
    prefix: p,
    cidr: text,
    family: p.family,
    prefixLen: p.length,
    rangeStart: encodeAddress(p.start),
    rangeEnd: encodeAddress(prefixLast(p)),
  };
}

/** Every resource ever seen in the account (deleted ones too, so a reappearing one keeps its row). */
export function resourcesOfAccount(db: Db, accountId: number): CloudResourceRow[] {
  return db.select().from(cloudResources).where(eq(cloudResources.accountId, accountId)).all();
}

/** The CIDRs of every resource of the account. */
export function cidrsOfAccount(db: Db, accountId: number): CloudCidrRow[] {
  return db
    .select({ c: cloudCidrs })
    .from(cloudCidrs)
    .innerJoin(cloudResources, eq(cloudResources.id, cloudCidrs.resourceId))
    .where(eq(cloudResources.accountId, accountId))
    .all()
    .map((r) => r.c);
}

export function insertResources(db: Db, rows: NewCloudResourceRow[]): CloudResourceRow[] {
  const out: CloudResourceRow[] = [];
  for (const part of chunks(rows, 100)) out.push(...db.insert(cloudResources).values(part).returning().all());
  return out;
}

export function updateResource(db: Db, id: number, patch: Partial<NewCloudResourceRow>): CloudResourceRow {
  return db.update(cloudResources).set(patch).where(eq(cloudResources.id, id)).returning().get();
}

/** Sets last_seen_at (and clears deleted_at) of many resources at once. */
export function touchResources(db: Db, ids: readonly number[], at: string): void {
  for (const part of chunks(ids))
    db.update(cloudResources)
      .set({ lastSeenAt: at, deletedAt: null })
      .where(inArray(cloudResources.id, part))
      .run();
}

export function markResourcesDeleted(db: Db, ids: readonly number[], at: string): void {
  for (const part of chunks(ids))
    db.update(cloudResources).set({ deletedAt: at }).where(inArray(cloudResources.id, part)).run();
}

export function insertCidrs(db: Db, rows: NewCloudCidrRow[]): CloudCidrRow[] {
  const out: CloudCidrRow[] = [];
  for (const part of chunks(rows, 200)) out.push(...db.insert(cloudCidrs).values(part).returning().all());
  return out;
}

export function deleteCidrsOf(db: Db, resourceIds: readonly number[]): void {
  for (const part of chunks(resourceIds))
    db.delete(cloudCidrs).where(inArray(cloudCidrs.resourceId, part)).run();
}

export function setCidrManagement(db: Db, id: number, management: string, allocationId: number | null): void {
  db.update(cloudCidrs).set({ management, allocationId }).where(eq(cloudCidrs.id, id)).run();
}

/** Sets the same classification on many CIDR rows at once. */
export function setCidrsManagement(
  db: Db,
  ids: readonly number[],
  management: string,
  allocationId: number | null,
): void {
  for (const part of chunks(ids))
    db.update(cloudCidrs).set({ management, allocationId }).where(inArray(cloudCidrs.id, part)).run();
}

export function resourceById(db: Db, id: number): CloudResourceRow | undefined {
  return db.select().from(cloudResources).where(eq(cloudResources.id, id)).get();
}

export function resourceByExternalId(
  db: Db,
  accountId: number,
  externalId: string,
): CloudResourceRow | undefined {
  return db
    .select()
    .from(cloudResources)
    .where(and(eq(cloudResources.accountId, accountId), eq(cloudResources.externalId, externalId)))
    .get();
}

export function resourcesByIds(db: Db, ids: readonly number[]): CloudResourceRow[] {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(cloudResources)
    .where(inArray(cloudResources.id, [...ids]))
    .all();
}

export function cidrsByResourceIds(db: Db, ids: readonly number[]): CloudCidrRow[] {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(cloudCidrs)
    .where(inArray(cloudCidrs.resourceId, [...ids]))
    .orderBy(asc(cloudCidrs.resourceId), asc(cloudCidrs.id))
    .all();
}

export interface CloudResourceFilter {
  accountId?: number | null;
  resourceType?: string | null;
  region?: string | null;
  vpcExternalId?: string | null;
  /** Include resources no longer seen (default false). */
  includeDeleted?: boolean | null;
}

function resourceWhere(f: CloudResourceFilter): SQL | undefined {
  return and(
    f.accountId != null ? eq(cloudResources.accountId, f.accountId) : undefined,
    f.resourceType ? eq(cloudResources.resourceType, f.resourceType) : undefined,
    f.region ? eq(cloudResources.region, f.region) : undefined,
    f.vpcExternalId ? eq(cloudResources.vpcExternalId, f.vpcExternalId) : undefined,
    f.includeDeleted ? undefined : isNull(cloudResources.deletedAt),
  );
}

/** One keyset page of resources in id order. */
export function cloudResourcesPage(
  db: Db,
  f: CloudResourceFilter,
  page: ResolvedPage,
): Page<CloudResourceRow> {
  const rows = db
    .select()
    .from(cloudResources)
    .where(and(resourceWhere(f), keysetWhere(page, cloudResources.id, cloudResources.id)))
    .orderBy(...keysetOrder(page, cloudResources.id, cloudResources.id))
    .limit(page.limit + 1)
    .all();
  return toPage(page, rows, (r) => [r.id, r.id]);
}

export function countCloudResources(db: Db, f: CloudResourceFilter): number {
  return db.select({ n: count() }).from(cloudResources).where(resourceWhere(f)).get()?.n ?? 0;
}

/**
 * Live pools and allocations of a scope that share an address with p, containers first (shortest prefix
 * first), then at most `limit` inside it in address order. Two index-driven statements (the ancestor
 * probes of containingLive, the range scan of withinLive): one OR-ed statement would make SQLite scan
 * the whole address family of the scope.
 */
export function prefixesOverlapping(db: Db, scopeId: number, p: Prefix, limit: number): PrefixRow[] {
  const kinds = inArray(prefixes.kind, ["pool", "allocation"]);
  const containers = containingLive(db, scopeId, p, kinds);
  const seen = new Set(containers.map((r) => r.id));
  return [...containers, ...withinLive(db, scopeId, p, limit, kinds).filter((r) => !seen.has(r.id))];
}

/** Live allocations of an account bound to a cloud resource of the given provider. */
export function boundAllocationsOfAccount(db: Db, accountId: number, provider: string): PrefixRow[] {
  return db
    .select()
    .from(prefixes)
    .where(
      and(
        eq(prefixes.accountId, accountId),
        eq(prefixes.kind, "allocation"),
        isLive,
        isNotNull(prefixes.resourceId),
        sql`lower(${prefixes.resourceProvider}) = ${provider}`,
      ),
    )
    .all();
}

/** Live allocations bound to this resource id (any account). */
export function allocationsBoundTo(db: Db, resourceExternalId: string): PrefixRow[] {
  return db
    .select()
    .from(prefixes)
    .where(and(eq(prefixes.resourceId, resourceExternalId), eq(prefixes.kind, "allocation"), isLive))
    .all();
}

export function upsertSyncState(db: Db, row: typeof syncState.$inferInsert): void {
  db.insert(syncState)
    .values(row)
    .onConflictDoUpdate({
      target: [syncState.accountId, syncState.region],
      set: {
        status: row.status,
        startedAt: row.startedAt,
        finishedAt: row.finishedAt,
        counts: row.counts,
        error: row.error,
      },
    })
    .run();
}

/** A sync started: status RUNNING and its start time; the last finished counts and error stay visible. */
export function markSyncRunning(db: Db, accountId: number, region: string, startedAt: string): void {
  db.insert(syncState)
    .values({ accountId, region, status: "RUNNING", startedAt })
    .onConflictDoUpdate({
      target: [syncState.accountId, syncState.region],
      set: { status: "RUNNING", startedAt },
    })
    .run();
}

export function syncStatesOf(db: Db, accountId: number): SyncStateRow[] {
  return db
    .select()
    .from(syncState)
    .where(eq(syncState.accountId, accountId))
    .orderBy(asc(syncState.region))
    .all();
}

/** Ids of the accounts reconciliation can reach (AWS and GCP), for the background loop. */
export function cloudAccountIds(db: Db): number[] {
  return db
    .select({ id: accounts.id })
    .from(accounts)
    .where(sql`lower(${accounts.provider}) IN ('aws', 'gcp')`)
    .all()
    .map((r) => r.id);
}
