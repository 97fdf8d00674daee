import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const SCHEMA = resolve("schema.graphql");
// The native compiler the npm package ships, run directly (no wrapper process left behind on a timeout).
const RELAY = resolve(
  "node_modules/relay-compiler",
  `${process.platform === "darwin" ? "macos" : process.platform}-${process.arch}`,
  "relay",
);

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

/** Compiles one module of Relay documents against the committed schema; returns the exit code and output. */
function compile(documents: string) {
  dir = mkdtempSync(join(tmpdir(), "cloudpam-relay-"));
  mkdirSync(join(dir, "src", "__generated__"), { recursive: true });
  writeFileSync(join(dir, "src", "Live.ts"), `import { graphql } from "relay-runtime";\n${documents}\n`);
  writeFileSync(
    join(dir, "relay.config.json"),
    JSON.stringify({
      src: "./src",
      schema: SCHEMA,
      language: "typescript",
      artifactDirectory: "./src/__generated__",
    }),
  );
  const r = spawnSync(RELAY, ["relay.config.json"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}`, generated: join(dir, "src", "__generated__") };
}

describe("the Relay compiler against the committed schema.graphql", () => {
  it("compiles a fragment that selects allocationEvents { cursor allocation { id cidr } }", () => {
    const r = compile(`
export const fragment = graphql\`
  fragment Live_events on Subscription {
    allocationEvents { cursor allocation { id cidr } }
  }
\`;
export const subscription = graphql\`
  subscription LiveSubscription { ...Live_events }
\`;`);

    expect(r.output).toContain("Compilation completed");
    expect(r.status).toBe(0);
    const artifact = join(r.generated, "Live_events.graphql.ts");
    expect(existsSync(artifact)).toBe(true);
    expect(readFileSync(artifact, "utf8")).toMatch(/readonly cidr: any;|readonly cidr: string;/);
  });

  it("refuses a selection the schema does not have (the check is real)", () => {
    const r = compile(`
export const fragment = graphql\`
  fragment Live_events on Subscription {
    allocationEvents { cursor allocation { id notAField } }
  }
\`;`);

    expect(r.status).not.toBe(0);
    expect(r.output).toContain("notAField");
  });
});
