/** An OIDC issuer for tests: keys generated here, a JWKS served on a loopback HTTP server, and a JWT signer. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWTPayload } from "jose";

export const ISSUER = "https://issuer.cloudpam.test";
export const AUDIENCE = "cloudpam-api";

export interface TestIssuer {
  jwksUrl: string;
  /** Settings for startTestServer that trust this issuer. */
  env: Record<string, string>;
  /** Signs a JWT with the published key (or `key: "unpublished"`); claims override the defaults. */
  sign(
    claims?: JWTPayload,
    opts?: { key?: "published" | "unpublished"; expiresIn?: string | number },
  ): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const published = await generateKeyPair("RS256", { extractable: true });
  const unpublished = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(published.publicKey)), kid: "published-key", alg: "RS256", use: "sig" };
  const server: Server = createServer((req, res) => {
    if (req.url !== "/jwks.json") return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;

  return {
    jwksUrl,
    env: {
      OIDC_ISSUER: ISSUER,
      OIDC_AUDIENCE: AUDIENCE,
      OIDC_JWKS_URL: jwksUrl,
      OIDC_CLOCK_SKEW_SECONDS: "30",
    },
    async sign(claims = {}, opts = {}) {
      const which = opts.key === "unpublished" ? unpublished : published;
      const kid = opts.key === "unpublished" ? "unpublished-key" : "published-key";
      return new SignJWT({ sub: "alice@example.com", cloudpam_role: "OPERATOR", ...claims })
        .setProtectedHeader({ alg: "RS256", kid })
        .setIssuer((claims.iss as string | undefined) ?? ISSUER)
        .setAudience((claims.aud as string | undefined) ?? AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(opts.expiresIn ?? "5m")
        .sign(which.privateKey as CryptoKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
