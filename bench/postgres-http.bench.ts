/**
 * HTTP allocate on PostgreSQL vs SQLite (#15): the real server in-process (AUTH=off), `allocate` of a /24 from a
 * /8 pool over HTTP, sequentially and from 16 concurrent clients; then allocations/s with 1 vs 3 `cloudpam serve`
 * replicas on one PostgreSQL database, 16 clients spread over the replicas, all into one pool (serialised on its
 * row) vs over 16 pools. PostgreSQL runs with fsync on (a throw-away cluster, test/helpers/postgres.ts).
 * BENCH_SECONDS (default 5) per concurrent measurement; numbers on a shared box are noisy.
 */
import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config.js";
import { startApp, type App } from "../src/server/app.js";
import { createLogger } from "../src/logger.js";
import { postgresAvailability, startPostgres } from "../test/helpers/postgres.js";
import { gqlAt, startReplica, stopReplicas, type Replica } from "../test/helpers/replicas.js";

const availability = postgresAvailability();
if (!availability.available) process.exit(0);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 200);
const CLIENTS = 16;
const cluster = await startPostgres({
  bin: availability.bin!,
  settings: { fsync: "on", synchronous_commit: "on" },
});
const dir = mkdtempSync(join(tmpdir(), "cloudpam-bench-"));
const LIMITS = { RATE_LIMIT_PER_SECOND: "1000000", RATE_LIMIT_BURST: "1000000", AUTH: "off" };

const ALLOCATE = `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id cidr } } }`;

async function setup(url: string, pools: number): Promise<{ accountId: string; poolIds: string[] }> {
  const a = await gqlAt<{ createAccount: { account: { id: string } } }>(
    url,
    null,
    `mutation { createAccount(input: {key: "aws:555555555555", name: "bench", tier: PRD}) { account { id } } }`,
  );
  if (a.errors) throw new Error(JSON.stringify(a.errors));
  const poolIds: string[] = [];
  for (let p = 0; p < pools; p++) {
    const r = await gqlAt<{ createPool: { pool: { id: string } } }>(
      url,
      null,
      `mutation($input: CreatePoolInput!) { createPool(input: $input) { pool { id } } }`,
      { input: { cidr: `${10 + p}.0.0.0/8`, name: `bench-${p}` } },
    );
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    poolIds.push(r.data!.createPool.pool.id);
  }
  return { accountId: a.data!.createAccount.account.id, poolIds };
}

async function allocate(url: string, poolId: string, accountId: string): Promise<void> {
  const r = await gqlAt(url, null, ALLOCATE, { input: { poolId, accountId, prefixLength: 24 } });
  if (r.errors || r.failed) throw new Error(JSON.stringify(r.errors ?? r.failed));
}

/** Allocations/s of `clients` loops for SECONDS; client c uses urls[c % n] and pools[c % m]. */
async function concurrent(urls: string[], poolIds: string[], accountId: string, clients = CLIENTS) {
  let n = 0;
  const until = Date.now() + SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      while (Date.now() < until) {
        await allocate(urls[c % urls.length]!, poolIds[c % poolIds.length]!, accountId);
        n++;
      }
    }),
  );
  return (n / (performance.now() - t0)) * 1000;
}

async function inProcess(backend: "sqlite" | "postgres"): Promise<App> {
  const env: Record<string, string> = { ADDR: "127.0.0.1:0", LOG_LEVEL: "error", ...LIMITS };
  if (backend === "postgres") env.DATABASE_URL = await cluster.createDatabase();
  else env.SQLITE_DSN = join(dir, `${backend}-${Date.now()}.db`);
  const config = loadConfig(env, {});
  return startApp(config, { logger: createLogger("error") });
}

const line = (name: string, value: string) => console.log(`${name.padEnd(62)} ${value}`);

try {
  for (const backend of ["sqlite", "postgres"] as const) {
    const app = await inProcess(backend);
    try {
      const { accountId, poolIds } = await setup(app.url, 1);
      for (let i = 0; i < 20; i++) await allocate(app.url, poolIds[0]!, accountId); // warm-up
      const samples: number[] = [];
      for (let i = 0; i < SEQUENTIAL; i++) {
        const s = performance.now();
        await allocate(app.url, poolIds[0]!, accountId);
        samples.push(performance.now() - s);
      }
      samples.sort((a, b) => a - b);
      const median = samples[Math.floor(samples.length / 2)]!;
      const p99 = samples[Math.floor(samples.length * 0.99)]!;
      line(
        `HTTP allocate, ${backend}, sequential`,
        `median ${median.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (${(1000 / median).toFixed(0)}/s)`,
      );
      const rate = await concurrent([app.url], poolIds, accountId);
      line(`HTTP allocate, ${backend}, ${CLIENTS} clients, one pool`, `${rate.toFixed(0)} allocations/s`);
    } finally {
      await app.close();
    }
  }

  for (const replicas of [1, 3]) {
    const url = await cluster.createDatabase();
    let started: Replica[] = [];
    try {
      started.push(await startReplica({ DATABASE_URL: url, ...LIMITS }));
      started = [
        ...started,
        ...(await Promise.all(
          Array.from({ length: replicas - 1 }, () => startReplica({ DATABASE_URL: url, ...LIMITS })),
        )),
      ];
      const urls = started.map((r) => r.url);
      const { accountId, poolIds } = await setup(urls[0]!, 16);
      for (const u of urls) for (let i = 0; i < 10; i++) await allocate(u, poolIds[i]!, accountId);
      const one = await concurrent(urls, poolIds.slice(0, 1), accountId);
      line(`${replicas} replica(s), ${CLIENTS} clients, one pool`, `${one.toFixed(0)} allocations/s`);
      const many = await concurrent(urls, poolIds, accountId);
      line(`${replicas} replica(s), ${CLIENTS} clients, 16 pools`, `${many.toFixed(0)} allocations/s`);
    } finally {
      await stopReplicas(started);
    }
  }
} finally {
  await cluster.destroy();
  rmSync(dir, { recursive: true, force: true });
}
