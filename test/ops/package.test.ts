/**
 * Release artifacts (#17): `npm pack` (its prepack step builds dist/) produces a package that installs into an
 * empty project and whose `cloudpam` bin runs the compiled server (--help, --version, and `migrate up`, which
 * finds the packaged migrations); `.github/workflows/release.yml` passes the GitHub workflow schema
 * (@action-validator/core, SchemaStore's schema) and does what a release needs.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { validateWorkflow } from "@action-validator/core";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { name: string; version: string };
const scratch = mkdtempSync(join(tmpdir(), "cloudpam-pack-test-"));
// The scratch project holds an installed node_modules: removing it takes long on a loaded box.
afterAll(() => rmSync(scratch, { recursive: true, force: true }), 180_000);

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, LOG_LEVEL: "error" },
    timeout: 300_000,
  });

describe("npm package", () => {
  it(
    "packs, installs into an empty project, and its cloudpam bin runs the compiled server",
    { timeout: 600_000 },
    () => {
      // prepack's build output (tsc, vite) shares stdout with npm's JSON report: the report is the last "[" block
      const out = run("npm", ["pack", "--json", "--pack-destination", scratch], process.cwd());
      const packed = JSON.parse(out.slice(out.search(/^\[$/m))) as {
        filename: string;
        files: { path: string }[];
      }[];
      const files = packed[0]!.files.map((f) => f.path);
      expect(files).toEqual(expect.arrayContaining(["bin/cloudpam.mjs", "dist/main.js", "package.json"]));
      expect(files.some((f) => /^drizzle\/sqlite\/0000_.*\.sql$/.test(f))).toBe(true);
      expect(files).toContain("web/dist/index.html"); // the UI is built by prepack and shipped
      expect(files.filter((f) => /^(src|test|bench|scripts)\//.test(f) || f.endsWith(".db"))).toEqual([]);

      const project = join(scratch, "project");
      cpSync(join(scratch, packed[0]!.filename), join(scratch, "cloudpam.tgz"));
      execFileSync("mkdir", ["-p", project]);
      writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true }));
      // Install scripts are skipped: compiling better-sqlite3 from source takes minutes here (CI's `npm ci` and the
      // Node 24 run cover the native build). The addon built for this Node is reused below when versions match.
      run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "../cloudpam.tgz"], project);
      const bin = join(project, "node_modules", ".bin", "cloudpam");
      expect(existsSync(bin)).toBe(true);
      const help = run(bin, ["--help"], project);
      expect(help).toMatch(/^Usage: cloudpam \[options\] \[command\]/);
      for (const c of ["serve", "migrate", "backup", "restore", "token"])
        expect(help).toMatch(new RegExp(`^  ${c}\\b`, "m"));
      expect(run(bin, ["--version"], project).trim()).toBe(pkg.version);
      // it runs dist/, not TypeScript sources
      expect(existsSync(join(project, "node_modules", "cloudpam", "src"))).toBe(false);

      const installed = join(project, "node_modules", "better-sqlite3");
      const local = join("node_modules", "better-sqlite3");
      const version = (dir: string) =>
        (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
      if (version(installed) === version(local)) {
        cpSync(join(local, "build"), join(installed, "build"), { recursive: true });
        const out = run(
          bin,
          ["migrate", "up", "--sqlite-dsn", join(project, "data", "cloudpam.db")],
          project,
        );
        expect(out).toMatch(/^applied #1, /);
        const status = run(
          bin,
          ["migrate", "status", "--sqlite-dsn", join(project, "data", "cloudpam.db")],
          project,
        );
        expect(status).toMatch(/^0 pending$/m);
      }
    },
  );
});

describe(".github/workflows/release.yml", () => {
  const text = readFileSync(".github/workflows/release.yml", "utf8");

  it("passes the GitHub workflow schema", () => {
    expect(validateWorkflow(text).errors).toEqual([]);
    // the validator is strict: a misspelt key is reported
    expect(
      validateWorkflow(text.replace("runs-on: ubuntu-24.04", "run-on: ubuntu-24.04")).errors.length,
    ).toBeGreaterThan(0);
  });

  it("runs on version tags, tests on Node 22 and 24, and builds the package and the image", () => {
    const wf = parseYaml(text) as {
      on: { push: { tags: string[] } };
      jobs: Record<
        string,
        {
          needs?: string;
          steps: { uses?: string; run?: string; with?: Record<string, unknown> }[];
          strategy?: { matrix: { node: string[] } };
        }
      >;
    };
    expect(wf.on.push.tags).toEqual(["v*.*.*"]);
    expect(wf.jobs.test!.strategy!.matrix.node.map((v) => v.split(".")[0])).toEqual(["22", "24"]);
    const runs = (job: string) => wf.jobs[job]!.steps.map((s) => s.run ?? "").join("\n");
    expect(runs("package")).toMatch(/npm pack/);
    expect(wf.jobs.package!.needs).toBe("test");
    const build = wf.jobs.image!.steps.find((s) => s.uses?.startsWith("docker/build-push-action@"));
    expect(build?.with).toMatchObject({ context: ".", push: true });
    expect(wf.jobs.image!.needs).toBe("test");
  });
});
