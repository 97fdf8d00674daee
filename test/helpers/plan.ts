/** Builders for the address plan (scopes, pools, accounts) through the real API, and a database dump. */
import Database from "better-sqlite3";
import pg from "pg";
import type { TestServer } from "./server.js";

export const POOL_FIELDS = `id name cidr family prefixLength status description tags
  rules { minChildPrefixLength maxChildPrefixLength defaultChildPrefixLength allowedTiers }
  scope { id name } parent { id name } account { id key } createdAt updatedAt`;

export interface PoolView {
  id: string;
  name: string;
  cidr: string;
  family: "IPV4" | "IPV6";
  prefixLength: number;
  status: string;
  description: string | null;
  tags: Record<string, string>;
  rules: {
    minChildPrefixLength: number | null;
    maxChildPrefixLength: number | null;
    defaultChildPrefixLength: number | null;
    allowedTiers: string[] | null;
  };
  scope: { id: string; name: string };
  parent: { id: string; name: string } | null;
  account: { id: string; key: string } | null;
  createdAt: string;
  updatedAt: string;
}

export async function createPool(s: TestServer, input: Record<string, unknown>): Promise<PoolView> {
  const r = await s.ok<{ createPool: { pool: PoolView } }>(
    `mutation($input: CreatePoolInput!) { createPool(input: $input) { pool { ${POOL_FIELDS} } } }`,
    { input },
  );
  return r.createPool.pool;
}

export async function createAccount(
  s: TestServer,
  input: Record<string, unknown>,
): Promise<{ id: string; key: string; name: string }> {
  const r = await s.ok<{ createAccount: { account: { id: string; key: string; name: string } } }>(
    `mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id key name } } }`,
    { input },
  );
  return r.createAccount.account;
}

export async function createScope(s: TestServer, name: string): Promise<{ id: string; name: string }> {
  const r = await s.ok<{ createScope: { scope: { id: string; name: string } } }>(
    `mutation($input: CreateScopeInput!) { createScope(input: $input) { scope { id name } } }`,
    { input: { name } },
  );
  return r.createScope.scope;
}

/** A pool of `cidr` named `pool-<cidr>` (`extra` may name it, set its status, rules, parent…); returns its id. */
export async function newPool(
  s: TestServer,
  cidr: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const r = await s.ok<{ createPool: { pool: { id: string } } }>(
    `mutation($input: CreatePoolInput!) { createPool(input: $input) { pool { id } } }`,
    { input: { cidr, name: `pool-${cidr}`, ...extra } },
  );
  return r.createPool.pool.id;
}

let accountsMade = 0;

/** A new account with a key of its own (aws:00000090000n), tier PRD unless `extra` says otherwise; returns its id. */
export async function newAccount(s: TestServer, extra: Record<string, unknown> = {}): Promise<string> {
  const n = 900_000 + ++accountsMade;
  const r = await s.ok<{ createAccount: { account: { id: string } } }>(
    `mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }`,
    { input: { key: `aws:${String(n).padStart(12, "0")}`, name: `account-${n}`, tier: "PRD", ...extra } },
  );
  return r.createAccount.account.id;
}

/** An allocation of exactly `cidr` from the pool for the account (`extra`: name, tags…); returns its id. */
export async function newAllocation(
  s: TestServer,
  poolId: string,
  accountId: string,
  cidr: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const r = await s.ok<{ allocate: { allocation: { id: string } } }>(
    `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id } } }`,
    { input: { poolId, accountId, cidr, ...extra } },
  );
  return r.allocate.allocation.id;
}

/** A reservation of exactly `cidr` in the pool (`extra`: reason); returns its id. */
export async function newReservation(
  s: TestServer,
  poolId: string,
  cidr: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const r = await s.ok<{ reserve: { reservation: { id: string } } }>(
    `mutation($input: ReserveInput!) { reserve(input: $input) { reservation { id } } }`,
    { input: { poolId, cidr, ...extra } },
  );
  return r.reserve.reservation.id;
}

/** Runs a mutation expected to fail; returns its single error. */
export async function failing(s: TestServer, query: string, variables: Record<string, unknown>) {
  const r = await s.gql(query, variables);
  if (!r.errors?.length) throw new Error(`expected an error, got ${JSON.stringify(r.data)}`);
  return r.errors[0]!;
}

/** Every row of every table, in a stable order: to prove a failed mutation changed nothing. */
export function dumpDatabase(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[];
    const out: Record<string, unknown[]> = {};
    for (const { name } of tables) out[name] = db.prepare(`SELECT * FROM "${name}" ORDER BY 1, 2`).all();
    return JSON.stringify(out);
  } finally {
    db.close();
  }
}

/**
 * `dumpDatabase` of a test server on either backend: its SQLite file, or every table of its PostgreSQL database
 * (schema public) in the same stable order. Compare dumps of one server only (the two backends format values
 * differently).
 */
export async function dumpServer(s: Pick<TestServer, "dbPath" | "databaseUrl">): Promise<string> {
  if (!s.databaseUrl) return dumpDatabase(s.dbPath);
  const client = new pg.Client({ connectionString: s.databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ name: string; columns: number }>(
      `SELECT t.table_name AS name, count(c.column_name)::int AS columns
         FROM information_schema.tables t JOIN information_schema.columns c
           ON c.table_schema = t.table_schema AND c.table_name = t.table_name
        WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
        GROUP BY t.table_name ORDER BY t.table_name COLLATE "C"`,
    );
    const out: Record<string, unknown[]> = {};
    for (const { name, columns } of tables.rows)
      out[name] = (await client.query(`SELECT * FROM "${name}" ORDER BY ${columns > 1 ? "1, 2" : "1"}`)).rows;
    return JSON.stringify(out);
  } finally {
    await client.end();
  }
}

/** Pages through a connection with `first`/`after` (or `last`/`before`), returning every node. */
export async function pageAll<T>(
  fetchPage: (args: { first?: number; after?: string; last?: number; before?: string }) => Promise<{
    edges: { cursor: string; node: T }[];
    pageInfo: {
      hasNextPage: boolean;
      hasPreviousPage: boolean;
      startCursor: string | null;
      endCursor: string | null;
    };
  }>,
  size: number,
  backward = false,
  between?: () => Promise<void>,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage(backward ? { last: size, before: cursor } : { first: size, after: cursor });
    const nodes = page.edges.map((e) => e.node);
    if (backward) out.unshift(...nodes);
    else out.push(...nodes);
    const more = backward ? page.pageInfo.hasPreviousPage : page.pageInfo.hasNextPage;
    if (!more) return out;
    cursor = (backward ? page.pageInfo.startCursor : page.pageInfo.endCursor) ?? undefined;
    if (between) await between();
  }
}
