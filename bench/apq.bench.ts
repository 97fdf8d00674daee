/**
 * Automatic persisted queries (#12): one hash-only GET (`?extensions={persistedQuery}` after the query was
 * registered) vs the same operation as a full POST, on the same server, one keep-alive connection, measured
 * interleaved (A, B, A, B, A, B; APQ_ROUNDS rounds of APQ_ITERATIONS requests each side) so a busy machine
 * slows both alike. Reports per-request latency and the request bytes each form puts on the wire.
 * `npm run bench -- apq`
 */
import "reflect-metadata";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/logger.js";
import { startApp } from "../src/server/app.js";
import { measure, report, type BenchResult } from "./harness.js";

const ROUNDS = Number(process.env.APQ_ROUNDS ?? 3);
const ITERATIONS = Number(process.env.APQ_ITERATIONS ?? 500);

// What a frontend list page asks for: ~1 KB of query text.
const QUERY = `query PoolList($first: Int!, $after: String) {
  pools(first: $first, after: $after) {
    totalCount
    edges {
      cursor
      node {
        id name cidr family prefixLength status description tags createdAt updatedAt
        rules { minChildPrefixLength maxChildPrefixLength defaultChildPrefixLength allowedTiers }
        scope { id name }
        parent { id name cidr }
        account { id key name }
        utilization { free largestFree percent }
      }
    }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

const dir = mkdtempSync(join(tmpdir(), "cloudpam-apq-"));
const config = loadConfig(
  {
    ADDR: "127.0.0.1:0",
    SQLITE_DSN: join(dir, "bench.db"),
    AUTH: "off",
    LOG_LEVEL: "silent",
    RATE_LIMIT_PER_SECOND: "10000000",
    RATE_LIMIT_BURST: "10000000",
  },
  {},
);
const app = await startApp(config, { logger: createLogger("silent") });
const url = new URL(app.url);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function send(method: "GET" | "POST", path: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = body
      ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) }
      : {};
    const req = request({ agent, host: url.hostname, port: url.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if (res.statusCode !== 200 || text.includes('"errors"'))
          reject(new Error(`${res.statusCode} ${text.slice(0, 300)}`));
        else resolve(text);
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

try {
  for (let i = 0; i < 20; i++) {
    await send(
      "POST",
      "/graphql",
      JSON.stringify({
        query: `mutation($input: CreatePoolInput!) { createPool(input: $input) { pool { id } } }`,
        variables: { input: { name: `bench-${i}`, cidr: `10.${i}.0.0/16` } },
      }),
    );
  }
  const variables = { first: 20 };
  const sha256Hash = createHash("sha256").update(QUERY).digest("hex");
  const extensions = { persistedQuery: { version: 1, sha256Hash } };
  const postBody = JSON.stringify({ query: QUERY, variables });
  const getPath = `/graphql?variables=${encodeURIComponent(JSON.stringify(variables))}&extensions=${encodeURIComponent(JSON.stringify(extensions))}`;
  // Register the hash (what createPersistedQueryLink does after PERSISTED_QUERY_NOT_FOUND).
  await send("POST", "/graphql", JSON.stringify({ query: QUERY, variables, extensions }));
  const same = (await send("GET", getPath)) === (await send("POST", "/graphql", postBody));

  const gets: BenchResult[] = [];
  const posts: BenchResult[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    gets.push(
      await measure("hashed GET", () => send("GET", getPath), { iterations: ITERATIONS, warmup: 50 }),
    );
    posts.push(
      await measure("full POST", () => send("POST", "/graphql", postBody), {
        iterations: ITERATIONS,
        warmup: 50,
      }),
    );
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const summary = (name: string, rs: BenchResult[]): BenchResult => ({
    name,
    ops: rs.reduce((s, x) => s + x.ops, 0),
    medianUs: median(rs.map((x) => x.medianUs)),
    p99Us: median(rs.map((x) => x.p99Us)),
    opsPerSec: median(rs.map((x) => x.opsPerSec)),
  });
  const get = summary("hashed GET (APQ)", gets);
  const post = summary("full POST", posts);
  report([get, post]);
  const getBytes = Buffer.byteLength(`GET ${getPath} HTTP/1.1`);
  const postBytes = Buffer.byteLength(`POST /graphql HTTP/1.1`) + Buffer.byteLength(postBody);
  console.log(
    `request line + body: hashed GET ${getBytes} B vs full POST ${postBytes} B (${((getBytes / postBytes) * 100).toFixed(0)} %); ` +
      `median latency ratio GET/POST = ${(get.medianUs / post.medianUs).toFixed(2)}; same answer: ${same}`,
  );
} finally {
  agent.destroy();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
