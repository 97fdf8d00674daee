/**
 * The web UI end to end: the real server, the built UI, Debian's Chromium through playwright-core.
 * (playwright's launch gives each run a fresh, temporary profile.)
 * Every request to another host is blocked and recorded: the page must need none.
 * Skipped locally without /usr/bin/chromium, never in CI (.ci/run installs it).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { ensureWebBuilt } from "../../scripts/build-web.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import {
  axeSerious as axeScan,
  chromiumAvailable,
  launchUiBrowser,
  signIn as signInWith,
  type UiBrowser,
} from "../helpers/browser.js";

const ARTIFACTS = ".ci/artifacts";

describe.skipIf(!chromiumAvailable)("the web UI in a browser", () => {
  let s: TestServer;
  let ui: UiBrowser;
  let rootPoolId = "";

  beforeAll(async () => {
    await ensureWebBuilt({ quiet: true });
    s = await startTestServer();
    const created = await s.ok<{ createPool: { pool: { id: string } } }>(
      `mutation { createPool(input: { name: "corp-root", cidr: "10.0.0.0/8" }) { pool { id } } }`,
    );
    rootPoolId = created.createPool.pool.id;
    await s.ok(
      `mutation { createAccount(input: { key: "aws:111122223333", name: "payments-prod", tier: PRD }) { account { id } } }`,
    );
    await s.ok(
      `mutation($p: ID!) { createPool(input: { name: "prod-use1", cidr: "10.1.0.0/16", parentId: $p }) { pool { id } } }`,
      { p: rootPoolId },
    );
    ui = await launchUiBrowser(s.url);
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
    await s?.close();
  });

  const open = (path: string): Promise<Page> => ui.open(path);
  const signIn = (page: Page, token = s.adminToken) => signInWith(page, token);

  it("signs in with a pasted token, shows the role, and lists the pools tree per scope", async () => {
    const page = await open("/");
    await signIn(page);
    expect(await page.getByTestId("role").textContent()).toBe("ADMIN");
    const tree = page.getByRole("tree", { name: /Pools in default/i });
    await tree.getByRole("link", { name: "corp-root" }).waitFor();
    await expect
      .poll(() => tree.getByRole("link", { name: "prod-use1" }).count(), { timeout: 10_000 })
      .toBe(1);
    // The token is kept in this tab's sessionStorage, never in the URL or localStorage.
    expect(page.url()).not.toContain("cpam_");
    expect(await page.evaluate(() => sessionStorage.getItem("cloudpam.token"))).toBe(s.adminToken);
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain("cpam_");
    await expect.poll(() => page.getByTestId("link-state").textContent(), { timeout: 10_000 }).toBe("Live");
    await page.close();
  }, 90_000);

  it("shows a viewer token's role and disables admin actions with the reason", async () => {
    const page = await open("/");
    await signIn(page, await s.tokenFor("VIEWER"));
    expect(await page.getByTestId("role").textContent()).toBe("VIEWER");
    const button = page.getByRole("button", { name: "New pool" });
    expect(await button.isDisabled()).toBe(true);
    expect(await button.getAttribute("title")).toMatch(/ADMIN/);
    await page.close();
  }, 60_000);

  it("tells an operator and an auditor token apart", async () => {
    for (const role of ["OPERATOR", "AUDITOR"] as const) {
      const page = await open("/");
      await signIn(page, await s.tokenFor(role));
      expect(await page.getByTestId("role").textContent()).toBe(role);
      await page.close();
    }
  }, 60_000);

  it("refuses a bad token with the server's message", async () => {
    const page = await open("/");
    await page.getByLabel("API token").fill("cpam_not-a-real-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect
      .poll(() => page.getByRole("alert").textContent(), { timeout: 10_000 })
      .toMatch(/invalid API token/);
    await page.close();
  }, 60_000);

  it("loads a deep link to a pool page directly", async () => {
    const page = await open(`/pools/${encodeURIComponent(rootPoolId)}`);
    await signIn(page);
    await page.getByRole("heading", { name: /corp-root/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/pools/${encodeURIComponent(rootPoolId)}`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toContain("10.0.0.0/8");
    await page.close();
  }, 60_000);

  it("finds which pool holds an address", async () => {
    const page = await open("/?q=10.1.2.3");
    await signIn(page);
    const chain = page.getByRole("region", { name: "Address lookup" });
    await chain.getByRole("link", { name: "prod-use1" }).waitFor();
    expect(await chain.getByRole("link", { name: "corp-root" }).count()).toBe(1);
    await page.close();
  }, 60_000);

  it("creates a scope and pool, allocates a /22 seen in the bar, the table and live in a second page, and releases it", async () => {
    const page = await open("/");
    await signIn(page);
    await page.getByRole("button", { name: "New pool" }).click();
    const dialog = page.getByRole("dialog", { name: "New pool" });
    await dialog.getByLabel("Scope").selectOption({ label: "New scope…" });
    await dialog.getByLabel("New scope name").fill("e2e-scope");
    await dialog.getByLabel("Name", { exact: true }).fill("e2e-pool");
    await dialog.getByLabel("CIDR").fill("10.20.0.0/16");
    await dialog.getByRole("button", { name: "Create pool" }).click();
    await page.getByRole("heading", { level: 1, name: /e2e-pool/ }).waitFor();
    const poolPath = new URL(page.url()).pathname;

    // A second page on the same pool, open before the allocation.
    const watcher = await open(poolPath);
    await signIn(watcher);
    await watcher.getByRole("heading", { level: 1, name: /e2e-pool/ }).waitFor();
    await expect
      .poll(() => watcher.getByTestId("link-state").textContent(), { timeout: 10_000 })
      .toBe("Live");

    // A bad CIDR: the server's message beside the field.
    await page.getByRole("button", { name: "Allocate", exact: true }).click();
    const form = page.getByRole("dialog", { name: /Allocate from e2e-pool/ });
    await form.getByLabel("a specific CIDR").check();
    await form.getByLabel("CIDR", { exact: true }).fill("10.20.0/22");
    const fieldError = form.locator('[data-field="cidr"]');
    await expect.poll(() => fieldError.textContent(), { timeout: 10_000 }).toMatch(/not a valid CIDR/);
    expect(await form.getByLabel("CIDR", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    await form.getByLabel("CIDR", { exact: true }).fill("192.168.0.0/22");
    await expect
      .poll(() => fieldError.textContent(), { timeout: 10_000 })
      .toMatch(/outside 10\.20\.0\.0\/16/);

    // Next free /22, previewed live, then allocated.
    await form.getByLabel("next free of a prefix length").check();
    await form.getByLabel("Prefix length", { exact: true }).fill("22");
    await expect
      .poll(() => form.getByTestId("allocation-preview").textContent(), { timeout: 10_000 })
      .toContain("Would allocate 10.20.0.0/22");
    await form.getByRole("button", { name: "Allocate" }).click();
    await form.waitFor({ state: "detached" });

    const bar = page.getByTestId("ip-space-bar");
    await bar.locator('rect[data-cidr="10.20.0.0/22"][data-kind="allocation"]').waitFor({ timeout: 10_000 });
    await watcher
      .getByTestId("ip-space-bar")
      .locator('rect[data-cidr="10.20.0.0/22"]')
      .waitFor({ timeout: 10_000 });

    await page.getByLabel("Block prefix length").fill("22");
    const row = page.locator('tr[data-cidr="10.20.0.0/22"]');
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toMatch(/used.*allocation/);
    await expect.poll(() => page.getByTestId("blocks-total").textContent()).toContain("64 blocks of /22");
    expect(new URL(page.url()).searchParams.get("len")).toBe("22");

    // Release, after a confirmation that names what goes.
    await row.getByRole("button", { name: "Release" }).click();
    const confirm = page.getByRole("dialog", { name: "Release 10.20.0.0/22?" });
    expect(await confirm.textContent()).toContain("e2e-pool");
    await confirm.getByRole("button", { name: "Release 10.20.0.0/22" }).click();
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toMatch(/free/);
    await watcher
      .getByTestId("ip-space-bar")
      .locator('rect[data-cidr="10.20.0.0/22"]')
      .waitFor({ state: "detached", timeout: 10_000 });
    await page.close();
    await watcher.close();
  }, 120_000);

  it("creates an account with per-field errors, filters accounts, and exports a filtered CSV from analytics", async () => {
    const page = await open("/accounts");
    await signIn(page);
    await page.getByRole("button", { name: "New account" }).click();
    const form = page.getByRole("dialog", { name: "New account" });
    await form.getByLabel("Key").fill("nonsense");
    await form.getByLabel("Name", { exact: true }).fill("analytics-dev");
    await form.getByRole("button", { name: "Create account" }).click();
    await expect
      .poll(() => form.locator('[data-field="key"]').textContent(), { timeout: 10_000 })
      .toBeTruthy();
    await form.getByLabel("Key").fill("gcp:analytics-dev");
    await form.getByLabel("Tier").selectOption("DEV");
    await form.getByRole("button", { name: "Create account" }).click();
    await form.waitFor({ state: "detached" });
    await page.locator('tr[data-key="gcp:analytics-dev"]').waitFor();
    await page.getByLabel("Tier").selectOption("DEV");
    await expect.poll(() => page.locator("tbody tr").count(), { timeout: 10_000 }).toBe(1);
    expect(new URL(page.url()).searchParams.get("tier")).toBe("DEV");

    // Two allocations for two accounts; the analytics table and CSV keep the tier filter.
    const ids = await s.ok<{
      accounts: { edges: { node: { id: string; key: string } }[] };
      pools: { edges: { node: { id: string } }[] };
    }>(
      `{ accounts(first: 10) { edges { node { id key } } } pools(first: 1, filter: { equals: "10.1.0.0/16" }) { edges { node { id } } } }`,
    );
    const acc = (k: string) => ids.accounts.edges.find((e) => e.node.key === k)!.node.id;
    const poolId = ids.pools.edges[0]!.node.id;
    for (const [key, name] of [
      ["gcp:analytics-dev", "dev-net"],
      ["aws:111122223333", "prod-net"],
    ] as const)
      await s.ok(`mutation($i: AllocateInput!) { allocate(input: $i) { allocation { id } } }`, {
        i: { poolId, accountId: acc(key), prefixLength: 24, name },
      });
    await page.getByRole("link", { name: "Analytics" }).click();
    await page.getByRole("heading", { name: "Analytics" }).waitFor();
    await page.getByTestId("chart-accounts").waitFor();
    await page.getByLabel("Tier").selectOption("DEV");
    await expect
      .poll(() => page.getByTestId("analytics-total").textContent(), { timeout: 10_000 })
      .toBe("1 row");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: /Export CSV/ }).click(),
    ]);
    const csv = readFileSync((await download.path())!, "utf8")
      .trim()
      .split("\n");
    expect(csv.length).toBe(2);
    expect(csv[1]).toContain("dev-net");
    expect(csv.join("\n")).not.toContain("prod-net");
    await page.close();
  }, 120_000);

  it("passes an axe scan of every page with no serious or critical violations, light and dark, and writes screenshots", async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const pages: [string, string][] = [
      ["signin", "/signin"],
      ["pools", "/"],
      ["pool", `/pools/${encodeURIComponent(rootPoolId)}`],
      ["accounts", "/accounts"],
      ["analytics", "/analytics"],
      ["drift", "/drift"],
      ["plan", `/pools/${encodeURIComponent(rootPoolId)}/plan`],
    ];
    const failures: string[] = [];
    for (const theme of ["light", "dark"] as const) {
      const page = await open("/");
      await page.evaluate((t) => localStorage.setItem("cloudpam.theme", t), theme);
      await page.reload();
      await signIn(page);
      for (const [name, path] of pages) {
        if (name === "signin") {
          const anon = await ui.context.newPage();
          await anon.goto(`${s.url}/`);
          await anon.evaluate((t) => localStorage.setItem("cloudpam.theme", t), theme);
          await anon.reload();
          await anon.getByLabel("API token").waitFor();
          failures.push(...(await axeScan(anon, `${name}/${theme}`)));
          await anon.screenshot({ path: `${ARTIFACTS}/${name}-${theme}.png`, fullPage: true });
          await anon.close();
          continue;
        }
        await page.evaluate((p) => {
          history.pushState(null, "", p);
          dispatchEvent(new PopStateEvent("popstate"));
        }, path);
        await page.getByRole("heading", { level: 1 }).waitFor();
        await page.waitForLoadState("networkidle");
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
        failures.push(...(await axeScan(page, `${name}/${theme}`)));
        await page.screenshot({ path: `${ARTIFACTS}/${name}-${theme}.png`, fullPage: true });
      }
      await page.close();
    }
    expect(failures).toEqual([]);
    expect(existsSync(`${ARTIFACTS}/pool-dark.png`)).toBe(true);
  }, 180_000);

  it("shows Reconnecting… when the WebSocket drops, and after it is back shows what changed meanwhile", async () => {
    const page = await open(`/pools/${encodeURIComponent(rootPoolId)}`);
    await signIn(page);
    await page.getByRole("heading", { level: 1, name: /corp-root/ }).waitFor();
    await expect.poll(() => page.getByTestId("link-state").textContent(), { timeout: 10_000 }).toBe("Live");
    const account = await s.ok<{ accounts: { edges: { node: { id: string } }[] } }>(
      `{ accounts(first: 1) { edges { node { id } } } }`,
    );
    const sawReconnecting = page.waitForFunction(
      () => document.querySelector('[data-testid="link-state"]')?.textContent === "Reconnecting…",
      null,
      { timeout: 10_000, polling: 20 },
    );
    for (const c of s.app.ws.connections) c.socket.terminate();
    // Changed while the page is offline: no live event reaches it.
    await s.ok(`mutation($i: AllocateInput!) { allocate(input: $i) { allocation { id } } }`, {
      i: {
        poolId: rootPoolId,
        accountId: account.accounts.edges[0]!.node.id,
        cidr: "10.200.0.0/16",
        name: "while-offline",
      },
    });
    await sawReconnecting;
    await expect.poll(() => page.getByTestId("link-state").textContent(), { timeout: 15_000 }).toBe("Live");
    await page
      .getByTestId("ip-space-bar")
      .locator('rect[data-cidr="10.200.0.0/16"]')
      .waitFor({ timeout: 10_000 });
    await page.close();
  }, 60_000);

  it("draws an IPv6 pool's bar and splits it into /64 blocks", async () => {
    const v6 = await s.ok<{ createPool: { pool: { id: string } } }>(
      `mutation { createPool(input: { name: "v6-pool", cidr: "2001:db8::/48" }) { pool { id } } }`,
    );
    const account = await s.ok<{ accounts: { edges: { node: { id: string } }[] } }>(
      `{ accounts(first: 1) { edges { node { id } } } }`,
    );
    await s.ok(`mutation($i: AllocateInput!) { allocate(input: $i) { allocation { id } } }`, {
      i: {
        poolId: v6.createPool.pool.id,
        accountId: account.accounts.edges[0]!.node.id,
        cidr: "2001:db8:0:2::/64",
      },
    });
    const page = await open(`/pools/${encodeURIComponent(v6.createPool.pool.id)}?len=64&status=USED`);
    await signIn(page);
    await page.getByTestId("ip-space-bar").locator('rect[data-cidr="2001:db8:0:2::/64"]').waitFor();
    // Linear scale: a /64 in a /48 is 1/65536 of the bar, drawn at its minimum width; log scale makes it wider.
    const width = () =>
      page.getByTestId("ip-space-bar").locator('rect[data-cidr="2001:db8:0:2::/64"]').getAttribute("width");
    const linear = Number(await width());
    await page.getByLabel(/Log scale/).check();
    await expect.poll(async () => Number(await width())).toBeGreaterThan(linear * 10);
    await expect.poll(() => page.getByTestId("blocks-total").textContent()).toContain("1 block of /64");
    expect(await page.locator("tbody tr").first().getAttribute("data-cidr")).toBe("2001:db8:0:2::/64");
    await page.close();
  }, 60_000);

  it("asked no host but the server, and threw no page errors", () => {
    expect(ui.external).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  });
});
