/** Which store the configuration selects: PostgreSQL when DATABASE_URL is set, else the SQLite file. */
import type { Config } from "../config.js";
import { openStore, type Store } from "./store.js";

/**
 * Opens the store DATABASE_URL selects (PostgreSQL, migrated under its advisory lock; node-postgres is loaded
 * only then), else the SQLite file of SQLITE_DSN. `migrate: false` only checks the schema.
 */
export async function openConfiguredStore(
  config: Config,
  opts: { migrate?: boolean; onMigrated?: (versions: readonly number[]) => void } = {},
): Promise<Store> {
  const { url, poolSize, statementTimeoutMs } = config.database;
  const migrate = opts.migrate ?? true;
  if (!url) return openStore({ dsn: config.sqliteDsn, migrate });
  const { openPgSeam } = await import("./store.pg.js");
  const store = await openPgSeam({ url, poolSize, statementTimeoutMs, migrate });
  if (store.pg.migrated.length) opts.onMigrated?.(store.pg.migrated);
  return store;
}
