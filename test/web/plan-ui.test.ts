/**
 * The plan preview page in a browser against the real server: a 2-level template under a pool is previewed
 * live (`previewPlan`) as the proposed tree and one IP-space bar per level, applied with a confirmation that
 * names how many pools it creates, and the pools then stand in the tree. The same plan again conflicts (the
 * names are taken): its conflicts are listed with the pool they clash with and Apply is disabled. A server
 * validation error shows beside the field it names; a viewer may preview but not apply.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { ensureWebBuilt } from "../../scripts/build-web.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { axeSerious, chromiumAvailable, openSignedIn, signIn, type UiBrowser } from "../helpers/browser.js";

const ARTIFACTS = ".ci/artifacts";

interface ApiNode {
  path: string;
  cidr: string | null;
  level: number;
}

describe.skipIf(!chromiumAvailable)("plan preview page", () => {
  let s: TestServer;
  let ui: UiBrowser;
  let page: Page;
  let rootId = "";
  let planUrl = "";
  const plan = {
    levels: [
      { namePattern: "{key}", keys: ["use1", "euw1"], prefixLength: 12 },
      { namePattern: "{parent}-{key}", keys: ["dev", "prd"], prefixLength: 14 },
    ],
  };

  const level = (n: number) => page.getByRole("group", { name: `Level ${n}` });
  const proposedOnBar = (n: number) =>
    page.getByTestId(`plan-bar-${n}`).locator('rect[data-kind="proposed"]');
  const treeNodes = () =>
    page
      .getByRole("tree", { name: "Proposed tree" })
      .locator("li[data-path]")
      .evaluateAll((els) => els.map((e) => `${e.getAttribute("data-path")} ${e.getAttribute("data-cidr")}`));

  async function apiPreview(): Promise<{ nodes: ApiNode[]; poolCount: number; applicable: boolean }> {
    const r = await s.ok<{ previewPlan: { nodes: ApiNode[]; poolCount: number; applicable: boolean } }>(
      `query($i: PlanInput!) { previewPlan(input: $i) { poolCount applicable nodes { path cidr level } } }`,
      { i: { rootPoolId: rootId, ...plan } },
    );
    return r.previewPlan;
  }

  beforeAll(async () => {
    await ensureWebBuilt({ quiet: true });
    s = await startTestServer();
    const root = await s.ok<{ createPool: { pool: { id: string } } }>(
      `mutation { createPool(input: { name: "corp", cidr: "10.0.0.0/8" }) { pool { id } } }`,
    );
    rootId = root.createPool.pool.id;
    await s.ok(
      `mutation($p: ID!) { createPool(input: { name: "legacy", cidr: "10.0.0.0/12", parentId: $p }) { pool { id } } }`,
      { p: rootId },
    );
    ({ ui, page } = await openSignedIn(s.url, s.adminToken, `/pools/${encodeURIComponent(rootId)}`, /corp/));
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
    await s?.close();
  });

  it("opens from the pool page, and shows a server validation error beside the field it names", async () => {
    await page.getByRole("link", { name: "Design a plan" }).click();
    await page.getByRole("heading", { level: 1, name: /Design a plan under corp/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/pools/${encodeURIComponent(rootId)}/plan`);
    await level(1).getByLabel("Keys", { exact: true }).fill("use1, euw1");
    await level(1).getByLabel("Prefix length", { exact: true }).fill("6");
    const error = level(1).locator('[data-field="levels[0].prefixLength"]');
    await expect.poll(() => error.textContent(), { timeout: 15_000 }).toMatch(/does not fit inside a \/8/);
    expect(await page.getByRole("button", { name: "Apply plan" }).isDisabled()).toBe(true);
  }, 60_000);

  it("previews a 2-level plan live: the proposed tree, each level's pools on the bar, the utilisation it leaves", async () => {
    await level(1).getByLabel("Name pattern", { exact: true }).fill("{key}");
    await level(1).getByLabel("Prefix length", { exact: true }).fill("12");
    await page.getByRole("button", { name: "Add level" }).click();
    expect(await level(2).getByLabel("Prefix length", { exact: true }).inputValue()).toBe("14");
    await level(2).getByLabel("Keys", { exact: true }).fill("dev, prd");

    const expected = await apiPreview();
    expect(expected.poolCount).toBe(6);
    await expect.poll(() => proposedOnBar(1).count(), { timeout: 15_000 }).toBe(2);
    await expect.poll(() => proposedOnBar(2).count()).toBe(4);
    // The bar draws what exists beside the plan: the existing child pool.
    expect(await page.getByTestId("plan-bar-1").locator('rect[data-kind="pool"]').count()).toBe(1);
    expect(await treeNodes()).toEqual(expected.nodes.map((n) => `${n.path} ${n.cidr}`));
    expect((await treeNodes())[0]).toMatch(/^use1 10\.16\.0\.0\/12$/);
    expect(await page.getByTestId("plan-pool-count").textContent()).toBe("6");
    expect(await page.getByTestId("plan-utilisation").textContent()).toBe("6.25% now → 18.75% after");
    expect(await page.getByTestId("plan-conflicts").count()).toBe(0);
    // The URL holds the template: the page is a link.
    const levels = JSON.parse(new URL(page.url()).searchParams.get("levels")!) as { keys: string }[];
    expect(levels.map((l) => l.keys)).toEqual(["use1, euw1", "dev, prd"]);
    planUrl = new URL(page.url()).pathname + new URL(page.url()).search;
    expect(await axeSerious(page, "plan preview")).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/plan-light.png`, fullPage: true });
  }, 60_000);

  it("a viewer sees the same preview but may not apply, with the reason", async () => {
    const viewer = await ui.open(planUrl);
    await signIn(viewer, await s.tokenFor("VIEWER"));
    await expect
      .poll(() => viewer.getByTestId("plan-bar-2").locator('rect[data-kind="proposed"]').count(), {
        timeout: 15_000,
      })
      .toBe(4);
    const apply = viewer.getByRole("button", { name: "Apply plan" });
    expect(await apply.isDisabled()).toBe(true);
    expect(await apply.getAttribute("title")).toMatch(/^Not allowed: /);
    await viewer.close();
  }, 60_000);

  it("applies after a confirmation naming how many pools it creates, and the pools stand in the tree", async () => {
    const apply = page.getByRole("button", { name: "Apply plan" });
    await expect.poll(() => apply.isEnabled()).toBe(true);
    const expected = await apiPreview();
    await apply.click();
    const dialog = page.getByRole("dialog", { name: "Apply plan" });
    expect(await dialog.textContent()).toContain("This creates 6 pools under corp (10.0.0.0/8)");
    await dialog.getByRole("button", { name: "Create 6 pools" }).click();
    await dialog.waitFor({ state: "detached", timeout: 15_000 });
    await page.getByRole("heading", { level: 1, name: /^corp/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/pools/${encodeURIComponent(rootId)}`);
    const children = page.getByRole("region", { name: /Child pools/ });
    await expect
      .poll(() => children.getByRole("link").allTextContents(), { timeout: 15_000 })
      .toEqual(["legacy", "use1", "euw1"]);

    // In the pools tree, under use1: its two planned children, where the preview put them.
    await page.getByRole("link", { name: "Pools", exact: true }).click();
    const tree = page.getByRole("tree", { name: /Pools in default/ });
    await tree.getByRole("button", { name: "Expand use1" }).click();
    await tree.getByRole("link", { name: "use1-prd" }).waitFor({ timeout: 15_000 });
    const cidrOf = (name: string) =>
      tree
        .locator(".tree-row", { has: page.getByRole("link", { name, exact: true }) })
        .locator("code")
        .textContent();
    for (const n of expected.nodes.filter((x) => x.path.startsWith("use1/")))
      expect(await cidrOf(n.path.split("/")[1]!)).toBe(n.cidr);

    const created = await s.ok<{
      pool: { children: { edges: { node: { name: string; children: { totalCount: number } } }[] } };
    }>(
      `query($p: ID!) { pool(id: $p) { children(first: 10) { edges { node { name children(first: 0) { totalCount } } } } } }`,
      {
        p: rootId,
      },
    );
    expect(created.pool.children.edges.map((e) => [e.node.name, e.node.children.totalCount])).toEqual([
      ["legacy", 0],
      ["use1", 2],
      ["euw1", 2],
    ]);
  }, 60_000);

  it("the same plan again conflicts: each conflict names the pool it clashes with, and Apply is disabled", async () => {
    await page.goto(`${s.url}${planUrl}`);
    const conflicts = page.getByTestId("plan-conflicts").locator("li");
    await expect.poll(() => conflicts.count(), { timeout: 20_000 }).toBe(2);
    expect(await conflicts.evaluateAll((els) => els.map((e) => e.getAttribute("data-code")))).toEqual([
      "NAME_TAKEN",
      "NAME_TAKEN",
    ]);
    const first = conflicts.first();
    expect(await first.textContent()).toContain("already has a child pool named 'use1'");
    expect(await first.getByRole("link", { name: "use1" }).getAttribute("href")).toMatch(/^\/pools\//);
    const apply = page.getByRole("button", { name: "Apply plan" });
    expect(await apply.isDisabled()).toBe(true);
    expect(await apply.getAttribute("title")).toBe("Resolve the 2 conflicts first");
    expect(await axeSerious(page, "plan with conflicts")).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}/plan-conflicts-light.png`, fullPage: true });
    // Dark mode: the same page passes the scan too.
    await page.evaluate(() => localStorage.setItem("cloudpam.theme", "dark"));
    await page.reload();
    await expect.poll(() => conflicts.count(), { timeout: 20_000 }).toBe(2);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    expect(await axeSerious(page, "plan with conflicts, dark")).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}/plan-conflicts-dark.png`, fullPage: true });
    await page.evaluate(() => localStorage.removeItem("cloudpam.theme"));
  }, 60_000);

  it("plans one pool per account that matches a filter, sized by addresses, coloured by account on the bar", async () => {
    const account = (key: string, name: string, tier: string) =>
      s.ok(
        `mutation($k: String!, $n: String!, $t: Tier) { createAccount(input: { key: $k, name: $n, tier: $t }) { account { id } } }`,
        {
          k: key,
          n: name,
          t: tier,
        },
      );
    await account("aws:100000000001", "pay-dev", "DEV");
    await account("aws:100000000002", "pay-prd", "PRD");
    await account("gcp:search-dev", "search-dev", "DEV");
    const lab = await s.ok<{ createPool: { pool: { id: string } } }>(
      `mutation { createPool(input: { name: "lab", cidr: "172.16.0.0/16" }) { pool { id } } }`,
    );
    await page.goto(`${s.url}/pools/${encodeURIComponent(lab.createPool.pool.id)}/plan`);
    await page
      .getByRole("heading", { level: 1, name: /Design a plan under lab/ })
      .waitFor({ timeout: 20_000 });
    await level(1).getByLabel("Pools per parent").selectOption("accounts");
    expect(await level(1).getByLabel("Name pattern", { exact: true }).inputValue()).toBe(
      "{parent}-{account.name}",
    );
    await level(1).getByLabel("Account tier").selectOption("DEV");
    await level(1).getByLabel("Size by").selectOption("size");
    await level(1).getByLabel("Addresses", { exact: true }).fill("4000");
    await expect.poll(() => proposedOnBar(1).count(), { timeout: 15_000 }).toBe(2);
    // 4,000 addresses need a /20; one pool per DEV account, in account key order, assigned to it.
    expect(await treeNodes()).toEqual(["lab-pay-dev 172.16.0.0/20", "lab-search-dev 172.16.16.0/20"]);
    expect(
      await page.getByRole("tree", { name: "Proposed tree" }).locator(".chip").allTextContents(),
    ).toEqual(["pay-dev", "search-dev"]);
    expect(await page.getByTestId("plan-bar-1").locator(".legend").textContent()).toMatch(
      /pay-dev.*search-dev/,
    );
    expect(await page.getByRole("heading", { level: 3 }).first().textContent()).toBe(
      "Level 1: 2 proposed pools (4000 addresses each)",
    );
  }, 60_000);

  it("asked no host but the server, and threw no page errors", () => {
    expect(ui.external).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  });
});
