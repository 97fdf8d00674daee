import { Field, Float, Int, ObjectType, registerEnumType } from "type-graphql";
import { ERROR_CODES, type ErrorCode as Code } from "../errors.js";

/** The ErrorCode enum, built from the one list of codes (src/errors.ts ERROR_CODES). */
export const ErrorCode = Object.fromEntries(Object.keys(ERROR_CODES).map((code) => [code, code])) as {
  readonly [K in Code]: K;
};
export type ErrorCode = Code;

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
