/**
 * Event fan-out: latency from commit to delivery at real graphql-ws clients (1 and 100 subscribers;
 * median and p99), and sustained events/s (one transaction per event) until every subscriber has them.
 * Run with `npm run bench -- events`. Server and clients share this process (and its CPU).
 */
import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import WebSocket from "ws";
import { createClient, type Client } from "graphql-ws";
import { loadConfig } from "../src/config.js";
import { startApp } from "../src/server/app.js";
import { createLogger } from "../src/logger.js";
import { appendEvent } from "../src/domain/events.js";
import { SYSTEM_ACTOR } from "../src/domain/roles.js";
import type { BenchResult } from "./harness.js";
import { report } from "./harness.js";

const dir = mkdtempSync(join(tmpdir(), "cloudpam-bench-events-"));
const config = loadConfig(
  {
    ADDR: "127.0.0.1:0",
    SQLITE_DSN: join(dir, "bench.db"),
    AUTH: "off",
    WS_CONNECTIONS_PER_TOKEN: "1000",
    LOG_LEVEL: "silent",
  },
  {},
);
const app = await startApp(config, {
  logger: createLogger("silent", new Writable({ write: (_c, _e, cb) => cb() })),
});
const store = app.services.store;

/** Receipt callbacks per event id: called once every subscriber has it. */
type Arrivals = Map<number, { left: number; done: () => void; latencies: number[]; t0: number }>;

function subscribers(
  n: number,
  arrivals: Arrivals,
  after: string,
): { clients: Client[]; ready: Promise<void> } {
  const clients: Client[] = [];
  let readyCount = 0;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));
  for (let i = 0; i < n; i++) {
    const client = createClient({
      url: app.url.replace(/^http/, "ws") + "/graphql",
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    clients.push(client);
    let first = true;
    client.subscribe<{ events: { cursor: string } }>(
      { query: `subscription { events(types: ["bench.*"], after: "${after}") { cursor } }` },
      {
        next: (v) => {
          const id = Number(v.data!.events.cursor);
          if (first) {
            first = false;
            if (++readyCount === n) markReady();
          }
          const a = arrivals.get(id);
          if (!a) return;
          a.latencies.push(performance.now() - a.t0);
          if (--a.left === 0) a.done();
        },
        error: (e) => console.error("subscription error", e),
        complete: () => undefined,
      },
    );
  }
  return { clients, ready };
}

async function latency(n: number, events: number): Promise<BenchResult> {
  const arrivals: Arrivals = new Map();
  // A warm-up event makes every subscription live before measuring.
  const warmId = await store.write(
    async (db) =>
      (
        await appendEvent(
          db,
          { actor: SYSTEM_ACTOR },
          { type: "bench.warmup", subjectType: "Bench", subjectId: 0 },
        )
      ).id,
  );
  const { clients, ready } = subscribers(n, arrivals, String(warmId - 1));
  await ready;
  const samples: number[] = [];
  const t0All = performance.now();
  for (let i = 0; i < events; i++) {
    const done = new Promise<void>((resolve) => {
      const entry = { left: n, done: resolve, latencies: [] as number[], t0: 0 };
      const write = store.write(async (db) => {
        const id = (
          await appendEvent(
            db,
            { actor: SYSTEM_ACTOR },
            { type: "bench.tick", subjectType: "Bench", subjectId: i, after: { i } },
          )
        ).id;
        arrivals.set(id, entry);
        return id;
      });
      // t0 = commit: store.write resolves right after COMMIT.
      void write.then(() => (entry.t0 = performance.now()));
    });
    await done;
    const e = [...arrivals.values()][0]!;
    samples.push(...e.latencies);
    arrivals.clear();
  }
  const total = performance.now() - t0All;
  await Promise.all(clients.map((c) => c.dispose()));
  samples.sort((a, b) => a - b);
  return {
    name: `commit -> delivery, ${n} subscriber${n > 1 ? "s" : ""} (${events} events)`,
    ops: samples.length,
    medianUs: samples[Math.floor(samples.length / 2)]! * 1000,
    p99Us: samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.99))]! * 1000,
    opsPerSec: (events / total) * 1000,
  };
}

async function throughput(
  n: number,
  events: number,
): Promise<{ name: string; eventsPerSec: number; commitsPerSec: number }> {
  const arrivals: Arrivals = new Map();
  const warmId = await store.write(
    async (db) =>
      (
        await appendEvent(
          db,
          { actor: SYSTEM_ACTOR },
          { type: "bench.warmup", subjectType: "Bench", subjectId: 0 },
        )
      ).id,
  );
  const { clients, ready } = subscribers(n, arrivals, String(warmId - 1));
  await ready;
  const t0 = performance.now();
  let lastId = 0;
  const allDone = new Promise<void>((resolve) => {
    const writes: Promise<void>[] = [];
    for (let i = 0; i < events; i++) {
      writes.push(
        store.write(async (db) => {
          lastId = (
            await appendEvent(
              db,
              { actor: SYSTEM_ACTOR },
              { type: "bench.tick", subjectType: "Bench", subjectId: i, after: { i } },
            )
          ).id;
          if (i === events - 1) arrivals.set(lastId, { left: n, done: resolve, latencies: [], t0: 0 });
        }),
      );
    }
    void Promise.all(writes).then(() => (commitMs = performance.now() - t0));
  });
  let commitMs = 0;
  await allDone;
  const totalMs = performance.now() - t0;
  await Promise.all(clients.map((c) => c.dispose()));
  return {
    name: `${events} events, one transaction each, ${n} subscriber${n > 1 ? "s" : ""}`,
    eventsPerSec: Math.round((events / totalMs) * 1000),
    commitsPerSec: Math.round((events / (commitMs || totalMs)) * 1000),
  };
}

const results = [await latency(1, 500), await latency(100, 200)];
report(results);
console.log("(ops/s above = sequential commit+fan-out round trips per second)");
const sustained = [await throughput(1, 20_000), await throughput(100, 5_000)];
console.table(
  sustained.map((r) => ({
    name: r.name,
    "delivered events/s (all subscribers)": r.eventsPerSec,
    "commits/s": r.commitsPerSec,
  })),
);

await app.close();
rmSync(dir, { recursive: true, force: true });
