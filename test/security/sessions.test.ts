/** WebSocket sessions: a limit per credential, and a revoked credential ends its open subscriptions. */
import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { desc } from "drizzle-orm";
import type { Client } from "graphql-ws";
import { events } from "../../src/db/schema.js";
import { collect, startTestServer, type TestServer } from "../helpers/server.js";

const TICKS = "subscription { heartbeat(intervalMs: 10) { sequence } }";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ WS_CONNECTIONS_PER_TOKEN: "2" });
});
afterAll(async () => {
  await s.close();
});

function closeOf(client: Client): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    client.on("closed", (e) => resolve({ code: (e as CloseEvent).code, reason: (e as CloseEvent).reason })),
  );
}

describe("WebSocket connections per token", () => {
  it("refuses a connection beyond WS_CONNECTIONS_PER_TOKEN with 4403 and says why, other tokens still connect", async () => {
    const token = await s.tokenFor("VIEWER", "ws-crowd");
    const connected = (client: Client) =>
      new Promise<void>((resolve) => client.on("connected", () => resolve()));
    for (let i = 0; i < 2; i++)
      await connected(s.wsClient(token, { lazy: false, onNonLazyError: () => undefined }));
    const third = s.wsClient(token, { lazy: false, onNonLazyError: () => undefined });
    const closed = closeOf(third);
    expect(await closed).toEqual({
      code: 4403,
      reason: expect.stringContaining("too many WebSocket connections"),
    });
    await expect(collect(s.wsClient(await s.tokenFor("VIEWER")), TICKS, 1).done).resolves.toHaveLength(1);
  });
});

describe("revocation", () => {
  it("ends an open subscription of a token revoked through the API with 4403, and audits who revoked it", async () => {
    const token = await s.tokenFor("VIEWER", "ws-revoked");
    const client = s.wsClient(token);
    const stream = collect(client, TICKS, 1_000_000);
    const closed = closeOf(client);
    await new Promise<void>((resolve) => client.on("message", () => resolve()));
    const { apiTokens } = await s.ok<{ apiTokens: { id: string; name: string }[] }>(
      "{ apiTokens { id name } }",
    );
    const id = apiTokens.find((t) => t.name === "ws-revoked")!.id;

    await s.ok("mutation ($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { revokedAt } } }", {
      id,
    });

    expect(await closed).toEqual({ code: 4403, reason: "token revoked" });
    await expect(stream.done).rejects.toBeDefined();
    const [last] = await s.app.services.store.read((db) =>
      db.select().from(events).orderBy(desc(events.id)).limit(1),
    );
    expect(last).toMatchObject({
      type: "token.revoked",
      actor: expect.stringMatching(/^token:1:bootstrap-admin$/),
    });
  });
});
