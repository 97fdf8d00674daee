import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import {
  buildSchema as parseSdl,
  isObjectType,
  isInterfaceType,
  isInputObjectType,
  isEnumType,
} from "graphql";
import { printCloudPamSchema } from "../src/server/schema.js";

describe("schema.graphql", () => {
  it("is up to date with the resolvers (run `npm run schema:emit`)", async () => {
    const committed = readFileSync(new URL("../schema.graphql", import.meta.url), "utf8");
    expect(await printCloudPamSchema()).toBe(committed);
  });

  it("describes every type, field and argument", async () => {
    const schema = parseSdl(await printCloudPamSchema());
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith("__") || ["String", "Int", "Float", "Boolean", "ID"].includes(type.name))
        continue;
      if (!type.description && !["Query", "Mutation", "Subscription"].includes(type.name))
        missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const f of Object.values(type.getFields())) {
          if (!f.description) missing.push(`${type.name}.${f.name}`);
          if ("args" in f)
            for (const a of f.args) if (!a.description) missing.push(`${type.name}.${f.name}(${a.name})`);
        }
      }
      if (isEnumType(type))
        for (const v of type.getValues()) if (!v.description) missing.push(`${type.name}.${v.name}`);
    }
    expect(missing).toEqual([]);
  });
});
