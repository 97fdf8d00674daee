/**
 * OIDC bearer JWTs, verified with `jose` against the issuer's JWKS (fetched and cached by
 * createRemoteJWKSet; an unknown `kid` triggers one refetch, at most every 30 s).
 * Checked: signature (asymmetric algorithms only, so `alg: none` and HMAC confusion are refused),
 * `iss`, `aud`, `exp`/`nbf` with OIDC_CLOCK_SKEW_SECONDS of tolerance, a subject.
 * The role comes from the OIDC_ROLE_CLAIM claim (a role name, or an array holding exactly one).
 * A valid JWT without a usable role is FORBIDDEN (HTTP 403, WebSocket 4403): the caller is known,
 * but CloudPAM grants it nothing — the message names the claim to set in the identity provider.
 */
import { createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTPayload } from "jose";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import { Forbidden, Unauthenticated } from "../domain/errors.js";
import { ROLES, isRole, type Role } from "../domain/roles.js";
import type { JwtVerifier } from "./context.js";

const ASYMMETRIC_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

/** Why a JWT was refused, in words that never include the token itself. */
function reasonOf(e: unknown): string {
  if (e instanceof joseErrors.JWTExpired) return "the JWT has expired";
  if (e instanceof joseErrors.JWTClaimValidationFailed)
    return `claim '${e.claim}' is not acceptable (${e.reason})`;
  if (e instanceof joseErrors.JWKSNoMatchingKey)
    return "no key in the issuer's JWKS matches the JWT's key id";
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return "the JWT's signature is invalid";
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return "the JWT's algorithm is not allowed";
  if (e instanceof joseErrors.JWKSTimeout) return "the issuer's JWKS could not be fetched in time";
  if (e instanceof joseErrors.JOSEError) return `the JWT is not valid (${e.code})`;
  return "the JWT could not be verified";
}

function roleOf(payload: JWTPayload, claim: string): Role | null {
  const raw = payload[claim];
  const values = (Array.isArray(raw) ? raw : [raw])
    .filter((v): v is string => typeof v === "string")
    .map((v) => v.toUpperCase());
  const roles = [...new Set(values.filter(isRole))];
  return roles.length === 1 ? roles[0]! : null;
}

export function createJwtVerifier(oidc: Config["oidc"], logger: Logger): JwtVerifier {
  if (!oidc.issuer || !oidc.audience || !oidc.jwksUrl) throw new Error("OIDC is not configured");
  const jwks = createRemoteJWKSet(new URL(oidc.jwksUrl), {
    timeoutDuration: 5_000,
    cooldownDuration: 30_000,
    cacheMaxAge: 10 * 60_000,
  });
  const { issuer, audience, clockSkewSeconds, roleClaim } = oidc;
  return async (jwt) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(jwt, jwks, {
        issuer,
        audience,
        clockTolerance: clockSkewSeconds,
        algorithms: ASYMMETRIC_ALGORITHMS,
      }));
    } catch (e) {
      const reason = reasonOf(e);
      if (e instanceof joseErrors.JWKSTimeout || !(e instanceof joseErrors.JOSEError)) {
        logger.warn(
          { reason, jwksUrl: oidc.jwksUrl, error: (e as Error).message },
          "JWT verification failed",
        );
      }
      throw new Unauthenticated(`invalid JWT: ${reason}`);
    }
    if (!payload.sub) throw new Unauthenticated("invalid JWT: it has no subject ('sub')");
    const role = roleOf(payload, roleClaim);
    if (!role) {
      throw new Forbidden(
        `JWT subject '${payload.sub}' has no CloudPAM role: claim '${roleClaim}' must be one of ${ROLES.join(", ")}`,
        { claim: roleClaim },
      );
    }
    return {
      actor: { kind: "jwt", id: payload.sub, name: payload.sub, role },
      expiresAt: typeof payload.exp === "number" ? payload.exp * 1000 : null,
    };
  };
}
