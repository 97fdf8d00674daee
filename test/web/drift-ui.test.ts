/**
 * Drift in the browser against the real server and the loopback EC2 emulator: a cloud sync per account
 * with its progress, the drift it finds, adopt (into a pool the CIDR fits) and ignore, and drift found
 * later appearing live. Real server, real AWS SDK, real Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { ensureWebBuilt } from "../../scripts/build-web.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { useEmulators } from "../helpers/cloud.js";
import { startEc2Emulator, type Ec2Emulator, type EmuVpc } from "../emulators/ec2-emulator.js";
import { axeSerious, chromiumAvailable, openSignedIn, type UiBrowser } from "../helpers/browser.js";

describe.skipIf(!chromiumAvailable)("drift in the web UI", () => {
  let s: TestServer;
  let ec2: Ec2Emulator;
  let ui: UiBrowser;
  let page: Page;
  let vpc: EmuVpc;
  let accountId = "";
  let poolId = "";
  const row = (cidr: string) => page.locator(`tbody tr[data-cidr="${cidr}"]`);

  beforeAll(async () => {
    await ensureWebBuilt({ quiet: true });
    s = await startTestServer();
    // Each EC2 call takes a moment, so the sync's progress is there to be seen.
    ec2 = await startEc2Emulator({ latencyMs: 250 });
    useEmulators(s, { ec2 });
    vpc = ec2.addVpc({ region: "us-east-1", cidr: "10.70.0.0/20", tags: { Name: "shop" } });
    ec2.addSubnet({ vpcId: vpc.id, cidr: "10.70.1.0/24", tags: { Name: "shop-a" } });
    ec2.addSubnet({ vpcId: vpc.id, cidr: "10.70.2.0/24", tags: { Name: "shop-b" } });
    const account = await s.ok<{ createAccount: { account: { id: string } } }>(
      `mutation { createAccount(input: { key: "aws:333344445555", name: "cloud-acct", regions: ["us-east-1"] }) { account { id } } }`,
    );
    accountId = account.createAccount.account.id;
    const corp = await s.ok<{ createPool: { pool: { id: string } } }>(
      `mutation { createPool(input: { name: "corp", cidr: "10.0.0.0/8" }) { pool { id } } }`,
    );
    const pool = await s.ok<{ createPool: { pool: { id: string } } }>(
      `mutation($p: ID!) { createPool(input: { name: "cloud-root", cidr: "10.70.0.0/16", parentId: $p }) { pool { id } } }`,
      { p: corp.createPool.pool.id },
    );
    poolId = pool.createPool.pool.id;
    ({ ui, page } = await openSignedIn(s.url, s.adminToken, "/drift", "Drift"));
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
    await ec2?.close();
    await s?.close();
  });

  it("syncs an account with visible per-region progress and lists the unmanaged VPC and subnets", async () => {
    // The heading renders before the drift query answers: wait for the empty state, do not count it at once.
    await page.getByText("No open drift.").waitFor({ timeout: 20_000 });
    expect(await page.locator("tbody tr").count()).toBe(0);
    const sawProgress = page.waitForFunction(
      () =>
        /Syncing cloud-acct/.test(document.querySelector('[data-testid="sync-progress"]')?.textContent ?? ""),
      null,
      { timeout: 10_000, polling: 20 },
    );
    await page.getByRole("button", { name: "Sync cloud-acct" }).click();
    await sawProgress;
    await expect
      .poll(() => page.getByTestId("sync-result").textContent(), { timeout: 20_000 })
      .toMatch(/Synced cloud-acct: 3 resources, 3 new drift, 0 resolved, 3 open; us-east-1 ok/);
    expect(await page.getByTestId("sync-progress").count()).toBe(0);
    await row("10.70.1.0/24").waitFor();
    expect(await page.locator("tbody tr").count()).toBe(3);
    expect(await row("10.70.0.0/20").getAttribute("data-kind")).toBe("UNMANAGED");
    expect(await row("10.70.2.0/24").textContent()).toContain("shop-b");
    expect(await axeSerious(page, "drift with items")).toEqual([]);
  }, 60_000);

  it("adopts an unmanaged subnet into the innermost pool that holds it, and the drift leaves the list", async () => {
    await row("10.70.1.0/24").getByRole("button", { name: "Adopt" }).click();
    const dialog = page.getByRole("dialog", { name: "Adopt resource" });
    const select = dialog.getByLabel("Pool");
    await expect.poll(() => select.inputValue(), { timeout: 10_000 }).toBe(poolId);
    expect(await select.locator("option").allTextContents()).toEqual([
      "cloud-root (10.70.0.0/16)",
      "corp (10.0.0.0/8)",
    ]);
    expect(await axeSerious(page, "adopt dialog")).toEqual([]);
    await dialog.getByRole("button", { name: "Adopt" }).click();
    await dialog.waitFor({ state: "detached" });
    await row("10.70.1.0/24").waitFor({ state: "detached", timeout: 10_000 });
    expect(await page.locator("tbody tr").count()).toBe(2);

    const allocations = await s.ok<{
      pool: { allocations: { edges: { node: { cidr: string; account: { id: string } | null } }[] } };
    }>(
      `query($id: ID!) { pool(id: $id) { allocations(first: 10) { edges { node { cidr account { id } } } } } }`,
      {
        id: poolId,
      },
    );
    expect(allocations.pool.allocations.edges.map((e) => e.node)).toEqual([
      { cidr: "10.70.1.0/24", account: { id: accountId } },
    ]);
  }, 60_000);

  it("ignores a drift item, which then shows under the ignored filter (in the URL)", async () => {
    await row("10.70.2.0/24").getByRole("button", { name: "Ignore" }).click();
    await row("10.70.2.0/24").waitFor({ state: "detached", timeout: 10_000 });
    await page.getByLabel("Status").selectOption("IGNORED");
    expect(new URL(page.url()).searchParams.get("status")).toBe("IGNORED");
    await row("10.70.2.0/24").waitFor({ timeout: 10_000 });
    expect(await page.locator("tbody tr").count()).toBe(1);
    expect(await row("10.70.2.0/24").getByRole("button").count()).toBe(0);
    await page.getByLabel("Status").selectOption("OPEN");
    await expect.poll(() => page.locator("tbody tr").count(), { timeout: 10_000 }).toBe(1);
  }, 60_000);

  it("shows drift found by a sync elsewhere live, without reload", async () => {
    ec2.addSubnet({ vpcId: vpc.id, cidr: "10.70.3.0/24", tags: { Name: "shop-c" } });
    await s.ok(`mutation($id: ID!) { syncAccount(input: { accountId: $id }) { driftDetected } }`, {
      id: accountId,
    });
    await row("10.70.3.0/24").waitFor({ timeout: 15_000 });
    expect(await page.locator("tbody tr").count()).toBe(2);
  }, 60_000);

  it("asked no host but the server, and threw no page errors", () => {
    expect(ui.external).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  });
});
