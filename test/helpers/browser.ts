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

/** Debian's Chromium, headless with a fresh temporary profile and no background traffic of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}

export interface UiBrowser {
  browser: Browser;
  context: BrowserContext;
  /** Requests to any other host than the server's (and `allowHosts`): blocked. */
  external: string[];
  pageErrors: string[];
  /** A new page of the context at the server's `path`. */
  open(path: string): Promise<Page>;
  close(): Promise<void>;
}

export interface UiBrowserOptions {
  /** Further origins (or host:port) the pages may reach, e.g. an OIDC issuer. */
  allowHosts?: string[];
  /** The context's viewport (playwright's default otherwise). */
  viewport?: { width: number; height: number };
}

/** Chromium with one context whose requests to any host but the server's (and `allowHosts`) are blocked and recorded. */
export async function launchUiBrowser(serverUrl: string, opts: UiBrowserOptions = {}): Promise<UiBrowser> {
  const browser = await launchChromium();
  const context = await browser.newContext(opts.viewport ? { viewport: opts.viewport } : {});
  const external: string[] = [];
  const pageErrors: string[] = [];
  const allowed = new Set(
    [serverUrl, ...(opts.allowHosts ?? [])].map((h) => (h.includes("://") ? new URL(h).host : h)),
  );
  await context.route("**/*", (route) => {
    const u = new URL(route.request().url());
    if (["data:", "blob:"].includes(u.protocol) || allowed.has(u.host)) return route.continue();
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

/** A browser on the server with one page at `path`, signed in with `token`, once its level-1 heading shows. */
export async function openSignedIn(
  serverUrl: string,
  token: string,
  path: string,
  heading: string | RegExp,
): Promise<{ ui: UiBrowser; page: Page }> {
  const ui = await launchUiBrowser(serverUrl);
  try {
    const page = await ui.open(path);
    await signIn(page, token);
    await page.getByRole("heading", { level: 1, name: heading }).waitFor({ timeout: 20_000 });
    return { ui, page };
  } catch (e) {
    await ui.close();
    throw e;
  }
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
