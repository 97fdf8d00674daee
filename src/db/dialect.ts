/**
 * Which backend a `Db` handle belongs to. Query modules are dialect-neutral (await style, see ./README.md);
 * the few statements that must differ (driver-level modules, SQL functions that differ between SQLite and
 * PostgreSQL, row locks) branch on `isPg(db)` here, in one obvious way, instead of sniffing the driver.
 */
import { PgDatabase } from "drizzle-orm/pg-core";
import type { Db } from "./store.js";
import type { PgTx } from "./store.pg.js";

/** True for a PostgreSQL handle (the pool's database or a transaction: both extend PgDatabase). */
export function isPg(db: Db): boolean {
  return (db as unknown) instanceof PgDatabase;
}

/** The PostgreSQL transaction behind `db` (only call after `isPg(db)`): its `execute` runs raw SQL. */
export function pgHandle(db: Db): PgTx {
  if (!isPg(db)) throw new Error("pgHandle: not a PostgreSQL handle");
  return db as unknown as PgTx;
}
