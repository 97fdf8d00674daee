/**
 * Several `cloudpam serve` replicas on one PostgreSQL database, as real processes (test/helpers/replicas.ts: each
 * in its own process group, killed even when a test fails): a start together on an empty database (one
 * migration run, one bootstrap token, all serve), 300 parallel /24 allocations into one /16 spread over three
 * replicas (256 distinct, none overlapping, 44 CONFLICT), the same into three pools at once, a replica SIGKILLed
 * in the middle of a burst (every acknowledged allocation committed with its event, no overlap), and a
 * subscriber on one replica that sees allocations made on another (LISTEN/NOTIFY fan-out), and events in commit
 * order: 3,000 events committed concurrently over the replicas reach a subscriber on each replica (from cursor 0)
 * and one webhook exactly once each, in cursor order.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import WebSocket from "ws";
import { createClient, type Client } from "graphql-ws";
import { containsPrefix, overlaps, parsePrefix, type Prefix } from "../../src/allocator/index.js";
import { postgresAvailability, startPostgres, type PgCluster } from "../helpers/postgres.js";
import { gqlAt, PENDING_CONVERSION, startReplica, stopReplicas, type Replica } from "../helpers/replicas.js";
import { PG_MIGRATIONS_FOLDER } from "../../src/db/migrate.pg.js";

const availability = postgresAvailability();

const ALLOCATE = `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id cidr } } }`;

/** Rows of one database (superuser URL of it). */
async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const rowId = (globalId: string) => Number(Buffer.from(globalId, "base64url").toString().split(":")[1]);

/** No two of the prefixes overlap, and each is a /24 of `parent`. */
function assertDisjointInside(cidrs: readonly string[], parent: string): void {
  const p = parsePrefix(parent);
  const sorted: Prefix[] = cidrs.map(parsePrefix).sort((a, b) => (a.start < b.start ? -1 : 1));
  for (const c of sorted) {
    expect(c.length).toBe(24);
    expect(containsPrefix(p, c)).toBe(true);
  }
  for (let i = 1; i < sorted.length; i++) expect(overlaps(sorted[i - 1]!, sorted[i]!)).toBe(false);
}

describe.skipIf(!availability.available)("replicas on one PostgreSQL database", () => {
  let cluster: PgCluster;
  let dbUrl: string;
  let replicas: Replica[] = [];
  let token: string;
  let accountId: string;

  beforeAll(async () => {
    cluster = await startPostgres({ bin: availability.bin!, settings: { max_connections: "200" } });
    dbUrl = await cluster.createDatabase();
  }, 60_000);
  afterAll(async () => {
    await stopReplicas(replicas);
    await cluster?.destroy();
  }, 60_000);

  it("3 replicas started at once on an empty database: one migration run, one bootstrap token, all serve", async () => {
    replicas = await Promise.all([0, 1, 2].map(() => startReplica({ DATABASE_URL: dbUrl })));
    const migrated = replicas.filter((r) => r.output().includes('"msg":"database migrated"'));
    expect(migrated).toHaveLength(1);
    const files = readdirSync(PG_MIGRATIONS_FOLDER).filter((f) => f.endsWith(".sql"));
    const applied = await query<{ n: string }>(dbUrl, "SELECT count(*) AS n FROM __drizzle_migrations");
    expect(Number(applied[0]!.n)).toBe(files.length);
    // Exactly one replica created (and printed) the bootstrap token; the others found it.
    const tokens = replicas.map((r) => r.bootstrapToken()).filter((t): t is string => t !== null);
    expect(tokens).toHaveLength(1);
    expect(await query(dbUrl, "SELECT name FROM api_tokens")).toEqual([{ name: "bootstrap-admin" }]);
    token = tokens[0]!;
    for (const r of replicas) {
      const ready = await fetch(`${r.url}/readyz`);
      expect(ready.status).toBe(200);
      // Every replica accepts the token (it reads it from the shared database).
      const me = await gqlAt(r.url, token, "{ __typename }");
      expect(me.errors).toBeUndefined();
    }
    const account = await gqlAt<{ createAccount: { account: { id: string } } }>(
      replicas[0]!.url,
      token,
      `mutation { createAccount(input: {key: "aws:444444444444", name: "replicas", tier: PRD}) { account { id } } }`,
    );
    expect(account.errors).toBeUndefined();
    accountId = account.data!.createAccount.account.id;
  }, 120_000);

  // The allocation tests need the pool and allocation query modules on PostgreSQL.
  describe.skipIf(PENDING_CONVERSION !== null)("allocations over the replicas", () => {
    const newPool = async (cidr: string) => {
      const r = await gqlAt<{ createPool: { pool: { id: string } } }>(
        replicas[1]!.url,
        token,
        `mutation($input: CreatePoolInput!) { createPool(input: $input) { pool { id } } }`,
        { input: { cidr, name: `pool-${cidr}` } },
      );
      expect(r.errors).toBeUndefined();
      return r.data!.createPool.pool.id;
    };

    const burst = (poolId: string, n: number, tag: string, urls = replicas.map((r) => r.url)) =>
      Array.from({ length: n }, (_, i) =>
        gqlAt<{ allocate: { allocation: { id: string; cidr: string } } }>(
          urls[i % urls.length]!,
          token,
          ALLOCATE,
          {
            input: { poolId, accountId, prefixLength: 24, name: `${tag}-${i}` },
          },
        ),
      );

    const liveAllocations = async (poolId: string) =>
      (
        await query<{ cidr: string }>(
          dbUrl,
          "SELECT cidr FROM prefixes WHERE parent_id = $1 AND kind = 'allocation' AND released_at IS NULL",
          [rowId(poolId)],
        )
      ).map((r) => r.cidr);

    /** 300 requests over the replicas: 256 distinct /24s, none overlapping, 44 CONFLICT, all in the database. */
    async function expectFullPool(
      poolId: string,
      cidr: string,
      outcomes: Awaited<ReturnType<typeof burst>[number]>[],
    ) {
      const won = outcomes.filter((o) => o.data?.allocate).map((o) => o.data!.allocate.allocation.cidr);
      const refused = outcomes.filter((o) => o.errors);
      expect(outcomes.filter((o) => o.failed || o.status !== 200)).toEqual([]);
      expect(new Set(won).size).toBe(256);
      expect(won).toHaveLength(256);
      expect(refused).toHaveLength(44);
      for (const o of refused) {
        expect(o.errors).toHaveLength(1);
        expect(o.errors![0]!.extensions?.code).toBe("CONFLICT");
      }
      assertDisjointInside(won, cidr);
      expect((await liveAllocations(poolId)).sort()).toEqual([...won].sort());
    }

    it("300 parallel /24 allocations into one /16 over 3 replicas: 256 distinct, none overlapping, 44 CONFLICT", async () => {
      const poolId = await newPool("10.0.0.0/16");
      const outcomes = await Promise.all(burst(poolId, 300, "one"));
      await expectFullPool(poolId, "10.0.0.0/16", outcomes);
      // Every replica served some of the winners.
      for (let k = 0; k < 3; k++)
        expect(outcomes.filter((o, i) => i % 3 === k && o.data).length).toBeGreaterThan(0);
    }, 120_000);

    it("the same into 3 pools at once", async () => {
      const cidrs = ["10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"];
      const pools = await Promise.all(cidrs.map(newPool));
      const all = await Promise.all(pools.map((p, k) => Promise.all(burst(p, 300, `three-${k}`))));
      for (const [k, outcomes] of all.entries()) await expectFullPool(pools[k]!, cidrs[k]!, outcomes);
    }, 180_000);

    it("a subscriber on replica A receives allocations made on replica B", async () => {
      const poolId = await newPool("10.9.0.0/16");
      const client = createClient({
        url: replicas[0]!.url.replace(/^http/, "ws") + "/graphql",
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
      });
      try {
        const received: string[] = [];
        let subscribed!: () => void;
        const done = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`received ${received.length}/5`)), 15_000);
          client.subscribe<{ allocationEvents: { type: string; allocation: { cidr: string } } }>(
            {
              query: `subscription($p: ID) { allocationEvents(poolId: $p) { type allocation { cidr } } }`,
              variables: { p: poolId },
            },
            {
              next: (v) => {
                received.push(v.data!.allocationEvents.allocation.cidr);
                if (received.length === 5) {
                  clearTimeout(timer);
                  resolve();
                }
              },
              error: (e) => reject(e instanceof Error ? e : new Error(JSON.stringify(e))),
              complete: () => undefined,
            },
          );
          client.on("connected", () => setTimeout(() => subscribed(), 300));
        });
        await new Promise<void>((r) => (subscribed = r));
        const made = await Promise.all(burst(poolId, 5, "fanout", [replicas[1]!.url]));
        const cidrs = made.map((o) => o.data!.allocate.allocation.cidr);
        await done;
        expect(received.sort()).toEqual(cidrs.sort());
      } finally {
        await client.dispose();
      }
    }, 60_000);

    it("event order: 3 replicas commit 3,000 events concurrently; a subscriber on each (from cursor 0) gets every event once, in cursor order, and a webhook every event", async () => {
      // One webhook on a loopback receiver, for every event committed from its creation on (the whole burst:
      // delivery is one event at a time, one write each; it catches up ~12 s after the burst on an idle box).
      const received: number[] = [];
      const receiver = createServer((req, res) => {
        req.resume();
        req.on("end", () => {
          received.push(Number(req.headers["x-cloudpam-event-id"]));
          res.writeHead(200).end("ok");
        });
      });
      await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
      const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const clients: Client[] = [];
      try {
        const hook = await gqlAt<{ createWebhook: { webhook: { cursor: string } } }>(
          replicas[0]!.url,
          token,
          `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { cursor } } }`,
          {
            input: {
              url: hookUrl,
              secret: "a-signing-secret-of-some-length",
            },
          },
        );
        expect(hook.errors).toBeUndefined();
        const hookCursor = Number(hook.data!.createWebhook.webhook.cursor);

        // A subscriber on each replica, streaming the whole log from cursor 0.
        const streams = replicas.map((r) => {
          const cursors: number[] = [];
          const errors: unknown[] = [];
          const client = createClient({
            url: r.url.replace(/^http/, "ws") + "/graphql",
            webSocketImpl: WebSocket,
            connectionParams: { authorization: `Bearer ${token}` },
            retryAttempts: 0,
          });
          clients.push(client);
          client.subscribe<{ events: { cursor: string } }>(
            { query: `subscription { events(after: "0") { cursor } }` },
            {
              next: (v) => (v.errors ? errors.push(v.errors) : cursors.push(Number(v.data!.events.cursor))),
              error: (e) => errors.push(e),
              complete: () => undefined,
            },
          );
          return { cursors, errors };
        });

        // 3,000 events: 150 writers at once over the 3 replicas and 6 pools, each a batch of 19 /28s (19
        // allocation.created in one transaction) then the release of one of them (allocation.released) on the
        // next replica.
        const pools: string[] = [];
        for (let k = 0; k < 6; k++) pools.push(await newPool(`10.${20 + k}.0.0/16`));
        const batches = await Promise.all(
          Array.from({ length: 150 }, async (_, i) => {
            const made = await gqlAt<{ allocateMany: { allocations: { id: string }[] } }>(
              replicas[i % 3]!.url,
              token,
              `mutation($input: AllocateManyInput!) { allocateMany(input: $input) { allocations { id } } }`,
              {
                input: {
                  poolId: pools[i % pools.length],
                  requests: Array.from({ length: 19 }, (_, j) => ({
                    accountId,
                    prefixLength: 28,
                    name: `order-${i}-${j}`,
                  })),
                },
              },
            );
            if (made.errors || made.failed) return made;
            const released = await gqlAt(
              replicas[(i + 1) % 3]!.url,
              token,
              `mutation($input: ReleaseAllocationInput!) { releaseAllocation(input: $input) { allocation { id } } }`,
              { input: { id: made.data!.allocateMany.allocations[i % 19]!.id } },
            );
            return released.errors || released.failed ? { ...released, data: made.data } : made;
          }),
        );
        expect(batches.filter((b) => b.errors || b.failed)).toEqual([]);
        expect(batches.flatMap((b) => b.data!.allocateMany.allocations)).toHaveLength(2850);

        const ids = (await query<{ id: number }>(dbUrl, "SELECT id FROM events ORDER BY id")).map((r) =>
          Number(r.id),
        );
        expect(ids.length).toBeGreaterThan(3000 + 6);
        const sinceHook = (
          await query<{ id: number }>(dbUrl, "SELECT id FROM events WHERE id > $1 ORDER BY id", [hookCursor])
        ).map((r) => Number(r.id));
        expect(sinceHook.length).toBeGreaterThan(3000);
        // Poll until each stream and the webhook have caught up with the log (then they must be exactly the log).
        const caughtUp = () =>
          streams.every((s) => s.errors.length > 0 || s.cursors.length >= ids.length) &&
          received.length >= sinceHook.length;
        for (let i = 0; i < 3000 && !caughtUp(); i++) await new Promise((r) => setTimeout(r, 50));
        for (const s of streams) {
          expect(s.errors).toEqual([]);
          expect(s.cursors).toEqual(ids);
        }
        expect(received).toEqual(sinceHook);
      } finally {
        await Promise.all(clients.map((c) => c.dispose()));
        receiver.closeAllConnections();
        await new Promise((r) => receiver.close(r));
      }
    }, 300_000);

    it("SIGKILL one replica mid-burst: every acknowledged allocation is committed with its event, none overlap", async () => {
      const poolId = await newPool("10.4.0.0/16");
      const victim = replicas[2]!;
      let answered = 0;
      const pending = burst(poolId, 300, "kill").map((p) => p.finally(() => answered++));
      while (answered < 60) await new Promise((r) => setTimeout(r, 5));
      victim.kill("SIGKILL");
      const outcomes = await Promise.all(pending);
      expect(await victim.exited).toBeNull();
      const acknowledged = outcomes.filter((o) => o.data?.allocate).map((o) => o.data!.allocate.allocation);
      // Requests to the killed replica after the kill failed on the network; none got an answer that lied.
      expect(outcomes.filter((o) => o.failed).length).toBeGreaterThan(0);
      for (const o of outcomes)
        if (!o.failed && !o.data?.allocate) expect(o.errors![0]!.extensions?.code).toBe("CONFLICT");
      const live = await liveAllocations(poolId);
      for (const a of acknowledged) expect(live).toContain(a.cidr);
      assertDisjointInside(live, "10.4.0.0/16");
      // Every committed allocation (acknowledged or not: the victim may have committed before answering) has its event.
      const withoutEvent = await query(
        dbUrl,
        `SELECT p.id FROM prefixes p WHERE p.parent_id = $1 AND p.kind = 'allocation'
         AND NOT EXISTS (SELECT 1 FROM events e WHERE e.type = 'allocation.created'
                          AND e.subject_type = 'Allocation' AND e.subject_id = p.id::text)`,
        [rowId(poolId)],
      );
      expect(withoutEvent).toEqual([]);
      // The survivors keep serving.
      for (const r of replicas.slice(0, 2)) expect((await fetch(`${r.url}/readyz`)).status).toBe(200);
    }, 120_000);
  });
});
