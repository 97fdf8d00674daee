/** The caller as the API sees it (`viewer`): who is signed in, with which credential, and what the role may do. */
import { Field, ObjectType, registerEnumType } from "type-graphql";
import type { PermissionGrant as PermissionGrantRecord, ViewerRecord } from "../domain/roles.js";
import { toGlobalId } from "./node.js";
import { Role } from "./token.js";

export enum CredentialKind {
  TOKEN = "TOKEN",
  OIDC = "OIDC",
  ANONYMOUS = "ANONYMOUS",
}

registerEnumType(CredentialKind, {
  name: "CredentialKind",
  description: "How the caller authenticated.",
  valuesConfig: {
    TOKEN: { description: "A CloudPAM API token (`cpam_…`)." },
    OIDC: { description: "A JWT from the configured OIDC issuer (OIDC_ISSUER)." },
    ANONYMOUS: { description: "No credential: the server runs with AUTH=off and grants every caller ADMIN." },
  },
});

export enum Permission {
  READ = "READ",
  OPERATE = "OPERATE",
  ADMIN = "ADMIN",
  AUDIT = "AUDIT",
}

registerEnumType(Permission, {
  name: "Permission",
  description: "A group of operations that roles are granted (see `Role`).",
  valuesConfig: {
    READ: { description: "May read pools, allocations, accounts, blocks and drift." },
    OPERATE: { description: "May allocate, release, reserve, adopt or ignore drift, and run cloud syncs." },
    ADMIN: { description: "May administer scopes, pools, accounts, policies, webhooks and API tokens." },
    AUDIT: { description: "May read the audit log (events)." },
  },
});

@ObjectType({ description: "Whether the caller's role holds one permission, and if not, why." })
export class PermissionGrant {
  @Field(() => Permission, { description: "The permission." })
  permission!: Permission;

  @Field(() => Boolean, { description: "Whether the caller's role holds it." })
  granted!: boolean;

  @Field(() => [Role], { description: "The roles that hold it." })
  roles!: Role[];

  @Field(() => String, { description: "What it allows, in words." })
  summary!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "Why the caller may not (the roles that may), e.g. for a disabled button; null when granted.",
  })
  reason!: string | null;
}

@ObjectType({ description: "The authenticated caller of this request." })
export class Viewer {
  @Field(() => CredentialKind, { description: "How the caller authenticated." })
  kind!: CredentialKind;

  @Field(() => String, {
    description: "The API token's global id (ApiToken), the JWT subject (`sub`), or `anonymous`.",
  })
  subject!: string;

  @Field(() => String, {
    description: "Display name: the token's name, the JWT subject, or `anonymous (auth off)`.",
  })
  name!: string;

  @Field(() => Role, { description: "The caller's role: what the server lets it do." })
  role!: Role;

  @Field(() => [PermissionGrant], {
    description:
      "Every permission with whether the role holds it: a UI disables what is not granted, showing `reason`.",
  })
  permissions!: PermissionGrant[];
}

function toPermissionGrant(g: PermissionGrantRecord): PermissionGrant {
  return {
    permission: g.permission.toUpperCase() as Permission,
    granted: g.granted,
    roles: g.roles as Role[],
    summary: g.summary,
    reason: g.reason,
  };
}

/** The GraphQL Viewer of a domain viewer record. */
export function toViewer(v: ViewerRecord): Viewer {
  const kind =
    v.kind === "token"
      ? CredentialKind.TOKEN
      : v.kind === "jwt"
        ? CredentialKind.OIDC
        : CredentialKind.ANONYMOUS;
  return {
    kind,
    subject: kind === CredentialKind.TOKEN ? toGlobalId("ApiToken", v.id) : v.id,
    name: v.name,
    role: v.role as Role,
    permissions: v.permissions.map(toPermissionGrant),
  };
}
