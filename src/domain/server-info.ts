import type { Store } from "../db/store.js";
import { schemaInfo } from "../db/schema.js";

/** The database's schema version (number of applied migrations). */
export async function schemaVersion(store: Store): Promise<number> {
  return store.read((db) => db.select().from(schemaInfo).get()?.schemaVersion ?? 0);
}
