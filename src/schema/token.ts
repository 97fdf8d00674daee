/** API tokens as the admin sees them: never the secret, only its public prefix. */
import { Field, ID, InputType, ObjectType, registerEnumType } from "type-graphql";

export enum Role {
  VIEWER = "VIEWER",
  OPERATOR = "OPERATOR",
  ADMIN = "ADMIN",
  AUDITOR = "AUDITOR",
}

registerEnumType(Role, {
  name: "Role",
  description: "What a credential may do.",
  valuesConfig: {
    VIEWER: { description: "Reads pools, allocations, accounts and blocks." },
    OPERATOR: { description: "VIEWER, plus allocates, releases, reserves and syncs." },
    ADMIN: {
      description: "Everything: also administers pools, accounts, scopes, policies, webhooks and tokens.",
    },
    AUDITOR: { description: "VIEWER, plus reads the audit log (events)." },
  },
});

@ObjectType({
  description: "An API token (sent as `Authorization: Bearer <token>`); its secret is never shown again.",
})
export class ApiToken {
  @Field(() => ID, { description: "Global id of the token." })
  id!: string;

  @Field(() => String, { description: "Unique name, e.g. the service or person using it." })
  name!: string;

  @Field(() => String, { description: "The public start of the token (`cpam_<prefix>_…`), to recognise it." })
  prefix!: string;

  @Field(() => Role, { description: "What the token may do." })
  role!: Role;

  @Field(() => Date, { nullable: true, description: "When the token stops working; null = never." })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "When the token was last used (to the minute)." })
  lastUsedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "When the token was revoked; null while it is valid." })
  revokedAt!: Date | null;

  @Field(() => Date, { description: "When the token was created." })
  createdAt!: Date;

  @Field(() => String, { nullable: true, description: "Who created the token." })
  createdBy!: string | null;
}

@InputType({ description: "A new API token." })
export class CreateApiTokenInput {
  @Field(() => String, { description: "Unique name: 1-64 letters, digits, '_', '-', '.', '@'." })
  name!: string;

  @Field(() => Role, { description: "What the token may do." })
  role!: Role;

  @Field(() => Date, { nullable: true, description: "When the token stops working (future); null = never." })
  expiresAt?: Date | null;
}

@ObjectType({ description: "The created token. `token` is shown only in this payload: store it now." })
export class CreateApiTokenPayload {
  @Field(() => String, {
    description: "The secret token; CloudPAM keeps only its hash and cannot show it again.",
  })
  token!: string;

  @Field(() => ApiToken, { description: "The token's metadata." })
  apiToken!: ApiToken;
}

@InputType({ description: "The token to revoke." })
export class RevokeApiTokenInput {
  @Field(() => ID, { description: "Global id of the token." })
  id!: string;
}

@ObjectType({ description: "The revoked token. Open WebSocket sessions using it are closed (4403)." })
export class RevokeApiTokenPayload {
  @Field(() => ApiToken, { description: "The token, with `revokedAt` set." })
  apiToken!: ApiToken;
}
