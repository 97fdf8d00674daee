/**
 * Safety under concurrency, through HTTP: many parallel allocate requests at one pool, in one server
 * process and in two processes sharing one SQLite file (the rolling-restart case).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import {
  containsPrefix,
  formatPrefix,
  overlaps,
  parsePrefix,
  type Prefix,
} from "../../src/allocator/index.js";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { freeBlocks, prefixes } from "../../src/db/schema.js";
import { serveProcess } from "../helpers/cli.js";
import { newPool } from "../helpers/plan.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

const LIMITS = { RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000" };

let s: TestServer;
let accountId: string;
beforeAll(async () => {
  s = await startTestServer(LIMITS);
  const r = await s.ok<{ createAccount: { account: { id: string } } }>(
    `mutation { createAccount(input: {key: "aws:333333333333", name: "load", tier: PRD}) { account { id } } }`,
  );
  accountId = r.createAccount.account.id;
});
afterAll(async () => {
  await s.close();
});

interface Outcome {
  status: number;
  data?: { allocate: { allocation: { id: string; cidr: string } } } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function allocateAt(url: string, input: Record<string, unknown>): Promise<Outcome> {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${s.adminToken}` },
    body: JSON.stringify({
      query: `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id cidr } } }`,
      variables: { input },
    }),
  });
  return { status: res.status, ...((await res.json()) as Omit<Outcome, "status">) };
}

/** Every outcome is a /24 inside the pool, none overlapping, or a pool-full CONFLICT; nothing else. */
function check(outcomes: Outcome[], poolCidr: string) {
  const parent = parsePrefix(poolCidr);
  const won: Prefix[] = [];
  for (const o of outcomes) {
    if (o.errors) {
      expect(o.errors).toHaveLength(1);
      expect(o.errors[0]!.extensions?.code).toBe("CONFLICT");
      expect(o.errors[0]!.message).toMatch(/^no free \/24 left in pool/);
      continue;
    }
    const p = parsePrefix(o.data!.allocate.allocation.cidr);
    expect(p.length).toBe(24);
    expect(containsPrefix(parent, p)).toBe(true);
    won.push(p);
  }
  won.sort((a, b) => (a.start < b.start ? -1 : 1));
  for (let i = 1; i < won.length; i++) expect(overlaps(won[i - 1]!, won[i]!)).toBe(false);
  return won;
}

async function liveAllocationRows(poolGlobalId: string): Promise<string[]> {
  const id = Number(Buffer.from(poolGlobalId, "base64url").toString().split(":")[1]);
  const rows = await s.app.services.store.read((db) =>
    db
      .select({ cidr: prefixes.cidr })
      .from(prefixes)
      .where(and(eq(prefixes.parentId, id), eq(prefixes.kind, "allocation"), isNull(prefixes.releasedAt)))
      .orderBy(asc(prefixes.rangeStart)),
  );
  return rows.map((r) => r.cidr);
}

async function freeBlockCount(poolGlobalId: string): Promise<number> {
  const id = Number(Buffer.from(poolGlobalId, "base64url").toString().split(":")[1]);
  const [row] = await s.app.services.store.read((db) =>
    db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(freeBlocks)
      .where(eq(freeBlocks.poolId, id)),
  );
  return row!.n;
}

describe("parallel allocate against one server", () => {
  it("gives 200 parallel /24 requests distinct aligned blocks, and a pool-full CONFLICT to the excess", async () => {
    const p = await newPool(s, "10.0.0.0/17"); // 128 /24s
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        allocateAt(s.url, { poolId: p, accountId, prefixLength: 24, name: `n${i}` }),
      ),
    );
    expect(outcomes.every((o) => o.status === 200)).toBe(true);
    const won = check(outcomes, "10.0.0.0/17");
    expect(won).toHaveLength(128);
    expect(await liveAllocationRows(p)).toEqual(won.map(formatPrefix));
    expect(await freeBlockCount(p)).toBe(0);
  });

  it("creates exactly one allocation for 50 parallel requests with one idempotency key", async () => {
    const p = await newPool(s, "10.1.0.0/16");
    const input = { poolId: p, accountId, prefixLength: 24, idempotencyKey: "parallel-key" };
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => allocateAt(s.url, input)));
    const ids = new Set(outcomes.map((o) => o.data?.allocate.allocation.id));
    expect(outcomes.filter((o) => o.errors)).toEqual([]);
    expect(ids.size).toBe(1);
    expect(await liveAllocationRows(p)).toEqual(["10.1.0.0/24"]);
  });
});

describe("parallel allocate against two server processes sharing one database", () => {
  let child: ChildProcess | undefined;
  let childUrl: string;
  beforeAll(async () => {
    // The same SQLite file, or the same PostgreSQL database.
    const database: Record<string, string> = s.databaseUrl
      ? { DATABASE_URL: s.databaseUrl }
      : { SQLITE_DSN: s.dbPath };
    const started = await serveProcess([], { ...LIMITS, ADDR: "127.0.0.1:0", ...database });
    child = started.child;
    childUrl = started.url;
  }, 60_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
  });

  it("never hands out overlapping blocks and loses no row", async () => {
    const p = await newPool(s, "10.2.0.0/16"); // 256 /24s
    const outcomes = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        allocateAt(i % 2 ? childUrl : s.url, { poolId: p, accountId, prefixLength: 24, name: `two-${i}` }),
      ),
    );
    expect(outcomes.every((o) => o.status === 200)).toBe(true);
    const won = check(outcomes, "10.2.0.0/16");
    expect(won).toHaveLength(256);
    // Both processes served winners, and every winner's row is in the database.
    expect(outcomes.filter((o, i) => i % 2 === 1 && o.data).length).toBeGreaterThan(0);
    expect(outcomes.filter((o, i) => i % 2 === 0 && o.data).length).toBeGreaterThan(0);
    expect(await liveAllocationRows(p)).toEqual(won.map(formatPrefix));
    expect(await freeBlockCount(p)).toBe(0);
  }, 60_000);

  it("creates exactly one allocation for one idempotency key sent to both processes", async () => {
    const p = await newPool(s, "10.3.0.0/16");
    const input = { poolId: p, accountId, prefixLength: 24, idempotencyKey: "two-process-key" };
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => allocateAt(i % 2 ? childUrl : s.url, input)),
    );
    expect(outcomes.filter((o) => o.errors)).toEqual([]);
    expect(new Set(outcomes.map((o) => o.data?.allocate.allocation.id)).size).toBe(1);
    expect(await liveAllocationRows(p)).toEqual(["10.3.0.0/24"]);
  }, 60_000);
});
