/**
 * The server's view of the services: what resolvers see (src/resolvers/context.ts) plus what only the
 * transport needs. All of it is created in one place, `createServices` in src/server/app.ts.
 */
import type { WebSocket } from "ws";
import type { Actor } from "../domain/roles.js";
import type { Credential, Services as ResolverServices } from "../resolvers/context.js";

export type { Context, Credential } from "../resolvers/context.js";
export { callerOf } from "../resolvers/context.js";

export interface Authenticated {
  actor: Actor;
  credential: Credential;
  /** When a JWT credential expires (ms since epoch): long-lived WebSocket sessions end then. */
  expiresAt?: number | null;
}

/** Verifies a JWT; installed by the OIDC module (src/server/oidc.ts) when OIDC_ISSUER is set. */
export type JwtVerifier = (jwt: string) => Promise<{ actor: Actor; expiresAt: number | null }>;

export interface WsConnectionInfo {
  socket: WebSocket;
  auth: Authenticated;
  /** The peer's address and the credential's rate-limit key: subscribe messages share the HTTP buckets. */
  address: string;
  credential: string | undefined;
}

export interface WebSocketHandle {
  /** Open connections, for limits and for ending the sessions of a revoked credential. */
  connections: Set<WsConnectionInfo>;
  close(code?: number, reason?: string): Promise<void>;
}

export interface Services extends ResolverServices {
  /** Verifies bearer JWTs (src/server/oidc.ts); null unless OIDC_ISSUER is set. */
  jwtVerifier: JwtVerifier | null;
  /** The WebSocket server, once attached to the HTTP server (sessions of a revoked token are ended). */
  ws: WebSocketHandle | null;
}

/** A background worker started with the server and stopped on shutdown (src/server/workers.ts). */
export interface Worker {
  name: string;
  start(services: Services): Promise<void> | void;
  stop(services: Services): Promise<void> | void;
}
