/**
 * Runs the same async query code on SQLite and on PostgreSQL (through `asDb`) for the test/postgres/*-db tests
 * (the pattern of webhooks-db.test.ts): one throw-away cluster per file, a fresh database and a fresh SQLite
 * file per call, each run in one write transaction. Everything started is stopped in `stop()`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres, type PgCluster } from "./postgres.js";
import { openStore, type Db } from "../../src/db/store.js";
import { asDb, openPgStore, type PgStore } from "../../src/db/store.pg.js";

export interface BothBackends {
  /** `fn` on a new SQLite file and on a new PostgreSQL database; what each answered. */
  run<T>(fn: (db: Db) => Promise<T>): Promise<{ sqlite: T; pg: T }>;
  /** A new empty PostgreSQL database's URL. */
  newDatabase(): Promise<string>;
  /** A store on `url` (default: a new database), migrated; closed by `stop`. */
  pgStore(url?: string): Promise<PgStore>;
  stop(): Promise<void>;
}

export async function bothBackends(bin: string): Promise<BothBackends> {
  const cluster: PgCluster = await startPostgres({ bin });
  const dir = mkdtempSync(join(tmpdir(), "cloudpam-both-"));
  const stores: PgStore[] = [];
  let files = 0;
  const pgStore = async (url?: string) => {
    const s = await openPgStore({ url: url ?? (await cluster.createDatabase()) });
    stores.push(s);
    return s;
  };
  return {
    pgStore,
    newDatabase: () => cluster.createDatabase(),
    async run(fn) {
      const sqliteStore = openStore({ dsn: join(dir, `${++files}.db`) });
      let sqlite;
      try {
        sqlite = await sqliteStore.write((db) => fn(db));
      } finally {
        await sqliteStore.close();
      }
      const p = await pgStore();
      const onPg = await p.write((tx) => fn(asDb(tx)));
      return { sqlite, pg: onPg };
    },
    async stop() {
      await Promise.all(stores.map((s) => s.close()));
      await cluster.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
