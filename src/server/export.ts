/**
 * GET /export/{accounts,pools,allocations}.csv: CSV streamed row by row with backpressure.
 *
 * SQL cursor -> rows (src/domain/csv.ts) -> csv-stringify (quoting) -> 64 KiB batches -> response.
 * `pipeline` pulls a row only when the socket drains, so memory stays flat whatever the size; when the
 * client goes away the pipeline is destroyed and the cursor's connection closes.
 *
 * Query parameters are the analytics filter (repeat a parameter or separate values with commas):
 * accountId, provider, platform, tier, environment, region, poolId, scopeId (global ids), status,
 * within (CIDR), createdAfter, createdBefore (ISO-8601).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { stringify } from "csv-stringify";
import { Gauge } from "prom-client";
import { registry } from "../metrics.js";
import { DomainError, Forbidden, Invalid, Unauthenticated } from "../domain/errors.js";
import { exportCsv, type CsvExport, type CsvKind } from "../domain/csv.js";
import type { AnalyticsFilter } from "../domain/analytics.js";
import { can } from "../domain/roles.js";
import { fromGlobalId } from "../schema/node.js";
import { authenticate } from "./auth.js";
import { markAuthenticated } from "./limits/rate-limit.js";
import type { RouteHandler } from "./http.js";

/** Exports streaming now: each holds a read connection and a snapshot until it ends or the client leaves. */
const openExports = new Gauge({
  name: "cloudpam_csv_exports_open",
  help: "CSV exports currently streaming (each holds its own read connection)",
  registers: [registry],
});

const PATH = /^\/export\/(accounts|pools|allocations)\.csv$/;
const BATCH_BYTES = 64 * 1024;
const HTTP_STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, RATE_LIMITED: 429 };

/**
 * A GraphQL-shaped JSON error, like http.ts's sendGraphQLError (not imported: http.ts pulls in Apollo and
 * the explorer bundle, which this route does not otherwise need).
 */
function sendError(res: ServerResponse, status: number, code: string, message: string, details?: unknown) {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code, ...(details ? { details } : {}) } }] }));
}

/** All values of a parameter: repeated and/or comma-separated. */
function list(params: URLSearchParams, name: string): string[] | null {
  const values = params
    .getAll(name)
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
  return values.length ? values : null;
}

function ids(params: URLSearchParams, name: string, type: string): number[] | null {
  return list(params, name)?.map((v) => fromGlobalId(v, type, name).id) ?? null;
}

const upper = (xs: string[] | null) => xs?.map((x) => x.toUpperCase()) ?? null;

/** The analytics filter of the query string. */
export function filterOfQuery(params: URLSearchParams): AnalyticsFilter {
  const known = new Set([
    "accountId",
    "provider",
    "platform",
    "tier",
    "environment",
    "region",
    "poolId",
    "scopeId",
    "status",
    "within",
    "createdAfter",
    "createdBefore",
  ]);
  for (const name of params.keys())
    if (!known.has(name))
      throw new Invalid(name, `unknown filter parameter "${name}"; known: ${[...known].join(", ")}`);
  return {
    accountIds: ids(params, "accountId", "Account"),
    providers: upper(list(params, "provider")),
    platforms: list(params, "platform"),
    tiers: upper(list(params, "tier")),
    environments: list(params, "environment"),
    regions: list(params, "region"),
    poolIds: ids(params, "poolId", "Pool"),
    scopeIds: ids(params, "scopeId", "Scope"),
    statuses: upper(list(params, "status")),
    within: params.get("within"),
    createdAfter: params.get("createdAfter"),
    createdBefore: params.get("createdBefore"),
  };
}

/** Coalesces small strings into ~64 KiB chunks: one HTTP chunk per batch, not per row. */
function batcher(): Transform {
  let pending: string[] = [];
  let size = 0;
  return new Transform({
    writableObjectMode: true,
    transform(chunk: string, _enc, done) {
      pending.push(chunk);
      size += chunk.length;
      if (size >= BATCH_BYTES) {
        const out = pending.join("");
        pending = [];
        size = 0;
        done(null, out);
      } else done();
    },
    flush(done) {
      done(null, pending.length ? pending.join("") : undefined);
    },
  });
}

async function handleExport(
  req: IncomingMessage,
  res: ServerResponse,
  kind: CsvKind,
  { url, services, logger }: Parameters<RouteHandler>[2],
) {
  const method = (req.method ?? "GET").toUpperCase();
  if (method !== "GET" && method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    return sendError(res, 405, "BAD_USER_INPUT", `${method} is not allowed here; use GET`);
  }
  let csv: CsvExport;
  try {
    const { actor, credential } = await authenticate(services, req.headers.authorization);
    if (!actor.role)
      throw new Unauthenticated("authentication required: send 'Authorization: Bearer <token>'");
    if (credential.kind !== "none") markAuthenticated(req);
    if (!can(actor.role, "read"))
      throw new Forbidden(`role ${actor.role} may not do this (needs read permission)`);
    csv = await exportCsv(services.store, kind, filterOfQuery(url.searchParams));
  } catch (e) {
    if (e instanceof DomainError)
      return sendError(res, HTTP_STATUS[e.code] ?? 400, e.code, e.message, e.details);
    throw e;
  }
  res.writeHead(200, {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": `attachment; filename="${kind}.csv"`,
    "cache-control": "no-store",
  });
  if (method === "HEAD") {
    await csv.rows.return();
    res.end();
    return;
  }
  const { header, rows } = csv;
  // SQLite's cursor is synchronous (no promise per row); PostgreSQL's FETCHes pages asynchronously.
  const records =
    Symbol.asyncIterator in rows
      ? (async function* () {
          yield header;
          yield* rows;
        })()
      : (function* () {
          yield header;
          yield* rows;
        })();
  openExports.inc();
  try {
    await pipeline(Readable.from(records), stringify(), batcher(), res);
  } catch (e) {
    // The client went away mid-file: nothing to answer; the cursor closes below.
    if (!res.destroyed && (e as { code?: string }).code !== "ERR_STREAM_PREMATURE_CLOSE") throw e;
    logger.debug({ kind }, "export aborted by the client");
  } finally {
    await csv.rows.return();
    openExports.dec();
  }
}

/** The export route (mounted through src/server/routes.ts). */
export const exportRoute: RouteHandler = async (req, res, ctx) => {
  const m = PATH.exec(ctx.url.pathname);
  if (!m) return false;
  await handleExport(req, res, m[1] as CsvKind, ctx);
  return true;
};
