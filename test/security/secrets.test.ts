/** Secrets never reach the logs: API tokens and JWTs, whether accepted, refused or created. */
import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, startTestServer, type TestServer } from "../helpers/server.js";
import { startTestIssuer, type TestIssuer } from "./jwks.js";

let issuer: TestIssuer;
let s: TestServer;
beforeAll(async () => {
  issuer = await startTestIssuer();
  s = await startTestServer({
    ...issuer.env,
    LOG_LEVEL: "trace",
    RATE_LIMIT_PER_SECOND: "1",
    RATE_LIMIT_BURST: "30",
  });
});
afterAll(async () => {
  await s.close();
  await issuer.close();
});

/** The parts of a credential that must not appear: the whole thing, and its secret part alone. */
function secretParts(credential: string): string[] {
  const api = /^cpam_[a-z0-9]{10}_(.+)$/.exec(credential);
  if (api) return [credential, api[1]!];
  return [credential, credential.split(".")[2]!].filter((p) => p.length > 10);
}

describe("logs", () => {
  it("never contain a token or JWT, used, refused, created or revoked", async () => {
    const created = await s.ok<{ createApiToken: { token: string; apiToken: { id: string } } }>(
      'mutation { createApiToken(input: { name: "log-probe", role: OPERATOR }) { token apiToken { id } } }',
    );
    const token = created.createApiToken.token;
    const jwt = await issuer.sign({ cloudpam_role: "ADMIN" });
    const expiredJwt = await issuer.sign({}, { expiresIn: Math.floor(Date.now() / 1000) - 3600 });
    const forged = `cpam_${token.slice(5, 15)}_${"A".repeat(43)}`;

    await s.gql("{ serverInfo { version } }", {}, { token });
    await s.gql("{ apiTokens { id } }", {}, { token }); // FORBIDDEN
    await s.gql("{ apiTokens { id } }", {}, { token: jwt });
    await s.gql("{ serverInfo { version } }", {}, { token: expiredJwt });
    await s.gql("{ serverInfo { version } }", {}, { token: forged });
    await s.gql("{ serverInfo { version } }", {}, { token: `${token}x` });
    await collect(s.wsClient(token), "subscription { heartbeat(intervalMs: 10) { sequence } }", 1).done;
    await collect(s.wsClient(jwt), "subscription { heartbeat(intervalMs: 10) { sequence } }", 1).done;
    await s.ok("mutation ($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { id } } }", {
      id: created.createApiToken.apiToken.id,
    });

    for (let i = 0; i < 40; i++) await s.gql("{ serverInfo { version } }", {}, { token }); // rate limited (revoked by now: limits apply before authentication)
    const log = s.logs.join("\n");
    expect(log).toContain("rate limit"); // the scan covers the paths that log the most
    expect(s.logs.length).toBeGreaterThan(20);
    for (const secret of [s.adminToken, token, jwt, expiredJwt, forged].flatMap(secretParts)) {
      expect(log).not.toContain(secret);
    }
  });
});
