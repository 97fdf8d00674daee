/**
 * The explorer in a real headless Chromium with every request to another host than the server blocked: it must load,
 * run a query and a subscription, and never reach for another host.
 * Needs Debian's chromium (.ci/run installs it); skipped locally when it is missing, never in CI.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { chromiumAvailable, launchUiBrowser, type UiBrowser } from "../helpers/browser.js";

describe.skipIf(!chromiumAvailable)("GraphQL explorer in a browser", () => {
  let s: TestServer;
  let ui: UiBrowser;

  beforeAll(async () => {
    s = await startTestServer({ AUTH: "off" });
    ui = await launchUiBrowser(s.url);
  }, 60_000);

  afterAll(async () => {
    await ui?.close();
    await s?.close();
  });

  /** Monaco renders spaces as U+00A0 and splits lines into spans: compare with whitespace collapsed. */
  const flat = (text: string | null) => (text ?? "").replace(/\s+/g, " ").trim();

  /**
   * Opens the explorer on `query` and runs it, waiting for states rather than for time: the query editor
   * holds the query (GraphiQL reads ?query= after its editors mount), the execute button is enabled, and
   * the response pane shows `expectText`.
   */
  async function run(query: string, expectText: string) {
    const page = await ui.context.newPage();
    await page.goto(`${s.url}/graphql?query=${encodeURIComponent(query)}`);
    const editor = page.locator(".graphiql-query-editor .view-lines");
    await expect
      .poll(async () => flat(await editor.textContent().catch(() => null)), { timeout: 60_000 })
      .toContain(flat(query));
    const execute = page.locator("button.graphiql-execute-button");
    await execute.waitFor({ state: "visible", timeout: 60_000 });
    await expect.poll(() => execute.isEnabled(), { timeout: 60_000 }).toBe(true);
    await execute.click();
    const result = page.locator(".graphiql-response");
    await expect
      .poll(async () => flat(await result.textContent()), { timeout: 60_000 })
      .toContain(flat(expectText));
    const text = (await result.textContent()) ?? "";
    await page.close();
    return text;
  }

  it("runs a query with nothing loaded from outside", async () => {
    const text = await run("query { serverInfo { version schemaVersion } }", "schemaVersion");
    expect(text).toMatch(/"version":\s*"\d+\.\d+\.\d+"/);
    expect(ui.external).toEqual([]);
  }, 180_000);

  it("runs a subscription over WebSocket", async () => {
    const text = await run("subscription { heartbeat(intervalMs: 50) { sequence } }", '"sequence"');
    expect(text).toMatch(/"sequence":\s*\d+/);
    expect(ui.external).toEqual([]);
  }, 180_000);
});
