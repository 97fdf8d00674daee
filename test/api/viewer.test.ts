/**
 * `viewer`: the caller from the request's credential — API tokens of every role, OIDC JWTs, AUTH=off —
 * and what its role may do. It needs a credential: without one (AUTH=on) it is a 401 like every
 * protected field.
 */
import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { startTestIssuer, type TestIssuer } from "../security/jwks.js";

const VIEWER = `query Me {
  viewer { kind subject name role permissions { permission granted roles summary reason } }
}`;

interface ViewerData {
  viewer: {
    kind: string;
    subject: string;
    name: string;
    role: string;
    permissions: {
      permission: string;
      granted: boolean;
      roles: string[];
      summary: string;
      reason: string | null;
    }[];
  };
}

/** Written out here, independently of src/domain/roles.ts. */
const GRANTED: Record<string, string[]> = {
  VIEWER: ["READ"],
  OPERATOR: ["READ", "OPERATE"],
  ADMIN: ["READ", "OPERATE", "ADMIN", "AUDIT"],
  AUDITOR: ["READ", "AUDIT"],
};

let issuer: TestIssuer;
let s: TestServer;
beforeAll(async () => {
  issuer = await startTestIssuer();
  s = await startTestServer(issuer.env);
});
afterAll(async () => {
  await s?.close();
  await issuer?.close();
});

const granted = (v: ViewerData["viewer"]) => v.permissions.filter((p) => p.granted).map((p) => p.permission);

describe("viewer with an API token", () => {
  it.each(["VIEWER", "OPERATOR", "ADMIN", "AUDITOR"] as const)(
    "answers a %s token's kind, name, role and permissions",
    async (role) => {
      const token = await s.tokenFor(role, `viewer-${role.toLowerCase()}`);
      const { viewer } = await s.ok<ViewerData>(VIEWER, {}, token);
      const { apiTokens } = await s.ok<{ apiTokens: { id: string; name: string }[] }>(
        "{ apiTokens { id name } }",
      );
      expect(viewer).toMatchObject({
        kind: "TOKEN",
        name: `viewer-${role.toLowerCase()}`,
        role,
        subject: apiTokens.find((t) => t.name === `viewer-${role.toLowerCase()}`)!.id,
      });
      expect(granted(viewer)).toEqual(GRANTED[role]);
      expect(viewer.permissions.map((p) => p.permission)).toEqual(["READ", "OPERATE", "ADMIN", "AUDIT"]);
      for (const p of viewer.permissions) {
        expect(p.summary.length).toBeGreaterThan(10);
        if (p.granted) expect(p.reason).toBeNull();
        else expect(p.reason).toBe(`needs the ${p.roles.join(" or ")} role (you are ${role})`);
      }
    },
  );

  it("names the roles that hold each permission", async () => {
    const { viewer } = await s.ok<ViewerData>(VIEWER, {}, await s.tokenFor("VIEWER"));
    const roles = Object.fromEntries(viewer.permissions.map((p) => [p.permission, p.roles]));
    expect(roles).toEqual({
      READ: ["VIEWER", "OPERATOR", "ADMIN", "AUDITOR"],
      OPERATE: ["OPERATOR", "ADMIN"],
      ADMIN: ["ADMIN"],
      AUDIT: ["ADMIN", "AUDITOR"],
    });
    expect(viewer.permissions.find((p) => p.permission === "OPERATE")!.reason).toBe(
      "needs the OPERATOR or ADMIN role (you are VIEWER)",
    );
  });

  it("agrees with what the server then enforces: a VIEWER's OPERATE is not granted and allocate is FORBIDDEN", async () => {
    const token = await s.tokenFor("VIEWER");
    const { viewer } = await s.ok<ViewerData>(VIEWER, {}, token);
    expect(viewer.permissions.find((p) => p.permission === "OPERATE")!.granted).toBe(false);
    const r = await s.gql(
      'mutation { releaseAllocation(input: { id: "x" }) { allocation { id } } }',
      {},
      { token },
    );
    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("answers over the WebSocket too", async () => {
    const token = await s.tokenFor("AUDITOR", "ws-auditor");
    const client = s.wsClient(token);
    const result = await new Promise<ViewerData>((resolve, reject) => {
      let data: ViewerData | undefined;
      client.subscribe<ViewerData>(
        { query: VIEWER },
        {
          next: (r) => (r.errors ? reject(new Error(JSON.stringify(r.errors))) : (data = r.data!)),
          error: reject,
          complete: () => resolve(data!),
        },
      );
    });
    expect(result.viewer).toMatchObject({ kind: "TOKEN", name: "ws-auditor", role: "AUDITOR" });
  });

  it("is refused with HTTP 401 without a credential, like every protected field", async () => {
    const r = await s.gql(VIEWER, {}, { token: null });
    expect(r.status).toBe(401);
    expect(r.errors?.[0]?.extensions).toMatchObject({
      code: "UNAUTHENTICATED",
      details: { field: "viewer" },
    });
    expect(r.data ?? null).toBeNull();
  });

  it("is refused with HTTP 401 for an unknown token", async () => {
    const r = await s.gql(VIEWER, {}, { token: "cpam_nope_nope" });
    expect(r.status).toBe(401);
    expect(r.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("viewer with an OIDC JWT", () => {
  it.each(["VIEWER", "OPERATOR", "ADMIN", "AUDITOR"] as const)(
    "answers kind OIDC, the subject and the %s role from the role claim",
    async (role) => {
      const jwt = await issuer.sign({ sub: `${role.toLowerCase()}@example.com`, cloudpam_role: role });
      const { viewer } = await s.ok<ViewerData>(VIEWER, {}, jwt);
      expect(viewer).toMatchObject({
        kind: "OIDC",
        subject: `${role.toLowerCase()}@example.com`,
        name: `${role.toLowerCase()}@example.com`,
        role,
      });
      expect(granted(viewer)).toEqual(GRANTED[role]);
    },
  );

  it("takes the role from a one-element array claim, in any case", async () => {
    const jwt = await issuer.sign({ sub: "dave", cloudpam_role: ["operator"] });
    const { viewer } = await s.ok<ViewerData>(VIEWER, {}, jwt);
    expect(viewer.role).toBe("OPERATOR");
  });

  it("refuses a JWT without a CloudPAM role with HTTP 403 naming the claim", async () => {
    const jwt = await issuer.sign({ sub: "erin", cloudpam_role: "SUPERUSER" });
    const r = await s.gql(VIEWER, {}, { token: jwt });
    expect(r.status).toBe(403);
    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(r.errors?.[0]?.message).toMatch(/cloudpam_role/);
  });

  it("refuses an expired JWT with HTTP 401", async () => {
    const jwt = await issuer.sign(
      { cloudpam_role: "ADMIN" },
      { expiresIn: Math.floor(Date.now() / 1000) - 3600 },
    );
    const r = await s.gql(VIEWER, {}, { token: jwt });
    expect(r.status).toBe(401);
    expect(r.errors?.[0]?.message).toMatch(/expired/);
  });
});

describe("viewer with AUTH=off", () => {
  it("answers the anonymous ADMIN without a credential", async () => {
    const off = await startTestServer({ AUTH: "off" });
    try {
      const r = await off.gql<ViewerData>(VIEWER, {}, { token: null });
      expect(r.status).toBe(200);
      expect(r.data?.viewer).toMatchObject({ kind: "ANONYMOUS", subject: "anonymous", role: "ADMIN" });
      expect(granted(r.data!.viewer)).toEqual(GRANTED.ADMIN);
    } finally {
      await off.close();
    }
  });
});
