/**
 * The README runs as written (#12): every ```graphql block of README.md, in order, against a fresh
 * server (AUTH=on, the admin token), one operation per block. `"<pool id>"`, `"<account id>"`,
 * `"<allocation id>"`, `"<reservation id>"` are replaced by the first id an earlier block returned under
 * that key (`pool { id }`, `account { id }`, ...). Subscriptions run over graphql-ws until their first event.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Kind, OperationTypeNode, parse } from "graphql";
import { startTestServer, type TestServer } from "./helpers/server.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);

let s: TestServer;
const ids = new Map<string, string>();

beforeAll(async () => {
  s = await startTestServer({ LOG_LEVEL: "warn" });
});
afterAll(async () => {
  await s.close();
});

/** Remembers the first id seen under each object key (`pool`, `account`, `allocation`, ...). */
function collectIds(value: unknown, key?: string): void {
  if (Array.isArray(value)) return value.forEach((v) => collectIds(v, key));
  if (!value || typeof value !== "object") return;
  const o = value as Record<string, unknown>;
  if (key && typeof o.id === "string" && !ids.has(`<${key} id>`)) ids.set(`<${key} id>`, o.id);
  for (const [k, v] of Object.entries(o)) collectIds(v, k === "node" || k === "edges" ? key : k);
}

function substitute(block: string): string {
  return block.replace(/"(<[a-z ]+ id>)"/g, (whole, placeholder: string) => {
    const id = ids.get(placeholder);
    if (!id) throw new Error(`${placeholder} is used before any earlier block returned it`);
    return JSON.stringify(id);
  });
}

function firstEvent(query: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const stop = s.wsClient().subscribe(
      { query },
      {
        next: (v) => {
          stop();
          if (v.errors?.length) reject(new Error(JSON.stringify(v.errors)));
          else resolve(v.data);
        },
        error: (e) => reject(e instanceof Error ? e : new Error(JSON.stringify(e))),
        complete: () => undefined,
      },
    );
  });
}

describe("README.md", () => {
  it("has GraphQL examples, one operation per block", () => {
    expect(blocks.length).toBeGreaterThan(5);
    for (const block of blocks) {
      const operations = parse(block).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
      expect(operations, block).toHaveLength(1);
    }
  });

  it("runs every block in order without an error", async () => {
    for (const [i, block] of blocks.entries()) {
      const query = substitute(block);
      const op = parse(query).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
      if (op?.kind === Kind.OPERATION_DEFINITION && op.operation === OperationTypeNode.SUBSCRIPTION) {
        collectIds(await firstEvent(query));
        continue;
      }
      const r = await s.gql(query);
      expect(r.errors, `block ${i + 1}:\n${block}`).toBeUndefined();
      collectIds(r.data);
    }
  }, 60_000);
});

describe("README.md states defaults as the code behaves", () => {
  it("the CSV export includes RELEASED allocations unless a status is given", async () => {
    expect(readme).toContain("the CSV export includes RELEASED allocations");
    const csv = async (query: string) =>
      (
        await fetch(`${s.url}/export/allocations.csv${query}`, {
          headers: { authorization: `Bearer ${s.adminToken}` },
        })
      ).text();
    const pool = await s.ok<{ createPool: { pool: { id: string } } }>(
      `mutation { createPool(input: { name: "csv-default", cidr: "192.168.0.0/16" }) { pool { id } } }`,
    );
    const account = await s.ok<{ createAccount: { account: { id: string } } }>(
      `mutation { createAccount(input: { key: "aws:210987654321", name: "csv-default" }) { account { id } } }`,
    );
    const a = await s.ok<{ allocate: { allocation: { id: string } } }>(
      `mutation($p: ID!, $a: ID!) { allocate(input: { poolId: $p, accountId: $a, prefixLength: 24, name: "gone" }) { allocation { id } } }`,
      { p: pool.createPool.pool.id, a: account.createAccount.account.id },
    );
    await s.ok(`mutation($id: ID!) { releaseAllocation(input: { id: $id }) { allocation { status } } }`, {
      id: a.allocate.allocation.id,
    });
    expect(await csv("?within=192.168.0.0/16")).toContain("192.168.0.0/24");
    expect(await csv("?within=192.168.0.0/16&status=ALLOCATED")).not.toContain("192.168.0.0/24");
  });
});
