/** The UI's typed documents (web/src/gql) are generated from the committed schema.graphql: they must be fresh. */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "@graphql-codegen/cli";
import config from "../../web/codegen.js";

describe("web/src/gql", () => {
  it("matches what graphql-codegen makes from schema.graphql and the UI's documents (run `npm run codegen:web`)", async () => {
    const files = (await generate({ ...config, cwd: process.cwd(), silent: true }, false)) as {
      filename: string;
      content: string;
    }[];
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const committed = readFileSync(join(process.cwd(), f.filename), "utf8");
      expect(committed, `${f.filename} is stale`).toBe(f.content);
    }
  }, 60_000);
});
