/**
 * Requests on the wrong transport or in a forgeable form, refused with BAD_REQUEST and a message
 * that says what to do instead:
 * - a subscription over HTTP (it needs the graphql-ws WebSocket on the same path);
 * - cross-site request forgery: only requests that carry a cookie are checked. CloudPAM reads its
 *   credential from the Authorization header alone, which a cross-site page cannot make a browser
 *   attach (that needs a CORS preflight this server never approves), so a cookie-less "simple"
 *   request (urql's default GET, curl) cannot act as anyone. A cookie could be ambient credentials
 *   added by a proxy in front, so such requests must show they passed a preflight.
 */
import type { IncomingMessage } from "node:http";
import type { ApolloServerPlugin } from "@apollo/server";
import type { Context } from "./context.js";
import { graphqlError } from "./errors.js";

/** The WebSocket URL of this server as the client addressed it. */
export function webSocketUrl(host: string | undefined, forwardedProto: string | undefined): string {
  const secure = (forwardedProto ?? "").split(",")[0]!.trim().toLowerCase() === "https";
  return `${secure ? "wss" : "ws"}://${host ?? "localhost"}/graphql`;
}

export function transportPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (operation?.operation !== "subscription") return;
          const headers = request.http?.headers;
          const url = webSocketUrl(headers?.get("host"), headers?.get("x-forwarded-proto"));
          throw graphqlError(
            "BAD_REQUEST",
            `subscriptions need a WebSocket: ${url} (graphql-ws protocol)`,
            { transport: "http", webSocketUrl: url },
            400,
          );
        },
      };
    },
  };
}

const SIMPLE_CONTENT_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];
const PREFLIGHT_HEADERS = ["x-apollo-operation-name", "apollo-require-preflight"];

/**
 * Why a cookie-bearing request could be a cross-site forgery (a "simple" request a browser sends
 * without a preflight), or null when it is fine. Same rule as Apollo Server's csrfPrevention.
 */
export function csrfRefusal(req: IncomingMessage): string | null {
  if (!req.headers.cookie) return null;
  if (PREFLIGHT_HEADERS.some((h) => req.headers[h])) return null;
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type && !SIMPLE_CONTENT_TYPES.includes(type)) return null;
  return (
    "this request carries a cookie and could be a cross-site request forgery: send 'content-type: application/json' " +
    "or an 'apollo-require-preflight: true' header (or send no cookie; CloudPAM authenticates with the Authorization header)"
  );
}
