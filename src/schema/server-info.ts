import { Field, Float, Int, ObjectType, registerEnumType } from "type-graphql";
import { ERROR_CODES } from "../server/errors.js";

export enum ErrorCode {
  BAD_USER_INPUT = "BAD_USER_INPUT",
  NOT_FOUND = "NOT_FOUND",
  CONFLICT = "CONFLICT",
  FORBIDDEN = "FORBIDDEN",
  UNAUTHENTICATED = "UNAUTHENTICATED",
  RATE_LIMITED = "RATE_LIMITED",
  SLOW_CONSUMER = "SLOW_CONSUMER",
  QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX",
  BAD_REQUEST = "BAD_REQUEST",
  GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED",
  GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED",
  INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR",
}

registerEnumType(ErrorCode, {
  name: "ErrorCode",
  description:
    "Values of `extensions.code` on GraphQL errors. `extensions.details` carries the field and the conflicting object.",
  valuesConfig: Object.fromEntries(Object.entries(ERROR_CODES).map(([k, v]) => [k, { description: v }])),
});

@ObjectType({ description: "What this server is and how it is doing." })
export class ServerInfo {
  @Field(() => String, { description: "CloudPAM version." })
  version!: string;

  @Field(() => Int, { description: "Schema version of the database (number of applied migrations)." })
  schemaVersion!: number;

  @Field(() => Float, { description: "Seconds since the server started." })
  uptimeSeconds!: number;

  @Field(() => String, { description: "Server time (ISO-8601 UTC)." })
  time!: string;

  @Field(() => [ErrorCode], { description: "Every error code this API returns in `extensions.code`." })
  errorCodes!: ErrorCode[];
}

@ObjectType({ description: "A liveness tick of the heartbeat subscription." })
export class Heartbeat {
  @Field(() => String, { description: "Server time (ISO-8601 UTC)." })
  time!: string;

  @Field(() => Int, { description: "Sequence number of this tick, from 1." })
  sequence!: number;
}
