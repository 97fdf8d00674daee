/**
 * Limits that keep the server up under abuse: applied on HTTP (before Apollo) and WebSocket paths.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApolloServerPlugin } from "@apollo/server";
import type { GraphQLSchema, ValidationRule } from "graphql";
import type { Context, Services } from "./context.js";
import type { RouteHandler } from "./http.js";
import type { Authenticated } from "./auth.js";
import type { WsConnectionInfo } from "./ws.js";

export interface SecurityModule {
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin<Context>[];
  routes: RouteHandler[];
  /** Runs before every HTTP request (rate limits); calls `next` to let it through. */
  httpGate(req: IncomingMessage, res: ServerResponse, next: () => Promise<void>): Promise<void>;
  admitWebSocket?: (auth: Authenticated, open: Set<WsConnectionInfo>) => string | null;
}

export async function securityModule(_services: Services, _schema: GraphQLSchema): Promise<SecurityModule> {
  return {
    validationRules: [],
    plugins: [],
    routes: [],
    httpGate: (_req, _res, next) => next(),
  };
}
