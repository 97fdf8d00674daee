/**
 * Scopes: address spaces (like VRFs). Prefixes in different scopes may overlap; a default scope always
 * exists (created by the migrator) and cannot be deleted. A scope is deleted only when it holds no
 * prefixes at all.
 */
import { discardDeletedInScope } from "../db/deletions.js";
import { resolvePage, type Page, type PageArgs } from "../db/pagination.js";
import {
  anyPrefixInScope,
  countScopes,
  deleteScopeLink,
  deleteScopeRow,
  insertScope,
  insertScopeLink,
  linkedScopeIds,
  scopeById,
  scopeByName,
  scopesByIds,
  scopeLinkRow,
  scopesPage,
  topLevelLive,
  updateScopeRow,
  type ScopeRow,
} from "../db/scopes.js";
import type { Db, Store } from "../db/store.js";
import type { Caller } from "./caller.js";
import { NO_APPROVALS, type ApprovalPolicy, type ApprovalPolicyPatch } from "./change-requests.js";
import { Conflict, Invalid, NotFound } from "./errors.js";
import { appendEvent } from "./events.js";
import { describePrefix, firstOverlapBetween, prefixRef } from "./placement.js";
import { freeText, requiredName } from "./validation.js";

export type { ScopeRow };

/** A scope as the domain hands it out: what the API maps (src/schema never sees a database row). */
export interface ScopeRecord {
  id: number;
  name: string;
  description: string | null;
  isDefault: boolean;
  /** Which destructive operations on the scope's objects wait for a second principal (issue #18). */
  approvals: ApprovalPolicy;
  /** ISO-8601 UTC. */
  createdAt: string;
  updatedAt: string;
}

export function toScopeRecord(row: ScopeRow): ScopeRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    isDefault: row.isDefault,
    approvals: approvalsOf(row),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function approvalsOf(row: ScopeRow): ApprovalPolicy {
  return {
    deletePool: row.approveDeletePool,
    releaseAllocation: row.approveReleaseAllocation,
    actuation: row.approveActuation,
  };
}

/** The approval policy columns of a change: present switches only; null = no approvals at all. */
function approvalColumns(patch: ApprovalPolicyPatch | null | undefined) {
  if (patch === undefined) return {};
  const p = patch ?? NO_APPROVALS;
  return {
    ...(p.deletePool != null ? { approveDeletePool: p.deletePool } : {}),
    ...(p.releaseAllocation != null ? { approveReleaseAllocation: p.releaseAllocation } : {}),
    ...(p.actuation != null ? { approveActuation: p.actuation } : {}),
  };
}

export function scopeSnapshot(row: ScopeRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    isDefault: row.isDefault,
    approvals: approvalsOf(row),
  };
}

function scopeRef(row: ScopeRow) {
  return { type: "Scope", id: row.id, name: row.name };
}

/** The scope row, or NotFound naming `field`. */
export async function requireScope(db: Db, id: number, field = "scopeId"): Promise<ScopeRow> {
  const row = await scopeById(db, id);
  if (!row) throw new NotFound("Scope", id, field);
  return row;
}

async function assertNameFree(db: Db, name: string, self?: number): Promise<void> {
  const other = await scopeByName(db, name);
  if (other && other.id !== self) {
    throw new Conflict(`a scope named '${name}' already exists`, {
      field: "name",
      conflicting: scopeRef(other),
    });
  }
}

export async function listScopes(
  store: Store,
  args: PageArgs,
  maxPageSize: number,
): Promise<{ page: Page<ScopeRecord>; count: () => Promise<number> }> {
  const resolved = resolvePage(args, maxPageSize);
  const page = await store.read((db) => scopesPage(db, resolved));
  return {
    page: { ...page, items: page.items.map(toScopeRecord) },
    count: () => store.read((db) => countScopes(db)),
  };
}

/** Scopes by id in the order asked (null where missing): the Scope DataLoader's batch function. */
export async function scopesById(store: Store, ids: readonly number[]): Promise<(ScopeRecord | null)[]> {
  const rows = await store.read((db) => scopesByIds(db, ids));
  const byId = new Map(rows.map((r) => [r.id, toScopeRecord(r)]));
  return ids.map((id) => byId.get(id) ?? null);
}

export interface ScopeInput {
  name: string;
  description?: string | null;
  /** Absent switches are off. */
  approvals?: ApprovalPolicyPatch | null;
}

export async function createScope(store: Store, caller: Caller, input: ScopeInput): Promise<ScopeRecord> {
  const name = requiredName("name", input.name);
  const description = freeText("description", input.description);
  return store.write(async (db) => {
    await assertNameFree(db, name);
    const row = await insertScope(db, { name, description, ...approvalColumns(input.approvals) });
    await appendEvent(db, caller, {
      type: "scope.created",
      subjectType: "Scope",
      subjectId: row.id,
      after: scopeSnapshot(row),
    });
    return toScopeRecord(row);
  });
}

/** Changes the fields present in `patch` (undefined = keep; null description = clear). */
export async function updateScope(
  store: Store,
  caller: Caller,
  id: number,
  patch: {
    name?: string | null;
    description?: string | null;
    /** Absent: unchanged; only the switches present change; null turns every approval off. */
    approvals?: ApprovalPolicyPatch | null;
  },
): Promise<ScopeRecord> {
  if (patch.name === null) throw new Invalid("name", "a scope's name cannot be cleared");
  const name = patch.name === undefined ? undefined : requiredName("name", patch.name);
  const description =
    patch.description === undefined ? undefined : freeText("description", patch.description);
  return store.write(async (db) => {
    const before = await requireScope(db, id, "id");
    if (name !== undefined) await assertNameFree(db, name, id);
    const after = await updateScopeRow(db, id, {
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
      ...approvalColumns(patch.approvals),
    });
    await appendEvent(db, caller, {
      type: "scope.updated",
      subjectType: "Scope",
      subjectId: id,
      before: scopeSnapshot(before),
      after: scopeSnapshot(after),
    });
    return toScopeRecord(after);
  });
}

/** Deletes an empty, non-default scope. */
export async function deleteScope(store: Store, caller: Caller, id: number): Promise<ScopeRecord> {
  return store.write(async (db) => {
    const row = await requireScope(db, id, "id");
    if (row.isDefault) {
      throw new Conflict(`scope '${row.name}' is the default scope and cannot be deleted`, {
        field: "id",
        conflicting: scopeRef(row),
      });
    }
    const used = await anyPrefixInScope(db, id);
    if (used) {
      throw new Conflict(
        `scope '${row.name}' is not empty: it holds ${describePrefix(used)}; delete its pools first`,
        {
          field: "id",
          conflicting: prefixRef(used),
        },
      );
    }
    // Deleted objects of the scope (soft delete, issue #18) go with it: they could only come back inside it.
    await discardDeletedInScope(db, id);
    // Writes first, then the events (in the order they always had): src/db/README.md.
    const unlinked: [ScopeRow, ScopeRow][] = [];
    for (const other of await linkedScopeIds(db, id)) {
      const b = await requireScope(db, other);
      await deleteScopeLink(db, row.id, b.id);
      unlinked.push([row, b]);
    }
    await deleteScopeRow(db, id);
    for (const [a, b] of unlinked) await linkEvents(db, caller, "scope.unlinked", a, b);
    await appendEvent(db, caller, {
      type: "scope.deleted",
      subjectType: "Scope",
      subjectId: id,
      before: scopeSnapshot(row),
    });
    return toScopeRecord(row);
  });
}

/** The two distinct scopes of a link input, or Invalid naming `scopeIds`. */
async function pairOf(db: Db, scopeIds: readonly number[]): Promise<[ScopeRow, ScopeRow]> {
  if (scopeIds.length !== 2 || scopeIds[0] === scopeIds[1]) {
    throw new Invalid("scopeIds", `scopeIds must name two different scopes (got ${scopeIds.length})`);
  }
  return [await requireScope(db, scopeIds[0]!, "scopeIds"), await requireScope(db, scopeIds[1]!, "scopeIds")];
}

async function linkEvents(db: Db, caller: Caller, type: string, a: ScopeRow, b: ScopeRow): Promise<void> {
  for (const [self, other] of [
    [a, b],
    [b, a],
  ] as const) {
    await appendEvent(db, caller, {
      type,
      subjectType: "Scope",
      subjectId: self.id,
      after: { ...scopeSnapshot(self), linkedScopeId: other.id },
    });
  }
}

async function unlinkIn(db: Db, caller: Caller, a: ScopeRow, b: ScopeRow): Promise<void> {
  await deleteScopeLink(db, a.id, b.id);
  await linkEvents(db, caller, "scope.unlinked", a, b);
}

/**
 * Declares two scopes routed together (peered VPCs, a transit gateway): from now on no live prefix of one may
 * overlap a live prefix of the other. CONFLICT naming an overlapping prefix when they already overlap; linking
 * a linked pair again changes nothing. Links are pairwise (not transitive). One `scope.linked` event per scope.
 */
export async function linkScopes(
  store: Store,
  caller: Caller,
  scopeIds: readonly number[],
): Promise<[ScopeRecord, ScopeRecord]> {
  return store.write(async (db): Promise<[ScopeRecord, ScopeRecord]> => {
    const [a, b] = await pairOf(db, scopeIds);
    if (await scopeLinkRow(db, a.id, b.id)) return [toScopeRecord(a), toScopeRecord(b)];
    // firstOverlapBetween asks for the top level of `a` only.
    const topA = await topLevelLive(db, a.id);
    const overlap = await firstOverlapBetween(db, a.id, b.id, () => topA);
    if (overlap) {
      throw new Conflict(
        `scopes '${a.name}' and '${b.name}' overlap: ${describePrefix(overlap.mine)} in '${a.name}' overlaps ${describePrefix(overlap.theirs)} in '${b.name}'; move or delete one before linking`,
        { field: "scopeIds", conflicting: [prefixRef(overlap.theirs), prefixRef(overlap.mine)] },
      );
    }
    await insertScopeLink(db, a.id, b.id);
    await linkEvents(db, caller, "scope.linked", a, b);
    return [toScopeRecord(a), toScopeRecord(b)];
  });
}

/** Removes the link between two scopes (they may overlap again); NOT_FOUND when they are not linked. */
export async function unlinkScopes(
  store: Store,
  caller: Caller,
  scopeIds: readonly number[],
): Promise<[ScopeRecord, ScopeRecord]> {
  return store.write(async (db) => {
    const [a, b] = await pairOf(db, scopeIds);
    if (!(await scopeLinkRow(db, a.id, b.id))) {
      throw new NotFound("ScopeLink", `${a.name}/${b.name}`, "scopeIds");
    }
    await unlinkIn(db, caller, a, b);
    return [toScopeRecord(a), toScopeRecord(b)];
  });
}

/** The scopes linked to a scope, in id order. */
export async function linkedScopes(store: Store, scopeId: number): Promise<ScopeRecord[]> {
  return store.read(async (db) =>
    (await scopesByIds(db, await linkedScopeIds(db, scopeId))).sort((x, y) => x.id - y.id).map(toScopeRecord),
  );
}
