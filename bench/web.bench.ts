/**
 * The web UI: (1) the shell's initial JavaScript, gzip (target < 300 KB; Chart.js must be a lazy chunk), and
 * (2) a pool page for a /8 holding 100,000 allocations in Debian's Chromium against the real server: time from
 * navigation to an interactive page (heading and Allocate button) and to a drawn IP-space bar (item rects and
 * the occupancy strip). The bar draws from bounded queries (at most 200 allocations + 256 strip blocks), never
 * all 100,000 rows. Run with `npm run bench -- web`.
 */
import "reflect-metadata";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { blockSize, makePrefix, parsePrefix, type Prefix } from "../src/allocator/index.js";
import { loadConfig } from "../src/config.js";
import { insertPrefix, rangeColumns } from "../src/db/prefixes.js";
import { accounts } from "../src/db/schema.js";
import type { Db } from "../src/db/store.js";
import { seedPool } from "../src/domain/placement.js";
import { createLogger } from "../src/logger.js";
import { toGlobalId } from "../src/schema/node.js";
import { startApp } from "../src/server/app.js";
import { WEB_DIST } from "../src/server/web.js";
import { ensureWebBuilt } from "../scripts/build-web.js";
import { CHROMIUM, launchUiBrowser } from "../test/helpers/browser.js";

await ensureWebBuilt({ quiet: true });

// 1. Initial JavaScript of the shell: every script index.html loads or preloads.
const html = readFileSync(join(WEB_DIST, "index.html"), "utf8");
const initial = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
const gz = (f: string) => gzipSync(readFileSync(join(WEB_DIST, f))).length;
const initialGzip = initial.reduce((s, f) => s + gz(f), 0);
const lazy = html.includes("AnalyticsCharts") ? "in the shell (BAD)" : "a lazy chunk of the analytics page";
console.log(
  `initial JS (gzip): ${(initialGzip / 1024).toFixed(1)} KB in ${initial.length} file(s); target < 300 KB -> ${initialGzip < 300 * 1024 ? "OK" : "OVER"}`,
);
console.log(`charts chunk: ${lazy}`);

if (!existsSync(CHROMIUM)) {
  console.log(`no Chromium at ${CHROMIUM}: skipping the page timing`);
  process.exit(0);
}

// 2. A /8 with 100,000 /28 allocations (seeded in SQL like bench/plans.bench.ts, then the free-block index).
const dir = mkdtempSync(join(tmpdir(), "cloudpam-bench-web-"));
const app = await startApp(
  loadConfig(
    {
      ADDR: "127.0.0.1:0",
      SQLITE_DSN: join(dir, "bench.db"),
      AUTH: "off",
      LOG_LEVEL: "silent",
      RATE_LIMIT_PER_SECOND: "1000000",
      RATE_LIMIT_BURST: "1000000",
    },
    {},
  ),
  { logger: createLogger("silent") },
);
const N = 100_000;
const t0 = performance.now();
const poolId = await app.services.store.write(async (db: Db) => {
  const account = db
    .insert(accounts)
    .values({ key: "aws:000000000001", provider: "AWS", name: "bench", tier: "PRD" })
    .returning()
    .get().id;
  const parent = parsePrefix("10.0.0.0/8");
  const pool = await insertPrefix(db, {
    kind: "pool",
    scopeId: 1,
    status: "ACTIVE",
    name: "bench-slash8",
    ...rangeColumns(parent),
  });
  const size = blockSize(parent.family, 28);
  const now = new Date().toISOString();
  const insert = db.$client.prepare(
    `INSERT INTO prefixes (kind, scope_id, parent_id, family, prefix_len, cidr, range_start, range_end, name, status, account_id, created_at)
     VALUES ('allocation', 1, @parentId, @family, @prefixLen, @cidr, @rangeStart, @rangeEnd, @name, 'ALLOCATED', @account, @now)`,
  );
  for (let i = 0; i < N; i++) {
    const p: Prefix = makePrefix(parent.family, parent.start + BigInt(i) * size, 28);
    insert.run({ parentId: pool.id, account, name: `seed-${i}`, now, ...rangeColumns(p) });
  }
  await seedPool(db, pool);
  return pool.id;
});
console.log(
  `seeded ${N.toLocaleString("en-US")} allocations in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

const ui = await launchUiBrowser(app.url, { viewport: { width: 1280, height: 900 } });
try {
  const page = await ui.open("/");
  // AUTH=off: the server answers the anonymous ADMIN, so the shell opens without a sign-in page.
  await page.getByTestId("role").waitFor({ timeout: 60_000 });
  const url = `${app.url}/pools/${encodeURIComponent(toGlobalId("Pool", poolId))}`;
  const interactive: number[] = [];
  const drawn: number[] = [];
  for (let i = 0; i < 6; i++) {
    const start = performance.now();
    await page.goto(url);
    await page.getByRole("button", { name: "Allocate", exact: true }).waitFor();
    const ti = performance.now() - start;
    await page.locator('[data-testid="ip-space-bar"] rect[data-kind="allocation"]').first().waitFor();
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-testid="ip-space-bar"] rect[data-kind="allocation"]').length >= 200,
    );
    const td = performance.now() - start;
    if (i > 0) {
      interactive.push(ti);
      drawn.push(td);
    }
    if (i === 5) {
      const rects = await page.locator('[data-testid="ip-space-bar"] rect').count();
      console.log(`bar: ${rects} rects drawn (200 allocations + strip cells + backgrounds)`);
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `/8 pool page with ${N.toLocaleString("en-US")} allocations: time to interactive median ${med(interactive).toFixed(0)} ms, to drawn IP-space bar median ${med(drawn).toFixed(0)} ms (5 runs after a warm-up)`,
  );
} finally {
  await ui.close();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
