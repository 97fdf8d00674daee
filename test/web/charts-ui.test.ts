/**
 * The analytics charts click through to the filtered table: a donut slice filters by account, a bar by parent
 * pool, a line point by the day it stands for. Each click changes the URL and the visible filter, and the
 * table then holds exactly the rows the API's `blocks(filter)` returns for that filter. Real server (SQLite:
 * two allocations are back-dated in the database file so the line has two days), real Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import type { Page } from "playwright-core";
import { ensureWebBuilt } from "../../scripts/build-web.js";
import { startTestServer, testBackend, type TestServer } from "../helpers/server.js";
import { axeSerious, chromiumAvailable, openSignedIn, type UiBrowser } from "../helpers/browser.js";

const OLD_DAY = "2026-01-15";

interface Point {
  label: string;
  x: number;
  y: number;
}

describe.skipIf(!chromiumAvailable || testBackend !== "sqlite")("analytics charts click through", () => {
  let s: TestServer;
  let ui: UiBrowser;
  let page: Page;
  const ids: Record<string, string> = {};

  async function createPool(name: string, cidr: string, parent?: string): Promise<string> {
    const r = await s.ok<{ createPool: { pool: { id: string } } }>(
      `mutation($n: String!, $c: CIDR!, $p: ID) { createPool(input: { name: $n, cidr: $c, parentId: $p }) { pool { id } } }`,
      { n: name, c: cidr, p: parent ?? null },
    );
    return r.createPool.pool.id;
  }
  async function allocate(pool: string, cidr: string, account: string, name: string): Promise<void> {
    await s.ok(
      `mutation($p: ID!, $c: CIDR!, $a: ID!, $n: String) { allocate(input: { poolId: $p, cidr: $c, accountId: $a, name: $n }) { allocation { id } } }`,
      { p: pool, c: cidr, a: account, n: name },
    );
  }

  /** The CIDRs the API's blocks(filter) returns, in the table's default (network) order. */
  async function apiRows(filter: Record<string, unknown>): Promise<string[]> {
    const r = await s.ok<{ blocks: { edges: { node: { cidr: string } }[] } }>(
      `query($f: AnalyticsFilter) { blocks(filter: $f, first: 100) { edges { node { cidr } } } }`,
      { f: filter },
    );
    return r.blocks.edges.map((e) => e.node.cidr);
  }
  const tableRows = () =>
    page.locator("tbody tr[data-cidr]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-cidr")));
  const filterChips = () => page.getByTestId("active-filters").locator("li > span").allTextContents();

  /** The drawn points of a chart (written by the chart as `data-points`), once it shows `n` of them. */
  async function points(testId: string, n: number): Promise<Point[]> {
    const canvas = page.getByTestId(testId);
    await expect
      .poll(async () => JSON.parse((await canvas.getAttribute("data-points")) ?? "[]").length, {
        timeout: 20_000,
      })
      .toBe(n);
    return JSON.parse((await canvas.getAttribute("data-points"))!) as Point[];
  }
  async function clickPoint(testId: string, n: number, label: string): Promise<void> {
    const p = (await points(testId, n)).find((q) => q.label === label);
    expect(p, `${testId} has a point "${label}"`).toBeDefined();
    await page.getByTestId(testId).click({ position: { x: p!.x, y: p!.y } });
  }
  async function clearFilters(): Promise<void> {
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expect.poll(() => new URL(page.url()).search).toBe("");
    await expect.poll(tableRows, { timeout: 15_000 }).toEqual(await apiRows({}));
  }

  beforeAll(async () => {
    await ensureWebBuilt({ quiet: true });
    s = await startTestServer();
    const account = async (key: string, name: string) =>
      (
        await s.ok<{ createAccount: { account: { id: string } } }>(
          `mutation($k: String!, $n: String!) { createAccount(input: { key: $k, name: $n }) { account { id } } }`,
          { k: key, n: name },
        )
      ).createAccount.account.id;
    ids.payments = await account("aws:111122223333", "payments");
    ids.search = await account("gcp:search-prod", "search");
    ids.corp = await createPool("corp", "10.0.0.0/8");
    ids.east = await createPool("east", "10.1.0.0/16", ids.corp);
    ids.west = await createPool("west", "10.2.0.0/16", ids.corp);
    await allocate(ids.east, "10.1.0.0/22", ids.payments, "pay-a");
    await allocate(ids.east, "10.1.4.0/22", ids.payments, "pay-b");
    await allocate(ids.east, "10.1.8.0/24", ids.search, "search-a");
    await allocate(ids.west, "10.2.0.0/20", ids.search, "search-b");
    await allocate(ids.west, "10.2.16.0/24", ids.payments, "pay-c");
    // Two allocations made on an earlier day (the API stamps creation time itself).
    const db = new Database(s.dbPath);
    try {
      db.prepare(
        `UPDATE prefixes SET created_at = ? WHERE kind = 'allocation' AND cidr IN ('10.1.4.0/22', '10.2.16.0/24')`,
      ).run(`${OLD_DAY}T09:30:00.000Z`);
    } finally {
      db.close();
    }
    ({ ui, page } = await openSignedIn(s.url, s.adminToken, "/analytics", "Analytics"));
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
    await s?.close();
  });

  it("draws the donut, bar and line from the seeded allocations", async () => {
    await expect.poll(tableRows, { timeout: 20_000 }).toEqual(await apiRows({}));
    expect((await points("chart-accounts", 2)).map((p) => p.label).sort()).toEqual(["payments", "search"]);
    expect((await points("chart-pools", 2)).map((p) => p.label).sort()).toEqual(["east", "west"]);
    const days = (await points("chart-time", 2)).map((p) => p.label);
    expect(days[0]).toBe(OLD_DAY);
    expect(await axeSerious(page, "analytics with charts")).toEqual([]);
  }, 60_000);

  it("a donut slice filters the table by that account", async () => {
    await clickPoint("chart-accounts", 2, "search");
    await expect.poll(() => new URL(page.url()).searchParams.get("account")).toBe(ids.search);
    expect(await page.getByRole("combobox", { name: "Account" }).inputValue()).toBe(ids.search);
    const expected = await apiRows({ accountIds: [ids.search] });
    expect(expected).toEqual(["10.1.8.0/24", "10.2.0.0/20"]);
    await expect.poll(tableRows, { timeout: 15_000 }).toEqual(expected);
    await expect.poll(() => page.getByTestId("analytics-total").textContent()).toBe("2 rows");
    // The charts follow the filter: only that account's slice is left.
    expect((await points("chart-accounts", 1)).map((p) => p.label)).toEqual(["search"]);
    await clearFilters();
  }, 60_000);

  it("a bar filters the table by that parent pool, shown as a removable filter", async () => {
    await clickPoint("chart-pools", 2, "west");
    await expect.poll(() => new URL(page.url()).searchParams.get("pool")).toBe(ids.west);
    await expect.poll(filterChips).toEqual(["Pool: west"]);
    const expected = await apiRows({ poolIds: [ids.west] });
    expect(expected).toEqual(["10.2.0.0/20", "10.2.16.0/24"]);
    await expect.poll(tableRows, { timeout: 15_000 }).toEqual(expected);
    // A second click-through narrows further: the donut now shows only west's accounts.
    await clickPoint("chart-accounts", 2, "payments");
    await expect.poll(() => new URL(page.url()).searchParams.get("account")).toBe(ids.payments);
    expect(new URL(page.url()).searchParams.get("pool")).toBe(ids.west);
    await expect.poll(tableRows, { timeout: 15_000 }).toEqual(["10.2.16.0/24"]);
    // Removing the pool filter keeps the account filter.
    await page.getByRole("button", { name: "Remove filter Pool: west" }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("pool")).toBe(null);
    expect(new URL(page.url()).searchParams.get("account")).toBe(ids.payments);
    await expect.poll(tableRows, { timeout: 15_000 }).toEqual(await apiRows({ accountIds: [ids.payments] }));
    await clearFilters();
  }, 60_000);

  it("a line point filters the table to the day it stands for", async () => {
    await clickPoint("chart-time", 2, OLD_DAY);
    await expect
      .poll(() => {
        const q = new URL(page.url()).searchParams;
        return [q.get("after"), q.get("before")];
      })
      .toEqual([`${OLD_DAY}T00:00:00.000Z`, "2026-01-16T00:00:00.000Z"]);
    await expect.poll(filterChips).toEqual([`Created: ${OLD_DAY}`]);
    const expected = await apiRows({
      createdAfter: `${OLD_DAY}T00:00:00.000Z`,
      createdBefore: "2026-01-16T00:00:00.000Z",
    });
    expect(expected).toEqual(["10.1.4.0/22", "10.2.16.0/24"]);
    await expect.poll(tableRows, { timeout: 15_000 }).toEqual(expected);
    await expect.poll(() => page.getByTestId("analytics-total").textContent()).toBe("2 rows");
    // Deep link: a reload of the filtered URL shows the same rows.
    await page.reload();
    await expect.poll(tableRows, { timeout: 20_000 }).toEqual(expected);
    await page.getByRole("button", { name: `Remove filter Created: ${OLD_DAY}` }).click();
    await expect.poll(() => new URL(page.url()).search).toBe("");
    await expect.poll(tableRows, { timeout: 15_000 }).toEqual(await apiRows({}));
  }, 60_000);

  it("asked no host but the server, and threw no page errors", () => {
    expect(ui.external).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  });
});
