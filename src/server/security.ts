/**
 * Limits that keep the server up under abuse: applied on HTTP (before Apollo) and WebSocket paths.
 * - validation rules (both paths): depth (MAX_DEPTH) and aliases (MAX_ALIASES) -> QUERY_TOO_COMPLEX;
 * - complexity (MAX_COMPLEXITY, needs variables): an Apollo plugin, and the WebSocket operation check;
 * - introspection off in production unless INTROSPECTION=true (Apollo's option; a rule on WebSockets);
 * - rate limits per credential, or per client address without one (httpGate; the address honours
 *   X-Forwarded-For only from TRUST_PROXY peers) -> HTTP 429 RATE_LIMITED + Retry-After;
 * - WebSocket sessions per token (WS_CONNECTIONS_PER_TOKEN) -> close 4403; sessions of a revoked or
 *   expired credential are closed with 4403 (at once for revocations in this process, otherwise
 *   within SESSION_RECHECK_MS);
 * Batch size (MAX_BATCH) and body size (MAX_BODY_BYTES) are enforced where the body is read (http.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApolloServerPlugin } from "@apollo/server";
import {
  NoSchemaIntrospectionCustomRule,
  validate,
  type GraphQLError,
  type GraphQLSchema,
  type ValidationRule,
} from "graphql";
import { CloseCode } from "graphql-ws";
import { onTokenRevoked, tokenStillValid } from "../domain/tokens.js";
import { RateLimited } from "../domain/errors.js";
import type { Authenticated, Context, Services, WsConnectionInfo } from "./context.js";
import { sendGraphQLError, type RouteHandler } from "./http.js";
import { graphqlError } from "./errors.js";
import type { ClientAddressOf, RateGate, OperationCheck } from "./ws.js";
import { depthLimitRule } from "./limits/depth.js";
import { aliasLimitRule } from "./limits/aliases.js";
import { checkComplexity } from "./limits/complexity.js";
import { credentialKey, RequestRateLimiter, wasAuthenticated } from "./limits/rate-limit.js";
import { clientAddress, trustedProxies } from "./limits/client-address.js";

export interface SecurityModule {
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin<Context>[];
  routes: RouteHandler[];
  /** Runs before every HTTP request (rate limits); calls `next` to let it through. */
  httpGate(req: IncomingMessage, res: ServerResponse, next: () => Promise<void>): Promise<void>;
  admitWebSocket?: (auth: Authenticated, open: Set<WsConnectionInfo>) => string | null;
  /** Checks of a WebSocket operation that need its variables (complexity, introspection). */
  wsOperationCheck: OperationCheck;
  /** Rate gate for WebSocket subscribe messages: the same buckets as HTTP requests. */
  wsRateGate: RateGate;
  /** The client address of a WebSocket upgrade request (X-Forwarded-For from trusted proxies). */
  wsClientAddress: ClientAddressOf;
}

/** How often open WebSocket sessions are re-checked for revocation (by another process) and expiry. */
export const SESSION_RECHECK_MS = 5_000;

/** Probes and scrapes are never rate limited: an orchestrator must always see the truth. */
const UNLIMITED_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/** The identity whose WebSocket sessions are counted and ended together. */
function sessionKey(auth: Authenticated): string | null {
  const c = auth.credential;
  if (c.kind === "token") return `token:${c.tokenId}`;
  if (c.kind === "jwt") return `jwt:${c.subject}`;
  return null;
}

export async function securityModule(services: Services, schema: GraphQLSchema): Promise<SecurityModule> {
  const { config, logger } = services;
  const { limits } = config;

  const complexityLimit = { maxComplexity: limits.maxComplexity, maxPageSize: limits.maxPageSize };
  const wsCheck: OperationCheck = (document, variables, operationName) => {
    const errors: GraphQLError[] = config.introspection
      ? []
      : [...validate(schema, document, [NoSchemaIntrospectionCustomRule])];
    const tooComplex = checkComplexity(schema, document, variables, operationName, complexityLimit);
    return tooComplex ? [...errors, tooComplex] : errors;
  };

  const complexityPlugin: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, operationName }) {
          const error = checkComplexity(schema, document, request.variables, operationName, complexityLimit);
          if (error) throw error;
        },
      };
    },
  };

  const rateLimiter = new RequestRateLimiter(limits);
  const trusted = trustedProxies(config.trustProxy);
  const httpGate: SecurityModule["httpGate"] = async (req, res, next) => {
    const path = (req.url ?? "/").split("?", 1)[0]!;
    if (UNLIMITED_PATHS.has(path)) return next();
    const key = credentialKey(req.headers.authorization);
    const decision = await rateLimiter.take(clientAddress(req, trusted), key);
    if (decision.ok) {
      if (key)
        res.once("finish", () => {
          if (res.statusCode === 401) rateLimiter.forget(key);
          else if (wasAuthenticated(req)) rateLimiter.verify(key);
        });
      return next();
    }
    const refusal = new RateLimited(decision.retryAfterSeconds, decision.scope);
    // debug: under attack this would be one line per refused request.
    logger.debug(
      { scope: decision.scope, retryAfterSeconds: decision.retryAfterSeconds, path },
      "rate limit hit",
    );
    res.setHeader("connection", "close");
    sendGraphQLError(res, 429, refusal.code, refusal.message, refusal.details, {
      "retry-after": String(decision.retryAfterSeconds),
    });
  };

  const wsRateGate: RateGate = async (address, credential) => {
    // Only authenticated connections subscribe: their credential is verified.
    const decision = await rateLimiter.take(address, credentialKey(credential), true);
    if (decision.ok) return null;
    const refusal = new RateLimited(decision.retryAfterSeconds, decision.scope);
    return graphqlError(refusal.code, refusal.message, refusal.details);
  };

  const endSession = (info: WsConnectionInfo, reason: string) => {
    logger.info({ actor: info.auth.actor.name, reason }, "ending WebSocket session");
    info.socket.close(CloseCode.Forbidden, reason);
  };

  onTokenRevoked(services.store, (tokenId) => {
    for (const info of services.ws?.connections ?? []) {
      if (info.auth.credential.kind === "token" && info.auth.credential.tokenId === tokenId) {
        endSession(info, "token revoked");
      }
    }
  });

  // Re-checks open sessions while there are any (revocations by the CLI, expiries).
  let recheck: NodeJS.Timeout | null = null;
  const recheckSessions = async (open: Set<WsConnectionInfo>) => {
    if (open.size === 0 && recheck) {
      clearInterval(recheck);
      recheck = null;
      return;
    }
    const now = Date.now();
    const valid = new Map<number, Promise<boolean>>();
    for (const info of [...open]) {
      const { credential, expiresAt } = info.auth;
      if (expiresAt != null && expiresAt <= now) {
        endSession(info, "credential expired");
      } else if (credential.kind === "token") {
        if (!valid.has(credential.tokenId))
          valid.set(credential.tokenId, tokenStillValid(services.store, credential.tokenId));
        if (!(await valid.get(credential.tokenId))) endSession(info, "token revoked or expired");
      }
    }
  };

  const admitWebSocket: SecurityModule["admitWebSocket"] = (auth, open) => {
    const key = sessionKey(auth);
    if (!key) return null;
    let sessions = 0;
    for (const info of open) if (sessionKey(info.auth) === key) sessions++;
    if (sessions >= limits.wsConnectionsPerToken) {
      return `too many WebSocket connections for this credential (limit ${limits.wsConnectionsPerToken}, WS_CONNECTIONS_PER_TOKEN)`;
    }
    recheck ??= setInterval(() => {
      recheckSessions(open).catch((err: unknown) =>
        logger.warn({ err }, "WebSocket session re-check failed"),
      );
    }, SESSION_RECHECK_MS).unref();
    return null;
  };

  return {
    validationRules: [depthLimitRule(limits.maxDepth), aliasLimitRule(limits.maxAliases)],
    plugins: [complexityPlugin],
    routes: [],
    httpGate,
    admitWebSocket,
    wsOperationCheck: wsCheck,
    wsRateGate,
    wsClientAddress: (req) => clientAddress(req, trusted),
  };
}
