/**
 * `cloudpam backup` / `cloudpam restore` (#17) as real child processes against a real server's SQLite file:
 * a backup taken while 4 clients allocate continuously holds every allocation acknowledged before it started and
 * passes integrity_check; a restore into a new data directory is served by a new server; restore refuses to
 * overwrite an existing database without --force and refuses a backup whose schema is newer than this build.
 */
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../helpers/cli.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}
/** The CLI without blocking this process's event loop (the in-process server keeps serving meanwhile). */
function run(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, LOG_LEVEL: "error" }, timeout: 90_000 },
      (err, stdout, stderr) =>
        resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

interface Summary {
  file: string;
  integrity: string;
  schemaVersion: number;
  codeSchemaVersion: number;
  counts: Record<string, number>;
}

let s: TestServer;
let accountId: string;
let poolId: string;
const scratch = mkdtempSync(join(tmpdir(), "cloudpam-backup-test-"));

beforeAll(async () => {
  s = await startTestServer();
  const a = await s.ok<{ createAccount: { account: { id: string } } }>(
    `mutation { createAccount(input: {key: "aws:444444444444", name: "backup", tier: PRD}) { account { id } } }`,
  );
  accountId = a.createAccount.account.id;
  const p = await s.ok<{ createPool: { pool: { id: string } } }>(
    `mutation { createPool(input: {cidr: "10.0.0.0/8", name: "backup-pool"}) { pool { id } } }`,
  );
  poolId = p.createPool.pool.id;
});
afterAll(async () => {
  await s?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const ALLOCATE = `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id cidr } } }`;

function liveAllocations(file: string): Set<string> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare("SELECT cidr FROM prefixes WHERE kind = 'allocation' AND released_at IS NULL")
      .pluck()
      .all() as string[];
    return new Set(rows);
  } finally {
    db.close();
  }
}

describe("cloudpam backup while the server writes", () => {
  const copy = join(scratch, "backup.db");
  let summary: Summary;
  let ackedBefore: string[] = [];
  let ackedDuring = 0;

  it("copies a consistent database holding every allocation acknowledged before it started", async () => {
    const acked: string[] = [];
    let stop = false;
    let n = 0;
    const failures: string[] = [];
    const client = async () => {
      while (!stop) {
        const r = await s.gql<{ allocate: { allocation: { cidr: string } } }>(ALLOCATE, {
          input: { poolId, accountId, prefixLength: 28, name: `b${n++}` },
        });
        if (r.errors?.length) failures.push(JSON.stringify(r.errors));
        else acked.push(r.data!.allocate.allocation.cidr);
      }
    };
    const clients = Array.from({ length: 4 }, client);
    while (acked.length < 40) await new Promise((r) => setTimeout(r, 20));

    ackedBefore = [...acked];
    const result = await run(["backup", copy, "--sqlite-dsn", s.dbPath, "--json"]);
    ackedDuring = acked.length - ackedBefore.length;
    stop = true;
    await Promise.all(clients);

    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(failures).toEqual([]);
    // the clients really kept writing while the backup command ran
    expect(ackedDuring).toBeGreaterThan(0);

    summary = JSON.parse(result.stdout) as Summary;
    expect(summary.integrity).toBe("ok");
    expect(summary.schemaVersion).toBe(summary.codeSchemaVersion);

    const db = new Database(copy, { readonly: true, fileMustExist: true });
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(db.pragma("foreign_key_check")).toEqual([]);
      expect(db.prepare("SELECT schema_version FROM schema_info").pluck().get()).toBe(summary.schemaVersion);
    } finally {
      db.close();
    }
    const inCopy = liveAllocations(copy);
    const missing = ackedBefore.filter((c) => !inCopy.has(c));
    expect(missing).toEqual([]);
    // the printed counts are the copy's
    expect(summary.counts.allocations).toBe(inCopy.size);
    expect(summary.counts.pools).toBe(1);
    expect(summary.counts.accounts).toBe(1);
    // a self-contained file: no WAL beside it, no leftovers
    expect(readdirSync(scratch).sort()).toEqual(["backup.db"]);
  });

  it("refuses to overwrite an existing backup file without --force (exit 2)", async () => {
    const again = await run(["backup", copy, "--sqlite-dsn", s.dbPath]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/exists; choose a new file or pass --force/);
    const forced = await run(["backup", copy, "--sqlite-dsn", s.dbPath, "--force"]);
    expect(forced.status).toBe(0);
    expect(forced.stdout).toMatch(/^integrity_check: ok$/m);
    expect(forced.stdout).toMatch(/^counts: +scopes \d+, accounts 1, pools 1, allocations \d+/m);
  });

  it("restores into a new data directory, and a server serves the restored data", async () => {
    const target = join(scratch, "restored", "data", "cloudpam.db");
    const r = await run(["restore", copy, "--sqlite-dsn", target, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const restored = JSON.parse(r.stdout) as Summary & { previous: string | null };
    expect(restored.previous).toBeNull();
    expect(restored.integrity).toBe("ok");
    const inCopy = liveAllocations(copy);
    expect(restored.counts.allocations).toBe(inCopy.size);

    const s2 = await startTestServer({ SQLITE_DSN: target });
    try {
      const token = await s2.tokenFor("OPERATOR");
      const q = await s2.ok<{ node: { allocations: { totalCount: number } } }>(
        `query($id: ID!) { node(id: $id) { ... on Pool { allocations(first: 1, status: ALLOCATED) { totalCount } } } }`,
        { id: poolId },
        token,
      );
      expect(q.node.allocations.totalCount).toBe(inCopy.size);
      // and it keeps working: the next allocation does not collide with a restored one
      const next = await s2.ok<{ allocate: { allocation: { cidr: string } } }>(
        ALLOCATE,
        { input: { poolId, accountId, prefixLength: 28, name: "after-restore" } },
        token,
      );
      expect(inCopy.has(next.allocate.allocation.cidr)).toBe(false);
    } finally {
      await s2.close();
    }
  });

  it("refuses to overwrite an existing database without --force; with --force saves it first", async () => {
    const dir = join(scratch, "existing");
    const target = join(dir, "cloudpam.db");
    expect((await run(["restore", copy, "--sqlite-dsn", target])).status).toBe(0);
    const refused = await run(["restore", copy, "--sqlite-dsn", target]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/already holds a database; stop the server and pass --force/);
    const forced = await run(["restore", copy, "--sqlite-dsn", target, "--force", "--json"]);
    expect(forced.status).toBe(0);
    const previous = (JSON.parse(forced.stdout) as { previous: string }).previous;
    expect(existsSync(previous)).toBe(true);
    const db = new Database(previous, { readonly: true });
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      db.close();
    }
  });

  it("refuses a backup whose schema is newer than this build (exit 3) and a file that is not a database", async () => {
    const newer = join(scratch, "newer.db");
    copyFileSync(copy, newer);
    const db = new Database(newer);
    db.prepare("UPDATE schema_info SET schema_version = 999").run();
    db.close();
    const target = join(scratch, "never", "cloudpam.db");
    const r = await run(["restore", newer, "--sqlite-dsn", target]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/newer than this build/);
    expect(existsSync(target)).toBe(false);

    const junk = join(scratch, "junk.db");
    copyFileSync(BIN, junk);
    const j = await run(["restore", junk, "--sqlite-dsn", target]);
    expect(j.status).toBe(3);
    expect(existsSync(target)).toBe(false);
  });
});
