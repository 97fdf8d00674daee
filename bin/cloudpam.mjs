#!/usr/bin/env node
// In a source checkout: runs the TypeScript sources directly (tsx), so `npx cloudpam` works right after `npm ci`.
// In the npm package (no src/, built by `npm pack`'s prepack step): runs the compiled server in dist/.
// The project's tsconfig is named explicitly: tsx would otherwise look for one in the caller's directory,
// and without it the decorators do not compile (`cloudpam ...` run from any other directory failed).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

if (existsSync(fileURLToPath(new URL("../src/main.ts", import.meta.url)))) {
  const { register } = await import("tsx/esm/api");
  register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
  await import("../src/main.ts");
} else {
  await import("../dist/main.js");
}
