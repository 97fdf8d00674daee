/**
 * vitest globalSetup of the PostgreSQL test backend (CLOUDPAM_TEST_BACKEND=postgres, `npm run test:postgres`):
 * one throw-away cluster for the whole run, started before the first test file and destroyed (its process
 * group killed, its directory deleted) after the last. Every test server then gets a database of its own on
 * it (test/helpers/server.ts: CREATE DATABASE per server, DROP at close).
 */
import type { TestProject } from "vitest/node";
import { postgresAvailability, startPostgres, type PgCluster } from "./postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of the shared cluster's `postgres` database (empty when not on the postgres backend). */
    pgAdminUrl: string;
  }
}

let cluster: PgCluster | undefined;

export async function setup(project: TestProject): Promise<void> {
  const availability = postgresAvailability();
  if (!availability.available) throw new Error(`CLOUDPAM_TEST_BACKEND=postgres: ${availability.reason}`);
  cluster = await startPostgres({ bin: availability.bin!, settings: { max_connections: "500" } });
  project.provide("pgAdminUrl", cluster.url);
}

export async function teardown(): Promise<void> {
  await cluster?.destroy();
  cluster = undefined;
}
