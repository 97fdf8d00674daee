/**
 * OIDC sign-in in the web UI, end to end: Debian's Chromium (playwright-core), the real server, and a
 * loopback issuer (test/emulators/oidc-issuer.ts) doing authorization code + PKCE. The role shown is
 * the server's `viewer`; what the role may not do is disabled with the server's reason.
 * Every request to a host other than the server and the issuer is blocked and recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { ensureWebBuilt } from "../../scripts/build-web.js";
import { loadConfig } from "../../src/config.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { startOidcIssuer, type OidcIssuer } from "../emulators/oidc-issuer.js";
import { chromiumAvailable, launchUiBrowser, type UiBrowser } from "../helpers/browser.js";

const CLIENT_ID = "cloudpam-ui";
const AUDIENCE = "cloudpam-api";

let idp: OidcIssuer;
let s: TestServer;
let poolId = "";

beforeAll(async () => {
  await ensureWebBuilt({ quiet: true });
  idp = await startOidcIssuer({
    clientId: CLIENT_ID,
    audience: AUDIENCE,
    redirectUris: [],
    allowedOrigins: [],
  });
  s = await startTestServer(idp.serverEnv);
  idp.allow(`${s.url}/signin/callback`, s.url);
  const created = await s.ok<{ createPool: { pool: { id: string } } }>(
    `mutation { createPool(input: { name: "oidc-root", cidr: "10.0.0.0/8" }) { pool { id } } }`,
  );
  poolId = created.createPool.pool.id;
}, 180_000);

afterAll(async () => {
  await s?.close();
  await idp?.close();
});

const s256 = (v: string) => createHash("sha256").update(v).digest("base64url");

/** Runs /authorize as a browser would (without following the redirect); returns the code. */
async function authorizeCode(challenge: string, redirectUri = `${s.url}/signin/callback`): Promise<string> {
  const u = new URL(`${idp.url}/authorize`);
  for (const [k, v] of Object.entries({
    response_type: "code",
    client_id: CLIENT_ID,
    redirect_uri: redirectUri,
    scope: "openid",
    state: "st",
    code_challenge: challenge,
    code_challenge_method: "S256",
  }))
    u.searchParams.set(k, v);
  const r = await fetch(u, { redirect: "manual" });
  expect(r.status).toBe(302);
  const back = new URL(r.headers.get("location")!);
  expect(back.searchParams.get("state")).toBe("st");
  return back.searchParams.get("code")!;
}

async function exchange(code: string, verifier: string) {
  const r = await fetch(`${idp.url}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: `${s.url}/signin/callback`,
      client_id: CLIENT_ID,
      code_verifier: verifier,
    }),
  });
  return { status: r.status, body: (await r.json()) as Record<string, string> };
}

describe("the OIDC issuer emulator", () => {
  it("refuses a wrong PKCE verifier, refuses a used code, and issues a JWT the server accepts for the right one", async () => {
    const verifier = randomBytes(32).toString("base64url");
    const code = await authorizeCode(s256(verifier));
    const wrong = await exchange(code, randomBytes(32).toString("base64url"));
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ error: "invalid_grant" });
    expect(wrong.body.error_description).toMatch(/PKCE/);
    // The code is spent by the failed attempt: the right verifier no longer helps.
    expect((await exchange(code, verifier)).body.error).toBe("invalid_grant");

    idp.login = { sub: "olga@example.com", role: "OPERATOR" };
    const fresh = await exchange(await authorizeCode(s256(verifier)), verifier);
    expect(fresh.status).toBe(200);
    const r = await s.gql<{ viewer: { kind: string; subject: string; role: string } }>(
      "{ viewer { kind subject role } }",
      {},
      { token: fresh.body.access_token! },
    );
    expect(r.data?.viewer).toEqual({ kind: "OIDC", subject: "olga@example.com", role: "OPERATOR" });
  });

  it("does not redirect to an unregistered redirect URI, and sends an error back without a S256 challenge", async () => {
    const u = new URL(`${idp.url}/authorize`);
    u.search = new URLSearchParams({
      response_type: "code",
      client_id: CLIENT_ID,
      redirect_uri: "http://127.0.0.1:1/evil",
      code_challenge: s256("x".repeat(43)),
      code_challenge_method: "S256",
    }).toString();
    expect((await fetch(u, { redirect: "manual" })).status).toBe(400);
    u.searchParams.set("redirect_uri", `${s.url}/signin/callback`);
    u.searchParams.set("code_challenge_method", "plain");
    const r = await fetch(u, { redirect: "manual" });
    expect(new URL(r.headers.get("location")!).searchParams.get("error")).toBe("invalid_request");
  });
});

describe("what the server tells the UI about OIDC sign-in", () => {
  it("refuses OIDC_CLIENT_ID without an issuer, or with an issuer the browser cannot fetch", () => {
    expect(() => loadConfig({ OIDC_CLIENT_ID: "ui" }, {})).toThrow(/OIDC_CLIENT_ID.*needs OIDC_ISSUER/);
    expect(() =>
      loadConfig({ OIDC_CLIENT_ID: "ui", OIDC_ISSUER: "issuer.example", OIDC_AUDIENCE: "api" }, {}),
    ).toThrow(/OIDC_ISSUER.*http\(s\) URL/);
    expect(
      loadConfig({ OIDC_CLIENT_ID: "ui", OIDC_ISSUER: "https://id.example", OIDC_AUDIENCE: "api" }, {}).oidc,
    ).toMatchObject({ clientId: "ui", scopes: "openid profile email", redirectUri: null });
  });

  it("answers the issuer and client id in the public serverInfo, and the CSP lets the page connect to the issuer's origin only", async () => {
    const r = await s.gql<{ serverInfo: { oidc: Record<string, unknown> } }>(
      "{ serverInfo { oidc { issuer clientId scopes redirectUri } } }",
      {},
      { token: null },
    );
    expect(r.status).toBe(200);
    expect(r.data?.serverInfo.oidc).toEqual({
      issuer: idp.url,
      clientId: CLIENT_ID,
      scopes: "openid profile email",
      redirectUri: null,
    });
    const page = await fetch(`${s.url}/`, { headers: { accept: "text/html" } });
    const connect = /connect-src ([^;]+)/.exec(page.headers.get("content-security-policy") ?? "")?.[1] ?? "";
    const host = new URL(s.url).host;
    expect(connect.split(" ").sort()).toEqual(["'self'", idp.url, `ws://${host}`, `wss://${host}`].sort());
  });

  it("answers oidc: null and keeps the CSP to self without OIDC_CLIENT_ID", async () => {
    const plain = await startTestServer({ OIDC_ISSUER: idp.url, OIDC_AUDIENCE: AUDIENCE });
    try {
      const r = await plain.gql<{ serverInfo: { oidc: unknown } }>(
        "{ serverInfo { oidc { issuer } } }",
        {},
        {
          token: null,
        },
      );
      expect(r.data?.serverInfo.oidc).toBeNull();
      const page = await fetch(`${plain.url}/`, { headers: { accept: "text/html" } });
      const csp = page.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain(idp.url);
    } finally {
      await plain.close();
    }
  });
});

describe.skipIf(!chromiumAvailable)("OIDC sign-in in a browser", () => {
  let ui: UiBrowser;

  beforeAll(async () => {
    ui = await launchUiBrowser(s.url, { allowHosts: [idp.url] });
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
  });

  const open = (path: string): Promise<Page> => ui.open(path);

  const issuerButton = (page: Page) =>
    page.getByRole("button", { name: `Sign in with ${new URL(idp.url).host}` });

  it("signs in through the issuer with code + PKCE, shows the viewer's role, and disables what it may not do with the reason", async () => {
    idp.login = { sub: "vera@example.com", role: "VIEWER" };
    const before = { authorize: idp.calls.authorize.length, token: idp.calls.token.length };
    const page = await open("/");
    await issuerButton(page).click();
    await page.getByTestId("role").waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("role").textContent()).toBe("VIEWER");
    expect(await page.getByTestId("role").getAttribute("title")).toContain("vera@example.com (OIDC)");

    // The authorization request carried a S256 challenge, and the token request its verifier.
    const auth = idp.calls.authorize.slice(before.authorize);
    const tok = idp.calls.token.slice(before.token);
    expect(auth).toHaveLength(1);
    expect(tok).toHaveLength(1);
    expect(auth[0]!.get("code_challenge_method")).toBe("S256");
    expect(auth[0]!.get("redirect_uri")).toBe(`${s.url}/signin/callback`);
    expect(s256(tok[0]!.params.get("code_verifier")!)).toBe(auth[0]!.get("code_challenge"));
    expect(tok[0]!.status).toBe(200);

    // Back on the page it started from; the code is gone from the URL and from history's entry.
    expect(new URL(page.url()).pathname).toBe("/");
    expect(page.url()).not.toContain("code=");
    expect(page.url()).not.toContain("state=");
    const stored = await page.evaluate(() => sessionStorage.getItem("cloudpam.token"));
    expect(stored?.split(".")).toHaveLength(3);
    expect(await page.evaluate(() => sessionStorage.getItem("cloudpam.oidc.pending"))).toBeNull();
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(stored!);

    // The JWT is the bearer of the WebSocket too: the live link comes up.
    await expect.poll(() => page.getByTestId("link-state").textContent(), { timeout: 10_000 }).toBe("Live");

    const newPool = page.getByRole("button", { name: "New pool" });
    await newPool.waitFor();
    expect(await newPool.isDisabled()).toBe(true);
    expect(await newPool.getAttribute("title")).toBe("Not allowed: needs the ADMIN role (you are VIEWER)");

    // A reload keeps the session (sessionStorage) and asks the server again who it is.
    await page.reload();
    await page.getByTestId("role").waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("role").textContent()).toBe("VIEWER");
    await page.close();
  }, 90_000);

  it("returns an operator to the deep link it started from, with operate actions enabled and admin ones disabled", async () => {
    idp.login = { sub: "otto@example.com", role: "OPERATOR" };
    const path = `/pools/${encodeURIComponent(poolId)}`;
    const page = await open(path);
    await issuerButton(page).click();
    await page.getByRole("heading", { level: 1, name: /oidc-root/ }).waitFor({ timeout: 20_000 });
    expect(new URL(page.url()).pathname).toBe(path);
    expect(await page.getByTestId("role").textContent()).toBe("OPERATOR");
    const allocate = page.getByRole("button", { name: "Allocate", exact: true });
    expect(await allocate.isDisabled()).toBe(false);
    await page.close();
  }, 90_000);

  it("shows the server's refusal when the issuer's user has no CloudPAM role", async () => {
    idp.login = { sub: "nobody@example.com" };
    const page = await open("/");
    await issuerButton(page).click();
    const error = page.getByTestId("oidc-error");
    await expect
      .poll(() => error.textContent(), { timeout: 20_000 })
      .toMatch(/no CloudPAM role.*cloudpam_role/);
    expect(page.url()).not.toContain("code=");
    expect(await page.evaluate(() => sessionStorage.getItem("cloudpam.token"))).toBeNull();
    await page.close();
  }, 60_000);

  it("refuses a callback it did not start, and takes the code off the URL", async () => {
    const page = await open("/signin/callback?code=forged&state=forged");
    const error = page.getByTestId("oidc-error");
    await expect.poll(() => error.textContent(), { timeout: 20_000 }).toMatch(/no sign-in was started/);
    expect(new URL(page.url()).search).toBe("");
    await page.close();
  }, 60_000);

  it("asked no host but the server and the issuer, and threw no page errors", () => {
    expect(ui.external).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  });
});
