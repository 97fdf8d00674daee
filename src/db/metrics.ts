/**
 * The reads behind the operational gauges of /metrics (src/server/ops-metrics.ts, #17), dialect-neutral
 * (drizzle query builders, the same SQL on SQLite and PostgreSQL): the monitored pools (the partial index
 * prefixes_monitored_idx, so a scrape reads only them) and the sync summary of every account region.
 * test/api/monitored-pools.test.ts reads them through /metrics on both backends.
 */
import { asc, eq, sql } from "drizzle-orm";
import { prefixes, scopes, syncState } from "./schema.js";
import type { Db } from "./store.js";

export interface MonitoredPoolRow {
  id: number;
  name: string | null;
  cidr: string;
  family: number;
  rangeStart: string;
  prefixLen: number;
  scope: string;
}

/** Pools with `monitored` set, by id, at most `limit`; O(log n + limit). */
export async function monitoredPoolRows(db: Db, limit: number): Promise<MonitoredPoolRow[]> {
  return (
    db
      .select({
        id: prefixes.id,
        name: prefixes.name,
        cidr: prefixes.cidr,
        family: prefixes.family,
        rangeStart: prefixes.rangeStart,
        prefixLen: prefixes.prefixLen,
        scope: scopes.name,
      })
      .from(prefixes)
      .innerJoin(scopes, eq(scopes.id, prefixes.scopeId))
      // `monitored` alone (not `= true`, no other term): the partial index's predicate on both backends, so
      // the planner reads that index (only pools are ever monitored: src/domain/pools.ts sets it).
      .where(sql`${prefixes.monitored}`)
      .orderBy(asc(prefixes.id))
      .limit(limit)
  );
}

/** The least recent sync (finished, else started) of every account region and how many last failed. */
export async function syncSummary(db: Db): Promise<{ oldest: string | null; errors: number }> {
  const [row] = await db
    .select({
      oldest: sql<string | null>`min(coalesce(${syncState.finishedAt}, ${syncState.startedAt}))`,
      errors: sql<number>`coalesce(sum(CASE WHEN ${syncState.status} = 'ERROR' THEN 1 ELSE 0 END), 0)`,
    })
    .from(syncState);
  return { oldest: row?.oldest ?? null, errors: Number(row?.errors ?? 0) };
}
