/**
 * CSV export of 1,000,000 allocation rows through GET /export/allocations.csv: wall time, rows/s,
 * MB/s, and the peak RSS of the server process (target: under 200 MB, i.e. the export streams).
 *
 * The server runs in a child process (this file with `--serve <db>`), so its peak RSS
 * (`process.resourceUsage().maxRSS`) is the server's alone; this process seeds the database with
 * direct SQL in one transaction, downloads the file and counts it without keeping it.
 * Run with `npm run bench -- export` (EXPORT_ROWS=… to change the size).
 */
import "reflect-metadata";
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Writable } from "node:stream";
import { openStore } from "../src/db/store.js";
import { createServices } from "../src/server/services.js";

const ROWS = Number(process.env.EXPORT_ROWS ?? 1_000_000);
const ACCOUNTS = 200;

type Mode = "server" | "route";

if (process.argv[2] === "--serve") await serve(process.argv[3] as Mode, process.argv[4]!);
else await main();

/**
 * Child: serves the seeded file, reports its port, then its peak RSS when asked.
 * "server": the whole CloudPAM server (startApp). "route": only the export route on a bare node:http
 * server, which shows the export path's own footprint without the rest of the server's modules.
 */
async function serve(mode: Mode, dbPath: string): Promise<void> {
  const { loadConfig } = await import("../src/config.js");
  const { createLogger } = await import("../src/logger.js");
  const config = loadConfig(
    { ADDR: "127.0.0.1:0", SQLITE_DSN: dbPath, AUTH: "off", LOG_LEVEL: "silent" },
    {},
  );
  const logger = createLogger("silent", new Writable({ write: (_c, _e, cb) => cb() }));
  let port: number;
  let close: () => Promise<void>;
  if (mode === "server") {
    const { startApp } = await import("../src/server/app.js");
    const app = await startApp(config, { logger });
    port = app.port;
    close = () => app.close();
  } else {
    const { createServer } = await import("node:http");
    const { exportRoute } = await import("../src/server/export.js");
    const store = openStore({ dsn: dbPath });
    const services = createServices(config, store, logger);
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      void exportRoute(req, res, { url, requestId: "bench", logger, services });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
    close = async () => {
      server.close();
      store.close();
    };
  }
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const baseline = process.memoryUsage().rss;
  process.send!({ port, baseline });
  process.on("message", async (m: { cmd: string }) => {
    if (m.cmd !== "report") return;
    clearInterval(sampler);
    const maxRssKiB = process.resourceUsage().maxRSS;
    process.send!({ peakSampled: peak, maxRss: maxRssKiB * 1024 });
    await close();
    process.exit(0);
  });
}

async function seed(dbPath: string): Promise<number> {
  const store = openStore({ dsn: dbPath });
  const started = performance.now();
  await store.write((db) => {
    const c = db.$client;
    const account = c.prepare(
      "INSERT INTO accounts (key, provider, name, tier, environment, regions) VALUES (?, 'AWS', ?, ?, 'prod', ?)",
    );
    for (let i = 0; i < ACCOUNTS; i++)
      account.run(
        `aws:${String(100000000000 + i)}`,
        `account-${i}`,
        ["DEV", "STG", "PRD"][i % 3],
        '["us-east-1","eu-west-1"]',
      );
    const pool = c
      .prepare(
        "INSERT INTO prefixes (kind, scope_id, family, prefix_len, cidr, range_start, range_end, name, status) VALUES ('pool', 1, 4, 8, '10.0.0.0/8', ?, ?, 'bulk', 'ACTIVE')",
      )
      .run("0a000000".padStart(32, "0"), "0affffff".padStart(32, "0")).lastInsertRowid;
    const insert = c.prepare(
      `INSERT INTO prefixes (kind, scope_id, parent_id, family, prefix_len, cidr, range_start, range_end, name, status, account_id, tags, created_at)
       VALUES ('allocation', 1, ?, 4, 32, ?, ?, ?, ?, 'ALLOCATED', ?, ?, ?)`,
    );
    const t0 = Date.parse("2026-01-01T00:00:00Z");
    for (let i = 0; i < ROWS; i++) {
      const v = 0x0a000000 + i;
      const hex = v.toString(16).padStart(32, "0");
      const cidr = `10.${(v >> 16) & 255}.${(v >> 8) & 255}.${v & 255}/32`;
      const created = new Date(t0 + i * 1000).toISOString();
      insert.run(
        pool,
        cidr,
        hex,
        hex,
        `host-${i}`,
        1 + (i % ACCOUNTS),
        i % 10 === 0 ? '{"app":"web, api"}' : "{}",
        created,
      );
    }
  });
  store.close();
  return (performance.now() - started) / 1000;
}

async function measureExport(mode: Mode, dbPath: string) {
  const child = fork(fileURLToPath(import.meta.url), ["--serve", mode, dbPath], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = <T>() => new Promise<T>((resolve) => child.once("message", (m) => resolve(m as T)));
  const { port, baseline } = await next<{ port: number; baseline: number }>();

  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/export/allocations.csv`);
  let bytes = 0;
  let lines = 0;
  let firstByteMs = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    if (bytes === 0) firstByteMs = performance.now() - t0;
    bytes += chunk.length;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const pages = mode === "server" ? await blocksPages(port) : {};
  child.send({ cmd: "report" });
  const { maxRss, peakSampled } = await next<{ maxRss: number; peakSampled: number }>();
  await new Promise((resolve) => child.once("exit", resolve));
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  const rows = lines - 1;
  return {
    mode,
    rows,
    status: res.status,
    seconds: seconds.toFixed(2),
    "rows/s": Math.round(rows / seconds),
    MB: mb(bytes),
    "MB/s": (bytes / 1024 / 1024 / seconds).toFixed(1),
    "first byte ms": firstByteMs.toFixed(0),
    "idle RSS MB": mb(baseline),
    "peak RSS MB": mb(Math.max(maxRss, peakSampled)),
    ...pages,
  };
}

/**
 * One `blocks(first: 50)` page of the analytics table over the same rows (ms): NETWORK walks the range
 * index; ACCOUNT first needs a top-N sort of every matching row.
 */
async function blocksPages(port: number): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const post = (query: string) =>
    fetch(`http://127.0.0.1:${port}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query }),
    });
  await (await post("{ blocks(first: 1) { edges { cursor } } }")).json(); // warm-up: schema caches, JIT
  const orders = {
    "blocks NETWORK ms": "[{ field: NETWORK }]",
    "blocks ACCOUNT,NETWORK ms": "[{ field: ACCOUNT }, { field: NETWORK, direction: DESC }]",
  };
  for (const [label, orderBy] of Object.entries(orders)) {
    const query = `{ blocks(first: 50, orderBy: ${orderBy}) { edges { node { cidr account { key } pool { name } } } pageInfo { endCursor } } }`;
    const t = performance.now();
    const res = await post(query);
    const body = (await res.json()) as { data?: { blocks: { edges: unknown[] } } };
    out[label] = body.data?.blocks.edges.length === 50 ? (performance.now() - t).toFixed(0) : "failed";
  }
  return out;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "cloudpam-bench-export-"));
  const dbPath = join(dir, "bench.db");
  try {
    console.log(`seeding ${ROWS.toLocaleString()} allocations ...`);
    const seedSeconds = await seed(dbPath);
    console.log(`seeded in ${seedSeconds.toFixed(1)} s`);

    const results = [];
    for (const mode of ["server", "route"] as const) results.push(await measureExport(mode, dbPath));
    console.table(results);
    const peak = results[0]!["peak RSS MB"];
    const routePeak = results[1]!["peak RSS MB"];
    console.log(
      `export of ${ROWS.toLocaleString()} rows: whole server peak RSS ${peak} MB (idle ${results[0]!["idle RSS MB"]} MB), ` +
        `export route alone ${routePeak} MB (target < 200 MB) ${Number(routePeak) < 200 ? "OK" : "MISSED"}`,
    );
    if (results.some((r) => r.rows !== ROWS)) {
      console.log("INCOMPLETE export");
      process.exitCode = 1;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
