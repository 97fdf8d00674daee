import { parse } from "csv-parse/sync";
import { sql, type SQL } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { allocate, buildInventory, createPool, rowIdOf, type Inventory } from "../helpers/inventory.js";
import { isPg, pgHandle } from "../../src/db/dialect.js";

let a: TestServer;
let inv: Inventory;

beforeAll(async () => {
  a = await startTestServer();
  inv = await buildInventory(a);
  // Values that need quoting, tags, rules and settings, so the round trip covers them.
  await a.ok(`mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }`, {
    input: {
      key: "aws:333333333333",
      name: 'delta, "the fourth"',
      description: "line one\nline two",
      tier: "SBX",
      regions: ["us-west-2"],
      settings: { roleArn: "arn:aws:iam::333333333333:role/cloudpam", externalId: "ext-1" },
    },
  });
  const rules = await a.ok<{ createPool: { pool: { id: string } } }>(
    `mutation($input: CreatePoolInput!) { createPool(input: $input) { pool { id } } }`,
    {
      input: {
        cidr: "10.20.0.0/16",
        name: "ruled",
        parentId: inv.pools.corp!.id,
        description: "min /20, max /28",
        tags: { team: "net", "cost center": "42,7" },
        rules: {
          minChildPrefixLength: 20,
          maxChildPrefixLength: 28,
          defaultChildPrefixLength: 24,
          allowedTiers: ["PRD", "STG"],
        },
      },
    },
  );
  await a.ok(`mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id } } }`, {
    input: {
      poolId: rules.createPool.pool.id,
      cidr: "10.20.16.0/20",
      accountId: inv.accounts.gamma!.id,
      name: "tagged",
      description: 'has "quotes", commas',
      tags: { app: "x", owner: "a|b" },
    },
  });
});
afterAll(async () => {
  await a.close();
});

async function exportCsv(s: TestServer, kind: string, query = "", token = s.adminToken) {
  const res = await fetch(`${s.url}/export/${kind}.csv${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { res, text: await res.text() };
}

const IMPORT = `mutation($input: ImportCsvInput!) {
  importCsv(input: $input) {
    kind dryRun rows created committed ignoredColumns
    columns { column field }
    errors { row field column message code }
  }
}`;
interface ImportResult {
  importCsv: {
    rows: number;
    created: number;
    committed: boolean;
    ignoredColumns: string[];
    columns: { column: string; field: string }[];
    errors: { row: number; field: string | null; column: string | null; message: string; code: string }[];
  };
}
async function importCsv(s: TestServer, kind: string, csv: string, dryRun = false, token?: string) {
  return (await s.ok<ImportResult>(IMPORT, { input: { kind, csv, dryRun } }, token)).importCsv;
}

/** Parsed CSV without the server-stamped columns (times, creator), which a new server sets anew. */
function comparable(text: string): Record<string, string>[] {
  const rows = parse(text, { columns: true }) as Record<string, string>[];
  const stamped = new Set(["created_at", "updated_at", "released_at", "created_by"]);
  return rows.map((r) => ({
    ...Object.fromEntries(Object.entries(r).filter(([k]) => !stamped.has(k))),
    released: r.released_at ? "yes" : "",
  }));
}

/** Rows of a statement on the server's database, SQLite or PostgreSQL. */
async function queryRows<T>(s: TestServer, q: SQL): Promise<T[]> {
  return s.app.services.store.read(async (db) =>
    isPg(db) ? ((await pgHandle(db).execute(q)).rows as T[]) : db.all<T>(q),
  );
}

async function countRows(s: TestServer, table: string, where = "1 = 1"): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    s,
    sql.raw(`SELECT CAST(count(*) AS integer) AS n FROM ${table} WHERE ${where}`),
  );
  return Number(row!.n);
}

describe("CSV export", () => {
  it("writes a header row, regions joined with |, JSON tags and RFC 3339 times", async () => {
    const { res, text } = await exportCsv(a, "accounts");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual(
      expect.arrayContaining(["key", "provider", "name", "tier", "environment", "regions", "created_at"]),
    );
    const alpha = rows.find((r) => r.key === "aws:111111111111")!;
    expect(alpha.regions).toBe("us-east-1|eu-west-1");
    expect(alpha.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    expect(rows.find((r) => r.key === "aws:333333333333")!.name).toBe('delta, "the fourth"');
    const allocations = parse((await exportCsv(a, "allocations")).text, { columns: true }) as Record<
      string,
      string
    >[];
    expect(JSON.parse(allocations.find((r) => r.name === "tagged")!.tags!)).toEqual({
      app: "x",
      owner: "a|b",
    });
  });

  it("applies the analytics filters given as query parameters", async () => {
    const aws = parse((await exportCsv(a, "allocations", "?provider=AWS&status=ALLOCATED")).text, {
      columns: true,
    }) as {
      account: string;
      status: string;
    }[];
    const expected = inv.rows.filter(
      (r) => r.kind === "ALLOCATION" && r.status === "ALLOCATED" && r.account?.provider === "AWS",
    );
    expect(aws.length).toBe(expected.length + 1); // + "tagged" (gamma, AWS)
    expect(aws.every((r) => r.account.startsWith("aws:") && r.status === "ALLOCATED")).toBe(true);
    const within = parse((await exportCsv(a, "pools", "?within=10.1.0.0/16")).text, { columns: true }) as {
      cidr: string;
    }[];
    expect(within.map((r) => r.cidr)).toEqual(["10.1.0.0/16"]);
    const dev = parse((await exportCsv(a, "accounts", "?tier=DEV,PRD")).text, { columns: true }) as {
      key: string;
    }[];
    expect(dev.map((r) => r.key).sort()).toEqual(["aws:111111111111", "gcp:beta-project"]);
  });

  it("refuses an unknown parameter, a bad CIDR, anonymous callers, and allows viewers", async () => {
    const unknown = await exportCsv(a, "pools", "?colour=red");
    expect(unknown.res.status).toBe(400);
    expect(JSON.parse(unknown.text).errors[0].extensions.details.field).toBe("colour");
    const bad = await exportCsv(a, "pools", "?within=10.0.0.1/8");
    expect(JSON.parse(bad.text).errors[0].extensions.details.field).toBe("filter.within");
    const anon = await fetch(`${a.url}/export/pools.csv`);
    expect(anon.status).toBe(401);
    await anon.body?.cancel();
    const viewer = await exportCsv(a, "pools", "", await a.tokenFor("VIEWER"));
    expect(viewer.res.status).toBe(200);
  });
});

describe("CSV round trip", () => {
  it("imports an export into a fresh server and exports the same files again", async () => {
    const b = await startTestServer();
    try {
      for (const [kind, file] of [
        ["ACCOUNTS", "accounts"],
        ["POOLS", "pools"],
        ["ALLOCATIONS", "allocations"],
      ] as const) {
        const original = (await exportCsv(a, file)).text;
        const result = await importCsv(b, kind, original);
        expect(result.errors).toEqual([]);
        expect(result.committed).toBe(true);
        expect(result.ignoredColumns).toEqual([]);
        const again = (await exportCsv(b, file)).text;
        expect(comparable(again)).toEqual(comparable(original));
        expect(again.split("\n")[0]).toBe(original.split("\n")[0]);
      }
    } finally {
      await b.close();
    }
  });
});

describe("CSV injection", () => {
  it("neutralises cells a spreadsheet would run as formulas, and imports them back unchanged", async () => {
    const b = await startTestServer();
    const c = await startTestServer();
    try {
      for (const [key, name] of [
        ["aws:444444444444", '=HYPERLINK("http://x")'],
        ["aws:555555555555", "@SUM(1+1)"],
        ["aws:666666666666", "-2+3"],
      ]) {
        await b.ok(`mutation($i: CreateAccountInput!) { createAccount(input: $i) { account { id } } }`, {
          i: { key, name },
        });
      }
      const exported = (await exportCsv(b, "accounts")).text;
      const names = (parse(exported, { columns: true }) as Record<string, string>[])
        .map((r) => r.name)
        .sort();
      expect(names).toEqual(["'-2+3", '\'=HYPERLINK("http://x")', "'@SUM(1+1)"]);
      const result = await importCsv(c, "ACCOUNTS", exported);
      expect(result.errors).toEqual([]);
      const stored = await c.ok<{ accounts: { edges: { node: { name: string } }[] } }>(
        "{ accounts(first: 10) { edges { node { name } } } }",
      );
      expect(stored.accounts.edges.map((e) => e.node.name).sort()).toEqual([
        "-2+3",
        '=HYPERLINK("http://x")',
        "@SUM(1+1)",
      ]);
    } finally {
      await b.close();
      await c.close();
    }
  });
});

describe("CSV import", () => {
  it("maps common header names and splits regions on | or ,", async () => {
    const csv = [
      "Account ID,Provider,Name,Tier,Environment,Regions,Owner Email",
      '444444444444,aws,echo,prd,prod,"us-east-1, eu-central-1",a@example.com',
      "555555555555,aws,foxtrot,dev,dev,us-west-2|us-east-2,b@example.com",
      "666666666666,,golf,dev,dev,,c@example.com",
    ].join("\n");
    const r = await importCsv(a, "ACCOUNTS", csv);
    expect(r.errors).toEqual([]);
    expect(r.created).toBe(3);
    expect(r.columns).toEqual(
      expect.arrayContaining([
        { column: "Account ID", field: "key" },
        { column: "Regions", field: "regions" },
      ]),
    );
    expect(r.ignoredColumns).toEqual(["Owner Email"]);
    const accounts = parse((await exportCsv(a, "accounts", "?tier=PRD")).text, { columns: true }) as Record<
      string,
      string
    >[];
    const dev = parse((await exportCsv(a, "accounts", "?tier=DEV")).text, { columns: true }) as {
      key: string;
    }[];
    expect(dev.map((x) => x.key)).toContain("aws:666666666666");
    expect(accounts.find((x) => x.key === "aws:444444444444")).toMatchObject({
      regions: "us-east-1|eu-central-1",
      tier: "PRD",
    });
  });

  it("writes nothing when one row is bad, and reports its row, field and column", async () => {
    const before = await countRows(a, "prefixes", "kind = 'allocation'");
    const csv = [
      "CIDR Block,Pool,Account ID,Name",
      "10.0.10.0/24,prod-use1,aws:111111111111,ok-1",
      "10.0.3.0/24,prod-use1,aws:111111111111,overlaps-web",
      "10.0.11.0/24,10.0.0.0/16,aws:111111111111,ok-2",
      "10.0.12.0/24,prod-use1,aws:999999999999,no-such-account",
    ].join("\n");
    const r = await importCsv(a, "ALLOCATIONS", csv);
    expect(r.committed).toBe(false);
    expect(r.created).toBe(2);
    expect(r.errors).toEqual([
      expect.objectContaining({ row: 3, field: "cidr", column: "CIDR Block", code: "CONFLICT" }),
      expect.objectContaining({ row: 5, field: "account", column: "Account ID", code: "BAD_USER_INPUT" }),
    ]);
    expect(r.errors[0]!.message).toContain("10.0.3.0/24");
    expect(await countRows(a, "prefixes", "kind = 'allocation'")).toBe(before);
    expect(await countRows(a, "events", "type = 'allocation.created'")).toBe(
      await countRows(a, "prefixes", "kind = 'allocation'"),
    );
  });

  it("applies the pools' rules: an allocation outside the allowed lengths is refused with its field", async () => {
    const csv = ["cidr,pool,account", "10.20.0.0/29,ruled,aws:222222222222"].join("\n");
    const r = await importCsv(a, "ALLOCATIONS", csv);
    expect(r.errors).toEqual([expect.objectContaining({ row: 2, field: "cidr", code: "BAD_USER_INPUT" })]);
  });

  it("validates everything in a dry run and writes nothing", async () => {
    const before = await countRows(a, "prefixes");
    const csv = [
      "Network,Parent,Name",
      "10.30.0.0/16,corp,new-a",
      "10.30.0.0/20,10.30.0.0/16,new-a-child",
    ].join("\n");
    const r = await importCsv(a, "POOLS", csv, true);
    expect(r).toMatchObject({ rows: 2, created: 2, committed: false, errors: [] });
    expect(await countRows(a, "prefixes")).toBe(before);
  });

  it("puts an allocation without a pool column into the innermost pool that holds it", async () => {
    const csv = ["cidr,account,name", "2001:db8:0:9::/64,aws:111111111111,v6-imported"].join("\n");
    const r = await importCsv(a, "ALLOCATIONS", csv);
    expect(r.errors).toEqual([]);
    const [row] = await queryRows<{ parent_id: number }>(
      a,
      sql`SELECT parent_id FROM prefixes WHERE name = 'v6-imported'`,
    );
    expect(row!.parent_id).toBe(rowIdOf(inv.pools.v6prod!.id));
  });

  it("reports a missing required column and a file that is not CSV", async () => {
    const missing = await importCsv(a, "POOLS", "Name,Parent\nx,corp");
    expect(missing.errors).toEqual([expect.objectContaining({ row: 1, field: "cidr" })]);
    const broken = await importCsv(a, "POOLS", 'cidr,name\n"10.0.0.0/8,x');
    expect(broken.errors[0]).toMatchObject({ field: null, code: "BAD_USER_INPUT" });
  });

  it("needs the admin permission: operators and viewers are refused for every kind", async () => {
    const operator = await a.tokenFor("OPERATOR");
    for (const kind of ["ACCOUNTS", "POOLS", "ALLOCATIONS"]) {
      const r = await a.gql(
        IMPORT,
        { input: { kind, csv: "cidr\n10.40.0.0/16", dryRun: true } },
        { token: operator },
      );
      expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    const viewer = await a.gql(
      IMPORT,
      { input: { kind: "ALLOCATIONS", csv: "cidr\n" } },
      { token: await a.tokenFor("VIEWER") },
    );
    expect(viewer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("CSV export streaming", () => {
  const ROWS = 100_000;
  let big: TestServer;

  /** CSV exports streaming now, from the server's metrics. */
  async function openExports(): Promise<number> {
    const text = await (await fetch(`${big.url}/metrics`)).text();
    return Number(/^cloudpam_csv_exports_open (\d+)/m.exec(text)?.[1] ?? NaN);
  }

  beforeAll(async () => {
    big = await startTestServer();
    const pool = await createPool(big, "10.0.0.0/8", "big");
    const account = (
      await big.ok<{ createAccount: { account: { id: string } } }>(
        `mutation { createAccount(input: { key: "aws:777777777777", name: "bulk" }) { account { id } } }`,
      )
    ).createAccount.account;
    await allocate(big, pool, "10.0.0.0/24", { id: account.id } as never, "first");
    // 100k more /32 allocations written directly, by one statement (the API path is not what this test
    // measures; a long write would also outlast the server's keep-alive timeout and reset the next request).
    const parent = rowIdOf(pool.id);
    const owner = rowIdOf(account.id);
    await big.app.services.store.write(async (db) => {
      const values = (v: SQL, hex: SQL) =>
        sql`SELECT 'allocation', 1, ${parent}, 4, 32,
          '10.' || ((${v} >> 16) & 255) || '.' || ((${v} >> 8) & 255) || '.' || (${v} & 255) || '/32',
          ${hex}, ${hex}, 'bulk-' || (${v} - ${0x0a010000}), 'ALLOCATED', ${owner}`;
      const insert = sql`INSERT INTO prefixes (kind, scope_id, parent_id, family, prefix_len, cidr, range_start,
        range_end, name, status, account_id)`;
      if (isPg(db))
        await pgHandle(db).execute(
          sql`${insert} ${values(sql`v`, sql`lpad(to_hex(v), 32, '0')`)}
            FROM generate_series(${0x0a010000}::int, ${0x0a010000 + ROWS - 1}::int) AS g(v)`,
        );
      else
        db.run(
          sql`WITH RECURSIVE g(v) AS (SELECT ${0x0a010000} UNION ALL SELECT v + 1 FROM g WHERE v < ${0x0a010000 + ROWS - 1})
            ${insert} ${values(sql`v`, sql`printf('%032x', v)`)} FROM g`,
        );
    });
  }, 120_000);
  afterAll(async () => {
    await big.close();
  });

  it("streams chunked: the first chunk arrives long before the end, and aborting closes the cursor", async () => {
    expect(await openExports()).toBe(0);
    const controller = new AbortController();
    const res = await fetch(`${big.url}/export/allocations.csv`, {
      headers: { authorization: `Bearer ${big.adminToken}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("transfer-encoding")).toBe("chunked");
    expect(res.headers.get("content-length")).toBeNull();
    const reader = res.body!.getReader();
    const first = await reader.read();
    const text = new TextDecoder().decode(first.value);
    expect(text.startsWith("scope,cidr,pool,")).toBe(true);
    expect(text).toContain("10.0.0.0/24");
    // The whole file is ~6 MB; the first chunk is one batch of it, and the last row is not in it.
    expect(text.length).toBeLessThan(200_000);
    expect(text).not.toContain(`bulk-${ROWS - 1},`);
    expect(await openExports()).toBe(1); // streaming from its own read connection
    controller.abort();
    await reader.cancel().catch(() => undefined);
    // The server notices the closed socket, tears the pipeline down and closes the cursor.
    await vi.waitFor(async () => expect(await openExports()).toBe(0), { timeout: 5000, interval: 20 });
    const health = await fetch(`${big.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it("delivers every row when read to the end", async () => {
    const { text } = await exportCsv(big, "allocations");
    const lines = text.trimEnd().split("\n");
    expect(lines.length).toBe(1 + 1 + ROWS);
    expect(lines[lines.length - 1]).toContain(`bulk-${ROWS - 1}`);
  });
});
