import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { desc } from "drizzle-orm";
import { events } from "../../src/db/schema.js";
import { collect, startTestServer, type TestServer } from "../helpers/server.js";
import { startTestIssuer, type TestIssuer } from "./jwks.js";

let issuer: TestIssuer;
let s: TestServer;
beforeAll(async () => {
  issuer = await startTestIssuer();
  s = await startTestServer(issuer.env);
});
afterAll(async () => {
  await s.close();
  await issuer.close();
});

const now = () => Math.floor(Date.now() / 1000);
const READ = '{ node(id: "Tm90aGluZzox") { id } }';

async function refusal(jwt: string) {
  const r = await s.gql(READ, {}, { token: jwt });
  return { status: r.status, code: r.errors?.[0]?.extensions?.code, message: r.errors?.[0]?.message ?? "" };
}

describe("bearer JWTs from the configured OIDC issuer", () => {
  it("accepts a valid JWT and grants the role named in the role claim", async () => {
    const jwt = await issuer.sign({ cloudpam_role: "VIEWER" });
    const read = await s.gql(READ, {}, { token: jwt });
    expect(read.status).toBe(200);
    expect(read.errors).toBeUndefined();
    const admin = await s.gql("{ apiTokens { id } }", {}, { token: jwt });
    expect(admin.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("records the JWT subject as the actor of the events it causes", async () => {
    const jwt = await issuer.sign({ sub: "carol@example.com", cloudpam_role: "ADMIN" });
    await s.ok(
      'mutation { createApiToken(input: { name: "made-by-carol", role: VIEWER }) { token } }',
      {},
      jwt,
    );
    const [last] = await s.app.services.store.read((db) =>
      db.select().from(events).orderBy(desc(events.id)).limit(1),
    );
    expect(last).toMatchObject({ type: "token.created", actor: "jwt:carol@example.com" });
  });

  it("tolerates an expiry within the configured clock skew", async () => {
    const jwt = await issuer.sign({}, { expiresIn: now() - 10 });
    expect((await s.gql(READ, {}, { token: jwt })).errors).toBeUndefined();
  });

  it.each([
    ["an expired JWT", () => issuer.sign({}, { expiresIn: now() - 3600 }), /expired/],
    ["a JWT for another audience", () => issuer.sign({ aud: "someone-else" }), /aud/],
    ["a JWT from another issuer", () => issuer.sign({ iss: "https://evil.example" }), /iss/],
    [
      "a JWT signed with a key the JWKS does not publish",
      () => issuer.sign({}, { key: "unpublished" }),
      /no key/,
    ],
    [
      "an unsigned JWT (alg: none)",
      async () => {
        const [, payload] = (await issuer.sign({ cloudpam_role: "ADMIN" })).split(".");
        const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
        return `${header}.${payload}.`;
      },
      /JWT/,
    ],
    [
      "a JWT whose payload was changed after signing",
      async () => {
        const [header, , signature] = (await issuer.sign({ cloudpam_role: "VIEWER" })).split(".");
        const forged = Buffer.from(
          JSON.stringify({
            sub: "mallory",
            cloudpam_role: "ADMIN",
            iss: "https://issuer.cloudpam.test",
            aud: "cloudpam-api",
            exp: now() + 300,
          }),
        ).toString("base64url");
        return `${header}.${forged}.${signature}`;
      },
      /signature/,
    ],
  ])("refuses %s with UNAUTHENTICATED and HTTP 401", async (_name, make, reason) => {
    const r = await refusal(await make());
    expect(r).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    expect(r.message).toMatch(reason);
  });

  it("refuses a valid JWT without a CloudPAM role with FORBIDDEN and HTTP 403, naming the claim", async () => {
    const r = await refusal(await issuer.sign({ cloudpam_role: undefined }));
    expect(r).toMatchObject({ status: 403, code: "FORBIDDEN" });
    expect(r.message).toContain("cloudpam_role");
    const unknown = await refusal(await issuer.sign({ cloudpam_role: "SUPERUSER" }));
    expect(unknown.code).toBe("FORBIDDEN");
  });

  it("authenticates graphql-ws connections with a JWT in connection_init", async () => {
    const client = s.wsClient(await issuer.sign({ cloudpam_role: "VIEWER" }));
    const ticks = await collect<{ heartbeat: { sequence: number } }>(
      client,
      "subscription { heartbeat(intervalMs: 10) { sequence } }",
      2,
    ).done;
    expect(ticks.map((t) => t.heartbeat.sequence)).toEqual([1, 2]);
  });

  it("closes a graphql-ws connection with an expired JWT with 4401", async () => {
    const client = s.wsClient(await issuer.sign({}, { expiresIn: now() - 3600 }));
    const closed = new Promise<number>((resolve) =>
      client.on("closed", (e) => resolve((e as { code: number }).code)),
    );
    collect(client, "subscription { heartbeat(intervalMs: 10) { sequence } }", 1).done.catch(() => undefined);
    expect(await closed).toBe(4401);
  });
});
