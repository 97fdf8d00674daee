/**
 * The everyday commands (`pools list`, `pool create`, `allocate`, `release`, `lookup`): unlike `token` and
 * `migrate`, which open the local database file, these talk GraphQL over HTTP to a running server.
 */
import type { Command } from "commander";
import { registerAllocationCommands } from "./allocate.js";
import { registerLookupCommands } from "./lookup.js";
import { registerPoolCommands } from "./pools.js";

export function registerEverydayCommands(program: Command): void {
  registerPoolCommands(program);
  registerAllocationCommands(program);
  registerLookupCommands(program);
}
