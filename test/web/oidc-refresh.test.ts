/**
 * OIDC session refresh in the web UI: the loopback issuer (test/emulators/oidc-issuer.ts) hands out 10-second
 * tokens with rotating refresh tokens; the UI exchanges its refresh token (grant_type=refresh_token) before each
 * token expires, so the session outlives its first token and requests carry the newest one. A stored token that
 * expired while the tab was away is renewed on reload; a refused refresh is reported. The server tolerates no
 * clock skew here, so an expired token is refused at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { ensureWebBuilt } from "../../scripts/build-web.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { startOidcIssuer, type OidcIssuer } from "../emulators/oidc-issuer.js";
import { chromiumAvailable, launchUiBrowser, type UiBrowser } from "../helpers/browser.js";

const LIFETIME_SECONDS = 10;

describe.skipIf(!chromiumAvailable)("OIDC token refresh in a browser", () => {
  let idp: OidcIssuer;
  let s: TestServer;
  let ui: UiBrowser;
  let page: Page;
  /** The bearer of every GraphQL request over HTTP the page made, in order. */
  const bearers: string[] = [];

  const issued = () => idp.calls.token.filter((c) => c.status === 200);
  const refreshes = () => idp.calls.token.filter((c) => c.params.get("grant_type") === "refresh_token");
  const unauthenticated = async (token: string) =>
    (await s.gql(`{ viewer { kind } }`, {}, { token })).errors?.[0]?.extensions?.code;

  beforeAll(async () => {
    await ensureWebBuilt({ quiet: true });
    idp = await startOidcIssuer({
      clientId: "cloudpam-ui",
      audience: "cloudpam-api",
      redirectUris: [],
      allowedOrigins: [],
      issueRefreshTokens: true,
      tokenLifetimeSeconds: LIFETIME_SECONDS,
    });
    s = await startTestServer({ ...idp.serverEnv, OIDC_CLOCK_SKEW_SECONDS: "0" });
    idp.allow(`${s.url}/signin/callback`, s.url);
    await s.ok(
      `mutation { createAccount(input: { key: "aws:444455556666", name: "refresh-acct" }) { account { id } } }`,
    );
    idp.login = { sub: "olga@example.com", role: "OPERATOR" };
    ui = await launchUiBrowser(s.url, { allowHosts: [idp.url] });
    page = await ui.open("/");
    page.on("request", (r) => {
      if (new URL(r.url()).pathname === "/graphql" && r.method() === "POST")
        bearers.push((r.headers().authorization ?? "").replace(/^Bearer /, ""));
    });
    await page.getByRole("button", { name: `Sign in with ${new URL(idp.url).host}` }).click();
    await page.getByTestId("role").waitFor({ timeout: 20_000 });
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
    await s?.close();
    await idp?.close();
  });

  it("refreshes before each token expires, rotating the refresh token, and keeps working past the first token", async () => {
    expect(await page.getByTestId("role").textContent()).toBe("OPERATOR");
    const first = issued()[0]!.accessToken!;
    expect(idp.calls.token[0]!.params.get("grant_type")).toBe("authorization_code");
    // Two refreshes: by then the first token has expired (each refresh comes before its token's end).
    await expect
      .poll(() => refreshes().filter((c) => c.status === 200).length, { timeout: 45_000 })
      .toBeGreaterThanOrEqual(2);
    const [r1, r2] = refreshes();
    expect(r1!.params.get("client_id")).toBe("cloudpam-ui");
    expect(r1!.params.get("refresh_token")).toBeTruthy();
    expect(r2!.params.get("refresh_token")).not.toBe(r1!.params.get("refresh_token"));
    await expect.poll(() => unauthenticated(first), { timeout: 20_000 }).toBe("UNAUTHENTICATED");

    // The session goes on: a new page of the app loads with the newest token, not the expired first one.
    const before = bearers.length;
    await page.getByRole("link", { name: "Accounts", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Accounts" }).waitFor();
    await page.locator('tr[data-key="aws:444455556666"]').waitFor({ timeout: 15_000 });
    const used = bearers.slice(before);
    expect(used.length).toBeGreaterThan(0);
    const latest = new Set(
      issued()
        .slice(1)
        .map((c) => c.accessToken),
    );
    for (const b of used) expect(latest.has(b), "a refreshed token").toBe(true);
    expect(used).not.toContain(first);
    expect(await page.getByTestId("role").textContent()).toBe("OPERATOR");
    // Still the token is never in the URL, and sits in this tab's sessionStorage only.
    expect(page.url()).not.toContain(used[used.length - 1]!);
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain("eyJ");
    // What a refresh needs, and nothing of the sign-in (no PKCE verifier or state).
    const kept = await page.evaluate(() =>
      JSON.parse(sessionStorage.getItem("cloudpam.oidc.refresh") ?? "{}"),
    );
    expect(Object.keys(kept).sort()).toEqual([
      "clientId",
      "expiresAt",
      "lifetimeMs",
      "refreshToken",
      "tokenEndpoint",
    ]);
  }, 90_000);

  it("renews a stored token that expired while the tab was away when the page loads", async () => {
    const expired = issued()[0]!.accessToken!;
    expect(await unauthenticated(expired)).toBe("UNAUTHENTICATED");
    const refreshesBefore = refreshes().length;
    await page.evaluate((t) => sessionStorage.setItem("cloudpam.token", t), expired);
    await page.reload();
    await page.getByTestId("role").waitFor({ timeout: 20_000 });
    expect(refreshes().length).toBeGreaterThan(refreshesBefore);
    expect(await page.evaluate(() => sessionStorage.getItem("cloudpam.token"))).not.toBe(expired);
  }, 60_000);

  it("reports a refused refresh (revoked at the issuer)", async () => {
    idp.revokeRefreshTokens();
    const toast = page.getByText(
      /the issuer refused to refresh the session: unknown, used or revoked refresh token/,
    );
    await toast.waitFor({ timeout: 30_000 });
    expect(refreshes().at(-1)!.status).toBe(400);
  }, 60_000);

  it("asked no host but the server and the issuer, and threw no page errors", () => {
    expect(ui.external).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  });
});
