/**
 * Which backend a `Db` handle belongs to. Query modules are dialect-neutral (await style, see ./README.md);
 * the few statements that must differ (driver-level modules, SQL functions that differ between SQLite and
 * PostgreSQL, row locks) branch on `isPg(db)` here, in one obvious way, instead of sniffing the driver.
 */
import { PgDatabase } from "drizzle-orm/pg-core";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import type * as pgSchema from "./schema.pg.js";

// The PostgreSQL handle types live here (store.pg.ts re-exports them), so this module imports neither store
// module and they both import it without an import cycle. Handles are taken as `object`: a `Db` of either.
export type PgDb = NodePgDatabase<typeof pgSchema>;
/** The handle `write(fn)` passes: a drizzle transaction (its `execute` runs raw SQL in the transaction). */
export type PgTx = Parameters<Parameters<PgDb["transaction"]>[0]>[0];

/** True for a PostgreSQL handle (the pool's database or a transaction: both extend PgDatabase). */
export function isPg(db: object): boolean {
  return (db as unknown) instanceof PgDatabase;
}

/** The PostgreSQL transaction behind `db` (only call after `isPg(db)`): its `execute` runs raw SQL. */
export function pgHandle(db: object): PgTx {
  if (!isPg(db)) throw new Error("pgHandle: not a PostgreSQL handle");
  return db as unknown as PgTx;
}
