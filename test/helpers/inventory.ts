/**
 * Builds a small inventory (accounts, nested pools, allocations) through the real GraphQL API and keeps
 * a plain model of it, so tests can compute the expected answer independently of the server.
 */
import Database from "better-sqlite3";
import pg from "pg";
import type { TestServer } from "./server.js";

export interface ModelAccount {
  id: string;
  key: string;
  provider: string;
  platform: string | null;
  tier: string | null;
  environment: string | null;
  regions: string[];
}

export interface ModelRow {
  id: string;
  kind: "POOL" | "ALLOCATION";
  cidr: string;
  family: 4 | 6;
  /** [family, start address as BigInt, prefix length]: network order. */
  start: bigint;
  prefixLength: number;
  name: string;
  status: string;
  poolId: string | null;
  account: ModelAccount | null;
  createdAt: string;
}

export interface Inventory {
  accounts: Record<string, ModelAccount>;
  pools: Record<string, ModelRow>;
  rows: ModelRow[];
}

/** Start address of a CIDR as a BigInt (enough for the test's own model). */
export function startOf(cidr: string): bigint {
  const [addr] = cidr.split("/") as [string];
  if (addr.includes(":")) {
    const [head, tail = ""] = addr.split("::");
    const h = head ? head.split(":") : [];
    const t = tail ? tail.split(":") : [];
    const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
    return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
  }
  return addr.split(".").reduce((acc, o) => (acc << 8n) + BigInt(Number(o)), 0n);
}

export function addressCount(row: Pick<ModelRow, "family" | "prefixLength">): bigint {
  return 1n << BigInt((row.family === 4 ? 32 : 128) - row.prefixLength);
}

export function inside(row: ModelRow, cidr: string): boolean {
  const family = cidr.includes(":") ? 6 : 4;
  const len = Number(cidr.split("/")[1]);
  if (row.family !== family || row.prefixLength < len) return false;
  const bits = BigInt((family === 4 ? 32 : 128) - len);
  return row.start >> bits === startOf(cidr) >> bits;
}

const ACCOUNTS = [
  {
    key: "aws:111111111111",
    name: "alpha",
    platform: "payments",
    tier: "PRD",
    environment: "prod",
    regions: ["us-east-1", "eu-west-1"],
  },
  {
    key: "gcp:beta-project",
    name: "beta",
    platform: "search",
    tier: "DEV",
    environment: "dev",
    regions: ["europe-west4"],
  },
  {
    key: "aws:222222222222",
    name: "gamma",
    platform: "payments",
    tier: "STG",
    environment: "stage",
    regions: ["us-east-1"],
  },
];

export async function createAccount(
  s: TestServer,
  a: Omit<ModelAccount, "id" | "provider"> & { name: string },
) {
  const r = await s.ok<{ createAccount: { account: { id: string; provider: string } } }>(
    `mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id provider } } }`,
    { input: a },
  );
  return { ...a, id: r.createAccount.account.id, provider: r.createAccount.account.provider };
}

export async function createPool(
  s: TestServer,
  cidr: string,
  name: string,
  parent?: ModelRow,
  account?: ModelAccount,
) {
  const r = await s.ok<{ createPool: { pool: { id: string; createdAt: string } } }>(
    `mutation($input: CreatePoolInput!) { createPool(input: $input) { pool { id createdAt } } }`,
    { input: { cidr, name, parentId: parent?.id ?? null, accountId: account?.id ?? null } },
  );
  return {
    id: r.createPool.pool.id,
    kind: "POOL" as const,
    cidr,
    family: (cidr.includes(":") ? 6 : 4) as 4 | 6,
    start: startOf(cidr),
    prefixLength: Number(cidr.split("/")[1]),
    name,
    status: "ACTIVE",
    poolId: parent?.id ?? null,
    account: account ?? null,
    createdAt: r.createPool.pool.createdAt,
  };
}

export async function allocate(
  s: TestServer,
  pool: ModelRow,
  cidr: string,
  account: ModelAccount,
  name: string,
) {
  const r = await s.ok<{ allocate: { allocation: { id: string; createdAt: string } } }>(
    `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id createdAt } } }`,
    { input: { poolId: pool.id, cidr, accountId: account.id, name } },
  );
  return {
    id: r.allocate.allocation.id,
    kind: "ALLOCATION" as const,
    cidr,
    family: (cidr.includes(":") ? 6 : 4) as 4 | 6,
    start: startOf(cidr),
    prefixLength: Number(cidr.split("/")[1]),
    name,
    status: "ALLOCATED",
    poolId: pool.id,
    account,
    createdAt: r.allocate.allocation.createdAt,
  };
}

/** Decodes a global id's row id (base64url "Type:id"). */
export const rowIdOf = (globalId: string) =>
  Number(Buffer.from(globalId, "base64url").toString().split(":")[1]);

/** Sets creation times directly in the database (the API stamps "now"; charts need history). Either backend. */
export async function setCreatedAt(s: TestServer, rows: ModelRow[], times: string[]): Promise<void> {
  if (s.databaseUrl) {
    const client = new pg.Client({ connectionString: s.databaseUrl });
    await client.connect();
    try {
      await client.query("BEGIN");
      for (const [i, r] of rows.entries())
        await client.query("UPDATE prefixes SET created_at = $1 WHERE id = $2", [times[i], rowIdOf(r.id)]);
      await client.query("COMMIT");
    } finally {
      await client.end();
    }
  } else {
    const db = new Database(s.dbPath);
    try {
      const update = db.prepare("UPDATE prefixes SET created_at = ? WHERE id = ?");
      db.transaction(() => rows.forEach((r, i) => update.run(times[i], rowIdOf(r.id))))();
    } finally {
      db.close();
    }
  }
  rows.forEach((r, i) => (r.createdAt = times[i]!));
}

/**
 * Three accounts; pools 10.0.0.0/8 > {10.0.0.0/16 prod, 10.1.0.0/16 dev, 10.10.0.0/16 lab} and
 * 2001:db8::/32 > 2001:db8::/48; /24 allocations spread over accounts, /64s in IPv6, one released.
 */
export async function buildInventory(s: TestServer): Promise<Inventory> {
  const accounts: Record<string, ModelAccount> = {};
  for (const a of ACCOUNTS) accounts[a.name] = await createAccount(s, a);
  const { alpha, beta, gamma } = accounts as Record<"alpha" | "beta" | "gamma", ModelAccount>;
  const corp = await createPool(s, "10.0.0.0/8", "corp");
  const v6 = await createPool(s, "2001:db8::/32", "v6");
  const pools = {
    corp,
    v6,
    prod: await createPool(s, "10.0.0.0/16", "prod-use1", corp, alpha),
    dev: await createPool(s, "10.1.0.0/16", "dev", corp, beta),
    lab: await createPool(s, "10.10.0.0/16", "lab", corp),
    v6prod: await createPool(s, "2001:db8::/48", "v6-prod", v6, alpha),
  };
  const rows: ModelRow[] = [pools.prod, pools.dev, pools.lab, pools.v6prod];
  const plan: [ModelRow, string, ModelAccount, string][] = [
    [pools.prod, "10.0.3.0/24", alpha, "web"],
    [pools.prod, "10.0.1.0/24", gamma, "batch"],
    [pools.prod, "10.0.2.0/24", alpha, "db"],
    [pools.prod, "10.0.0.0/24", gamma, "edge"],
    [pools.dev, "10.1.0.0/24", beta, "sandbox"],
    [pools.dev, "10.1.1.0/25", beta, "ci"],
    [pools.lab, "10.10.0.0/24", gamma, "lab-1"],
    [pools.v6prod, "2001:db8::/64", alpha, "v6-a"],
    [pools.v6prod, "2001:db8:0:1::/64", alpha, "v6-b"],
    [pools.v6prod, "2001:db8:0:2::/64", beta, "v6-c"],
  ];
  for (const [pool, cidr, account, name] of plan) rows.push(await allocate(s, pool, cidr, account, name));
  const released = await allocate(s, pools.dev, "10.1.2.0/24", beta, "old");
  await s.ok(`mutation($id: ID!) { releaseAllocation(input: { id: $id }) { allocation { id } } }`, {
    id: released.id,
  });
  released.status = "RELEASED";
  rows.push(released);
  return { accounts, pools, rows };
}
