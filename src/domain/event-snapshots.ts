/**
 * The one snapshot contract of the event log. An event's `before`/`after` are built here, at version 2:
 * the domain record of the object with every row id replaced by its global id (the id a client gets from
 * the API), plus `v: 2`. The audit log, subscriptions (payloads and filters) and webhook bodies all read
 * these snapshots, so a client can follow an id from any of them to `node(id:)`.
 *
 * Version 1 (no `v`, numeric row ids) is what the server stored before; it is upgraded on read
 * (`readSnapshot`) with the same table of id fields, so old rows and new rows look the same to every reader.
 */
import { fromGlobalId, toGlobalId } from "../ids.js";

export const SNAPSHOT_VERSION = 2;

/** For each subject type, the snapshot fields that hold row ids, and the GraphQL type they identify. */
const ID_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  // parentId: the v1 shape of a cascade-deleted allocation or reservation named its pool so.
  Allocation: { id: "Allocation", poolId: "Pool", parentId: "Pool", accountId: "Account", scopeId: "Scope" },
  Pool: { id: "Pool", parentId: "Pool", poolId: "Pool", accountId: "Account", scopeId: "Scope" },
  Reservation: {
    id: "Reservation",
    poolId: "Pool",
    parentId: "Pool",
    accountId: "Account",
    scopeId: "Scope",
  },
  Account: { id: "Account" },
  // linkedScopeId: scope.linked / scope.unlinked name the other scope of the pair.
  Scope: { id: "Scope", linkedScopeId: "Scope" },
  DriftItem: {
    id: "DriftItem",
    accountId: "Account",
    resourceId: "CloudResource",
    allocationId: "Allocation",
  },
  ApiToken: { id: "ApiToken" },
  Webhook: { id: "Webhook" },
  // targetId is stored as a global id already (a Pool or an Allocation).
  ChangeRequest: { id: "ChangeRequest", scopeId: "Scope" },
};

/** A snapshot as every reader sees it: version 2, global ids. */
export type Snapshot = { readonly v: typeof SNAPSHOT_VERSION; readonly id?: string } & Readonly<
  Record<string, unknown>
>;

/** A record's snapshot type: the fields in `K` become global ids (nullable stays nullable). */
export type SnapshotOf<T, K extends keyof T> = { readonly v: typeof SNAPSHOT_VERSION } & Omit<T, K> & {
    readonly [P in K]: null extends T[P] ? string | null : string;
  };

const ROW_ID = /^\d+$/;

function encode(subjectType: string, values: Readonly<Record<string, unknown>>): Snapshot {
  const ids = ID_FIELDS[subjectType] ?? { id: subjectType };
  const out: Record<string, unknown> = { v: SNAPSHOT_VERSION };
  for (const [key, value] of Object.entries(values)) {
    if (key === "v") continue;
    const type = ids[key];
    const isRowId = typeof value === "number" || (typeof value === "string" && ROW_ID.test(value));
    out[key] = type && isRowId ? toGlobalId(type, value) : value;
  }
  return out as Snapshot;
}

/** The version-2 snapshot of a domain record (row ids → global ids); null/undefined → null. */
export function toSnapshot(subjectType: string, record: object | null | undefined): Snapshot | null {
  return record == null ? null : encode(subjectType, record as Record<string, unknown>);
}

/** A stored snapshot at the current version: version 2 as stored, version 1 upgraded. */
export function readSnapshot(subjectType: string, stored: unknown): Snapshot | null {
  if (stored === null || typeof stored !== "object" || Array.isArray(stored)) return null;
  const s = stored as Record<string, unknown>;
  return s.v === SNAPSHOT_VERSION ? (s as Snapshot) : encode(subjectType, s);
}

/** The row id inside a global id of a snapshot (null stays null): the decoders of each record use it. */
export function snapshotRowId(globalId: unknown, type: string): number | null {
  return typeof globalId === "string" ? fromGlobalId(globalId, type).id : null;
}
