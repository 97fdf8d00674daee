/**
 * The everyday commands (`pools list`, `pool create`, `allocate`, `release`, `lookup`) as real child
 * processes of `bin/cloudpam.mjs`, talking GraphQL over HTTP to a real server on an ephemeral port.
 * Every child runs in its own process group, which is killed on timeout and after each test.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../helpers/cli.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

let server: TestServer;
let accountId: string;
const ACCOUNT = "aws:123456789012";

/** Runs `cloudpam ...args` (async: the server answers from this process) with CLOUDPAM_URL/TOKEN set. */
function cloudpam(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: "error",
    CLOUDPAM_URL: server.url,
    CLOUDPAM_TOKEN: server.adminToken,
  };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  // From another directory than the project's: the command must not depend on the caller's cwd.
  const child = spawn(process.execPath, [BIN, ...args], {
    env: childEnv,
    cwd: server.dir,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => killGroup(child), 60_000);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Runs a command with `--output json` and parses its stdout (fails with its stderr otherwise). */
async function json<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const r = await cloudpam([...args, "--output", "json"]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/** The table's rows as arrays of cells (header first). */
const tableRows = (stdout: string): string[][] =>
  stdout
    .trimEnd()
    .split("\n")
    .map((line) => line.trim().split(/\s{2,}/));

interface PoolJson {
  id: string;
  name: string;
  cidr: string;
  scope: { id: string; name: string };
  parent: { id: string; name: string } | null;
  account: { id: string; key: string } | null;
}
interface AllocationJson {
  id: string;
  cidr: string;
  name: string | null;
  status: string;
  pool: { id: string; name: string };
  account: { key: string } | null;
}
interface LookupJson {
  scope: { name: string };
  chain: { id: string; kind: string; cidr: string; name: string | null; status: string }[];
}

let labScopeId: string;

/** Builders: state arranged over GraphQL (each test owns its own /8, so no test depends on another). */
async function arrangePool(
  name: string,
  cidr: string,
  parent?: PoolJson,
  scopeId?: string,
): Promise<PoolJson> {
  const data = await server.ok<{ createPool: { pool: PoolJson } }>(
    `mutation ($input: CreatePoolInput!) {
      createPool(input: $input) { pool { id name cidr scope { id name } parent { id name } account { id key } } }
    }`,
    { input: { name, cidr, ...(parent ? { parentId: parent.id } : {}), ...(scopeId ? { scopeId } : {}) } },
  );
  return data.createPool.pool;
}

async function arrangeAllocation(pool: PoolJson, cidr: string, name: string): Promise<AllocationJson> {
  const data = await server.ok<{ allocate: { allocation: AllocationJson } }>(
    `mutation ($input: AllocateInput!) {
      allocate(input: $input) { allocation { id cidr name status pool { id name } account { key } } }
    }`,
    { input: { poolId: pool.id, accountId, cidr, name } },
  );
  return data.allocate.allocation;
}

beforeAll(async () => {
  server = await startTestServer();
  const created = await server.ok<{ createAccount: { account: { id: string } } }>(
    `mutation { createAccount(input: { key: "${ACCOUNT}", name: "payments-prod", tier: PRD }) { account { id } } }`,
  );
  accountId = created.createAccount.account.id;
  const lab = await server.ok<{ createScope: { scope: { id: string } } }>(
    `mutation { createScope(input: { name: "lab" }) { scope { id } } }`,
  );
  labScopeId = lab.createScope.scope.id;
});

afterEach(() => {
  for (const child of running) killGroup(child);
  running.clear();
});

afterAll(async () => {
  await server?.close();
});

describe("cloudpam pool create / pools list", { timeout: 120_000 }, () => {
  it("creates a top-level pool and prints it as a table row", async () => {
    const r = await cloudpam(["pool", "create", "--name", "corp", "--cidr", "10.0.0.0/8"]);

    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const [header, row] = tableRows(r.stdout);
    expect(header).toEqual(["ID", "NAME", "CIDR", "SCOPE", "PARENT", "ACCOUNT", "STATUS"]);
    expect(row).toEqual([expect.any(String), "corp", "10.0.0.0/8", "default", "-", "-", "ACTIVE"]);
  });

  it("carves a child from a parent addressed by name, owned by an account addressed by key (JSON)", async () => {
    await arrangePool("carve-parent", "11.0.0.0/8");

    const pool = await json<PoolJson>([
      "pool",
      "create",
      "--name",
      "carved",
      "--parent",
      "carve-parent",
      "--prefix-length",
      "16",
      "--account",
      ACCOUNT,
      "--tag",
      "team=net",
    ]);

    expect(pool).toMatchObject({
      name: "carved",
      cidr: "11.0.0.0/16",
      parent: { name: "carve-parent" },
      account: { id: accountId, key: ACCOUNT },
      scope: { name: "default" },
      tags: { team: "net" },
    });
  });

  it("lists pools as a table, and only the pools strictly within a CIDR as JSON", async () => {
    const root = await arrangePool("list-root", "12.0.0.0/8");
    await arrangePool("list-a", "12.1.0.0/16", root);
    await arrangePool("list-b", "12.2.0.0/16", root);

    const table = await cloudpam(["pools", "list", "--search", "list-"]);
    expect(table.status).toBe(0);
    expect(
      tableRows(table.stdout)
        .slice(1)
        .map((r) => [r[1], r[2], r[4]]),
    ).toEqual([
      ["list-root", "12.0.0.0/8", "-"],
      ["list-a", "12.1.0.0/16", "list-root"],
      ["list-b", "12.2.0.0/16", "list-root"],
    ]);

    const within = await json<PoolJson[]>(["pools", "list", "--within", "12.0.0.0/8"]);
    expect(within.map((p) => [p.name, p.cidr, p.parent?.name])).toEqual([
      ["list-a", "12.1.0.0/16", "list-root"],
      ["list-b", "12.2.0.0/16", "list-root"],
    ]);
  });

  it("reads every page: 130 pools come back once each, in network order", async () => {
    const root = await arrangePool("paged-root", "50.0.0.0/8");
    for (let i = 0; i < 130; i++) await arrangePool(`paged-${i}`, `50.${i}.0.0/16`, root);

    const pools = await json<PoolJson[]>(["pools", "list", "--within", "50.0.0.0/8"]);

    expect(pools.map((p) => p.cidr)).toEqual(Array.from({ length: 130 }, (_, i) => `50.${i}.0.0/16`));
  });

  it("lists the children of a pool addressed by id", async () => {
    const root = await arrangePool("children-root", "13.0.0.0/8");
    await arrangePool("children-a", "13.1.0.0/16", root);

    const children = await json<PoolJson[]>(["pools", "list", "--parent", root.id]);

    expect(children.map((p) => p.cidr)).toEqual(["13.1.0.0/16"]);
  });
});

describe("cloudpam allocate / lookup / release", { timeout: 120_000 }, () => {
  it("allocates the next free /22 from a pool addressed by name; the same idempotency key returns the same allocation", async () => {
    await arrangePool("alloc-by-name", "20.0.0.0/16");
    const args = [
      "allocate",
      "--pool",
      "alloc-by-name",
      "--length",
      "22",
      "--account",
      ACCOUNT,
      "--name",
      "vpc-1",
    ];

    const first = await json<AllocationJson>([...args, "--idempotency-key", "deploy-1"]);
    expect(first).toMatchObject({
      cidr: "20.0.0.0/22",
      name: "vpc-1",
      status: "ALLOCATED",
      pool: { name: "alloc-by-name" },
      account: { key: ACCOUNT },
    });

    const retried = await cloudpam([...args, "--idempotency-key", "deploy-1"]);
    expect(retried.status).toBe(0);
    const [header, row] = tableRows(retried.stdout);
    expect(header).toEqual(["ID", "CIDR", "NAME", "POOL", "SCOPE", "ACCOUNT", "STATUS"]);
    expect(row).toEqual([first.id, "20.0.0.0/22", "vpc-1", "alloc-by-name", "default", ACCOUNT, "ALLOCATED"]);
  });

  it("allocates from a pool addressed by id, for an account addressed by id", async () => {
    const pool = await arrangePool("alloc-by-id", "21.0.0.0/16");
    const taken = await arrangeAllocation(pool, "21.0.0.0/22", "taken");

    const next = await json<AllocationJson>([
      "allocate",
      "--pool",
      pool.id,
      "--length",
      "22",
      "--account",
      accountId,
    ]);

    expect(next.cidr).toBe("21.0.4.0/22");
    expect(next.id).not.toBe(taken.id);
    expect(next.pool.id).toBe(pool.id);
  });

  it("looks an address up: the chain from the root pool to the allocation, as a table and as JSON", async () => {
    const root = await arrangePool("lookup-root", "22.0.0.0/8");
    const child = await arrangePool("lookup-child", "22.0.0.0/16", root);
    const allocation = await arrangeAllocation(child, "22.0.4.0/22", "lookup-vpc");

    const table = await cloudpam(["lookup", "22.0.4.17"]);
    expect(table.status).toBe(0);
    const rows = tableRows(table.stdout);
    expect(rows[0]).toEqual(["SCOPE", "KIND", "CIDR", "NAME", "STATUS", "ID"]);
    expect(rows.slice(1).map((r) => [r[1], r[2], r[3]])).toEqual([
      ["POOL", "22.0.0.0/8", "lookup-root"],
      ["POOL", "22.0.0.0/16", "lookup-child"],
      ["ALLOCATION", "22.0.4.0/22", "lookup-vpc"],
    ]);

    const [result, ...others] = await json<LookupJson[]>(["lookup", "22.0.4.17"]);
    expect(others).toEqual([]);
    expect(result!.scope.name).toBe("default");
    expect(result!.chain.at(-1)).toEqual({
      id: allocation.id,
      kind: "ALLOCATION",
      cidr: "22.0.4.0/22",
      prefixLength: 22,
      name: "lookup-vpc",
      status: "ALLOCATED",
    });
  });

  it("releases an allocation by CIDR and another by id; lookup then finds only the pool", async () => {
    const pool = await arrangePool("release-pool", "23.0.0.0/16");
    const byCidr = await arrangeAllocation(pool, "23.0.0.0/22", "by-cidr");
    const byId = await arrangeAllocation(pool, "23.0.4.0/22", "by-id");

    const releasedByCidr = await json<AllocationJson>(["release", "23.0.0.0/22"]);
    expect(releasedByCidr).toMatchObject({ id: byCidr.id, cidr: "23.0.0.0/22", status: "RELEASED" });

    const releasedById = await cloudpam(["release", byId.id]);
    expect(releasedById.status).toBe(0);
    expect(tableRows(releasedById.stdout)[1]).toEqual([
      byId.id,
      "23.0.4.0/22",
      "by-id",
      "release-pool",
      "default",
      ACCOUNT,
      "RELEASED",
    ]);

    const [result] = await json<LookupJson[]>(["lookup", "23.0.4.17"]);
    expect(result!.chain.map((e) => [e.kind, e.cidr])).toEqual([["POOL", "23.0.0.0/16"]]);
  });

  it("answers exit 1 with NOT_FOUND when nothing holds an address (JSON still prints the empty list)", async () => {
    const r = await cloudpam(["lookup", "192.0.2.1", "--output", "json"]);

    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual([]);
    expect(r.stderr).toMatch(
      /^cloudpam: NOT_FOUND: no pool, allocation or reservation holds 192\.0\.2\.1\n$/,
    );
  });
});

describe("pool names shared across scopes", { timeout: 120_000 }, () => {
  it("refuses an ambiguous name with exit 2 listing the candidates; --scope picks one", async () => {
    const inDefault = await json<PoolJson>([
      "pool",
      "create",
      "--name",
      "shared",
      "--cidr",
      "192.168.0.0/16",
    ]);
    const inLab = await json<PoolJson>([
      "pool",
      "create",
      "--name",
      "shared",
      "--cidr",
      "192.168.0.0/16",
      "--scope",
      "lab",
    ]);
    expect(inLab.scope).toEqual({ id: labScopeId, name: "lab" });

    const ambiguous = await cloudpam([
      "allocate",
      "--pool",
      "shared",
      "--length",
      "24",
      "--account",
      ACCOUNT,
    ]);
    expect(ambiguous.status).toBe(2);
    expect(ambiguous.stderr).toContain('pool name "shared" is ambiguous');
    expect(ambiguous.stderr).toContain(`${inDefault.id}  shared  192.168.0.0/16  scope default`);
    expect(ambiguous.stderr).toContain(`${inLab.id}  shared  192.168.0.0/16  scope lab`);
    expect(ambiguous.stdout).toBe("");

    const picked = await json<AllocationJson>([
      "allocate",
      "--pool",
      "shared",
      "--scope",
      "lab",
      "--length",
      "24",
      "--account",
      ACCOUNT,
    ]);
    expect(picked.pool.id).toBe(inLab.id);
    expect(picked.cidr).toBe("192.168.0.0/24");
  });
});

describe("exit codes", { timeout: 120_000 }, () => {
  it("1 with the server's code when the server refuses: a length larger than the pool", async () => {
    await arrangePool("exit-small", "30.0.0.0/16");

    const r = await cloudpam(["allocate", "--pool", "exit-small", "--length", "8", "--account", ACCOUNT]);

    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^cloudpam: BAD_USER_INPUT: .*\/8.*\(field prefixLength\)\n$/);
  });

  it("1 with CONFLICT when an idempotency key is reused with another input", async () => {
    await arrangePool("exit-idem", "31.0.0.0/16");
    const args = ["allocate", "--pool", "exit-idem", "--account", ACCOUNT, "--idempotency-key", "once"];
    expect((await cloudpam([...args, "--length", "22"])).status).toBe(0);

    const r = await cloudpam([...args, "--length", "24"]);

    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^cloudpam: CONFLICT: /);
  });

  it("1 with FORBIDDEN when the token's role may not allocate", async () => {
    await arrangePool("exit-viewer", "32.0.0.0/16");
    const viewer = await server.tokenFor("VIEWER");

    const r = await cloudpam(["allocate", "--pool", "exit-viewer", "--length", "24", "--account", ACCOUNT], {
      CLOUDPAM_TOKEN: viewer,
    });

    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^cloudpam: FORBIDDEN: /);
  });

  it("1 with NOT_FOUND for a pool name nobody has", async () => {
    const r = await cloudpam(["allocate", "--pool", "nope", "--length", "22", "--account", ACCOUNT]);

    expect(r.status).toBe(1);
    expect(r.stderr).toContain('NOT_FOUND: no pool named "nope"');
  });

  it("1 with a message that says how to get a token when the credential is refused (HTTP 401)", async () => {
    const r = await cloudpam(["pools", "list"], { CLOUDPAM_TOKEN: "cpam_0000000000_notarealtoken" });

    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "cloudpam: UNAUTHENTICATED: authentication failed: set CLOUDPAM_TOKEN (create one with `cloudpam token create`)\n",
    );
  });

  it("1 with UNREACHABLE when nothing listens at CLOUDPAM_URL", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));

    const r = await cloudpam(["lookup", "10.0.0.1"], { CLOUDPAM_URL: `http://127.0.0.1:${port}` });

    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `cloudpam: UNREACHABLE: cannot reach http://127.0.0.1:${port}/graphql: ECONNREFUSED\n`,
    );
  });

  it("2 for bad usage: missing --length, a bad length, an unknown flag, a bad --output", async () => {
    const missing = await cloudpam(["allocate", "--pool", "any-pool", "--account", ACCOUNT]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("allocate needs --length");

    const badLength = await cloudpam([
      "allocate",
      "--pool",
      "any-pool",
      "--length",
      "x",
      "--account",
      ACCOUNT,
    ]);
    expect(badLength.status).toBe(2);
    expect(badLength.stderr).toContain("a prefix length is a number from 0 to 128");

    const unknown = await cloudpam(["pools", "list", "--bogus"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--bogus'");

    const badOutput = await cloudpam(["pools", "list", "--output", "yaml"]);
    expect(badOutput.status).toBe(2);
    expect(badOutput.stderr).toContain("yaml");
  });

  it("2 without CLOUDPAM_URL or CLOUDPAM_TOKEN; --url and --token stand in for them", async () => {
    await arrangePool("by-flags", "40.0.0.0/16");

    const noUrl = await cloudpam(["pools", "list"], { CLOUDPAM_URL: undefined });
    expect(noUrl.status).toBe(2);
    expect(noUrl.stderr).toContain("set CLOUDPAM_URL");

    const noToken = await cloudpam(["pools", "list"], { CLOUDPAM_TOKEN: undefined });
    expect(noToken.status).toBe(2);
    expect(noToken.stderr).toContain("set CLOUDPAM_TOKEN");

    const flags = await cloudpam(
      [
        "pools",
        "list",
        "--search",
        "by-flags",
        "--url",
        server.url,
        "--token",
        server.adminToken,
        "-o",
        "json",
      ],
      {
        CLOUDPAM_URL: undefined,
        CLOUDPAM_TOKEN: undefined,
      },
    );
    expect(flags.status).toBe(0);
    expect((JSON.parse(flags.stdout) as PoolJson[]).map((p) => [p.name, p.cidr])).toEqual([
      ["by-flags", "40.0.0.0/16"],
    ]);
  });
});
