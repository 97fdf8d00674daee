/**
 * The import-direction rules (.dependency-cruiser.mjs, run by `npm run lint`) fire: the checker, with the
 * project's own config, runs on a throw-away tree laid out like src/ and must refuse an upward import and a
 * cycle, and accept imports that point down. The last case runs it on the real src/.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CONFIG = join(ROOT, ".dependency-cruiser.mjs");
const DEPCRUISE = join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** Lays out `files` (path -> source) under a temp project with the repo's tsconfig settings. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "cloudpam-import-rules-"));
  dirs.push(dir);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true } }),
  );
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  return dir;
}

function check(cwd: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [DEPCRUISE, "src", "--config", CONFIG, "--output-type", "err"], {
    cwd,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, output: r.stdout + r.stderr };
}

describe("import rules", () => {
  it("refuse an import from src/db up into src/domain", () => {
    const dir = tree({
      "src/domain/errors.ts": "export class Invalid extends Error {}\n",
      "src/db/pools.ts": 'import { Invalid } from "../domain/errors.js";\nexport const e = new Invalid();\n',
    });
    const r = check(dir);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("no-upward-import-from-db");
    expect(r.output).toContain("src/db/pools.ts → src/domain/errors.ts");
  });

  it("refuse an import from src/schema or src/resolvers up into src/server", () => {
    const dir = tree({
      "src/server/errors.ts": "export const ERROR_CODES = {};\n",
      "src/schema/server-info.ts": 'export { ERROR_CODES } from "../server/errors.js";\n',
      "src/resolvers/pool.resolver.ts": 'export { ERROR_CODES } from "../server/errors.js";\n',
    });
    const r = check(dir);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("no-upward-import-from-schema");
    expect(r.output).toContain("no-upward-import-from-resolvers");
  });

  it("refuse a function import from src/schema into src/domain, and accept a type import", () => {
    const bad = tree({
      "src/domain/events.ts": "export const eventCursor = (id: number) => String(id);\n",
      "src/schema/event.ts":
        'import { eventCursor } from "../domain/events.js";\nexport const c = eventCursor(1);\n',
    });
    const r = check(bad);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("schema-imports-only-types-from-domain");
    expect(r.output).toContain("src/schema/event.ts → src/domain/events.ts");

    const ok = tree({
      "src/domain/events.ts": "export interface EventRecord { id: number }\n",
      "src/schema/event.ts":
        'import type { EventRecord } from "../domain/events.js";\nexport const id = (e: EventRecord) => e.id;\n',
    });
    const r2 = check(ok);
    expect(r2.output).toContain("no dependency violations found");
    expect(r2.status).toBe(0);
  });

  it("refuse a database row type in src/schema, and accept the page shape", () => {
    const bad = tree({
      "src/db/cloud.ts": "export interface CloudResourceRow { id: number }\n",
      "src/schema/cloud.ts":
        'import type { CloudResourceRow } from "../db/cloud.js";\nexport const id = (r: CloudResourceRow) => r.id;\n',
    });
    const r = check(bad);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("schema-imports-no-db-rows");
    expect(r.output).toContain("src/schema/cloud.ts → src/db/cloud.ts");

    const ok = tree({
      "src/db/pagination.ts": "export interface Page<T> { items: T[] }\n",
      "src/schema/connection.ts":
        'import type { Page } from "../db/pagination.js";\nexport const n = (p: Page<number>) => p.items.length;\n',
    });
    const r2 = check(ok);
    expect(r2.output).toContain("no dependency violations found");
    expect(r2.status).toBe(0);
  });

  it("refuse an import from the shared bottom modules (src/ids.ts, src/errors.ts) into a layer", () => {
    const dir = tree({
      "src/errors.ts": "export class Invalid extends Error {}\n",
      "src/domain/roles.ts": "export const ROLES = [];\n",
      "src/ids.ts":
        'import { Invalid } from "./errors.js";\nimport { ROLES } from "./domain/roles.js";\nexport const x = [Invalid, ROLES];\n',
    });
    const r = check(dir);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("no-upward-import-from-shared");
    expect(r.output).toContain("src/ids.ts → src/domain/roles.ts");
    expect(r.output).not.toContain("src/ids.ts → src/errors.ts");
  });

  it("refuse a runtime import cycle inside a layer", () => {
    const dir = tree({
      "src/resolvers/a.ts": 'import { b } from "./b.js";\nexport const a = () => b;\n',
      "src/resolvers/b.ts": 'import { a } from "./a.js";\nexport const b = () => a;\n',
    });
    const r = check(dir);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("no-circular");
  });

  it("refuse a cycle made only of type imports", () => {
    const dir = tree({
      "src/server/context.ts":
        'import type { Handle } from "./ws.js";\nexport interface Services { ws: Handle | null }\n',
      "src/server/ws.ts":
        'import type { Services } from "./context.js";\nexport interface Handle { services: Services }\n',
    });
    const r = check(dir);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("no-circular");
    expect(r.output).toContain("src/server/ws.ts");
  });

  it("accept imports that point down the layers", () => {
    const dir = tree({
      "src/allocator/prefix.ts": "export const parse = (s: string) => s;\n",
      "src/db/pools.ts": 'import { parse } from "../allocator/prefix.js";\nexport const p = parse;\n',
      "src/domain/pools.ts": 'import { p } from "../db/pools.js";\nexport const d = p;\n',
      "src/schema/pool.ts": 'import type { d } from "../domain/pools.js";\nexport type S = typeof d;\n',
      "src/resolvers/pool.resolver.ts": 'import { d } from "../domain/pools.js";\nexport const r = d;\n',
      "src/server/app.ts": 'import { r } from "../resolvers/pool.resolver.js";\nexport const s = r;\n',
    });
    const r = check(dir);
    expect(r.output).toContain("no dependency violations found");
    expect(r.status).toBe(0);
  });

  it("hold for the real src/", () => {
    const r = check(ROOT);
    expect(r.output).toContain("no dependency violations found");
    expect(r.status).toBe(0);
  });
});
