#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so `npx cloudpam` works right after `npm ci`.
// The project's tsconfig is named explicitly: tsx would otherwise look for one in the caller's directory,
// and without it the decorators do not compile (`cloudpam ...` run from any other directory failed).
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";
register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
await import("../src/main.ts");
