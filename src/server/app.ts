/**
 * The composition root: opens the store, builds the schema, starts Apollo, the HTTP server,
 * WebSockets and background workers, and shuts all of it down gracefully.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import type { ValidationRule } from "graphql";
import { InMemoryLRUCache } from "@apollo/utils.keyvaluecache";
import type { Config } from "../config.js";
import { describeConfig } from "../config.js";
import type { Store } from "../db/store.js";
import { openConfiguredStore } from "../db/open.js";
import { createLogger, type Logger } from "../logger.js";
import { graphqlOperationDuration } from "../metrics.js";
import { activeSpan } from "../tracing.js";
import { APP_VERSION } from "../version.js";
import { createToken, hasActiveTokens } from "../domain/tokens.js";
import { SYSTEM_ACTOR } from "../domain/roles.js";
import type { Context, Services, WebSocketHandle } from "./context.js";
import { createFormatError } from "./errors.js";
import { createHttpHandler, sendGraphQLError, type RouteHandler } from "./http.js";
import { buildCloudPamSchema } from "./schema.js";
import { attachWebSockets } from "./ws.js";
import { createWorkers } from "./workers.js";
import { createServices } from "./services.js";
import { routes } from "./routes.js";
import { securityModule } from "./security.js";
import { credentialGatePlugin } from "./credential-gate.js";
import { transportPlugin } from "./transport.js";

export { createServices };

export interface App {
  services: Services;
  server: Server;
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  ws: WebSocketHandle;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  store?: Store;
  /** Receives the bootstrap admin token (default: printed once on stdout). */
  onBootstrapToken?: (token: string) => void;
}

/** One log line and one histogram sample per GraphQL operation. */
function operationLoggingPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operationName, operation, errors, response }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          // Formatted errors carry our codes; raw `errors` only when there is no single result.
          const bodyErrors = response.body.kind === "single" ? response.body.singleResult.errors : undefined;
          const all = bodyErrors ?? errors ?? [];
          const codes = [...new Set(all.map((e) => String(e.extensions?.code ?? "INTERNAL_SERVER_ERROR")))];
          const outcome = codes.length ? "error" : "ok";
          const name = operationName ?? "anonymous";
          graphqlOperationDuration.observe(
            { operation: name, type: operation?.operation ?? "unknown", outcome },
            seconds,
          );
          const span = activeSpan();
          if (span) {
            span.updateName(`${operation?.operation ?? "graphql"} ${name}`);
            span.setAttributes({
              "graphql.operation.name": name,
              "graphql.operation.type": operation?.operation ?? "unknown",
              "cloudpam.outcome": outcome,
              ...(codes.length ? { "cloudpam.error_codes": codes } : {}),
              ...(contextValue.actor?.name ? { "cloudpam.actor": contextValue.actor.name } : {}),
            });
          }
          contextValue.logger.info(
            {
              operation: name,
              operationType: operation?.operation,
              durationMs: Math.round(seconds * 1e4) / 10,
              outcome,
              ...(codes.length ? { errorCodes: codes } : {}),
              actor: contextValue.actor?.name,
            },
            "graphql operation",
          );
        },
      };
    },
  };
}

/**
 * Creates the bootstrap-admin token when no active token exists; returns it, or null when there was one.
 * Several replicas may start at once on one database: the token's unique name decides, so exactly one
 * creates it and the others see it (a lost race is a unique violation, after which a token exists).
 */
async function bootstrapAdminToken(store: Store): Promise<string | null> {
  if (await hasActiveTokens(store)) return null;
  try {
    const { token } = await createToken(
      store,
      { actor: SYSTEM_ACTOR },
      { name: "bootstrap-admin", role: "ADMIN" },
    );
    return token;
  } catch (e) {
    if (await hasActiveTokens(store)) return null;
    throw e;
  }
}

export async function startApp(config: Config, options: StartOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const store =
    options.store ??
    (await openConfiguredStore(config, {
      onMigrated: (versions) => logger.info({ versions }, "database migrated"),
    }));
  const services = createServices(config, store, logger);
  const workers = createWorkers();

  try {
    if (config.auth === "on") {
      const token = await bootstrapAdminToken(store);
      if (token !== null) {
        if (options.onBootstrapToken) options.onBootstrapToken(token);
        else
          process.stdout.write(`\nCloudPAM created an admin API token (shown only once):\n\n  ${token}\n\n`);
        logger.warn(
          "no API tokens existed: created the bootstrap-admin token (printed on stdout, not logged)",
        );
      }
    }
  } catch (e) {
    if (!options.store) await store.close();
    throw e;
  }

  const schema = await buildCloudPamSchema();
  const security = await securityModule(services, schema);
  const validationRules: ValidationRule[] = security.validationRules;

  const apollo = new ApolloServer<Context>({
    schema,
    introspection: config.introspection,
    // Replaced by our own check for cookie-bearing requests (csrfRefusal in transport.ts, run in http.ts).
    csrfPrevention: false,
    allowBatchedHttpRequests: true,
    // Automatic persisted queries in their own bounded LRU (sized by query text), not Apollo's shared cache.
    persistedQueries:
      config.apqCacheBytes > 0
        ? { cache: new InMemoryLRUCache<string>({ maxSize: config.apqCacheBytes }), ttl: null }
        : false,
    includeStacktraceInErrorResponses: !config.production,
    formatError: createFormatError(logger, config.production),
    validationRules,
    // Apollo's own landing page loads from a CDN; ours (src/server/explorer.ts) is self-contained.
    // Cache control is off: the schema has no @cacheControl hints and responses are never cacheable (maxAge 0,
    // no Cache-Control header either way), but the plugin wraps every field resolver (willResolveField), which
    // was about a fifth of Apollo's time on a 100-node page (bench/README.md, issue #14). For the same reason
    // no plugin here may use willResolveField.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      operationLoggingPlugin(),
      credentialGatePlugin(),
      transportPlugin(),
      ...security.plugins,
    ],
  });
  await apollo.start();

  let draining = false;
  const extraRoutes: RouteHandler[] = [...security.routes, ...routes];
  const handler = createHttpHandler({ services, apollo, routes: extraRoutes, draining: () => draining });
  let inFlight = 0;
  let idle: (() => void) | null = null;
  const server = createServer((req, res) => {
    inFlight++;
    res.on("close", () => {
      inFlight--;
      if (inFlight === 0 && idle) idle();
    });
    security
      .httpGate(req, res, () => handler(req, res))
      .catch((err: unknown) => {
        // The handler answers its own errors; this is the rate gate failing before it.
        logger.error({ err }, "request gate failed");
        if (!res.headersSent) sendGraphQLError(res, 500, "INTERNAL_SERVER_ERROR", "internal server error");
        else res.end();
      });
  });
  server.keepAliveTimeout = 5000;
  const ws = attachWebSockets(server, {
    services,
    schema,
    validationRules,
    admit: security.admitWebSocket,
    operationCheck: security.wsOperationCheck,
    rateGate: security.wsRateGate,
    clientAddress: security.wsClientAddress,
  });
  services.ws = ws;

  for (const w of workers) await w.start(services);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.addr.port, config.addr.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ version: APP_VERSION, url, config: describeConfig(config) }, "cloudpam listening");

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      draining = true;
      logger.info({ inFlight }, "shutting down: no new connections, finishing in-flight requests");
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await ws.close(1001, "server shutting down");
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => (idle = resolve)),
          new Promise<void>((resolve) => setTimeout(resolve, config.shutdownTimeoutMs).unref()),
        ]);
      }
      server.closeAllConnections();
      await stopped;
      for (const w of [...workers].reverse()) await w.stop(services);
      await apollo.stop();
      if (!options.store) await store.close();
      logger.info("shutdown complete");
    })());

  return { services, server, url, port: address.port, ws, close };
}
