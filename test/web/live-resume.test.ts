/**
 * Live updates survive a dropped connection: the page's subscription resumes from the last event cursor
 * it saw, so what changed while it was offline appears on reconnect exactly once, and the page says it is
 * reconnecting meanwhile. The browser reaches the server through a TCP proxy the test can cut; the test
 * changes data directly on the server while the page is offline. Real server, real Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import type { Page } from "playwright-core";
import { ensureWebBuilt } from "../../scripts/build-web.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";
import { chromiumAvailable, launchUiBrowser, signIn, type UiBrowser } from "../helpers/browser.js";

describe.skipIf(!chromiumAvailable)("live updates across a dropped connection", () => {
  let s: TestServer;
  let restarted: TestServer | null = null;
  let proxy: TcpProxy;
  let ui: UiBrowser;
  let page: Page;
  let poolId = "";
  let accountId = "";
  const token = () => s.adminToken;
  const current = () => restarted ?? s;

  async function allocate(cidr: string, name: string): Promise<string> {
    const r = await current().ok<{ allocate: { allocation: { id: string } } }>(
      `mutation($i: AllocateInput!) { allocate(input: $i) { allocation { id } } }`,
      { i: { poolId, accountId, cidr, name } },
      token(),
    );
    return r.allocate.allocation.id;
  }
  async function release(id: string) {
    await current().ok(
      `mutation($i: ReleaseAllocationInput!) { releaseAllocation(input: $i) { allocation { id } } }`,
      { i: { id } },
      token(),
    );
  }
  const feed = () => page.getByTestId("live-activity").locator("li");
  const feedTexts = async () =>
    (await feed().allTextContents()).map((t) => t.replace(/^\d\d:\d\d:\d\d /, ""));
  const linkState = () => page.getByTestId("link-state").textContent();
  /** Resolves once the page has shown "Reconnecting…" (polled fast: the state may be brief). */
  const seesReconnecting = () =>
    page.waitForFunction(
      () =>
        document.querySelector('[data-testid="link-state"]')?.textContent === "Reconnecting…" &&
        document.querySelector('[data-testid="live-reconnecting"]') !== null,
      null,
      { timeout: 15_000, polling: 20 },
    );

  beforeAll(async () => {
    await ensureWebBuilt({ quiet: true });
    s = await startTestServer();
    const pool = await s.ok<{ createPool: { pool: { id: string } } }>(
      `mutation { createPool(input: { name: "live-pool", cidr: "10.50.0.0/16" }) { pool { id } } }`,
    );
    poolId = pool.createPool.pool.id;
    const account = await s.ok<{ createAccount: { account: { id: string } } }>(
      `mutation { createAccount(input: { key: "aws:222233334444", name: "live-acct" }) { account { id } } }`,
    );
    accountId = account.createAccount.account.id;
    proxy = await startTcpProxy(s.app.port);
    ui = await launchUiBrowser(proxy.url);
    page = await ui.open(`/pools/${encodeURIComponent(poolId)}`);
    await signIn(page, s.adminToken);
    await page.getByRole("heading", { level: 1, name: /live-pool/ }).waitFor();
    await page.getByTestId("link-state").getByText("Live", { exact: true }).waitFor({ timeout: 15_000 });
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
    await proxy?.close();
    if (restarted) {
      await restarted.close();
      rmSync(s.dir, { recursive: true, force: true });
    } else await s?.close();
  });

  it("shows what was allocated and released while the network was cut, each once, after reconnecting", async () => {
    const first = await allocate("10.50.1.0/24", "before-cut");
    await expect.poll(feedTexts, { timeout: 10_000 }).toEqual(["created 10.50.1.0/24 (before-cut)"]);

    const reconnecting = seesReconnecting();
    proxy.cut();
    await reconnecting;
    // Committed while the page cannot hear: live delivery is impossible, only a resume brings them.
    await allocate("10.50.2.0/24", "offline-1");
    await allocate("10.50.3.0/24", "offline-2");
    await release(first);
    expect(await linkState()).toBe("Reconnecting…");
    proxy.restore();

    await expect.poll(linkState, { timeout: 20_000 }).toBe("Live");
    await expect
      .poll(feedTexts, { timeout: 15_000 })
      .toEqual([
        "released 10.50.1.0/24 (before-cut)",
        "created 10.50.3.0/24 (offline-2)",
        "created 10.50.2.0/24 (offline-1)",
        "created 10.50.1.0/24 (before-cut)",
      ]);
    const bar = page.getByTestId("ip-space-bar");
    await bar.locator('rect[data-cidr="10.50.3.0/24"]').waitFor({ timeout: 10_000 });
    await bar.locator('rect[data-cidr="10.50.2.0/24"]').waitFor();
    expect(await bar.locator('rect[data-cidr="10.50.1.0/24"]').count()).toBe(0);

    // And live again: the next change arrives once, on top, with no replay of the old ones.
    await allocate("10.50.4.0/24", "after-cut");
    await expect.poll(() => feed().count(), { timeout: 10_000 }).toBe(5);
    expect((await feedTexts())[0]).toBe("created 10.50.4.0/24 (after-cut)");
    const cursors = await feed().evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-cursor"))));
    expect(new Set(cursors).size).toBe(cursors.length);
    expect(cursors).toEqual([...cursors].sort((a, b) => b - a));
  }, 90_000);

  it("resumes from the event log when the server itself restarted meanwhile", async () => {
    const before = await feed().count();
    const reconnecting = seesReconnecting();
    proxy.cut();
    await s.app.close();
    await reconnecting;
    // A new server process on the same database; its event hub knows nothing of the old subscriptions.
    restarted = await startTestServer({ SQLITE_DSN: s.dbPath });
    await allocate("10.50.5.0/24", "during-restart");
    proxy.retarget(restarted.app.port);
    proxy.restore();

    await expect.poll(linkState, { timeout: 20_000 }).toBe("Live");
    await expect.poll(() => feed().count(), { timeout: 15_000 }).toBe(before + 1);
    expect((await feedTexts())[0]).toBe("created 10.50.5.0/24 (during-restart)");
    await page
      .getByTestId("ip-space-bar")
      .locator('rect[data-cidr="10.50.5.0/24"]')
      .waitFor({ timeout: 10_000 });
  }, 90_000);

  it("asked no host but the server, and threw no page errors", () => {
    expect(ui.external).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  });
});
