/**
 * The HTTP front door: routes, request ids, body limits, and the bridge to Apollo Server
 * (`executeHTTPGraphQLRequest` on a plain node:http server, so WebSockets share the port).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { HeaderMap, type ApolloServer } from "@apollo/server";
import { registry, httpResponses } from "../metrics.js";
import { withRequestSpan } from "../tracing.js";
import type { Logger } from "../logger.js";
import { DomainError } from "../domain/errors.js";
import { DatabaseUnavailableError } from "../errors.js";
import { authenticate } from "./auth.js";
import { markAuthenticated } from "./limits/rate-limit.js";
import type { Context, Services } from "./context.js";
import { createLoaders } from "../resolvers/loaders.js";
import { graphqlError } from "./errors.js";
import { explorerResponse } from "./explorer.js";
import { csrfRefusal } from "./transport.js";

const HTTP_STATUS_OF_AUTH_ERROR: Partial<Record<string, number>> = { UNAUTHENTICATED: 401, FORBIDDEN: 403 };

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps a safe incoming X-Request-ID, otherwise makes one. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers["x-request-id"];
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value && SAFE_REQUEST_ID.test(value) ? value : randomUUID();
}

export class BodyTooLarge extends Error {}

/** Reads the whole body, refusing more than `limit` bytes without buffering the excess. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(new BodyTooLarge(`request body of ${declared} bytes exceeds the limit of ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        reject(new BodyTooLarge(`request body exceeds the limit of ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

/** A GraphQL-shaped error response for failures before execution (auth, limits, bad JSON). */
export function sendGraphQLError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  details?: unknown,
  headers: Record<string, string> = {},
) {
  sendJson(
    res,
    status,
    { errors: [{ message, extensions: { code, ...(details ? { details } : {}) } }] },
    headers,
  );
}

/** Extra routes other modules mount (CSV export, ...): return true when handled. */
export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  ctx: { url: URL; requestId: string; logger: Logger; services: Services },
) => Promise<boolean> | boolean;

export interface HttpHandlerOptions {
  services: Services;
  apollo: ApolloServer<Context>;
  routes: RouteHandler[];
  /** Called to learn whether the server is shutting down (readyz answers 503 then). */
  draining: () => boolean;
}

/** Builds the request handler: /healthz, /readyz, /metrics, /graphql (+ explorer), extra routes. */
export function createHttpHandler(opts: HttpHandlerOptions) {
  const { services, apollo } = opts;
  const { config } = services;

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = requestIdOf(req);
    res.setHeader("x-request-id", requestId);
    const logger = services.logger.child({ requestId });
    const url = new URL(req.url ?? "/", "http://localhost");
    const route = url.pathname;
    res.on("finish", () => {
      httpResponses.inc({ route: routeLabel(route), status: String(res.statusCode) });
    });
    try {
      if (route === "/healthz") return sendJson(res, 200, { status: "ok" });
      if (route === "/readyz") {
        const ready = !opts.draining() && services.store.ready();
        return sendJson(res, ready ? 200 : 503, { status: ready ? "ready" : "not ready" });
      }
      if (route === "/metrics") {
        res.writeHead(200, { "content-type": registry.contentType });
        res.end(await registry.metrics());
        return;
      }
      if (route === "/graphql")
        return await withRequestSpan(
          "graphql",
          req.headers,
          { "http.request.method": req.method ?? "GET", "url.path": route, "cloudpam.request_id": requestId },
          () => handleGraphQL(req, res, url, requestId, logger),
        );
      for (const r of opts.routes) {
        if (await r(req, res, { url, requestId, logger, services })) return;
      }
      sendJson(res, 404, { error: "not found", detail: `no route ${route}` });
    } catch (err) {
      logger.error({ err }, "request failed");
      if (!res.headersSent) sendGraphQLError(res, 500, "INTERNAL_SERVER_ERROR", "internal server error");
      else res.end();
    }
  };

  async function handleGraphQL(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    requestId: string,
    logger: Logger,
  ): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    // A browser navigating here gets the explorer (which reads ?query= itself); API clients accept JSON.
    if (method === "GET" && (req.headers.accept ?? "").includes("text/html")) {
      return explorerResponse(req, res);
    }
    const forgeable = csrfRefusal(req);
    if (forgeable) return sendGraphQLError(res, 400, "BAD_REQUEST", forgeable);
    let body: unknown;
    if (method === "POST") {
      let raw: Buffer;
      try {
        raw = await readBody(req, config.limits.maxBodyBytes);
      } catch (e) {
        if (e instanceof BodyTooLarge) {
          res.setHeader("connection", "close");
          return sendGraphQLError(res, 413, "BAD_USER_INPUT", e.message, {
            limit: config.limits.maxBodyBytes,
          });
        }
        throw e;
      }
      const type = req.headers["content-type"] ?? "";
      if (type.includes("application/json")) {
        try {
          body = raw.length ? JSON.parse(raw.toString("utf8")) : undefined;
        } catch {
          return sendGraphQLError(res, 400, "BAD_USER_INPUT", "request body is not valid JSON");
        }
      } else {
        body = raw.toString("utf8");
      }
      if (Array.isArray(body) && body.length > config.limits.maxBatch) {
        return sendGraphQLError(
          res,
          400,
          "QUERY_TOO_COMPLEX",
          `the request batches ${body.length} operations; the limit is ${config.limits.maxBatch} (MAX_BATCH)`,
          { limit: "batch", maximum: config.limits.maxBatch, actual: body.length },
        );
      }
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search: url.search, body },
      context: async () => {
        try {
          const auth = await authenticate(services, req.headers.authorization);
          if (auth.credential.kind !== "none") markAuthenticated(req);
          return { requestId, logger, ...auth, services, loaders: createLoaders(services.store) };
        } catch (e) {
          if (e instanceof DomainError)
            throw graphqlError(e.code, e.message, e.details, HTTP_STATUS_OF_AUTH_ERROR[e.code] ?? 400);
          // Verifying the credential reads the database: while it is away, say so (503), not 500.
          if (e instanceof DatabaseUnavailableError)
            throw graphqlError(
              "SERVICE_UNAVAILABLE",
              "the database is unavailable; retry shortly",
              undefined,
              503,
            );
          throw e;
        }
      },
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === "complete") {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }
}

function routeLabel(path: string): string {
  if (["/graphql", "/healthz", "/readyz", "/metrics"].includes(path)) return path;
  if (path.startsWith("/export/")) return "/export";
  return "other";
}
