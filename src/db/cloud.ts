/**
 * Observed cloud resources (cloud_resources), their CIDRs (cloud_cidrs) and the sync state per
 * account/region (sync_state). Bulk writes are chunked to stay under SQLite's bound-parameter limit.
 * Await style, dialect-neutral (./README.md; the upserts' ON CONFLICT … DO UPDATE is the same on both);
 * test/postgres/cloud-db.test.ts runs this module on both backends. (`prefixesOverlapping` reads through
 * prefixes.ts's containingLive / withinLive.)
 */
import { and, asc, count, eq, inArray, isNotNull, isNull, or, sql, type SQL } from "drizzle-orm";
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
export async function resourcesOfAccount(db: Db, accountId: number): Promise<CloudResourceRow[]> {
  return db.select().from(cloudResources).where(eq(cloudResources.accountId, accountId));
}

/** A VPC of the account and its subnets as stored (deleted ones too): a targeted re-read's rows. */
export async function resourcesOfVpc(
  db: Db,
  accountId: number,
  vpcExternalId: string,
): Promise<CloudResourceRow[]> {
  return db
    .select()
    .from(cloudResources)
    .where(
      and(
        eq(cloudResources.accountId, accountId),
        or(eq(cloudResources.externalId, vpcExternalId), eq(cloudResources.vpcExternalId, vpcExternalId)),
      ),
    );
}

/** The CIDRs of every resource of the account. */
export async function cidrsOfAccount(db: Db, accountId: number): Promise<CloudCidrRow[]> {
  const rows = await db
    .select({ c: cloudCidrs })
    .from(cloudCidrs)
    .innerJoin(cloudResources, eq(cloudResources.id, cloudCidrs.resourceId))
    .where(eq(cloudResources.accountId, accountId));
  return rows.map((r) => r.c);
}

export async function insertResources(db: Db, rows: NewCloudResourceRow[]): Promise<CloudResourceRow[]> {
  const out: CloudResourceRow[] = [];
  for (const part of chunks(rows, 100))
    out.push(...(await db.insert(cloudResources).values(part).returning()));
  return out;
}

export async function updateResource(
  db: Db,
  id: number,
  patch: Partial<NewCloudResourceRow>,
): Promise<CloudResourceRow> {
  const [row] = await db.update(cloudResources).set(patch).where(eq(cloudResources.id, id)).returning();
  return row!;
}

/** Sets last_seen_at (and clears deleted_at) of many resources at once. */
export async function touchResources(db: Db, ids: readonly number[], at: string): Promise<void> {
  for (const part of chunks(ids))
    await db
      .update(cloudResources)
      .set({ lastSeenAt: at, deletedAt: null })
      .where(inArray(cloudResources.id, part));
}

export async function markResourcesDeleted(db: Db, ids: readonly number[], at: string): Promise<void> {
  for (const part of chunks(ids))
    await db.update(cloudResources).set({ deletedAt: at }).where(inArray(cloudResources.id, part));
}

export async function insertCidrs(db: Db, rows: NewCloudCidrRow[]): Promise<CloudCidrRow[]> {
  const out: CloudCidrRow[] = [];
  for (const part of chunks(rows, 200)) out.push(...(await db.insert(cloudCidrs).values(part).returning()));
  return out;
}

export async function deleteCidrsOf(db: Db, resourceIds: readonly number[]): Promise<void> {
  for (const part of chunks(resourceIds))
    await db.delete(cloudCidrs).where(inArray(cloudCidrs.resourceId, part));
}

export async function setCidrManagement(
  db: Db,
  id: number,
  management: string,
  allocationId: number | null,
): Promise<void> {
  await db.update(cloudCidrs).set({ management, allocationId }).where(eq(cloudCidrs.id, id));
}

/** Sets the same classification on many CIDR rows at once. */
export async function setCidrsManagement(
  db: Db,
  ids: readonly number[],
  management: string,
  allocationId: number | null,
): Promise<void> {
  for (const part of chunks(ids))
    await db.update(cloudCidrs).set({ management, allocationId }).where(inArray(cloudCidrs.id, part));
}

export async function resourceById(db: Db, id: number): Promise<CloudResourceRow | undefined> {
  return (await db.select().from(cloudResources).where(eq(cloudResources.id, id)).limit(1))[0];
}

export async function resourceByExternalId(
  db: Db,
  accountId: number,
  externalId: string,
): Promise<CloudResourceRow | undefined> {
  return (
    await db
      .select()
      .from(cloudResources)
      .where(and(eq(cloudResources.accountId, accountId), eq(cloudResources.externalId, externalId)))
      .limit(1)
  )[0];
}

export async function resourcesByIds(db: Db, ids: readonly number[]): Promise<CloudResourceRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(cloudResources)
    .where(inArray(cloudResources.id, [...ids]));
}

export async function cidrsByResourceIds(db: Db, ids: readonly number[]): Promise<CloudCidrRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(cloudCidrs)
    .where(inArray(cloudCidrs.resourceId, [...ids]))
    .orderBy(asc(cloudCidrs.resourceId), asc(cloudCidrs.id));
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
export async function cloudResourcesPage(
  db: Db,
  f: CloudResourceFilter,
  page: ResolvedPage,
): Promise<Page<CloudResourceRow>> {
  const rows = await db
    .select()
    .from(cloudResources)
    .where(and(resourceWhere(f), keysetWhere(page, cloudResources.id, cloudResources.id)))
    .orderBy(...keysetOrder(page, cloudResources.id, cloudResources.id))
    .limit(page.limit + 1);
  return toPage(page, rows, (r) => [r.id, r.id]);
}

export async function countCloudResources(db: Db, f: CloudResourceFilter): Promise<number> {
  return (await db.select({ n: count() }).from(cloudResources).where(resourceWhere(f)))[0]?.n ?? 0;
}

/**
 * Live pools and allocations of a scope that share an address with p, containers first (shortest prefix
 * first), then at most `limit` inside it in address order. Two index-driven statements (the ancestor
 * probes of containingLive, the range scan of withinLive): one OR-ed statement would make SQLite scan
 * the whole address family of the scope.
 */
export async function prefixesOverlapping(
  db: Db,
  scopeId: number,
  p: Prefix,
  limit: number,
): Promise<PrefixRow[]> {
  const kinds = inArray(prefixes.kind, ["pool", "allocation"]);
  const containers = await containingLive(db, scopeId, p, kinds);
  const seen = new Set(containers.map((r) => r.id));
  return [...containers, ...(await withinLive(db, scopeId, p, limit, kinds)).filter((r) => !seen.has(r.id))];
}

/** Live allocations of an account bound to a cloud resource of the given provider. */
export async function boundAllocationsOfAccount(
  db: Db,
  accountId: number,
  provider: string,
): Promise<PrefixRow[]> {
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
    );
}

/** Live allocations bound to this resource id (any account). */
export async function allocationsBoundTo(db: Db, resourceExternalId: string): Promise<PrefixRow[]> {
  return db
    .select()
    .from(prefixes)
    .where(and(eq(prefixes.resourceId, resourceExternalId), eq(prefixes.kind, "allocation"), isLive));
}

export async function upsertSyncState(db: Db, row: typeof syncState.$inferInsert): Promise<void> {
  await db
    .insert(syncState)
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
    });
}

/** A sync started: status RUNNING and its start time; the last finished counts and error stay visible. */
export async function markSyncRunning(
  db: Db,
  accountId: number,
  region: string,
  startedAt: string,
): Promise<void> {
  await db
    .insert(syncState)
    .values({ accountId, region, status: "RUNNING", startedAt })
    .onConflictDoUpdate({
      target: [syncState.accountId, syncState.region],
      set: { status: "RUNNING", startedAt },
    });
}

export async function syncStatesOf(db: Db, accountId: number): Promise<SyncStateRow[]> {
  return db.select().from(syncState).where(eq(syncState.accountId, accountId)).orderBy(asc(syncState.region));
}

/** Forgets the sync state of regions no longer synced (removed from the account's settings). */
export async function deleteSyncStates(db: Db, accountId: number, regions: readonly string[]): Promise<void> {
  if (regions.length === 0) return;
  await db
    .delete(syncState)
    .where(and(eq(syncState.accountId, accountId), inArray(syncState.region, [...regions])));
}

/** Ids of the accounts reconciliation can reach (AWS and GCP), for the background loop. */
export async function cloudAccountIds(db: Db): Promise<number[]> {
  const rows = await db
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(sql`lower(${accounts.provider}) IN ('aws', 'gcp')`, isNull(accounts.deletedAt)))
    .orderBy(asc(accounts.id));
  return rows.map((r) => r.id);
}
