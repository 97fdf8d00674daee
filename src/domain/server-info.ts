import type { Store } from "../db/store.js";
import { schemaInfo } from "../db/schema.js";

/** The database's schema version (number of applied migrations). */
export async function schemaVersion(store: Store): Promise<number> {
  return store.read(async (db) => (await db.select().from(schemaInfo).limit(1))[0]?.schemaVersion ?? 0);
}
