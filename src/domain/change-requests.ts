/**
 * Approvals for destructive operations (issue #18). A scope's approval policy names operations
 * (deletePool, releaseAllocation, the cloud actuation mutations) that on its objects do not act at once:
 * the mutation records a PENDING change request instead, and a second principal with the role the
 * operation needs approves it (the operation then runs as the approver) or rejects it. The requester
 * cannot approve their own. A request not decided within the TTL expires. Every step is an event
 * (`change.requested`, `change.approved`, `change.rejected`, `change.expired`, `change.failed`) written in
 * the same transaction as its change.
 *
 * Database operations (DELETE_POOL, RELEASE_ALLOCATION) run inside the approval's transaction, in a
 * savepoint: when the target changed since the request (released, deleted, filled), the savepoint rolls
 * back, the request is marked FAILED and the approval answers CONFLICT naming it. Cloud operations
 * cannot run inside a transaction: the approval first takes the request up (decided_by set, still
 * PENDING, so a second approver is refused), then runs the operation, whose closing write also marks the
 * request APPROVED (same transaction as the binding it writes).
 */
import {
  changeRequestById,
  changeRequestsByIds,
  changeRequestsPage,
  countChangeRequests,
  decideOpen,
  expirePending,
  insertChangeRequest,
  openDuplicate,
  prefixTarget,
  countDuePending,
  scopeApprovalPolicy,
  settleChangeRequest,
  type ChangeRequestRow,
  type ChangeRequestRowFilter,
} from "../db/change-requests.js";
import { resolvePage, type Page, type PageArgs } from "../db/pagination.js";
import { nestedStore, type Db, type Store } from "../db/store.js";
import { toGlobalId } from "../ids.js";
import type { Caller } from "./caller.js";
import { Conflict, DomainError, Forbidden, Invalid, NotFound, type ObjectRef } from "./errors.js";
import { appendEvent, type EventInput } from "./events.js";
import { actorLabel, can, SYSTEM_ACTOR, type Permission } from "./roles.js";
import { freeText } from "./validation.js";

export const CHANGE_OPERATIONS = [
  "DELETE_POOL",
  "RELEASE_ALLOCATION",
  "PROVISION_SUBNET",
  "DEPROVISION_SUBNET",
] as const;
export type ChangeOperation = (typeof CHANGE_OPERATIONS)[number];

export const CHANGE_STATUSES = ["PENDING", "APPROVED", "REJECTED", "EXPIRED", "FAILED"] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

/** A scope's approval policy: which operations on its objects wait for a second principal. */
export interface ApprovalPolicy {
  deletePool: boolean;
  releaseAllocation: boolean;
  actuation: boolean;
}

/** Switches to change: absent or null = unchanged. */
export type ApprovalPolicyPatch = { [K in keyof ApprovalPolicy]?: boolean | null };

export const NO_APPROVALS: ApprovalPolicy = { deletePool: false, releaseAllocation: false, actuation: false };

interface OperationRule {
  /** The policy switch that gates it. */
  policy: keyof ApprovalPolicy;
  /** What the approver (and rejecter) must hold: the permission of the mutation itself. */
  permission: Permission;
  targetType: "Pool" | "Allocation";
  /** The mutation's name, for messages. */
  mutation: string;
  /** Database only: runs inside the approval's transaction (and is dry-run when requested). */
  transactional: boolean;
}

const OPERATIONS: Record<ChangeOperation, OperationRule> = {
  DELETE_POOL: {
    policy: "deletePool",
    permission: "admin",
    targetType: "Pool",
    mutation: "deletePool",
    transactional: true,
  },
  RELEASE_ALLOCATION: {
    policy: "releaseAllocation",
    permission: "operate",
    targetType: "Allocation",
    mutation: "releaseAllocation",
    transactional: true,
  },
  PROVISION_SUBNET: {
    policy: "actuation",
    permission: "operate",
    targetType: "Allocation",
    mutation: "provisionSubnet",
    transactional: false,
  },
  DEPROVISION_SUBNET: {
    policy: "actuation",
    permission: "operate",
    targetType: "Allocation",
    mutation: "deprovisionSubnet",
    transactional: false,
  },
};

/** The permission an approver of `operation` needs. */
export function approvalPermission(operation: ChangeOperation): Permission {
  return OPERATIONS[operation].permission;
}

/** A change request as the domain hands it out. `status` is as readers see it: PENDING past expiry is EXPIRED. */
export interface ChangeRequestRecord {
  id: number;
  operation: ChangeOperation;
  scopeId: number | null;
  targetType: "Pool" | "Allocation";
  targetId: number;
  targetCidr: string;
  /** The operation's other arguments (cascade, vpc, confirm, ...). */
  input: Record<string, unknown>;
  requestedBy: string;
  status: ChangeStatus;
  reason: string | null;
  /** ISO-8601 UTC. */
  createdAt: string;
  expiresAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
}

export function toChangeRequestRecord(row: ChangeRequestRow, now: Date = new Date()): ChangeRequestRecord {
  const expired = row.status === "PENDING" && row.expiresAt <= now.toISOString();
  return {
    id: row.id,
    operation: row.operation as ChangeOperation,
    scopeId: row.scopeId,
    targetType: row.targetType as "Pool" | "Allocation",
    targetId: row.targetId,
    targetCidr: row.targetCidr,
    input: JSON.parse(row.input) as Record<string, unknown>,
    requestedBy: row.requestedBy,
    status: expired ? "EXPIRED" : (row.status as ChangeStatus),
    reason: row.reason,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt,
  };
}

/** The event snapshot: the record, with the target as a global id (its type varies). */
function snapshot(row: ChangeRequestRow) {
  const r = toChangeRequestRecord(row);
  return { ...r, targetId: toGlobalId(r.targetType, r.targetId) };
}

function changeEvent(type: string, before: ChangeRequestRow | null, after: ChangeRequestRow): EventInput {
  return {
    type,
    subjectType: "ChangeRequest",
    subjectId: after.id,
    before: before && snapshot(before),
    after: snapshot(after),
  };
}

async function record(db: Db, caller: Caller, event: EventInput): Promise<void> {
  await appendEvent(db, caller, event);
}

export interface ChangeRequestSettings {
  /** How long a request stays PENDING (CHANGE_REQUEST_TTL_HOURS). */
  ttlMs: number;
}

/** The settings from the configuration. */
export function changeRequestSettings(config: { changeRequestTtlHours: number }): ChangeRequestSettings {
  return { ttlMs: config.changeRequestTtlHours * 3_600_000 };
}

/** What a gated mutation was asked to do. */
export interface ChangeAsk {
  operation: ChangeOperation;
  targetId: number;
  /** The operation's other arguments, replayed on approval. */
  input?: Record<string, unknown>;
}

function refOf(row: Pick<ChangeRequestRow, "id">): ObjectRef {
  return { type: "ChangeRequest", id: row.id };
}

function targetRef(row: ChangeRequestRow): ObjectRef {
  return { type: row.targetType, id: row.targetId, cidr: row.targetCidr };
}

function describe(row: ChangeRequestRow): string {
  const rule = OPERATIONS[row.operation as ChangeOperation];
  return `change request ${toGlobalId("ChangeRequest", row.id)} (${rule.mutation} of ${row.targetType.toLowerCase()} ${row.targetCidr})`;
}

/**
 * The target row when the operation needs approval on it now; undefined when it does not (no policy, or a
 * target that does not exist or is of another kind: the operation itself then answers as it always has).
 */
async function gatedTarget(db: Db, ask: ChangeAsk) {
  const rule = OPERATIONS[ask.operation];
  const target = await prefixTarget(db, ask.targetId);
  if (!target || target.kind !== rule.targetType.toLowerCase()) return undefined;
  const policy = await scopeApprovalPolicy(db, target.scopeId);
  return policy?.[rule.policy] ? target : undefined;
}

const DRY_RUN = Symbol("dry run");

/** Runs `perform` in a savepoint and rolls it back: the request is refused with the error the operation would give. */
async function dryRun(db: Db, store: Store, perform: (store: Store) => Promise<unknown>): Promise<void> {
  const nested = nestedStore(db, store);
  try {
    await nested.write(async () => {
      await perform(nested);
      throw DRY_RUN;
    });
  } catch (e) {
    if (e !== DRY_RUN) throw e;
  }
}

/** What a gated mutation did: the operation's result, or the change request waiting for approval. */
export type Gated<T> = { done: T; changeRequest: null } | { done: null; changeRequest: ChangeRequestRecord };

/**
 * Runs `perform` (the operation, given the store to write through) unless the target's scope requires
 * approval of this operation; then records a PENDING change request (one `change.requested` event) and
 * returns it instead. A database operation is dry-run first (in a savepoint, rolled back), so a request
 * that could not be applied now is refused with the operation's own error. Asking again for the same open
 * change returns the request already waiting. Without a policy the cost is one read.
 */
export async function performOrRequest<T>(
  store: Store,
  caller: Caller,
  ask: ChangeAsk,
  settings: ChangeRequestSettings,
  perform: (store: Store) => Promise<T>,
): Promise<Gated<T>> {
  if (!(await store.read((db) => gatedTarget(db, ask))))
    return { done: await perform(store), changeRequest: null };
  const rule = OPERATIONS[ask.operation];
  const requested = await store.write(async (db) => {
    const target = await gatedTarget(db, ask);
    if (!target) return null; // the policy was lifted meanwhile
    if (!rule.transactional && target.releasedAt)
      throw new Conflict(
        `allocation ${target.name ? `'${target.name}' ` : ""}(${target.cidr}) is RELEASED; released allocations are history`,
        {
          field: "allocationId",
          conflicting: { type: rule.targetType, id: target.id, cidr: target.cidr },
        },
      );
    if (rule.transactional) await dryRun(db, store, perform);
    const now = new Date();
    const fields = {
      operation: ask.operation,
      targetType: rule.targetType,
      targetId: target.id,
      input: JSON.stringify(ask.input ?? {}),
    };
    const existing = await openDuplicate(db, fields, now.toISOString());
    if (existing) return existing;
    const row = await insertChangeRequest(db, {
      ...fields,
      scopeId: target.scopeId,
      targetCidr: target.cidr,
      requestedBy: actorLabel(caller.actor),
      status: "PENDING",
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + settings.ttlMs).toISOString(),
    });
    await record(db, caller, changeEvent("change.requested", null, row));
    return row;
  });
  if (!requested) return { done: await perform(store), changeRequest: null };
  return { done: null, changeRequest: toChangeRequestRecord(requested) };
}

/** How approval runs each operation: `store` is the one to write through (a savepoint, or one that records the approval). */
export type ChangeOperations = Record<
  ChangeOperation,
  (store: Store, caller: Caller, request: ChangeRequestRecord) => Promise<unknown>
>;

async function requireRequest(db: Db, id: number): Promise<ChangeRequestRow> {
  const row = await changeRequestById(db, id);
  if (!row) throw new NotFound("ChangeRequest", toGlobalId("ChangeRequest", id), "id");
  return row;
}

/** Marks every PENDING request past its expiry EXPIRED, one `change.expired` event each (actor: system). */
async function expireDue(
  db: Db,
  requestId: string | null | undefined,
  now: Date,
): Promise<ChangeRequestRow[]> {
  const rows = await expirePending(db, now.toISOString(), 500);
  for (const row of rows)
    await record(
      db,
      { actor: SYSTEM_ACTOR, requestId },
      changeEvent("change.expired", { ...row, status: "PENDING", decidedAt: null }, row),
    );
  return rows;
}

/**
 * Why a request cannot be decided now (it is not open), or undefined when it can. An expired one is
 * marked EXPIRED first (by the caller's transaction).
 */
async function notOpen(
  db: Db,
  caller: Caller,
  row: ChangeRequestRow,
  now: Date,
): Promise<DomainError | undefined> {
  const details = { field: "id", conflicting: refOf(row) };
  if (row.status === "PENDING" && row.expiresAt <= now.toISOString()) {
    await expireDue(db, caller.requestId, now);
    return new Conflict(
      `${describe(row)} expired at ${row.expiresAt} and can no longer be decided; request it again`,
      {
        ...details,
        status: "EXPIRED",
      },
    );
  }
  if (row.status !== "PENDING")
    return new Conflict(
      `${describe(row)} is already ${row.status}${row.decidedBy ? ` (by ${row.decidedBy} at ${row.decidedAt})` : ""}`,
      { ...details, status: row.status },
    );
  if (row.decidedBy)
    return new Conflict(`${describe(row)} is being approved by ${row.decidedBy} right now`, {
      ...details,
      status: row.status,
    });
  return undefined;
}

function assertMayDecide(caller: Caller, row: ChangeRequestRow, verb: "approve" | "reject"): void {
  const rule = OPERATIONS[row.operation as ChangeOperation];
  if (!caller.actor.role || !can(caller.actor.role, rule.permission))
    throw new Forbidden(
      `to ${verb} ${describe(row)} you need the ${rule.permission} permission of ${rule.mutation}; your role is ${caller.actor.role ?? "none"}`,
      { field: "id", permission: rule.permission },
    );
}

/** The CONFLICT of an approval whose operation was refused: the target changed since the request. */
function targetChanged(row: ChangeRequestRow, cause: DomainError): Conflict {
  return new Conflict(`${describe(row)} cannot be applied: ${cause.message}; the request is now FAILED`, {
    field: "id",
    conflicting: (cause.details.conflicting as ObjectRef | ObjectRef[] | undefined) ?? targetRef(row),
    // Only `conflicting` is turned into global ids by the error formatter: these carry theirs.
    target: { ...targetRef(row), id: toGlobalId(row.targetType, row.targetId) },
    changeRequest: toGlobalId("ChangeRequest", row.id),
    cause: cause.code,
    status: "FAILED",
  });
}

type Decision = { ok: ChangeRequestRow } | { refused: DomainError } | { takenUp: ChangeRequestRow };

/**
 * Approves a PENDING request and applies its operation as `caller` (with the role check the operation's
 * mutation has). The requester cannot approve their own (FORBIDDEN). An expired, decided or taken-up
 * request is CONFLICT. When the target changed since the request, the request becomes FAILED (committed)
 * and the approval answers CONFLICT naming the target.
 */
export async function approveChange(
  store: Store,
  caller: Caller,
  id: number,
  operations: ChangeOperations,
  now: Date = new Date(),
): Promise<ChangeRequestRecord> {
  const label = actorLabel(caller.actor);
  const decision: Decision = await store.write(async (db) => {
    const row = await requireRequest(db, id);
    const closed = await notOpen(db, caller, row, now);
    if (closed) return { refused: closed };
    if (row.requestedBy === label)
      throw new Forbidden(
        `you (${label}) requested ${describe(row)}; it must be approved by another principal`,
        { field: "id", requestedBy: row.requestedBy },
      );
    assertMayDecide(caller, row, "approve");
    const rule = OPERATIONS[row.operation as ChangeOperation];
    const decidedAt = now.toISOString();
    if (!rule.transactional) {
      const taken = await decideOpen(db, id, { decidedBy: label, decidedAt }, decidedAt);
      if (!taken)
        throw new Conflict(`${describe(row)} was decided meanwhile`, {
          field: "id",
          conflicting: refOf(row),
        });
      return { takenUp: taken };
    }
    const approved = await decideOpen(db, id, { status: "APPROVED", decidedBy: label, decidedAt }, decidedAt);
    if (!approved)
      throw new Conflict(`${describe(row)} was decided meanwhile`, { field: "id", conflicting: refOf(row) });
    const nested = nestedStore(db, store);
    try {
      await nested.write(async () => {
        await record(db, caller, changeEvent("change.approved", row, approved));
        await operations[row.operation as ChangeOperation](
          nested,
          caller,
          toChangeRequestRecord(approved, now),
        );
      });
      return { ok: approved };
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      const failed = await settleFailed(db, caller, approved, e.message, {
        status: "APPROVED",
        decidedBy: label,
      });
      return { refused: targetChanged(failed ?? approved, e) };
    }
  });
  if ("refused" in decision) throw decision.refused;
  if ("ok" in decision) return toChangeRequestRecord(decision.ok, now);
  return applyOutsideTransaction(store, caller, decision.takenUp, operations, label);
}

/** Marks a request FAILED with `reason` (one `change.failed` event), from the state it is in (`from`). */
async function settleFailed(
  db: Db,
  caller: Caller,
  row: ChangeRequestRow,
  reason: string,
  from: { status: string; decidedBy: string },
): Promise<ChangeRequestRow | undefined> {
  const failed = await settleChangeRequest(db, row.id, from, { status: "FAILED", reason });
  if (failed) await record(db, caller, changeEvent("change.failed", row, failed));
  return failed;
}

/**
 * A cloud operation, approved: it runs outside any transaction, through a store whose first write also
 * marks the request APPROVED (so the approval commits with the binding the operation writes). An
 * operation that writes nothing (a retry that found its subnet) is marked APPROVED afterwards. A refusal
 * marks the request FAILED; any other failure hands the request back (PENDING, open) to be approved again.
 */
async function applyOutsideTransaction(
  store: Store,
  caller: Caller,
  taken: ChangeRequestRow,
  operations: ChangeOperations,
  label: string,
): Promise<ChangeRequestRecord> {
  let settled: ChangeRequestRow | undefined;
  const takenUp = { status: "PENDING", decidedBy: label };
  const approve = async (db: Db): Promise<ChangeRequestRow | undefined> => {
    const approved = await settleChangeRequest(db, taken.id, takenUp, { status: "APPROVED" });
    if (approved) await record(db, caller, changeEvent("change.approved", taken, approved));
    return approved;
  };
  const approving: Store = {
    dsn: store.dsn,
    read: (fn) => store.read(fn),
    async write(fn) {
      let approved: ChangeRequestRow | undefined;
      const out = await store.write(async (db) => {
        if (!settled) approved = await approve(db);
        return fn(db);
      });
      settled ??= approved;
      return out;
    },
    onCommit: (listener) => store.onCommit(listener),
    ...(store.externalVersion ? { externalVersion: () => store.externalVersion!() } : {}),
    ready: () => store.ready(),
    close() {
      throw new Error("the approval's store is closed by its parent");
    },
  };
  try {
    await operations[taken.operation as ChangeOperation](approving, caller, toChangeRequestRecord(taken));
  } catch (e) {
    if (settled) throw e;
    if (!(e instanceof DomainError)) {
      await store.write((db) =>
        settleChangeRequest(db, taken.id, takenUp, { decidedBy: null, decidedAt: null }),
      );
      throw e;
    }
    const failed = await store.write((db) => settleFailed(db, caller, taken, e.message, takenUp));
    throw targetChanged(failed ?? taken, e);
  }
  settled ??= await store.write((db) => approve(db));
  return toChangeRequestRecord(settled ?? (await store.read((db) => requireRequest(db, taken.id))));
}

/**
 * Rejects a PENDING request with a reason (required). The requester may reject their own (withdraw it);
 * anyone else needs the operation's permission. Expired or decided requests are CONFLICT.
 */
export async function rejectChange(
  store: Store,
  caller: Caller,
  id: number,
  reason: string,
  now: Date = new Date(),
): Promise<ChangeRequestRecord> {
  const why = freeText("reason", reason);
  if (!why) throw new Invalid("reason", "say why the change is rejected (reason must not be empty)");
  const label = actorLabel(caller.actor);
  const decision: Decision = await store.write(async (db) => {
    const row = await requireRequest(db, id);
    const closed = await notOpen(db, caller, row, now);
    if (closed) return { refused: closed };
    if (row.requestedBy !== label) assertMayDecide(caller, row, "reject");
    const decidedAt = now.toISOString();
    const rejected = await decideOpen(
      db,
      id,
      { status: "REJECTED", reason: why, decidedBy: label, decidedAt },
      decidedAt,
    );
    if (!rejected)
      throw new Conflict(`${describe(row)} was decided meanwhile`, { field: "id", conflicting: refOf(row) });
    await record(db, caller, changeEvent("change.rejected", row, rejected));
    return { ok: rejected };
  });
  if ("refused" in decision) throw decision.refused;
  if ("ok" in decision) return toChangeRequestRecord(decision.ok, now);
  throw new Error("unreachable");
}

/** Marks PENDING requests past their expiry EXPIRED (the periodic sweep); returns how many. One read when none is due. */
export async function expireChangeRequests(store: Store, now: Date = new Date()): Promise<number> {
  const due = await store.read((db) => countDuePending(db, now.toISOString()));
  if (due === 0) return 0;
  return (await store.write((db) => expireDue(db, null, now))).length;
}

export interface ChangeRequestFilter {
  statuses?: readonly ChangeStatus[] | null;
  operations?: readonly ChangeOperation[] | null;
  scopeId?: number | null;
  targetType?: "Pool" | "Allocation" | null;
  targetId?: number | null;
}

export async function listChangeRequests(
  store: Store,
  filter: ChangeRequestFilter,
  args: PageArgs,
  maxPageSize: number,
  now: Date = new Date(),
): Promise<{ page: Page<ChangeRequestRecord>; count: () => Promise<number> }> {
  const resolved = resolvePage(args, maxPageSize);
  const f: ChangeRequestRowFilter = filter;
  const page = await store.read((db) => changeRequestsPage(db, f, resolved, now.toISOString()));
  return {
    page: { ...page, items: page.items.map((r) => toChangeRequestRecord(r, now)) },
    count: () => store.read((db) => countChangeRequests(db, f, now.toISOString())),
  };
}

/** Change requests by id in the order asked (null where missing): the DataLoader's batch function. */
export async function changeRequestsById(
  store: Store,
  ids: readonly number[],
): Promise<(ChangeRequestRecord | null)[]> {
  const now = new Date();
  const rows = await store.read((db) => changeRequestsByIds(db, ids));
  const byId = new Map(rows.map((r) => [r.id, toChangeRequestRecord(r, now)]));
  return ids.map((id) => byId.get(id) ?? null);
}
