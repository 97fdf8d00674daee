/**
 * The server's view of the services: what resolvers see (src/resolvers/context.ts) plus what only the
 * transport needs. All of it is created in one place, `createServices` in src/server/app.ts.
 */
import type { Services as ResolverServices } from "../resolvers/context.js";
import type { JwtVerifier } from "./auth.js";
import type { WebSocketHandle } from "./ws.js";

export type { Context, Credential } from "../resolvers/context.js";
export { callerOf } from "../resolvers/context.js";

export interface Services extends ResolverServices {
  /** Verifies bearer JWTs (src/server/oidc.ts); null unless OIDC_ISSUER is set. */
  jwtVerifier: JwtVerifier | null;
  /** The WebSocket server, once attached to the HTTP server (sessions of a revoked token are ended). */
  ws: WebSocketHandle | null;
}
