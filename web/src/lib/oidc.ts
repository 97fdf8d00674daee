/**
 * OIDC sign-in in the browser: authorization code + PKCE (S256) as a public client.
 * begin: fetch the issuer's discovery document, keep verifier/state in sessionStorage, go to its
 * authorization_endpoint. complete (on /signin/callback): take the code off the URL at once
 * (history.replaceState), check the state, exchange code + verifier at token_endpoint.
 * The token (access token, else ID token) becomes the bearer for HTTP and the WebSocket; it is kept in
 * sessionStorage by the session, never in the URL.
 * Refresh: when the issuer returns a refresh token, it is kept (sessionStorage, this tab only) with the token's
 * expiry, and the app exchanges it (grant_type=refresh_token) before the token expires; an issuer that rotates
 * refresh tokens hands a new one each time, which replaces the old.
 */
import { codeChallengeS256, createCodeVerifier, randomUrlSafe } from "./pkce";

export interface OidcSettings {
  issuer: string;
  clientId: string;
  scopes: string;
  redirectUri?: string | null;
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
}

interface Pending {
  state: string;
  verifier: string;
  nonce: string;
  tokenEndpoint: string;
  clientId: string;
  redirectUri: string;
  returnTo: string;
}

const PENDING_KEY = "cloudpam.oidc.pending";
export const CALLBACK_PATH = "/signin/callback";

export const redirectUriOf = (s: OidcSettings) => s.redirectUri ?? `${location.origin}${CALLBACK_PATH}`;

async function discover(issuer: string): Promise<Discovery> {
  const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  const res = await fetch(url, { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`the issuer's discovery document answered HTTP ${res.status}`);
  const d = (await res.json()) as Partial<Discovery>;
  if (d.issuer?.replace(/\/$/, "") !== issuer.replace(/\/$/, ""))
    throw new Error(`the discovery document names issuer ${d.issuer ?? "(none)"}, not ${issuer}`);
  if (!d.authorization_endpoint || !d.token_endpoint)
    throw new Error("the discovery document has no authorization_endpoint or token_endpoint");
  return d as Discovery;
}

/** Starts the sign-in: navigates away to the issuer (resolves only on a failure before that). */
export async function beginOidcSignIn(settings: OidcSettings, returnTo: string): Promise<void> {
  const d = await discover(settings.issuer);
  const verifier = createCodeVerifier();
  const pending: Pending = {
    state: randomUrlSafe(16),
    verifier,
    nonce: randomUrlSafe(16),
    tokenEndpoint: d.token_endpoint,
    clientId: settings.clientId,
    redirectUri: redirectUriOf(settings),
    returnTo,
  };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(d.authorization_endpoint);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", settings.clientId);
  url.searchParams.set("redirect_uri", pending.redirectUri);
  url.searchParams.set("scope", settings.scopes);
  url.searchParams.set("state", pending.state);
  url.searchParams.set("nonce", pending.nonce);
  url.searchParams.set("code_challenge", await codeChallengeS256(verifier));
  url.searchParams.set("code_challenge_method", "S256");
  location.assign(url.toString());
}

export interface OidcResult {
  token: string;
  returnTo: string;
}

/** What a refresh needs, kept in sessionStorage beside the token. */
export interface RefreshState {
  refreshToken: string;
  tokenEndpoint: string;
  clientId: string;
  /** When the current token expires (ms since epoch) and how long it lived. */
  expiresAt: number;
  lifetimeMs: number;
}

const REFRESH_KEY = "cloudpam.oidc.refresh";

interface TokenResponse {
  access_token?: string;
  id_token?: string;
  refresh_token?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
}

export function loadRefresh(): RefreshState | null {
  try {
    return JSON.parse(sessionStorage.getItem(REFRESH_KEY) ?? "null") as RefreshState | null;
  } catch {
    return null;
  }
}

export const clearRefresh = () => sessionStorage.removeItem(REFRESH_KEY);

/** The expiry a token response states (`expires_in`), else the token's own `exp` claim; null when neither. */
function expiryOf(body: TokenResponse, token: string, now: number): number | null {
  if (typeof body.expires_in === "number" && body.expires_in > 0) return now + body.expires_in * 1000;
  try {
    const payload = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as {
      exp?: unknown;
    };
    return typeof payload.exp === "number" ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}

/** Keeps (or, without a refresh token or an expiry, drops) what the next refresh needs. */
function keepRefresh(
  body: TokenResponse,
  token: string,
  endpoint: { tokenEndpoint: string; clientId: string },
  previous: string | null,
): void {
  const now = Date.now();
  const expiresAt = expiryOf(body, token, now);
  const refreshToken = body.refresh_token ?? previous;
  if (!refreshToken || expiresAt === null) return clearRefresh();
  const state: RefreshState = {
    refreshToken,
    tokenEndpoint: endpoint.tokenEndpoint,
    clientId: endpoint.clientId,
    expiresAt,
    lifetimeMs: expiresAt - now,
  };
  sessionStorage.setItem(REFRESH_KEY, JSON.stringify(state));
}

/** How long to wait before refreshing: a quarter of the token's life before it ends, at most a minute early. */
export function refreshDelay(r: RefreshState, now = Date.now()): number {
  const early = Math.min(60_000, r.lifetimeMs / 4);
  return Math.max(0, r.expiresAt - early - now);
}

let refreshing: Promise<string> | null = null;

/** Exchanges the kept refresh token for a new token (once at a time); throws with the issuer's reason. */
export function refreshOidcToken(): Promise<string> {
  refreshing ??= (async () => {
    const r = loadRefresh();
    if (!r) throw new Error("no refresh token");
    const res = await fetch(r.tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: r.refreshToken,
        client_id: r.clientId,
      }),
    });
    const body = (await res.json().catch(() => ({}))) as TokenResponse;
    const token = body.access_token ?? body.id_token;
    if (!res.ok || !token) {
      clearRefresh();
      throw new Error(
        `the issuer refused to refresh the session: ${body.error_description ?? body.error ?? `HTTP ${res.status}`}`,
      );
    }
    keepRefresh(body, token, r, r.refreshToken);
    return token;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

let inFlight: Promise<OidcResult> | null = null;

/**
 * Finishes the sign-in on the callback URL. Runs once per page load (React may mount twice), and
 * clears the code from the address bar before anything else.
 */
export function completeOidcSignIn(): Promise<OidcResult> {
  inFlight ??= exchange();
  return inFlight;
}

async function exchange(): Promise<OidcResult> {
  const params = new URLSearchParams(location.search);
  history.replaceState(null, "", CALLBACK_PATH);
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const error = params.get("error");
  if (error) throw new Error(`the issuer refused the sign-in: ${params.get("error_description") ?? error}`);
  if (!raw) throw new Error("no sign-in was started in this tab; start again");
  const pending = JSON.parse(raw) as Pending;
  const code = params.get("code");
  if (!code) throw new Error("the issuer sent no authorization code");
  if (params.get("state") !== pending.state)
    throw new Error("the sign-in's state does not match (a stale or forged callback); start again");
  const res = await fetch(pending.tokenEndpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: pending.redirectUri,
      client_id: pending.clientId,
      code_verifier: pending.verifier,
    }),
  });
  const body = (await res.json().catch(() => ({}))) as TokenResponse;
  if (!res.ok)
    throw new Error(
      `the issuer's token endpoint refused the code: ${body.error_description ?? body.error ?? `HTTP ${res.status}`}`,
    );
  const token = body.access_token ?? body.id_token;
  if (!token) throw new Error("the issuer's token endpoint returned no token");
  keepRefresh(body, token, pending, null);
  return { token, returnTo: pending.returnTo };
}
