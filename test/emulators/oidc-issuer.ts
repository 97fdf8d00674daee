/**
 * Loopback OIDC issuer emulator: a node:http server on 127.0.0.1 (ephemeral port) that a browser can
 * sign in with by authorization code + PKCE (RFC 7636, S256 only), as a public client.
 *
 *   GET  /.well-known/openid-configuration  discovery (issuer = this server's URL)
 *   GET  /.well-known/jwks.json             the signing key (RS256)
 *   GET  /authorize                         checks client_id, redirect_uri, response_type=code, a S256
 *                                           code_challenge; "logs in" `login` (settable) and answers 302
 *                                           to redirect_uri?code&state (or ?error=… for a bad request)
 *   POST /token                             form-encoded grant_type=authorization_code; checks the code
 *                                           (once, 60 s), client_id, redirect_uri and that
 *                                           BASE64URL(SHA256(code_verifier)) is the code's challenge;
 *                                           issues an access token (JWT, aud = `audience`, the role claim)
 *                                           and an ID token (aud = client id, nonce); with
 *                                           `issueRefreshTokens`, also a refresh token
 *                                           grant_type=refresh_token: checks the refresh token and
 *                                           client_id, rotates it (the old one is then refused) and
 *                                           issues new tokens for the same login
 * Tokens live `tokenLifetimeSeconds` (settable; default 600).
 * Discovery and /token answer CORS for `allowedOrigins` (the UI's origin), as real issuers do for SPAs.
 *
 * Usage:
 *   const idp = await startOidcIssuer({ clientId: "cloudpam-ui", audience: "cloudpam-api",
 *     redirectUris: [`${ui}/signin/callback`], allowedOrigins: [ui] });
 *   idp.login = { sub: "vera@example.com", role: "VIEWER" };
 *   startTestServer({ ...idp.serverEnv }); idp.calls.token; await idp.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash, randomBytes } from "node:crypto";
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from "jose";
import { readBody } from "./faults.js";

export interface OidcIssuerOptions {
  clientId: string;
  /** Audience of the access token (the API's OIDC_AUDIENCE). */
  audience: string;
  redirectUris: string[];
  allowedOrigins: string[];
  roleClaim?: string;
  /** Hand out (rotating) refresh tokens with every token response. */
  issueRefreshTokens?: boolean;
  tokenLifetimeSeconds?: number;
}

export interface OidcLogin {
  sub: string;
  /** The role claim's value; undefined leaves the claim out. */
  role?: string | string[];
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string | null;
  login: OidcLogin;
  expiresAt: number;
}

export interface OidcIssuer {
  url: string;
  /** Who the next /authorize signs in. */
  login: OidcLogin;
  /** Settings for startTestServer that trust this issuer and enable the UI's OIDC sign-in. */
  serverEnv: Record<string, string>;
  calls: {
    authorize: URLSearchParams[];
    /** Every /token request; `accessToken` is what a successful one issued. */
    token: { params: URLSearchParams; status: number; accessToken?: string }[];
  };
  /** Lifetime of the tokens issued from now on. */
  tokenLifetimeSeconds: number;
  /** Forgets every refresh token (as a revoked session would): the next refresh is refused. */
  revokeRefreshTokens(): void;
  /** Adds a redirect URI / CORS origin after start (the server's port is known only then). */
  allow(redirectUri: string, origin: string): void;
  close(): Promise<void>;
}

const s256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");

export async function startOidcIssuer(opts: OidcIssuerOptions): Promise<OidcIssuer> {
  const keys = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: "emulator-key", alg: "RS256", use: "sig" };
  const roleClaim = opts.roleClaim ?? "cloudpam_role";
  const redirectUris = new Set(opts.redirectUris);
  const origins = new Set(opts.allowedOrigins);
  const codes = new Map<string, IssuedCode>();
  const refreshTokens = new Map<string, { clientId: string; login: OidcLogin }>();
  let url = "";

  const issuer: OidcIssuer = {
    url: "",
    login: { sub: "alice@example.com", role: "OPERATOR" },
    serverEnv: {},
    calls: { authorize: [], token: [] },
    tokenLifetimeSeconds: opts.tokenLifetimeSeconds ?? 600,
    revokeRefreshTokens: () => refreshTokens.clear(),
    allow(redirectUri, origin) {
      redirectUris.add(redirectUri);
      origins.add(origin);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  function json(req: IncomingMessage, res: ServerResponse, status: number, body: unknown) {
    const origin = req.headers.origin;
    res.writeHead(status, {
      "content-type": "application/json",
      "cache-control": "no-store",
      ...(origin && origins.has(origin) ? { "access-control-allow-origin": origin, vary: "origin" } : {}),
    });
    res.end(JSON.stringify(body));
  }

  async function sign(claims: Record<string, unknown>, audience: string) {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: jwk.kid })
      .setIssuer(url)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${issuer.tokenLifetimeSeconds}s`)
      .sign(keys.privateKey as CryptoKey);
  }

  function authorize(req: IncomingMessage, res: ServerResponse, q: URLSearchParams) {
    issuer.calls.authorize.push(q);
    const redirectUri = q.get("redirect_uri") ?? "";
    // An unknown client or redirect URI must not be redirected to (RFC 6749 §4.1.2.1): an error page.
    if (q.get("client_id") !== opts.clientId || !redirectUris.has(redirectUri)) {
      res.writeHead(400, { "content-type": "text/plain" });
      return void res.end("unknown client_id or redirect_uri");
    }
    const back = new URL(redirectUri);
    const state = q.get("state");
    if (state) back.searchParams.set("state", state);
    const challenge = q.get("code_challenge") ?? "";
    const problem =
      q.get("response_type") !== "code"
        ? ["unsupported_response_type", "only response_type=code"]
        : q.get("code_challenge_method") !== "S256" || !/^[A-Za-z0-9_-]{43}$/.test(challenge)
          ? ["invalid_request", "a S256 code_challenge is required"]
          : null;
    if (problem) {
      back.searchParams.set("error", problem[0]!);
      back.searchParams.set("error_description", problem[1]!);
    } else {
      const code = randomBytes(24).toString("base64url");
      codes.set(code, {
        clientId: opts.clientId,
        redirectUri,
        challenge,
        nonce: q.get("nonce"),
        login: { ...issuer.login },
        expiresAt: Date.now() + 60_000,
      });
      back.searchParams.set("code", code);
    }
    res.writeHead(302, { location: back.toString(), "cache-control": "no-store" });
    res.end();
  }

  async function token(req: IncomingMessage, res: ServerResponse) {
    const params = new URLSearchParams(await readBody(req));
    const refuse = (error: string, description: string) => {
      issuer.calls.token.push({ params, status: 400 });
      json(req, res, 400, { error, error_description: description });
    };
    const grant = params.get("grant_type");
    if (grant === "refresh_token" && opts.issueRefreshTokens) {
      const presented = params.get("refresh_token") ?? "";
      const known = refreshTokens.get(presented);
      // Rotation: a refresh token works once.
      refreshTokens.delete(presented);
      if (!known) return refuse("invalid_grant", "unknown, used or revoked refresh token");
      if (params.get("client_id") !== known.clientId) return refuse("invalid_client", "client_id mismatch");
      return issueTokens(req, res, params, known.clientId, known.login, null);
    }
    if (grant !== "authorization_code") return refuse("unsupported_grant_type", "only authorization_code");
    const code = params.get("code") ?? "";
    const issued = codes.get(code);
    // A code works once, whatever the outcome.
    codes.delete(code);
    if (!issued || issued.expiresAt < Date.now())
      return refuse("invalid_grant", "unknown, used or expired code");
    if (params.get("client_id") !== issued.clientId) return refuse("invalid_client", "client_id mismatch");
    if (params.get("redirect_uri") !== issued.redirectUri)
      return refuse("invalid_grant", "redirect_uri does not match the authorization request");
    const verifier = params.get("code_verifier") ?? "";
    if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) || s256(verifier) !== issued.challenge)
      return refuse("invalid_grant", "PKCE verification failed: code_verifier does not match code_challenge");
    return issueTokens(req, res, params, issued.clientId, issued.login, issued.nonce);
  }

  async function issueTokens(
    req: IncomingMessage,
    res: ServerResponse,
    params: URLSearchParams,
    clientId: string,
    login: OidcLogin,
    nonce: string | null,
  ) {
    const { sub, role } = login;
    const roleClaims = role === undefined ? {} : { [roleClaim]: role };
    const accessToken = await sign({ sub, ...roleClaims, scope: "openid profile email" }, opts.audience);
    const idToken = await sign({ sub, ...roleClaims, ...(nonce ? { nonce } : {}) }, clientId);
    let refreshToken: string | undefined;
    if (opts.issueRefreshTokens) {
      refreshToken = randomBytes(24).toString("base64url");
      refreshTokens.set(refreshToken, { clientId, login: { ...login } });
    }
    issuer.calls.token.push({ params, status: 200, accessToken });
    json(req, res, 200, {
      access_token: accessToken,
      id_token: idToken,
      token_type: "Bearer",
      expires_in: issuer.tokenLifetimeSeconds,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
    });
  }

  const server = createServer((req, res) => {
    const u = new URL(req.url ?? "/", url || "http://127.0.0.1");
    const method = req.method ?? "GET";
    if (method === "OPTIONS") {
      const origin = req.headers.origin;
      res.writeHead(204, {
        ...(origin && origins.has(origin)
          ? {
              "access-control-allow-origin": origin,
              "access-control-allow-methods": "GET, POST",
              "access-control-allow-headers": "content-type, accept",
            }
          : {}),
      });
      return void res.end();
    }
    if (method === "GET" && u.pathname === "/.well-known/openid-configuration")
      return json(req, res, 200, {
        issuer: url,
        authorization_endpoint: `${url}/authorize`,
        token_endpoint: `${url}/token`,
        jwks_uri: `${url}/.well-known/jwks.json`,
        response_types_supported: ["code"],
        grant_types_supported: opts.issueRefreshTokens
          ? ["authorization_code", "refresh_token"]
          : ["authorization_code"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["none"],
        id_token_signing_alg_values_supported: ["RS256"],
        subject_types_supported: ["public"],
        scopes_supported: ["openid", "profile", "email"],
      });
    if (method === "GET" && u.pathname === "/.well-known/jwks.json")
      return json(req, res, 200, { keys: [jwk] });
    if (method === "GET" && u.pathname === "/authorize") return authorize(req, res, u.searchParams);
    if (method === "POST" && u.pathname === "/token")
      return void token(req, res).catch((e: unknown) => json(req, res, 500, { error: String(e) }));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  issuer.url = url;
  issuer.serverEnv = {
    OIDC_ISSUER: url,
    OIDC_AUDIENCE: opts.audience,
    OIDC_CLIENT_ID: opts.clientId,
    OIDC_ROLE_CLAIM: roleClaim,
  };
  return issuer;
}
