/**
 * The one place where errors become GraphQL errors: domain and allocator errors map to
 * `extensions.code` + `extensions.details`; anything unexpected is logged and hidden.
 */
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import {
  DomainError,
  ERROR_CODES,
  type ErrorCode,
  type ErrorDetails,
  type ObjectRef,
} from "../domain/errors.js";
import { toGlobalId } from "../schema/node.js";
import { AllocatorError } from "../allocator/errors.js";
import { DatabaseUnavailableError } from "../errors.js";
import type { Logger } from "../logger.js";

/** Error codes a client can see (listed once, in src/errors.ts); the schema's ErrorCode enum. */
export { ERROR_CODES };

const allocatorCodes: Record<AllocatorError["code"], ErrorCode> = {
  INVALID_PREFIX: "BAD_USER_INPUT",
  HOST_BITS_SET: "BAD_USER_INPUT",
  LENGTH_OUT_OF_RANGE: "BAD_USER_INPUT",
  OUTSIDE_PARENT: "BAD_USER_INPUT",
  FAMILY_MISMATCH: "BAD_USER_INPUT",
  NOT_FREE: "CONFLICT",
  NO_SPACE: "CONFLICT",
};

/** Object references in details carry global ids, like every id a client sees. */
function withGlobalIds(details: ErrorDetails): ErrorDetails {
  const ref = (r: ObjectRef) => ({ ...r, id: toGlobalId(r.type, r.id) });
  const c = details.conflicting;
  const many = details.conflicts as ObjectRef[] | undefined;
  if (!c && !many) return details;
  return {
    ...details,
    ...(c ? { conflicting: Array.isArray(c) ? c.map(ref) : ref(c) } : {}),
    ...(many ? { conflicts: many.map(ref) } : {}),
  };
}

/** Converts a thrown value into the error a client should see, or null if it is not one of ours. */
export function toClientError(err: unknown): { code: string; message: string; details?: unknown } | null {
  if (err instanceof DomainError)
    return { code: err.code, message: err.message, details: withGlobalIds(err.details) };
  if (err instanceof DatabaseUnavailableError) {
    return { code: "SERVICE_UNAVAILABLE", message: "the database is unavailable; retry shortly" };
  }
  if (err instanceof AllocatorError) {
    return {
      code: allocatorCodes[err.code],
      message: err.message,
      details: { reason: err.code, ...err.details },
    };
  }
  return null;
}

/** GraphQLError with our code, for errors raised outside resolvers (context creation, plugins, WebSocket). */
export function graphqlError(code: ErrorCode, message: string, details?: unknown, httpStatus?: number) {
  return new GraphQLError(message, {
    extensions: {
      code,
      ...(hasKeys(details) ? { details } : {}),
      ...(httpStatus ? { http: { status: httpStatus } } : {}),
    },
  });
}

function hasKeys(v: unknown): boolean {
  return typeof v === "object" && v !== null && Object.keys(v).length > 0;
}

export function createFormatError(logger: Logger, production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const mapped = toClientError(original);
    if (mapped) {
      return {
        ...formatted,
        message: mapped.message,
        extensions: { code: mapped.code, ...(hasKeys(mapped.details) ? { details: mapped.details } : {}) },
      };
    }
    const code = formatted.extensions?.code;
    // Limit rules (depth, aliases) run as validation rules; Apollo relabels them GRAPHQL_VALIDATION_FAILED.
    const cause = (error as GraphQLError | undefined)?.originalError;
    if (code === "GRAPHQL_VALIDATION_FAILED" && cause instanceof GraphQLError && cause.extensions.code) {
      const { code: own, details } = cause.extensions;
      if (own === "QUERY_TOO_COMPLEX") return { ...formatted, extensions: { code: own, details } };
    }
    // type-graphql's authorization errors.
    if (code === "UNAUTHORIZED" || (original as Error | undefined)?.name === "AuthorizationError") {
      return { ...formatted, extensions: { code: "FORBIDDEN" } };
    }
    if ((original as Error | undefined)?.name === "AuthenticationError") {
      return { ...formatted, extensions: { code: "UNAUTHENTICATED" } };
    }
    if (code === "INTERNAL_SERVER_ERROR" || code === undefined) {
      logger.error({ err: original }, "unexpected error in GraphQL operation");
      return {
        message: production ? "internal server error" : formatted.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: "INTERNAL_SERVER_ERROR" },
      };
    }
    const { stacktrace: _s, ...rest } = formatted.extensions ?? {};
    return { ...formatted, extensions: rest };
  };
}
