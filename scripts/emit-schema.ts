/** Writes schema.graphql (the committed SDL); `npm run schema:emit` after any schema change. */
import "reflect-metadata";
import { writeFileSync } from "node:fs";
import { printCloudPamSchema } from "../src/server/schema.js";

writeFileSync(new URL("../schema.graphql", import.meta.url), await printCloudPamSchema());
console.log("wrote schema.graphql");
