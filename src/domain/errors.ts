/**
 * Typed domain errors. The GraphQL layer maps each to `extensions.code` in one place
 * (src/server/errors.ts); `details` is what a program needs: the field, the conflicting object.
 */
export type ErrorCode =
  | "BAD_USER_INPUT"
  | "NOT_FOUND"
  | "CONFLICT"
  | "FORBIDDEN"
  | "UNAUTHENTICATED"
  | "RATE_LIMITED"
  | "SLOW_CONSUMER";

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
