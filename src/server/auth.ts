/**
 * Authentication (bearer API tokens; OIDC JWTs when configured) and authorization
 * (type-graphql `@Authorized(permission)` on every root field, checked by `authChecker`).
 * Default deny: `assertAllRootFieldsAuthorized` refuses to build a schema with an unguarded root field.
 */
import { getMetadataStorage } from "type-graphql";
import { Unauthenticated } from "../domain/errors.js";
import type { Actor } from "../domain/roles.js";
import { CREATE_TOKEN_HINT, verifyToken } from "../domain/tokens.js";
import type { Authenticated, Services } from "./context.js";

export const AUTH_OFF_ACTOR: Actor = {
  kind: "anonymous",
  id: "anonymous",
  name: "anonymous (auth off)",
  role: "ADMIN",
};
/**
 * Root fields answered without a credential when auth is on (the README's "Public fields" lists
 * them, and a test compares the two). Everything else, introspection included, needs a credential.
 * `serverInfo` is for probes and version checks; `__typename` for clients that ping with it.
 */
export const PUBLIC_ROOT_FIELDS: ReadonlySet<string> = new Set(["__typename", "serverInfo"]);

export { CREATE_TOKEN_HINT };

const NO_CREDENTIAL: Actor = { kind: "anonymous", id: "anonymous", name: "anonymous", role: null };

/**
 * Resolves the caller from a bearer credential (an `Authorization` header value, or a bare token
 * from a WebSocket `connection_init`). No credential -> anonymous (only public fields);
 * a bad credential -> Unauthenticated.
 */
export async function authenticate(
  services: Services,
  authorization: string | undefined | null,
): Promise<Authenticated> {
  if (services.config.auth === "off") return { actor: AUTH_OFF_ACTOR, credential: { kind: "none" } };
  // An empty "Bearer " (the explorer's header template) counts as no credential.
  if (!authorization || /^\s*(Bearer)?\s*$/i.test(authorization))
    return { actor: NO_CREDENTIAL, credential: { kind: "none" } };
  const m = /^\s*(?:Bearer\s+)?(\S+)\s*$/i.exec(authorization);
  const credential = m?.[1];
  if (!credential)
    throw new Unauthenticated(
      `malformed Authorization header; expected 'Bearer <token>' (${CREATE_TOKEN_HINT})`,
    );
  if (credential.startsWith("cpam_")) {
    const check = await verifyToken(services.store, credential);
    if (!check.ok) throw new Unauthenticated(`invalid API token: ${check.reason}; ${CREATE_TOKEN_HINT}`);
    return { actor: check.actor, credential: { kind: "token", tokenId: check.tokenId } };
  }
  const verifyJwt = services.jwtVerifier;
  if (!verifyJwt) throw new Unauthenticated(`invalid API token: unknown token format; ${CREATE_TOKEN_HINT}`);
  const { actor, expiresAt } = await verifyJwt(credential);
  return { actor, credential: { kind: "jwt", subject: actor.id }, expiresAt };
}

/** Default deny: every Query, Mutation and Subscription field must declare `@Authorized(...)`. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function assertAllRootFieldsAuthorized(resolverClasses: readonly Function[]): void {
  const storage = getMetadataStorage();
  const ours = new Set(resolverClasses);
  const unguarded = [...storage.queries, ...storage.mutations, ...storage.subscriptions]
    .filter((r) => ours.has(r.target))
    .filter(
      (r) => !storage.authorizedFields.some((a) => a.target === r.target && a.fieldName === r.methodName),
    )
    .map((r) => `${r.target.name}.${r.methodName}`);
  if (unguarded.length > 0) {
    throw new Error(`default deny: these root fields have no @Authorized(...): ${unguarded.join(", ")}`);
  }
  // A field marked public must also be on the documented list, or the HTTP gate would refuse it.
  const publicFields = storage.queries
    .filter((r) => ours.has(r.target))
    .filter((r) =>
      storage.authorizedFields.some(
        (a) => a.target === r.target && a.fieldName === r.methodName && a.roles.includes("public"),
      ),
    )
    .map((r) => r.schemaName);
  const undocumented = publicFields.filter((f) => !PUBLIC_ROOT_FIELDS.has(f));
  if (undocumented.length > 0) {
    throw new Error(`public fields missing from PUBLIC_ROOT_FIELDS: ${undocumented.join(", ")}`);
  }
}
