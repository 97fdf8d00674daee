/**
 * node-postgres connections from the DATABASE_* settings, and the one-line explanations of why
 * PostgreSQL refused us (never with the password).
 */
import pg from "pg";
import { redactUrl } from "../config.js";
import { DatabaseUnavailableError } from "../errors.js";

export interface PgSettings {
  url: string;
  poolSize?: number;
  /** statement_timeout of every connection; 0 = none. */
  statementTimeoutMs?: number;
  /** How long to wait for a connection before failing (default 5 s). */
  connectTimeoutMs?: number;
  /** application_name of the connections (default "cloudpam"). */
  applicationName?: string;
}

/** The database refused us or cannot be reached (exit 3 at start-up; SERVICE_UNAVAILABLE at run time). */
export { DatabaseUnavailableError };

export function clientConfig(s: PgSettings): pg.ClientConfig {
  return {
    connectionString: s.url,
    application_name: s.applicationName ?? "cloudpam",
    connectionTimeoutMillis: s.connectTimeoutMs ?? 5000,
    ...(s.statementTimeoutMs ? { statement_timeout: s.statementTimeoutMs } : {}),
  };
}

export function createPool(s: PgSettings): pg.Pool {
  return new pg.Pool({ ...clientConfig(s), max: s.poolSize ?? 10 });
}

/** Opens one client, or throws DatabaseUnavailableError naming the setting. */
export async function connectClient(s: PgSettings): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(s));
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw explainConnectError(e, s.url);
  }
  return client;
}

/** A connection failure as one clear line naming DATABASE_URL (the URL shown with its password redacted). */
export function explainConnectError(e: unknown, url: string): DatabaseUnavailableError {
  const err = e as { code?: string; message?: string };
  const where = redactUrl(url);
  const why = (() => {
    switch (err.code) {
      case "28P01":
        return "password authentication failed";
      case "28000":
        return "the server refused this user or client address";
      case "3D000":
        return "the database does not exist";
      case "ECONNREFUSED":
        return "connection refused (is PostgreSQL running and listening there?)";
      case "ENOTFOUND":
      case "EAI_AGAIN":
        return "unknown host";
      case "ETIMEDOUT":
        return "connection timed out";
      default:
        return /timeout/i.test(err.message ?? "") ? "connection timed out" : (err.message ?? String(e));
    }
  })();
  return new DatabaseUnavailableError(`cannot connect to DATABASE_URL ${where}: ${why}`, err.code);
}
