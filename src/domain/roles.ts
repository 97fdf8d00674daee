/**
 * Roles and what they may do. VIEWER reads; OPERATOR also allocates, releases, reserves and syncs;
 * ADMIN also administers pools, accounts, scopes, policies, webhooks and tokens; AUDITOR reads and
 * reads the audit log. `public` marks the few fields anyone may call (server info).
 */
export const ROLES = ["VIEWER", "OPERATOR", "ADMIN", "AUDITOR"] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = ["public", "read", "operate", "admin", "audit"] as const;
export type Permission = (typeof PERMISSIONS)[number];

const grants: Record<Role, ReadonlySet<Permission>> = {
  VIEWER: new Set(["public", "read"]),
  OPERATOR: new Set(["public", "read", "operate"]),
  ADMIN: new Set(["public", "read", "operate", "admin", "audit"]),
  AUDITOR: new Set(["public", "read", "audit"]),
};

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Whether `role` holds `permission`. O(1). */
export function can(role: Role, permission: Permission): boolean {
  return grants[role].has(permission);
}

/** Who is acting: recorded on every event. */
export interface Actor {
  kind: "token" | "jwt" | "system" | "anonymous";
  /** token id, JWT subject, or a fixed name for system/anonymous. */
  id: string;
  name: string;
  role: Role | null;
}

export const SYSTEM_ACTOR: Actor = { kind: "system", id: "system", name: "system", role: "ADMIN" };
export const ANONYMOUS: Actor = { kind: "anonymous", id: "anonymous", name: "anonymous", role: null };

/** The label written into the audit log, e.g. `token:3:ci-bot` or `jwt:alice@example.com`. */
export function actorLabel(actor: Actor): string {
  if (actor.kind === "token") return `token:${actor.id}:${actor.name}`;
  if (actor.kind === "jwt") return `jwt:${actor.id}`;
  return actor.kind === "system" ? "system" : actor.name;
}

/** What each permission lets a caller do, in words a UI can show. */
export const PERMISSION_SUMMARY: Record<Exclude<Permission, "public">, string> = {
  read: "read pools, allocations, accounts, blocks and drift",
  operate: "allocate, release, reserve, adopt or ignore drift, and run cloud syncs",
  admin: "administer scopes, pools, accounts, policies, webhooks and API tokens",
  audit: "read the audit log (events)",
};

/** Every role that holds `permission`, in ROLES order. */
export function rolesWith(permission: Permission): Role[] {
  return ROLES.filter((r) => can(r, permission));
}

/** Whether a role holds one permission and, when it does not, why (the roles that do). */
export interface PermissionGrant {
  permission: Exclude<Permission, "public">;
  granted: boolean;
  /** The roles that hold it. */
  roles: Role[];
  /** What it allows (PERMISSION_SUMMARY). */
  summary: string;
  /** Why `role` may not, e.g. "needs the OPERATOR or ADMIN role (you are VIEWER)"; null when granted. */
  reason: string | null;
}

/** `role`'s standing on every permission but `public` (which everyone holds), in PERMISSIONS order. */
export function permissionGrants(role: Role): PermissionGrant[] {
  return PERMISSIONS.filter((p): p is Exclude<Permission, "public"> => p !== "public").map((permission) => {
    const roles = rolesWith(permission);
    const granted = can(role, permission);
    return {
      permission,
      granted,
      roles,
      summary: PERMISSION_SUMMARY[permission],
      reason: granted ? null : `needs the ${roles.join(" or ")} role (you are ${role})`,
    };
  });
}

/** The caller as `viewer` shows it: an actor with a role (the credential gate refuses the rest). */
export interface ViewerRecord {
  kind: Actor["kind"];
  id: string;
  name: string;
  role: Role;
  permissions: PermissionGrant[];
}

/** `actor`'s viewer record, or null for an actor without a role (no credential). */
export function viewerOf(actor: Actor): ViewerRecord | null {
  if (!actor.role) return null;
  const { kind, id, name, role } = actor;
  return { kind, id, name, role, permissions: permissionGrants(role) };
}
