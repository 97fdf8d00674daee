/**
 * The store seam, checked on the source tree: only src/db talks to the SQLite driver, and inside src/db only
 * the modules listed in src/db/README.md ("Driver-level statements") do, so a second adapter knows every
 * place it has to implement.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** The better-sqlite3 handle, its import, or a statement prepared on it. */
const DRIVER = /from "better-sqlite3"|\$client|\bclient\.prepare\(|\bconn\.prepare\(|\bprobe\.prepare\(/;

const usingDriver = sourceFiles(join(ROOT, "src"))
  .filter((f) => DRIVER.test(readFileSync(f, "utf8")))
  .map((f) => relative(ROOT, f))
  .sort();

describe("the store seam", () => {
  it("keeps every use of the SQLite driver inside src/db", () => {
    expect(usingDriver.filter((f) => !f.startsWith("src/db/"))).toEqual([]);
  });

  it("keeps driver-level statements to the modules src/db/README.md lists", () => {
    expect(usingDriver).toEqual([
      "src/db/backup.ts",
      "src/db/copy.ts",
      "src/db/csv.ts",
      "src/db/free-blocks.ts",
      "src/db/migrate.ts",
      "src/db/occupancy.ts",
      "src/db/prefixes.ts",
      "src/db/store.ts",
    ]);
  });

  it("keeps the free_blocks table's statements in free-blocks.ts", () => {
    const others = sourceFiles(join(ROOT, "src"))
      .filter((f) => !f.endsWith("free-blocks.ts") && !/schema(\.pg)?\.ts$/.test(f))
      .filter((f) => /\bFROM free_blocks\b|\bINTO free_blocks\b/i.test(readFileSync(f, "utf8")))
      .map((f) => relative(ROOT, f));
    expect(others).toEqual([]);
  });
});
