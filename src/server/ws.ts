/**
 * GraphQL subscriptions over graphql-ws on the same port and path as HTTP (/graphql).
 * Apollo's plugins do not run here, so auth (connection_init), validation rules and error
 * formatting are applied in the graphql-ws hooks.
 */
import type { IncomingMessage, Server as HttpServer } from "node:http";
import { randomUUID } from "node:crypto";
import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from "graphql";
import { WebSocketServer } from "ws";
import { useServer } from "graphql-ws/use/ws";
import { CloseCode } from "graphql-ws";
import { DomainError } from "../domain/errors.js";
import { authenticate } from "./auth.js";
import type { Authenticated, Context, Services, WebSocketHandle, WsConnectionInfo } from "./context.js";
import { createLoaders } from "../resolvers/loaders.js";
import { createFormatError } from "./errors.js";
import { subscribeInBursts } from "./subscription-bursts.js";

export interface WebSocketOptions {
  services: Services;
  schema: GraphQLSchema;
  /** Extra validation rules (depth, complexity, aliases): the same ones the HTTP path uses. */
  validationRules?: ValidationRule[];
  /** Called on connection_init after authentication; return an error message to refuse (4403). */
  admit?: (auth: Authenticated, open: Set<WsConnectionInfo>) => string | null;
  /** The security module's operation check (complexity, introspection). */
  operationCheck?: OperationCheck;
  /** The security module's rate gate for subscribe messages. */
  rateGate?: RateGate;
  /** The client address of an upgrade request (X-Forwarded-For from trusted proxies). */
  clientAddress?: ClientAddressOf;
}

/** Checks that need the operation's variables (complexity); returns the errors to refuse the operation with. */
export type OperationCheck = (
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
) => GraphQLError[];

/**
 * Rate gate for subscribe messages: the same per-address and per-credential buckets as HTTP requests.
 * Resolves to an error to refuse with, or null.
 */
export type RateGate = (address: string, credential: string | undefined) => Promise<GraphQLError | null>;

/** The client address of an upgrade request. */
export type ClientAddressOf = (req: IncomingMessage) => string;

/** Parse and validation errors carry no code of their own; the HTTP path gets one from Apollo. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions.code) return error;
  return new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, code } });
}

type Extra = { cloudpam?: WsConnectionInfo } & Record<PropertyKey, unknown>;

export function attachWebSockets(httpServer: HttpServer, opts: WebSocketOptions): WebSocketHandle {
  const { services, schema } = opts;
  const wss = new WebSocketServer({
    server: httpServer,
    path: "/graphql",
    maxPayload: services.config.limits.maxBodyBytes,
  });
  const connections = new Set<WsConnectionInfo>();
  const formatError = createFormatError(services.logger, services.config.production);
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e));

  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema,
      connectionInitWaitTimeout: 10_000,
      subscribe: (args) =>
        subscribeInBursts(args, (context) => ({
          ...(context as Context),
          loaders: createLoaders(services.store),
        })),
      onConnect: async (ctx) => {
        const payload = ctx.connectionParams ?? {};
        const raw = payload.authorization ?? payload.Authorization ?? payload.token;
        const credential = typeof raw === "string" ? raw : undefined;
        let auth: Authenticated;
        try {
          auth = await authenticate(services, credential);
        } catch (e) {
          ctx.extra.socket.close(
            e instanceof DomainError && e.code === "FORBIDDEN" ? CloseCode.Forbidden : CloseCode.Unauthorized,
            e instanceof DomainError ? e.message.slice(0, 120) : "Unauthorized",
          );
          return false;
        }
        if (!auth.actor.role) {
          ctx.extra.socket.close(
            CloseCode.Unauthorized,
            "authentication required: send {authorization: 'Bearer <token>'} in connection_init",
          );
          return false;
        }
        const refusal = opts.admit?.(auth, connections);
        if (refusal) {
          ctx.extra.socket.close(CloseCode.Forbidden, refusal.slice(0, 120));
          return false;
        }
        const info: WsConnectionInfo = {
          socket: ctx.extra.socket,
          auth,
          address:
            opts.clientAddress?.(ctx.extra.request) ?? ctx.extra.request.socket.remoteAddress ?? "unknown",
          credential,
        };
        (ctx.extra as Extra).cloudpam = info;
        connections.add(info);
        ctx.extra.socket.once("close", () => connections.delete(info));
        return true;
      },
      context: (ctx): Context => {
        const info = (ctx.extra as Extra).cloudpam!;
        const requestId = randomUUID();
        return {
          requestId,
          logger: services.logger.child({ requestId, transport: "ws" }),
          actor: info.auth.actor,
          credential: info.auth.credential,
          services,
          loaders: createLoaders(services.store),
        };
      },
      onSubscribe: async (ctx, _id, payload) => {
        const info = (ctx.extra as Extra).cloudpam;
        const gate = opts.rateGate;
        const limited = info && gate ? await gate(info.address, info.credential) : null;
        if (limited) return [limited];
        let document;
        try {
          document = parse(payload.query);
        } catch (e) {
          return [withCode(e as GraphQLError, "GRAPHQL_PARSE_FAILED")];
        }
        const errors = validate(schema, document, [...specifiedRules, ...(opts.validationRules ?? [])]);
        if (errors.length) return errors.map((e) => withCode(e, "GRAPHQL_VALIDATION_FAILED"));
        const check = opts.operationCheck;
        const refused = check?.(document, payload.variables ?? undefined, payload.operationName);
        if (refused?.length) return refused.map((e) => withCode(e, "GRAPHQL_VALIDATION_FAILED"));
        return {
          schema,
          document,
          variableValues: payload.variables,
          operationName: payload.operationName,
        };
      },
      onError: (_ctx, _id, _payload, errors) => format(errors),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: format(result.errors) } : undefined,
    },
    wss,
  );

  return {
    connections,
    async close(code = 1001, reason = "server shutting down") {
      for (const client of wss.clients) client.close(code, reason);
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
