/**
 * The error codes a client can see, listed once, and the typed errors that carry them. Below every
 * layer (db, domain and the GraphQL edge all import it); src/domain/errors.ts re-exports it for the
 * domain. The GraphQL layer maps each error to `extensions.code` in one place (src/server/errors.ts),
 * and the schema's ErrorCode enum is built from ERROR_CODES (src/schema/server-info.ts).
 */

/** Every `extensions.code` this API returns, with its meaning (the ErrorCode enum's descriptions). */
export const ERROR_CODES = {
  BAD_USER_INPUT: "The input is invalid; extensions.details.field names the input field.",
  NOT_FOUND: "The object does not exist (or is not visible to the caller).",
  CONFLICT:
    "The input clashes with existing state (overlap, duplicate, pool full, in use); extensions.details.conflicting names the other object, details.conflicts every object in the way (up to 10; conflictCount counts them) and details.nearestFree the nearest free block of the requested size.",
  FORBIDDEN: "The caller's role does not allow this operation.",
  UNAUTHENTICATED: "No valid credential was presented.",
  RATE_LIMITED: "Too many requests; extensions.details.retryAfterSeconds says when to retry.",
  SLOW_CONSUMER:
    "A subscription fell too far behind the event log and was ended; resubscribe with after: extensions.details.cursor.",
  QUERY_TOO_COMPLEX: "The operation exceeds the depth, complexity, alias or batch limits.",
  BAD_REQUEST:
    "The request cannot be served in this form: a subscription over HTTP (use the WebSocket), or a cookie-bearing request without a CSRF preflight header.",
  GRAPHQL_PARSE_FAILED: "The document is not valid GraphQL syntax.",
  GRAPHQL_VALIDATION_FAILED: "The document does not match the schema.",
  SERVICE_UNAVAILABLE:
    "The database cannot be reached right now (PostgreSQL down or unreachable); nothing was changed by this request's failed part. Retry shortly; /readyz answers 200 again once the database is back.",
  INTERNAL_SERVER_ERROR: "An unexpected server error; the request id in the logs tells what happened.",
} as const;

/** A code of ERROR_CODES. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** A reference to an existing object named in an error (e.g. the pool a CIDR overlaps). */
export interface ObjectRef {
  type: string;
  id: string | number;
  name?: string | null;
  cidr?: string | null;
}

export type ErrorDetails = Record<string, unknown> & {
  field?: string;
  conflicting?: ObjectRef | ObjectRef[];
};

/**
 * The database refused us or cannot be reached: exit 3 at start-up, `SERVICE_UNAVAILABLE` at run time. Not a
 * DomainError (no rule of the input was broken: callers that collect per-row domain errors must not swallow it).
 * `code` is the driver's SQLSTATE or socket code when known.
 */
export class DatabaseUnavailableError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "DatabaseUnavailableError";
  }
}

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  constructor(
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The input is wrong; `details.field` names the input field. */
export class Invalid extends DomainError {
  readonly code = "BAD_USER_INPUT" as const;
  constructor(field: string, message: string, details: ErrorDetails = {}) {
    super(message, { field, ...details });
  }
}

export class NotFound extends DomainError {
  readonly code = "NOT_FOUND" as const;
  constructor(type: string, id: string | number, field?: string) {
    super(`${type} ${id} not found`, { type, id: String(id), ...(field ? { field } : {}) });
  }
}

/** The input is valid but clashes with existing state; `details.conflicting` names what it clashes with. */
export class Conflict extends DomainError {
  readonly code = "CONFLICT" as const;
}

export class Forbidden extends DomainError {
  readonly code = "FORBIDDEN" as const;
}

export class Unauthenticated extends DomainError {
  readonly code = "UNAUTHENTICATED" as const;
}

export class RateLimited extends DomainError {
  readonly code = "RATE_LIMITED" as const;
  constructor(retryAfterSeconds: number, scope: string) {
    super(`rate limit exceeded for ${scope}; retry after ${retryAfterSeconds}s`, {
      retryAfterSeconds,
      scope,
    });
  }
}

/** A subscription fell too far behind the event log; `details.cursor` resumes it. */
export class SlowConsumer extends DomainError {
  readonly code = "SLOW_CONSUMER" as const;
  constructor(reason: string, cursor: string, lag: number) {
    super(reason, { cursor, lag });
  }
}

/** "a Pool", "an Account", "an AWS account": the indefinite article for an error message. */
export function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) && !/^(uni|use|usu|eu)/i.test(noun) ? "an" : "a"} ${noun}`;
}
