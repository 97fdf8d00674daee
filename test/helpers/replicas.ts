/**
 * Real `cloudpam serve` replicas on one PostgreSQL database, each in its own process group (detached) so that a
 * test can SIGKILL one whole replica, and teardown kills every group even when the test failed (also on exit).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { BIN } from "./cli.js";

export interface Replica {
  /** Base URL (http://127.0.0.1:port). */
  url: string;
  child: ChildProcess;
  /** Everything the process wrote (stdout + stderr). */
  output(): string;
  /** The bootstrap admin token this replica printed, if it created it. */
  bootstrapToken(): string | null;
  exited: Promise<number | null>;
  /** Signals the replica's whole process group. */
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Why the allocation tests of test/postgres/replicas.test.ts would not run, or null when they do (they do since
 * every module of a pool write is in dialect-neutral await style, #15).
 */
export const PENDING_CONVERSION: string | null = null;

const groups = new Set<number>();

function killGroup(pid: number, signal: NodeJS.Signals = "SIGKILL"): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

process.once("exit", () => {
  for (const pid of groups) killGroup(pid);
});

/** Starts one replica; resolves once it listens. */
export function startReplica(env: Record<string, string>, timeoutMs = 60_000): Promise<Replica> {
  const child = spawn(process.execPath, [BIN, "serve"], {
    env: {
      ...process.env,
      ADDR: "127.0.0.1:0",
      LOG_LEVEL: "info",
      RATE_LIMIT_PER_SECOND: "1000000",
      RATE_LIMIT_BURST: "1000000",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  groups.add(child.pid!);
  let out = "";
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      groups.delete(child.pid!);
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(child.pid!);
      reject(new Error(`replica did not listen within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1]!,
        child,
        output: () => out,
        bootstrapToken: () => /^\s+(cpam_[a-z0-9]{10}_[A-Za-z0-9_-]{43})$/m.exec(out)?.[1] ?? null,
        exited,
        kill: (signal = "SIGKILL") => killGroup(child.pid!, signal),
      });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`replica exited (${code}) before listening:\n${out}`));
    });
  });
}

/** Kills every replica's process group and waits for them to exit. */
export async function stopReplicas(replicas: readonly (Replica | undefined)[]): Promise<void> {
  await Promise.all(
    replicas.map(async (r) => {
      if (!r || r.child.exitCode !== null || r.child.signalCode !== null) return;
      r.kill("SIGKILL");
      await r.exited;
    }),
  );
}

/** One GraphQL request over HTTP; network failures (a killed replica) come back as `{ failed }`. */
export async function gqlAt<T = Record<string, unknown>>(
  url: string,
  token: string | null,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
  failed?: string;
}> {
  try {
    const res = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, ...((await res.json()) as object) };
  } catch (e) {
    return { status: 0, failed: String(e) };
  }
}
