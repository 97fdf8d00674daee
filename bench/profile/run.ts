/**
 * CPU profile of the server under an `allocate` load (issue #14):
 *   node --import tsx bench/profile/run.ts [seconds=8] [connections=10]     (AUTH=on in the environment for auth)
 * Starts bench/profile/server.ts under `node --cpu-prof`, loads it with bench/load.ts, stops it, and prints where
 * the server's CPU time went: by category (innermost matching frame of each sample wins, so native calls count
 * for the JavaScript that made them) and, inclusive, per SQL helper of src/db and per interesting function.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { LoadGenerator } from "../load.js";

const seconds = Number(process.argv[2] ?? 8);
const connections = Number(process.argv[3] ?? 10);
const here = dirname(fileURLToPath(import.meta.url));
const profDir = mkdtempSync(join(tmpdir(), "cloudpam-cpuprof-"));
const child = spawn(
  process.execPath,
  ["--cpu-prof", `--cpu-prof-dir=${profDir}`, "--import", "tsx", join(here, "server.ts")],
  { stdio: ["ignore", "pipe", "inherit"], env: process.env },
);
const rl = createInterface({ input: child.stdout! });
let onMark: (us: number) => void = () => {};
const first = await new Promise<string>((resolve) => {
  rl.on("line", (line) => {
    if (line.startsWith("{")) resolve(line);
    if (line.startsWith("mark ")) onMark(Number(line.slice(5)));
  });
});
const { url, body, authorization } = JSON.parse(first) as {
  url: string;
  body: string;
  authorization: string | null;
};
const load = new LoadGenerator();
const headers = authorization ? { authorization } : undefined;
await load.run({ url, body, headers, connections, durationMs: 1000 }); // warm-up (in the profile too, small)
const marked = new Promise<number>((resolve) => (onMark = resolve));
child.kill("SIGUSR2");
const markUs = await marked; // start-up and warm-up samples are left out
const r = await load.run({ url, body, headers, connections, durationMs: seconds * 1000 });
await load.close();
console.log(
  `load: ${r.requests} allocations in ${r.seconds.toFixed(1)} s = ${Math.round(r.perSecond)}/s, ${connections} connections`,
);
child.kill("SIGINT");
await new Promise((resolve) => child.once("exit", resolve));
const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"))!;
const profilePath = join(profDir, file);
console.log(`profile: ${profilePath}`);

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const prof = JSON.parse(readFileSync(profilePath, "utf8")) as {
  nodes: Node[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
};
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Work done on behalf of these is theirs wherever it happens (the complexity rule's AST walk, ...): any frame
// of the stack decides, the first listed first.
const OWNERS: [string, (f: Node["callFrame"]) => boolean][] = [
  ["limit rules: complexity", (f) => /src\/server\/limits\/complexity/.test(f.url)],
  [
    "limit rules: depth/aliases (src/server/limits)",
    (f) => /src\/server\/limits\/(depth|aliases)/.test(f.url),
  ],
  ["GraphQL validate (graphql-js rules)", (f) => /graphql\/validation\//.test(f.url)],
  ["GraphQL parse", (f) => /graphql\/language\/(parser|lexer)/.test(f.url)],
  [
    "authentication (src/server/auth, domain/tokens)",
    (f) => /src\/server\/auth\.ts|src\/domain\/tokens\.ts/.test(f.url),
  ],
  [
    "metrics + logging plugin (willSendResponse)",
    (f) => f.functionName === "willSendResponse" && /src\/server\/app/.test(f.url),
  ],
  ["event hub (after commit)", (f) => /src\/domain\/event-hub\.ts/.test(f.url)],
  ["webhook worker (after commit)", (f) => /src\/domain\/webhook-worker\.ts/.test(f.url)],
];
// Otherwise the innermost match wins; order matters only within one frame.
const CATEGORIES: [string, (f: Node["callFrame"]) => boolean][] = [
  ["GC", (f) => f.functionName === "(garbage collector)"],
  ["idle", (f) => f.functionName === "(idle)"],
  ["graphql-js visitor/printer", (f) => /graphql\/language\//.test(f.url)],
  ["GraphQL validate (graphql-js rules)", (f) => /graphql\/validation\//.test(f.url)],
  [
    "limit rules: depth/aliases (src/server/limits)",
    (f) => /src\/server\/limits\/(depth|aliases)/.test(f.url),
  ],
  ["limit rules: complexity", (f) => /graphql-query-complexity|src\/server\/limits\/complexity/.test(f.url)],
  ["rate limiter", (f) => /rate-limiter-flexible|limits\/rate-limit/.test(f.url)],
  ["type-graphql (auth checker, args, middleware)", (f) => /type-graphql|class-validator/.test(f.url)],
  [
    "authentication (src/server/auth, domain/tokens)",
    (f) => /src\/server\/auth\.ts|src\/domain\/tokens\.ts|src\/db\/tokens\.ts/.test(f.url),
  ],
  ["logging (pino)", (f) => /node_modules\/pino|src\/logger/.test(f.url)],
  ["metrics (prom-client)", (f) => /prom-client|src\/metrics/.test(f.url)],
  [
    "DataLoader set-up (Loaders)",
    (f) => /dataloader|src\/server\/context\.ts|src\/resolvers\/loaders/.test(f.url),
  ],
  ["event hub (after commit)", (f) => /src\/domain\/event-hub\.ts/.test(f.url)],
  [
    "event row + snapshots (domain/events, event-snapshots)",
    (f) => /src\/domain\/(events|event-snapshots)\.ts/.test(f.url),
  ],
  ["webhooks", (f) => /webhook/.test(f.url)],
  ["SQL: drizzle query building and row mapping", (f) => /drizzle-orm/.test(f.url)],
  ["SQL: better-sqlite3 JS wrappers", (f) => /better-sqlite3/.test(f.url)],
  ["SQL: src/db helpers", (f) => /src\/db\//.test(f.url)],
  ["allocator (src/allocator)", (f) => /src\/allocator\//.test(f.url)],
  ["domain allocate (validation, idempotency hash, rows)", (f) => /src\/domain\//.test(f.url)],
  ["resolvers/schema", (f) => /src\/(resolvers|schema)\//.test(f.url)],
  ["GraphQL execute (graphql-js)", (f) => /graphql\/(execution|type|utilities|jsutils|error)\//.test(f.url)],
  ["Apollo Server (request pipeline, plugins, response)", (f) => /@apollo\//.test(f.url)],
  ["our HTTP handler/app (src/server)", (f) => /src\/server\//.test(f.url)],
  ["Node HTTP/net/streams/timers", (f) => /^node:/.test(f.url)],
  ["other JS (tsx loader, misc)", (f) => f.url !== ""],
];
const totals = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
let clock = prof.startTime;
const SQLITE_NATIVE = new Set(["get", "run", "all", "iterate", "raw", "prepare"]);
for (let i = 0; i < prof.samples.length; i++) {
  const dt = prof.timeDeltas[i] ?? 0;
  clock += dt;
  if (clock < markUs) continue;
  total += dt;
  let id: number | undefined = prof.samples[i];
  let category: string | undefined;
  // Native leaves: say what they are from the frame that called them.
  const leaf = byId.get(id!)!;
  // better-sqlite3's native calls are inlined into their JavaScript callers' frames.
  if (
    /better-sqlite3\/lib\/methods\/wrappers/.test(leaf.callFrame.url) &&
    leaf.callFrame.functionName === "exec"
  )
    category = "SQLite BEGIN IMMEDIATE / COMMIT (WAL append)";
  else if (/drizzle-orm\/better-sqlite3\/session/.test(leaf.callFrame.url))
    category = "SQLite statement execution (native, via drizzle)";
  else if (leaf.callFrame.url === "" && !leaf.callFrame.functionName.startsWith("(")) {
    const caller = byId.get(parent.get(id!) ?? -1)?.callFrame;
    const name = leaf.callFrame.functionName;
    if (/^write/.test(name) && caller && /stream_base_commons|node:net/.test(caller.url))
      category = "socket writes (writev syscalls)";
    else if (name === "exec" && caller && /better-sqlite3/.test(caller.url))
      category = "SQLite BEGIN IMMEDIATE / COMMIT (WAL append)";
    else if (SQLITE_NATIVE.has(name) && caller && /better-sqlite3|drizzle-orm|src\/db\//.test(caller.url))
      category = "SQLite statement execution (native)";
  }
  const seen = new Set<string>();
  const stack: Node["callFrame"][] = [];
  for (let j: number | undefined = id; j !== undefined; j = parent.get(j)) stack.push(byId.get(j)!.callFrame);
  category ??= OWNERS.find(([, test]) => stack.some(test))?.[0];
  while (id !== undefined) {
    const f = byId.get(id)!.callFrame;
    if (!category) category = CATEGORIES.find(([, test]) => test(f))?.[0];
    if (/src\/(db|domain|server)\//.test(f.url) && f.functionName) {
      const key = `${f.functionName} (${f.url.replace(/^.*\/src\//, "src/")})`;
      if (!seen.has(key)) {
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
      }
    }
    if (f.functionName === "(program)" && !category) category = "(program: V8/native outside JS)";
    id = parent.get(id);
  }
  category ??= "native, unattributed";
  totals.set(category, (totals.get(category) ?? 0) + dt);
}
const busy = total - (totals.get("idle") ?? 0);
const ms = (us: number) => (us / 1000).toFixed(0);
console.log(
  `\nserver CPU: ${ms(busy)} ms busy of ${ms(total)} ms; per allocation ${(busy / r.requests).toFixed(0)} µs busy\n`,
);
console.log("| category (self time, innermost wins) | ms | % of busy | µs per allocation |");
console.log("|---|---|---|---|");
for (const [k, v] of [...totals].sort((a, b) => b[1] - a[1])) {
  if (k === "idle") continue;
  console.log(`| ${k} | ${ms(v)} | ${((v / busy) * 100).toFixed(1)} | ${(v / r.requests).toFixed(1)} |`);
}
console.log("\n| function (inclusive) | ms | % of busy | µs per allocation |");
console.log("|---|---|---|---|");
for (const [k, v] of [...inclusive]
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(process.env.PROFILE_TOP ?? 45))) {
  console.log(`| ${k} | ${ms(v)} | ${((v / busy) * 100).toFixed(1)} | ${(v / r.requests).toFixed(1)} |`);
}
