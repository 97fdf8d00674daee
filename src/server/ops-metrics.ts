/**
 * Gauges the dashboards and alerts need (#17), computed when /metrics is scraped (prom-client `collect`):
 * - cloudpam_pool_utilization_ratio{scope,pool,cidr}: (used + reserved) / size of each pool with `monitored: true`
 *   (not every pool: that bounds the series count; at most MAX_MONITORED_POOLS);
 * - cloudpam_reconcile_interval_seconds, cloudpam_reconcile_oldest_sync_timestamp_seconds,
 *   cloudpam_reconcile_sync_errors: for the "reconcile stale" and "sync failing" alerts;
 * - cloudpam_ready: 1 while the store is ready (what /readyz reports, short of draining).
 * A worker, so it follows the server's lifetime: it reads the store of the server that started last. The reads
 * are dialect-neutral (src/db/metrics.ts), so the gauges are the same on SQLite and PostgreSQL.
 */
import { Gauge } from "prom-client";
import { registry } from "../metrics.js";
import { rowPrefix } from "../db/prefixes.js";
import { poolUtilizationCounts } from "../db/occupancy.js";
import { monitoredPoolRows, syncSummary as syncSummaryRow, type MonitoredPoolRow } from "../db/metrics.js";
import { utilization } from "../allocator/utilization.js";
import type { Services, Worker } from "./context.js";

export const MAX_MONITORED_POOLS = 500;

let current: Services | null = null;

async function monitoredPools(services: Services) {
  return services.store.read(async (db) => {
    const out: { pool: MonitoredPoolRow; ratio: number }[] = [];
    for (const pool of await monitoredPoolRows(db, MAX_MONITORED_POOLS))
      out.push({
        pool,
        ratio: utilization(rowPrefix(pool), await poolUtilizationCounts(db, pool.id)).percent / 100,
      });
    return out;
  });
}

new Gauge({
  name: "cloudpam_pool_utilization_ratio",
  help: `Used + reserved share (0..1) of each pool with monitored: true (at most ${MAX_MONITORED_POOLS} pools)`,
  labelNames: ["scope", "pool", "cidr"] as const,
  registers: [registry],
  async collect() {
    this.reset();
    if (!current?.store.ready()) return;
    for (const { pool, ratio } of await monitoredPools(current))
      this.set({ scope: pool.scope, pool: pool.name ?? String(pool.id), cidr: pool.cidr }, ratio);
  },
});

new Gauge({
  name: "cloudpam_reconcile_interval_seconds",
  help: "Configured background sync interval per account (RECONCILE_INTERVAL_SECONDS; 0 = loop off)",
  registers: [registry],
  collect() {
    this.set(current?.config.reconcileIntervalSeconds ?? 0);
  },
});

const syncSummary = (services: Services) => services.store.read((db) => syncSummaryRow(db));

new Gauge({
  name: "cloudpam_reconcile_oldest_sync_timestamp_seconds",
  help: "Unix time of the least recent sync among all account regions (absent before the first sync)",
  registers: [registry],
  async collect() {
    this.reset();
    if (!current?.store.ready()) return;
    const { oldest } = await syncSummary(current);
    if (oldest) this.set(Date.parse(oldest) / 1000);
  },
});

new Gauge({
  name: "cloudpam_reconcile_sync_errors",
  help: "Account regions whose last sync failed",
  registers: [registry],
  async collect() {
    this.set(current?.store.ready() ? Number((await syncSummary(current)).errors) : 0);
  },
});

new Gauge({
  name: "cloudpam_ready",
  help: "1 while the server's database is ready (as /readyz), else 0",
  registers: [registry],
  collect() {
    this.set(current?.store.ready() ? 1 : 0);
  },
});

export const opsMetricsWorker: Worker = {
  name: "ops-metrics",
  start(services) {
    current = services;
  },
  stop(services) {
    if (current === services) current = null;
  },
};
