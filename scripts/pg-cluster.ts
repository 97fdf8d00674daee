/**
 * Starts a throw-away PostgreSQL cluster (test/helpers/postgres.ts) on a loopback ephemeral port, prints
 * its DATABASE_URL, and keeps it running until SIGINT/SIGTERM, then stops it (whole process group) and
 * deletes its directory. For trying the PostgreSQL backend by hand:
 *   node --import tsx scripts/pg-cluster.ts            # prints DATABASE_URL=postgres://…
 *   node --import tsx scripts/pg-cluster.ts --database cloudpam
 */
import { postgresAvailability, startPostgres } from "../test/helpers/postgres.js";

const args = process.argv.slice(2);
const dbIndex = args.indexOf("--database");
const dbName = dbIndex >= 0 ? args[dbIndex + 1] : undefined;

const availability = postgresAvailability();
if (!availability.available) process.exit(2);
const cluster = await startPostgres({ bin: availability.bin! });
const url = dbName ? await cluster.createDatabase(dbName) : cluster.url;
process.stdout.write(`DATABASE_URL=${url}\n`);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  cluster.destroy().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`pg-cluster: ${String(e)}\n`);
      process.exit(1);
    },
  );
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
setInterval(() => {}, 1 << 30);
