/**
 * Drizzle table definitions (SQLite dialect). `npm run db:generate -- --name <what>` turns a change here
 * into a committed migration under drizzle/sqlite/ (PostgreSQL: ./schema.pg.ts, drizzle/pg/).
 *
 * Conventions: integer primary keys; times are ISO-8601 UTC text (sortable); JSON columns are text;
 * IP ranges are two fixed-width 32-char hex columns (`range_start`, `range_end`) so that SQL compares them
 * numerically and one index answers within / contains / overlaps as range predicates.
 */
import { sql } from "drizzle-orm";
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
  type AnySQLiteColumn,
} from "drizzle-orm/sqlite-core";

const createdAt = () =>
  text("created_at")
    .notNull()
    .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`);
const updatedAt = () =>
  text("updated_at")
    .notNull()
    .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`);

/** One row: what this database is, for `migrate status` and the too-new check at start-up. */
export const schemaInfo = sqliteTable("schema_info", {
  id: integer("id").primaryKey(),
  schemaVersion: integer("schema_version").notNull(),
  minSupportedSchema: integer("min_supported_schema").notNull(),
  appVersion: text("app_version").notNull(),
  appliedAt: text("applied_at").notNull(),
});

/** An address space (VRF): prefixes in different scopes may overlap. */
export const scopes = sqliteTable("scopes", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull().unique(),
  description: text("description"),
  isDefault: integer("is_default", { mode: "boolean" }).notNull().default(false),
  /** Approval policy (issue #18): these operations on the scope's objects wait for a second principal. */
  approveDeletePool: integer("approve_delete_pool", { mode: "boolean" }).notNull().default(false),
  approveReleaseAllocation: integer("approve_release_allocation", { mode: "boolean" })
    .notNull()
    .default(false),
  approveActuation: integer("approve_actuation", { mode: "boolean" }).notNull().default(false),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/**
 * Peered scopes: two scopes routed together (VPC peering, a transit gateway), so no live prefix of one may
 * overlap a live prefix of the other. One row per pair, lower scope id first.
 */
export const scopeLinks = sqliteTable(
  "scope_links",
  {
    scopeId: integer("scope_id")
      .notNull()
      .references(() => scopes.id, { onDelete: "cascade" }),
    linkedScopeId: integer("linked_scope_id")
      .notNull()
      .references(() => scopes.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.scopeId, t.linkedScopeId] }),
    index("scope_links_linked_idx").on(t.linkedScopeId),
  ],
);

export const accounts = sqliteTable(
  "accounts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    key: text("key").notNull(),
    provider: text("provider").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    platform: text("platform"),
    tier: text("tier"),
    environment: text("environment"),
    /** JSON array of region names. */
    regions: text("regions").notNull().default("[]"),
    /** JSON object: provider settings (regions to scan, role ARN, project id, ...). */
    settings: text("settings").notNull().default("{}"),
    reconcilePolicy: text("reconcile_policy").notNull().default("OBSERVE"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** Soft delete (issue #18): when and by whom, and the delete operation (`deletions.id`) it belongs to. */
    deletedAt: text("deleted_at"),
    deletedBy: text("deleted_by"),
    deletionId: integer("deletion_id"),
  },
  (t) => [
    // A deleted account frees its key: only live keys are unique.
    uniqueIndex("accounts_key_unique")
      .on(t.key)
      .where(sql`deleted_at IS NULL`),
    index("accounts_provider_idx").on(t.provider, t.id),
    index("accounts_tier_idx").on(t.tier, t.id),
    index("accounts_created_idx").on(t.createdAt, t.id),
    index("accounts_deletion_idx")
      .on(t.deletionId)
      .where(sql`deletion_id IS NOT NULL`),
  ],
);

/**
 * Pools, allocations and reservations: every prefix of every scope in one table.
 * Within a scope live prefixes nest but never partially overlap (enforced by the domain in one
 * write transaction; the unique index is the backstop).
 */
export const prefixes = sqliteTable(
  "prefixes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind", { enum: ["pool", "allocation", "reservation"] }).notNull(),
    scopeId: integer("scope_id")
      .notNull()
      .references(() => scopes.id),
    parentId: integer("parent_id").references((): AnySQLiteColumn => prefixes.id),
    family: integer("family").notNull(),
    prefixLen: integer("prefix_len").notNull(),
    cidr: text("cidr").notNull(),
    rangeStart: text("range_start").notNull(),
    rangeEnd: text("range_end").notNull(),
    name: text("name"),
    description: text("description"),
    /** pool: PLANNED|ACTIVE|DEPRECATED; allocation: ALLOCATED|RELEASED; reservation: ACTIVE. */
    status: text("status").notNull(),
    accountId: integer("account_id").references(() => accounts.id),
    /** JSON object of string tags. */
    tags: text("tags").notNull().default("{}"),
    minChildLen: integer("min_child_len"),
    maxChildLen: integer("max_child_len"),
    defaultChildLen: integer("default_child_len"),
    /** JSON array of allowed account tiers for allocations; null = any. */
    allowedTiers: text("allowed_tiers"),
    /** Cloud resource binding of an allocation. */
    resourceProvider: text("resource_provider"),
    resourceId: text("resource_id"),
    resourceType: text("resource_type"),
    resourceRegion: text("resource_region"),
    createdBy: text("created_by"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    // Pools only: measured by the per-pool utilisation gauge of /metrics (#17; bounded cardinality).
    monitored: integer("monitored", { mode: "boolean" }).notNull().default(false),
    releasedAt: text("released_at"),
    /**
     * Soft delete (issue #18): a deleted row also has released_at set (so every live filter and the live
     * unique index leave it out) and names its delete operation (`deletions.id`), which restore and purge use.
     */
    deletedAt: text("deleted_at"),
    deletedBy: text("deleted_by"),
    deletionId: integer("deletion_id"),
  },
  (t) => [
    index("prefixes_range_idx").on(t.scopeId, t.family, t.rangeStart, t.rangeEnd),
    // Live direct children of a pool in address order (blocks view, free-space seeding, conflicts).
    index("prefixes_parent_live_idx")
      .on(t.parentId, t.rangeStart)
      .where(sql`released_at IS NULL`),
    // Live direct children of one length in address order (blocks view: USED / INSIDE streams).
    index("prefixes_parent_len_live_idx")
      .on(t.parentId, t.prefixLen, t.rangeStart)
      .where(sql`released_at IS NULL`),
    index("prefixes_account_idx").on(t.accountId),
    // Pool.allocations / Account.allocations (any status) in address order, keyset-paged.
    index("prefixes_parent_kind_idx").on(t.parentId, t.kind, t.rangeStart),
    index("prefixes_account_kind_idx").on(t.accountId, t.kind, t.rangeStart),
    index("prefixes_kind_created_idx").on(t.kind, t.createdAt, t.id),
    index("prefixes_resource_idx").on(t.resourceId),
    index("prefixes_deletion_idx")
      .on(t.deletionId)
      .where(sql`deletion_id IS NOT NULL`),
    // The monitored pools (the /metrics gauge reads them at every scrape).
    index("prefixes_monitored_idx")
      .on(t.id)
      .where(sql`monitored`),
    uniqueIndex("prefixes_live_unique")
      .on(t.scopeId, t.family, t.rangeStart, t.prefixLen, t.kind)
      .where(sql`released_at IS NULL`),
  ],
);

/** The free space of each pool as canonical aligned blocks (buddy form), maintained with every change. */
export const freeBlocks = sqliteTable(
  "free_blocks",
  {
    poolId: integer("pool_id")
      .notNull()
      .references(() => prefixes.id, { onDelete: "cascade" }),
    prefixLen: integer("prefix_len").notNull(),
    rangeStart: text("range_start").notNull(),
    rangeEnd: text("range_end").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.poolId, t.rangeStart] }),
    index("free_blocks_fit_idx").on(t.poolId, t.prefixLen, t.rangeStart),
  ],
);

export const idempotencyKeys = sqliteTable("idempotency_keys", {
  key: text("key").primaryKey(),
  requestHash: text("request_hash").notNull(),
  allocationId: integer("allocation_id")
    .notNull()
    .references(() => prefixes.id, { onDelete: "cascade" }),
  createdAt: createdAt(),
});

/** Append-only audit log; `id` is the global cursor of subscriptions and webhooks. */
export const events = sqliteTable(
  "events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    type: text("type").notNull(),
    actor: text("actor").notNull(),
    subjectType: text("subject_type").notNull(),
    subjectId: text("subject_id").notNull(),
    /** JSON snapshots. */
    before: text("before"),
    after: text("after"),
    requestId: text("request_id"),
    createdAt: createdAt(),
  },
  (t) => [
    index("events_type_idx").on(t.type, t.id),
    index("events_subject_idx").on(t.subjectId, t.id),
    index("events_created_idx").on(t.createdAt),
  ],
);

export const apiTokens = sqliteTable("api_tokens", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull().unique(),
  /** Short public part of the token, used to find the row; the rest is only stored hashed. */
  prefix: text("prefix").notNull().unique(),
  hash: text("hash").notNull(),
  role: text("role").notNull(),
  expiresAt: text("expires_at"),
  lastUsedAt: text("last_used_at"),
  revokedAt: text("revoked_at"),
  createdBy: text("created_by"),
  createdAt: createdAt(),
});

export const webhooks = sqliteTable("webhooks", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  url: text("url").notNull(),
  /** JSON array of event types (or type prefixes like "allocation.*"); empty = all. */
  eventTypes: text("event_types").notNull().default("[]"),
  secret: text("secret").notNull(),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  /** Last event id delivered (or given up on): the outbox cursor. */
  cursor: integer("cursor").notNull().default(0),
  /** The delivering process's lease: one deliverer per webhook at a time, across processes on one database. */
  leaseOwner: text("lease_owner"),
  leaseUntil: text("lease_until"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    webhookId: integer("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    eventId: integer("event_id").notNull(),
    attempt: integer("attempt").notNull(),
    statusCode: integer("status_code"),
    durationMs: integer("duration_ms").notNull(),
    error: text("error"),
    /** SUCCESS | RETRY | FAILED */
    outcome: text("outcome").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("webhook_deliveries_webhook_idx").on(t.webhookId, t.id)],
);

/** Observed cloud resources (VPCs / subnets / networks / subnetworks). */
export const cloudResources = sqliteTable(
  "cloud_resources",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: integer("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    provider: text("provider").notNull(),
    /** VPC | SUBNET */
    resourceType: text("resource_type").notNull(),
    externalId: text("external_id").notNull(),
    vpcExternalId: text("vpc_external_id"),
    region: text("region"),
    zone: text("zone"),
    name: text("name"),
    tags: text("tags").notNull().default("{}"),
    state: text("state"),
    managed: integer("managed", { mode: "boolean" }).notNull().default(false),
    allocationTag: text("allocation_tag"),
    firstSeenAt: text("first_seen_at").notNull(),
    lastSeenAt: text("last_seen_at").notNull(),
    deletedAt: text("deleted_at"),
  },
  (t) => [
    uniqueIndex("cloud_resources_external_unique").on(t.accountId, t.externalId),
    // cloudResources(filter) keyset pages per account and type.
    index("cloud_resources_account_type_idx").on(t.accountId, t.resourceType, t.id),
  ],
);

export const cloudCidrs = sqliteTable(
  "cloud_cidrs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    resourceId: integer("resource_id")
      .notNull()
      .references(() => cloudResources.id, { onDelete: "cascade" }),
    cidr: text("cidr").notNull(),
    family: integer("family").notNull(),
    prefixLen: integer("prefix_len").notNull(),
    rangeStart: text("range_start").notNull(),
    rangeEnd: text("range_end").notNull(),
    /** primary | secondary | ipv6 | secondary-range */
    role: text("role").notNull(),
    name: text("name"),
    /** Classification at the last sync: MANAGED | UNMANAGED | IGNORED (null before the first one). */
    management: text("management"),
    /** The allocation that manages (is bound to or covers) this CIDR, when MANAGED. */
    allocationId: integer("allocation_id"),
  },
  (t) => [
    index("cloud_cidrs_range_idx").on(t.family, t.rangeStart, t.rangeEnd),
    index("cloud_cidrs_resource_idx").on(t.resourceId),
  ],
);

export const driftItems = sqliteTable(
  "drift_items",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** MISSING_IN_CLOUD | UNMANAGED | CIDR_MISMATCH | OVERLAP | ... */
    kind: text("kind").notNull(),
    severity: text("severity").notNull(),
    /** OPEN | RESOLVED | IGNORED */
    status: text("status").notNull(),
    accountId: integer("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    resourceId: integer("resource_id").references(() => cloudResources.id, { onDelete: "set null" }),
    allocationId: integer("allocation_id").references(() => prefixes.id, { onDelete: "set null" }),
    cidr: text("cidr"),
    detail: text("detail"),
    /** Identity of the finding across syncs (kind + subject), so a re-detected drift is the same item. */
    fingerprint: text("fingerprint").notNull(),
    detectedAt: text("detected_at").notNull(),
    resolvedAt: text("resolved_at"),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("drift_items_account_idx").on(t.accountId, t.status, t.id),
    uniqueIndex("drift_items_open_unique")
      .on(t.fingerprint)
      .where(sql`status = 'OPEN'`),
  ],
);

export const syncState = sqliteTable(
  "sync_state",
  {
    accountId: integer("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    region: text("region").notNull(),
    status: text("status").notNull(),
    startedAt: text("started_at"),
    finishedAt: text("finished_at"),
    /** JSON object of counts (vpcs, subnets, calls, drift). */
    counts: text("counts").notNull().default("{}"),
    error: text("error"),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.region] })],
);

/**
 * A destructive operation waiting for a second principal (issue #18): what was asked (operation, target,
 * input), by whom, and what became of it. The target has no foreign key: an approved deletePool removes it,
 * and the request stays as the record of who asked and who approved.
 */
export const changeRequests = sqliteTable(
  "change_requests",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** DELETE_POOL | RELEASE_ALLOCATION | PROVISION_SUBNET | DEPROVISION_SUBNET */
    operation: text("operation").notNull(),
    scopeId: integer("scope_id").references(() => scopes.id, { onDelete: "set null" }),
    /** Pool | Allocation */
    targetType: text("target_type").notNull(),
    targetId: integer("target_id").notNull(),
    /** The target's range when asked (it may be gone later). */
    targetCidr: text("target_cidr").notNull(),
    /** JSON object: the operation's other arguments (cascade, vpc, confirm, ...). */
    input: text("input").notNull().default("{}"),
    /** Actor label of the requester (as on events: `token:<id>:<name>`, `jwt:<subject>`). */
    requestedBy: text("requested_by").notNull(),
    /** PENDING | APPROVED | REJECTED | EXPIRED | FAILED */
    status: text("status").notNull().default("PENDING"),
    reason: text("reason"),
    createdAt: createdAt(),
    expiresAt: text("expires_at").notNull(),
    decidedBy: text("decided_by"),
    decidedAt: text("decided_at"),
  },
  (t) => [
    index("change_requests_status_idx").on(t.status, t.expiresAt),
    index("change_requests_target_idx").on(t.targetType, t.targetId),
  ],
);

/**
 * One row per soft delete (issue #18): what was asked to be deleted (the root), by whom and when. Every row the
 * delete marked carries this id in `deletion_id`, so one restore brings back exactly what that delete took and the
 * purge removes it together. `detail` (JSON) keeps what the delete changed beside the rows it marked (an account
 * delete's detached pools). Restore and purge delete the row; the events keep the history.
 */
export const deletions = sqliteTable(
  "deletions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** Pool | Reservation | Account */
    subjectType: text("subject_type").notNull(),
    subjectId: integer("subject_id").notNull(),
    deletedBy: text("deleted_by").notNull(),
    deletedAt: text("deleted_at").notNull(),
    detail: text("detail").notNull().default("{}"),
  },
  (t) => [
    index("deletions_subject_idx").on(t.subjectType, t.subjectId),
    index("deletions_deleted_idx").on(t.deletedAt, t.id),
  ],
);
