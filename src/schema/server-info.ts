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

@ObjectType({
  description:
    "How the web UI signs in with the OIDC issuer (authorization code + PKCE, a public client): all of it is public.",
})
export class OidcSignIn {
  @Field(() => String, {
    description:
      "The issuer (OIDC_ISSUER): its discovery document is `<issuer>/.well-known/openid-configuration`.",
  })
  issuer!: string;

  @Field(() => String, { description: "The UI's OAuth client id at the issuer (OIDC_CLIENT_ID)." })
  clientId!: string;

  @Field(() => String, { description: "Space-separated scopes to request (OIDC_SCOPES)." })
  scopes!: string;

  @Field(() => String, {
    nullable: true,
    description: "The registered redirect URI (OIDC_REDIRECT_URI); null: `<UI origin>/signin/callback`.",
  })
  redirectUri!: string | null;
}

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

  @Field(() => OidcSignIn, {
    nullable: true,
    description: "OIDC sign-in for the web UI; null unless OIDC_ISSUER and OIDC_CLIENT_ID are set.",
  })
  oidc!: OidcSignIn | null;
}

@ObjectType({ description: "A liveness tick of the heartbeat subscription." })
export class Heartbeat {
  @Field(() => String, { description: "Server time (ISO-8601 UTC)." })
  time!: string;

  @Field(() => Int, { description: "Sequence number of this tick, from 1." })
  sequence!: number;
}
