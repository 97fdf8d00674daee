/**
 * A throw-away PostgreSQL cluster for tests: `initdb` into a temp directory, `postgres` on a loopback
 * ephemeral port in its own process group (killed whole on teardown), password auth over TCP.
 *
 * Binaries: $PG_BIN, else the newest /usr/lib/postgresql/<v>/bin (Debian), else `initdb` on PATH.
 * When they are absent a test file skips with a clear message locally, but fails under CI=true
 * (.ci/run installs them), so a CI run can never pass by skipping the PostgreSQL suite.
 * As root, the cluster runs as the OS user `postgres` (PostgreSQL refuses to run as root).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chownSync,
  existsSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** Where the PostgreSQL server binaries are, or null. */
export function findPgBin(env: NodeJS.ProcessEnv = process.env): string | null {
  const has = (d: string) => existsSync(join(d, "initdb")) && existsSync(join(d, "postgres"));
  if (env.PG_BIN) return has(env.PG_BIN) ? env.PG_BIN : null;
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v) && has(join(root, v, "bin")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], "bin");
  }
  for (const d of (env.PATH ?? "").split(":")) if (d && has(d)) return d;
  return null;
}

export interface PgAvailability {
  available: boolean;
  bin: string | null;
  reason: string;
}

/**
 * Whether PostgreSQL tests can run here. Without binaries: locally a skip (with the reason printed);
 * under CI=true an error, so that the missing install step is visible.
 */
export function postgresAvailability(env: NodeJS.ProcessEnv = process.env): PgAvailability {
  const bin = findPgBin(env);
  if (bin) return { available: true, bin, reason: "" };
  const reason =
    "PostgreSQL server binaries not found (set PG_BIN or `apt-get install -y postgresql`); skipping PostgreSQL tests";
  if (env.CI === "true") throw new Error(`CI=true but ${reason.replace(/; skipping.*/, "")}`);
  console.warn(reason);
  return { available: false, bin: null, reason };
}

/** uid/gid to run the cluster as: ourselves, or `postgres` when we are root. */
function runAs(): { uid?: number; gid?: number } {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return {};
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (!line) throw new Error("running as root but there is no `postgres` OS user to run PostgreSQL as");
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface PgCluster {
  /** Superuser URL of the `postgres` database. */
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  dir: string;
  /** The postmaster's pid (leader of the cluster's process group) while running. */
  pid(): number | undefined;
  /** A fresh empty database; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Fast shutdown (clients are disconnected); the data directory stays. */
  stop(): Promise<void>;
  /** Starts the same cluster again on the same port. */
  start(): Promise<void>;
  /** Stops the cluster (killing its whole process group) and deletes its directory. */
  destroy(): Promise<void>;
}

export function urlFor(
  c: { user: string; password: string; host: string; port: number },
  db: string,
): string {
  return `postgres://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@${c.host}:${c.port}/${db}`;
}

async function waitReady(
  url: string,
  child: ChildProcess,
  logFile: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}) at start:\n${tail(logFile)}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return;
    } catch (e) {
      last = e;
      await client.end().catch(() => {});
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(
    `postgres did not accept connections in ${timeoutMs} ms (${String(last)}):\n${tail(logFile)}`,
  );
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-20).join("\n");
  } catch {
    return "(no log)";
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a throw-away cluster. Call `destroy()` in afterAll. */
export async function startPostgres(
  opts: { bin?: string; settings?: Record<string, string> } = {},
): Promise<PgCluster> {
  const bin = opts.bin ?? findPgBin();
  if (!bin) throw new Error("PostgreSQL server binaries not found (set PG_BIN)");
  const ids = runAs();
  const dir = mkdtempSync(join(tmpdir(), "cloudpam-pg-"));
  if (ids.uid !== undefined) chownSync(dir, ids.uid, ids.gid!);
  const data = join(dir, "data");
  const logFile = join(dir, "postgres.log");
  const user = "cloudpam";
  const password = randomBytes(12).toString("hex");
  const pwfile = join(dir, "pwfile");
  writeFileSync(pwfile, password + "\n", { mode: 0o600 });
  if (ids.uid !== undefined) chownSync(pwfile, ids.uid, ids.gid!);
  const init = spawnSync(
    join(bin, "initdb"),
    [
      "-D",
      data,
      "-U",
      user,
      `--pwfile=${pwfile}`,
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      // C collation: text compares bytewise, as on SQLite.
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
      "--no-instructions",
    ],
    { ...ids, encoding: "utf8" },
  );
  rmSync(pwfile, { force: true });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status ?? init.error}): ${init.stderr || init.stdout}`);
  }
  const host = "127.0.0.1";
  const port = await freePort();
  const url = urlFor({ user, password, host, port }, "postgres");
  const settings: Record<string, string> = {
    listen_addresses: host,
    unix_socket_directories: dir,
    // A throw-away cluster: durability off for speed (a clean stop still writes everything).
    fsync: "off",
    synchronous_commit: "off",
    full_page_writes: "off",
    max_connections: "300",
    shared_buffers: "64MB",
    ...opts.settings,
  };
  let child: ChildProcess | undefined;
  const killGroup = () => {
    if (child?.pid && groupAlive(child.pid)) process.kill(-child.pid, "SIGKILL");
  };
  process.once("exit", killGroup);

  const start = async () => {
    const fd = openSync(logFile, "a");
    if (ids.uid !== undefined) chownSync(logFile, ids.uid, ids.gid!);
    const args = ["-D", data, "-p", String(port)];
    for (const [k, v] of Object.entries(settings)) args.push("-c", `${k}=${v}`);
    // Its own process group (detached), so teardown can kill the postmaster and every backend at once.
    child = spawn(join(bin, "postgres"), args, { ...ids, detached: true, stdio: ["ignore", fd, fd] });
    closeSync(fd);
    child.unref();
    await waitReady(url, child, logFile);
  };

  const stop = async () => {
    const c = child;
    if (!c?.pid) return;
    const pgid = c.pid;
    if (c.exitCode === null && c.signalCode === null) {
      // Referenced while we wait: a script whose last work is this stop must not exit before the
      // postmaster does (its exit hook would SIGKILL the group and the directory would stay behind).
      c.ref();
      const exited = new Promise<void>((resolve) => c.once("exit", () => resolve()));
      process.kill(pgid, "SIGINT"); // fast shutdown
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 10_000)))]);
      clearTimeout(timer);
    }
    if (groupAlive(pgid)) process.kill(-pgid, "SIGKILL");
    for (let i = 0; i < 50 && groupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 20));
    child = undefined;
  };

  try {
    await start();
  } catch (e) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  let dbCounter = 0;
  return {
    url,
    host,
    port,
    user,
    password,
    dir,
    pid: () => child?.pid,
    async createDatabase(name) {
      const db = name ?? `t_${process.pid}_${++dbCounter}_${randomBytes(3).toString("hex")}`;
      if (!/^[a-z_][a-z0-9_]*$/.test(db)) throw new Error(`bad database name ${db}`);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${db} TEMPLATE template0`);
      } finally {
        await client.end();
      }
      return urlFor({ user, password, host, port }, db);
    },
    stop,
    start,
    async destroy() {
      await stop();
      process.removeListener("exit", killGroup);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
