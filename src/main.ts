/**
 * Command line: `cloudpam [serve]`, `cloudpam migrate status|up|stamp`, `cloudpam token create|list|revoke`,
 * and the everyday commands of src/cli (`pools list`, `pool create`, `allocate`, `release`, `lookup`) that
 * talk GraphQL to a running server.
 * Every failure the user can fix is one clear line on stderr and a non-zero exit code.
 */
import "reflect-metadata";
import { Command, Option } from "commander";
import { ConfigError, flagName, loadConfig, redactUrl, settings, type Config } from "./config.js";
import { APP_VERSION } from "./version.js";
import { DatabaseStateError, migrateStamp, migrateUp, migrationStatus } from "./db/migrate.js";
import { openForMigrate } from "./db/store.js";
import { openConfiguredStore } from "./db/open.js";
import { BackupUsageError, backupDatabase, formatSummary, restoreDatabase } from "./db/backup.js";
import { connectClient, DatabaseUnavailableError } from "./db/pg.js";
import { pgMigrateStamp, pgMigrateUp, pgMigrationStatus } from "./db/migrate.pg.js";
import { createToken, listTokens, parseExpiry, revokeToken } from "./domain/tokens.js";
import { DomainError } from "./domain/errors.js";
import { SYSTEM_ACTOR } from "./domain/roles.js";
import { registerEverydayCommands } from "./cli/index.js";

/** Exit codes: 1 runtime failure, 2 bad usage or configuration, 3 database refused. */
function fail(message: string, code = 1): never {
  process.stderr.write(`cloudpam: ${message}\n`);
  process.exit(code);
}

function attributeName(env: string): string {
  return flagName(env).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** Adds one option per config setting (`--sqlite-dsn`, `--log-level`, ...). */
function withConfigOptions(cmd: Command, only?: string[]): Command {
  for (const s of settings) {
    if (only && !only.includes(s.env)) continue;
    cmd.addOption(new Option(`--${flagName(s.env)} <value>`, `${s.help} [env ${s.env}]`));
  }
  return cmd;
}

function configFrom(opts: Record<string, string | undefined>): Config {
  const flags: Record<string, string | undefined> = {};
  for (const s of settings) flags[s.env] = opts[attributeName(s.env)];
  try {
    return loadConfig(flags);
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message, 2);
    throw e;
  }
}

function dbFailure(e: unknown): never {
  if (e instanceof ConfigError) fail(e.message, 2);
  if (e instanceof DatabaseStateError) fail(`refusing to open the database: ${e.message}`, 3);
  if (e instanceof DatabaseUnavailableError) fail(e.message, 3);
  if (e instanceof Error && /SQLITE_NOTADB|file is not a database/i.test(e.message)) {
    fail("refusing to open the database: not a SQLite database", 3);
  }
  if (e instanceof DomainError) fail(e.message, 2);
  throw e;
}

async function serve(opts: Record<string, string | undefined>): Promise<void> {
  const config = configFrom(opts);
  const { startApp } = await import("./server/app.js");
  // OpenTelemetry only with OTEL_EXPORTER_OTLP_ENDPOINT set (otherwise no SDK module is loaded).
  const { startTracing } = await import("./tracing.js");
  const tracing = await startTracing();
  let app;
  try {
    app = await startApp(config);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EADDRINUSE")
      fail(`address ${config.addr.host}:${config.addr.port} is in use`);
    dbFailure(e);
  }
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) process.exit(1);
    signalled = true;
    app.services.logger.info({ signal }, "signal received");
    setTimeout(() => {
      process.stderr.write("cloudpam: shutdown took longer than 10 s; exiting\n");
      process.exit(1);
    }, 10_000).unref();
    app
      .close()
      .then(() => tracing?.shutdown())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          app.services.logger.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

/** Runs `fn` with one PostgreSQL client of DATABASE_URL (closed afterwards). */
async function withPgClient<T>(
  config: Config,
  fn: (client: Awaited<ReturnType<typeof connectClient>>) => Promise<T>,
) {
  const client = await connectClient({
    url: config.database.url!,
    statementTimeoutMs: config.database.statementTimeoutMs,
  });
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

function printStatus(database: string, s: ReturnType<typeof migrationStatus>): void {
  console.log(`database:               ${database}`);
  console.log(`app version:            ${s.appVersion}`);
  console.log(`schema version:         ${s.schemaVersion} (this build: ${s.codeSchemaVersion})`);
  console.log(`min supported schema:   ${s.minSupportedSchema ?? "-"}`);
  console.log(`written by app version: ${s.databaseAppVersion ?? "-"}`);
  for (const m of s.migrations)
    console.log(`  ${m.applied ? "applied" : "pending"}  ${String(m.version).padStart(4)}  ${m.tag}`);
  console.log(`${s.pending} pending`);
}

const printApplied = (applied: number[]) =>
  console.log(applied.length ? `applied ${applied.map((v) => `#${v}`).join(", ")}` : "nothing to apply");

const program = new Command("cloudpam")
  .description("CloudPAM: cloud IP address management with a typed GraphQL API")
  .version(APP_VERSION)
  .showHelpAfterError();

withConfigOptions(
  program
    .command("serve", { isDefault: true })
    .description("run the HTTP/GraphQL server (applies pending migrations first)"),
).action((opts: Record<string, string | undefined>) => serve(opts));

const MIGRATE_SETTINGS = ["SQLITE_DSN", "DATABASE_URL", "DATABASE_STATEMENT_TIMEOUT_MS"];

const migrate = program.command("migrate").description("database migrations (forward-only)");

withConfigOptions(
  migrate.command("status").description("show applied and pending migrations and schema versions"),
  MIGRATE_SETTINGS,
).action(async (opts: Record<string, string | undefined>) => {
  const config = configFrom(opts);
  if (config.database.url) {
    const url = config.database.url;
    return withPgClient(config, async (c) => printStatus(redactUrl(url), await pgMigrationStatus(c))).catch(
      dbFailure,
    );
  }
  let db;
  try {
    db = openForMigrate(config.sqliteDsn);
    printStatus(config.sqliteDsn, migrationStatus(db));
  } catch (e) {
    dbFailure(e);
  } finally {
    db?.close();
  }
});

withConfigOptions(
  migrate.command("up").description("apply every pending migration"),
  MIGRATE_SETTINGS,
).action(async (opts: Record<string, string | undefined>) => {
  const config = configFrom(opts);
  if (config.database.url) {
    return withPgClient(config, async (c) => printApplied(await pgMigrateUp(c))).catch(dbFailure);
  }
  let db;
  try {
    db = openForMigrate(config.sqliteDsn);
    printApplied(migrateUp(db));
  } catch (e) {
    dbFailure(e);
  } finally {
    db?.close();
  }
});

withConfigOptions(
  migrate
    .command("stamp")
    .description("mark migrations up to VERSION (default: all) as applied without running them")
    .argument("[version]", "schema version to stamp"),
  MIGRATE_SETTINGS,
).action(async (version: string | undefined, opts: Record<string, string | undefined>) => {
  const config = configFrom(opts);
  const target = version === undefined ? undefined : Number(version);
  if (config.database.url) {
    return withPgClient(config, async (c) =>
      console.log(`stamped schema version ${await pgMigrateStamp(c, target)}`),
    ).catch(dbFailure);
  }
  let db;
  try {
    db = openForMigrate(config.sqliteDsn);
    const v = migrateStamp(db, version === undefined ? undefined : Number(version));
    console.log(`stamped schema version ${v}`);
  } catch (e) {
    dbFailure(e);
  } finally {
    db?.close();
  }
});

function backupFailure(e: unknown): never {
  if (e instanceof BackupUsageError) fail(e.message, 2);
  dbFailure(e);
}

function sqliteOnly(config: Config, what: string): void {
  if (config.database.url)
    fail(`${what} works on SQLite; for PostgreSQL use pg_dump/pg_restore (docs/operations.md)`, 2);
}

withConfigOptions(
  program
    .command("backup")
    .description(
      "take a consistent online copy of the SQLite database (the server may keep running), verify it",
    )
    .argument("<file>", "the backup file to write")
    .option("--force", "overwrite <file> if it exists")
    .option("--json", "print the result as JSON"),
  ["SQLITE_DSN", "DATABASE_URL"],
).action(async (file: string, opts: Record<string, string | undefined>) => {
  const config = configFrom(opts);
  sqliteOnly(config, "backup");
  try {
    const r = await backupDatabase(config.sqliteDsn, file, { force: !!opts.force });
    if (opts.json) return console.log(JSON.stringify(r));
    console.log(
      `backup:          ${r.file} (${r.bytes} bytes, ${r.pages} pages) of ${r.source} in ${r.durationMs} ms`,
    );
    for (const line of formatSummary(r)) console.log(line);
  } catch (e) {
    backupFailure(e);
  }
});

withConfigOptions(
  program
    .command("restore")
    .description("replace the SQLite database with a verified backup (stop the server first)")
    .argument("<file>", "a file written by `cloudpam backup`")
    .option("--force", "replace an existing database (it is saved as <db>.before-restore-<time> first)")
    .option("--json", "print the result as JSON"),
  ["SQLITE_DSN", "DATABASE_URL"],
).action(async (file: string, opts: Record<string, string | undefined>) => {
  const config = configFrom(opts);
  sqliteOnly(config, "restore");
  try {
    const r = await restoreDatabase(file, config.sqliteDsn, { force: !!opts.force });
    if (opts.json) return console.log(JSON.stringify(r));
    console.log(`restored:        ${r.file} from ${r.from} in ${r.durationMs} ms`);
    if (r.previous) console.log(`previous saved:  ${r.previous}`);
    for (const line of formatSummary(r)) console.log(line);
  } catch (e) {
    backupFailure(e);
  }
});

program
  .command("copy")
  .description(
    "copy every row of a SQLite database into an empty PostgreSQL database in one transaction, then verify counts and checksums",
  )
  .requiredOption("--from <source>", "the SQLite database: sqlite:./data/cloudpam.db")
  .requiredOption("--to <url>", "the PostgreSQL database: postgres://user:password@host:port/db")
  .action(async (opts: { from: string; to: string }) => {
    let target;
    try {
      target = loadConfig({ DATABASE_URL: opts.to }, {}).database.url;
    } catch (e) {
      if (e instanceof ConfigError) fail(e.message.replace("setting DATABASE_URL", "--to"), 2);
      throw e;
    }
    if (!target) fail("--to needs a postgres:// URL", 2);
    const { copySqliteToPostgres } = await import("./db/copy.js");
    try {
      const copied = await copySqliteToPostgres(opts.from, { url: target }, (line) => console.log(line));
      const rows = copied.reduce((n, t) => n + t.rows, 0);
      console.log(
        `copied ${rows} rows in ${copied.length} tables to ${redactUrl(target)}; counts and checksums verified`,
      );
    } catch (e) {
      dbFailure(e);
    }
  });

const TOKEN_SETTINGS = ["SQLITE_DSN", "DATABASE_URL", "DATABASE_STATEMENT_TIMEOUT_MS"];
const token = program.command("token").description("API tokens (shown once; only a hash is stored)");

withConfigOptions(
  token
    .command("create")
    .description("create an API token and print it once")
    .requiredOption("--name <name>", "token name (unique)")
    .requiredOption("--role <role>", "VIEWER, OPERATOR, ADMIN or AUDITOR")
    .option("--expires <when>", "expiry: a duration (30d, 12h, 90m) or an ISO date"),
  TOKEN_SETTINGS,
).action(async (opts: Record<string, string | undefined>) => {
  const config = configFrom(opts);
  try {
    const store = await openConfiguredStore(config);
    try {
      const expiresAt = opts.expires ? parseExpiry(opts.expires) : null;
      const created = await createToken(
        store,
        { actor: SYSTEM_ACTOR },
        {
          name: opts.name!,
          role: (opts.role ?? "").toUpperCase(),
          expiresAt,
        },
      );
      console.log(created.token);
      process.stderr.write(
        `created token ${created.info.name} (id ${created.info.id}, role ${created.info.role}${expiresAt ? `, expires ${expiresAt}` : ""}); it is shown only once\n`,
      );
    } finally {
      await store.close();
    }
  } catch (e) {
    dbFailure(e);
  }
});

withConfigOptions(
  token.command("list").description("list API tokens (never their secrets)"),
  TOKEN_SETTINGS,
).action(async (opts: Record<string, string | undefined>) => {
  const config = configFrom(opts);
  try {
    const store = await openConfiguredStore(config);
    try {
      const rows = await listTokens(store);
      console.log(["ID", "NAME", "ROLE", "PREFIX", "EXPIRES", "LAST USED", "REVOKED"].join("\t"));
      for (const t of rows) {
        console.log(
          [
            t.id,
            t.name,
            t.role,
            `cpam_${t.prefix}_…`,
            t.expiresAt ?? "-",
            t.lastUsedAt ?? "-",
            t.revokedAt ?? "-",
          ].join("\t"),
        );
      }
    } finally {
      await store.close();
    }
  } catch (e) {
    dbFailure(e);
  }
});

withConfigOptions(
  token.command("revoke").description("revoke a token by id or name").argument("<token>", "token id or name"),
  TOKEN_SETTINGS,
).action(async (which: string, opts: Record<string, string | undefined>) => {
  const config = configFrom(opts);
  try {
    const store = await openConfiguredStore(config);
    try {
      const t = await revokeToken(
        store,
        { actor: SYSTEM_ACTOR },
        /^\d+$/.test(which) ? Number(which) : which,
      );
      console.log(`revoked token ${t.name} (id ${t.id}) at ${t.revokedAt}`);
    } finally {
      await store.close();
    }
  } catch (e) {
    dbFailure(e);
  }
});

registerEverydayCommands(program);

await program.parseAsync(process.argv);
