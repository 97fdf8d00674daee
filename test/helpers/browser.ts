/**
 * Debian's Chromium through playwright-core for the web UI's end-to-end tests: launched headless with a
 * fresh profile, every request to a host other than the server blocked and recorded.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Skipped locally without Chromium, never in CI (.ci/run installs it). */
export const chromiumAvailable = existsSync(CHROMIUM) || !!process.env.CI;

export interface UiBrowser {
  browser: Browser;
  context: BrowserContext;
  /** Requests to any other host than the server's (blocked). */
  external: string[];
  pageErrors: string[];
  open(path: string): Promise<Page>;
  close(): Promise<void>;
}

export async function launchUiBrowser(serverUrl: string): Promise<UiBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const context = await browser.newContext();
  const external: string[] = [];
  const pageErrors: string[] = [];
  const host = new URL(serverUrl).host;
  await context.route("**/*", (route) => {
    const u = new URL(route.request().url());
    if (["data:", "blob:"].includes(u.protocol) || u.host === host) return route.continue();
    external.push(u.toString());
    return route.abort();
  });
  return {
    browser,
    context,
    external,
    pageErrors,
    async open(path) {
      const page = await context.newPage();
      page.on("pageerror", (e) => pageErrors.push(e.message));
      await page.goto(`${serverUrl}${path}`);
      return page;
    },
    close: () => browser.close(),
  };
}

/** Pastes the token on the sign-in page and waits for the shell (the role badge). */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("role").waitFor({ timeout: 20_000 });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical violations on the page as it is now (injected through the devtools protocol, outside the CSP). */
export async function axeSerious(page: Page, label: string): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const w = window as unknown as {
      axe: {
        run: (
          ctx: Document,
          opts: object,
        ) => Promise<{
          violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
        }>;
      };
    };
    const r = await w.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${label}: ${v.id} (${v.impact}) ${v.help} at ${v.targets.join(", ")}`);
}
