/**
 * PostgreSQL stopped and started under a running `cloudpam serve`: /readyz answers 503 while it is away and 200
 * again when it is back, the process never exits, a mutation during the outage gets SERVICE_UNAVAILABLE quickly
 * (no hang), and no acknowledged write is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresAvailability, startPostgres, type PgCluster } from "../helpers/postgres.js";
import { gqlAt, startReplica, stopReplicas, type Replica } from "../helpers/replicas.js";

const availability = postgresAvailability();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readyz(url: string): Promise<number> {
  return (await fetch(`${url}/readyz`)).status;
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const CREATE_ACCOUNT = `mutation($key: String!) { createAccount(input: {key: $key, name: $key, tier: PRD}) { account { id key } } }`;

describe.skipIf(!availability.available)("a replica while PostgreSQL is away", () => {
  let cluster: PgCluster;
  let replica: Replica | undefined;
  beforeAll(async () => {
    cluster = await startPostgres({ bin: availability.bin! });
  }, 60_000);
  afterAll(async () => {
    await stopReplicas([replica]);
    await cluster?.destroy();
  }, 60_000);

  it("readyz 503 then 200, SERVICE_UNAVAILABLE instead of a hang, no exit, nothing acknowledged lost", async () => {
    replica = await startReplica({ DATABASE_URL: await cluster.createDatabase(), AUTH: "off" });
    const before = await gqlAt<{ createAccount: { account: { key: string } } }>(
      replica.url,
      null,
      CREATE_ACCOUNT,
      {
        key: "aws:100000000001",
      },
    );
    expect(before.errors).toBeUndefined();
    expect(await readyz(replica.url)).toBe(200);

    await cluster.stop();
    await until("readyz 503", async () => (await readyz(replica!.url)) === 503);
    const started = Date.now();
    const during = await gqlAt(replica.url, null, CREATE_ACCOUNT, { key: "aws:100000000002" });
    expect(Date.now() - started).toBeLessThan(6000);
    expect(during.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
    expect(during.errors?.[0]?.message).toMatch(/database is unavailable/);
    expect(replica.child.exitCode).toBeNull();

    await cluster.start();
    await until("readyz 200", async () => (await readyz(replica!.url)) === 200);
    const after = await gqlAt(replica.url, null, CREATE_ACCOUNT, { key: "aws:100000000003" });
    expect(after.errors).toBeUndefined();
    const list = await gqlAt<{ accounts: { edges: { node: { key: string } }[] } }>(
      replica.url,
      null,
      `{ accounts(first: 10) { edges { node { key } } } }`,
    );
    expect(list.data!.accounts.edges.map((e) => e.node.key).sort()).toEqual([
      "aws:100000000001",
      "aws:100000000003",
    ]);
    expect(replica.child.exitCode).toBeNull();
  }, 120_000);
});
