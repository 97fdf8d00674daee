/**
 * Address plans: a whole hierarchy of pools designed from a template ("every region a /12, every tier inside it
 * a /14, every account a /20, with room to double"), previewed without writing and applied in one transaction.
 *
 * Placement: each level's nodes take, in key order, the smallest free aligned block that holds their slot
 * (`allocate` smallest-fit, the rule of `packMany`; a level has one length, so largest-first changes nothing).
 * A slot is the node plus its headroom: `reserveFor: r` makes the slot 2^ceil(log2 r) times the node, the node
 * at its start and the rest left free beside it, so the node can grow in place (r = 2: double). Under the root the
 * free space is the root's real free space; under a planned node it is that node's whole range.
 * Preview and apply run the same `planTree` over the same state, so the preview is what apply writes.
 */
import { createHash } from "node:crypto";
import {
  AllocatorError,
  MemoryFreeBlockStore,
  addressCount,
  allocate,
  blockSize,
  formatPrefix,
  maxLength,
  release,
  seedFreeBlocks,
  type Prefix,
} from "../allocator/index.js";
import { accountsMatching, type AccountRow } from "../db/accounts.js";
import { idempotencyKeyRow, insertIdempotencyKey } from "../db/allocations.js";
import { lockPoolRow } from "../db/pools.js";
import { listFreeBlocks, replaceFreeBlocks } from "../db/free-blocks.js";
import {
  insertPrefix,
  liveChildren,
  prefixesByIds,
  rangeColumns,
  rowPrefix,
  type PrefixRow,
} from "../db/prefixes.js";
import type { Db, Store } from "../db/store.js";
import { toAccountRecord, type AccountFilter, type AccountRecord } from "./accounts.js";
import type { Caller } from "./caller.js";
import { Conflict, Invalid, type ObjectRef } from "./errors.js";
import { appendEvents, type EventInput } from "./events.js";
import { describePrefix, occupyInPool, prefixRef } from "./placement.js";
import { prefixSnapshot, toPoolRecord, type PoolRecord } from "./pools.js";
import { idempotencyKey, requiredName, requirePool } from "./validation.js";

/** At most this many pools per plan (one transaction). */
export const PLAN_MAX_POOLS = 100_000;

export interface PlanLevelInput {
  /**
   * `{key}`, `{index}` (1-based) and `{parent}` (the parent's name) are replaced; on an accounts level also
   * `{account.name}`, `{account.key}`, `{account.tier}`, `{account.environment}`, `{account.platform}`,
   * `{account.provider}`. Default `{parent}-{key}`, on an accounts level `{parent}-{account.name}`.
   */
  namePattern?: string | null;
  keys?: readonly string[] | null;
  count?: number | null;
  /** One node per account matching the filter (the accounts query's filter), in key order; the key is the account key. */
  accounts?: AccountFilter | null;
  prefixLength?: number | null;
  /** Addresses the node must hold (decimal string): the smallest prefix that holds them. */
  size?: string | null;
  reserveFor?: number | null;
}

export interface PlanInput {
  rootPoolId: number;
  levels: readonly PlanLevelInput[];
}

interface Level {
  pattern: string;
  keys: string[];
  /** On an accounts level, the account of each key (same order). */
  accounts: AccountRow[] | undefined;
  length: number;
  slotLength: number;
  reserveFor: number;
  /** The input field that sets the length (`levels[i].prefixLength` or `levels[i].size`). */
  lengthField: string;
}

/** One node of the proposed tree, in depth-first (pre-)order. */
export interface PlanNode {
  /** Index of the parent node in the list; -1 = the root pool. */
  parent: number;
  level: number;
  key: string;
  name: string;
  /** Names from the level-0 ancestor down, joined with "/". */
  path: string;
  /** The account the pool is for (accounts levels). */
  account: AccountRow | undefined;
  prefixLength: number;
  /** Undefined when it does not fit (see conflicts). */
  prefix: Prefix | undefined;
  /** The node plus its headroom. */
  slot: Prefix | undefined;
  /** Addresses its planned children hold. */
  childAddresses: bigint;
  /** Addresses its planned children hold together with their headroom (their slots). */
  childSlotAddresses: bigint;
}

export interface PlanConflict {
  path: string | null;
  field: string;
  code: "NO_SPACE" | "NAME_TAKEN";
  message: string;
  conflicting: PrefixRow;
}

export interface PlanResult {
  root: PrefixRow;
  nodes: PlanNode[];
  conflicts: PlanConflict[];
  /** The root's addresses in use (children, allocations, reservations) before and after. */
  rootUsedBefore: bigint;
  rootUsedAfter: bigint;
  rootTotal: bigint;
  /** Addresses left free as headroom beside the first level's pools (inside the root). */
  rootHeadroomAfter: bigint;
  /** The root's largest free block after the plan. */
  largestFreeAfter: Prefix | undefined;
}

function ceilLog2(n: number): number {
  let k = 0;
  while (2 ** k < n) k++;
  return k;
}

/** The smallest prefix length whose block holds `size` addresses. */
function lengthForSize(field: string, family: 4 | 6, size: string): number {
  if (!/^[1-9]\d*$/.test(size.trim()))
    throw new Invalid(field, `size must be a positive whole number of addresses, got "${size}"`);
  const n = BigInt(size.trim());
  const max = maxLength(family);
  for (let len = max; len >= 0; len--) if (blockSize(family, len) >= n) return len;
  throw new Invalid(field, `${size} addresses do not fit in any IPv${family} prefix`);
}

const ACCOUNT_FIELDS = ["name", "key", "tier", "environment", "platform", "provider"] as const;

/** The level's accounts: every account matching the filter, in key order; O(matches). */
async function levelAccounts(db: Db, field: string, filter: AccountFilter): Promise<AccountRow[]> {
  const found = await accountsMatching(
    db,
    { ...filter, search: filter.search?.trim() || null },
    PLAN_MAX_POOLS + 1,
  );
  if (found.length === 0)
    throw new Invalid(field, "no account matches the filter", { filter: { ...filter } });
  return found;
}

async function cleanLevels(db: Db, root: PrefixRow, levels: readonly PlanLevelInput[]): Promise<Level[]> {
  if (levels.length === 0) throw new Invalid("levels", "a plan needs at least one level");
  const family = rowPrefix(root).family;
  let parentLength = root.prefixLen;
  let total = 1;
  const out: Level[] = [];
  for (const [i, l] of levels.entries()) {
    const f = (name: string) => `levels[${i}].${name}`;
    const given = [l.keys != null, l.count != null, l.accounts != null].filter(Boolean).length;
    if (given !== 1) throw new Invalid(f("keys"), "pass exactly one of keys, count or accounts");
    const pattern = requiredName(
      f("namePattern"),
      l.namePattern ?? (l.accounts != null ? "{parent}-{account.name}" : "{parent}-{key}"),
    );
    if (l.accounts == null && /\{account\.[a-z]+\}/.test(pattern))
      throw new Invalid(f("namePattern"), "{account.…} placeholders need an accounts level");
    for (const m of pattern.matchAll(/\{account\.([a-z]+)\}/g))
      if (!(ACCOUNT_FIELDS as readonly string[]).includes(m[1]!))
        throw new Invalid(
          f("namePattern"),
          `unknown placeholder {account.${m[1]}}; use one of ${ACCOUNT_FIELDS.map((a) => `{account.${a}}`).join(", ")}`,
        );
    let keys: string[];
    let accountRows: AccountRow[] | undefined;
    if (l.keys != null) {
      keys = l.keys.map((k, j) => requiredName(`${f("keys")}[${j}]`, k));
      if (keys.length === 0) throw new Invalid(f("keys"), "keys must not be empty");
      const seen = new Set<string>();
      for (const [j, k] of keys.entries()) {
        if (seen.has(k)) throw new Invalid(`${f("keys")}[${j}]`, `key "${k}" is listed twice`);
        seen.add(k);
      }
    } else if (l.accounts != null) {
      accountRows = await levelAccounts(db, f("accounts"), l.accounts);
      keys = accountRows.map((a) => a.key);
    } else {
      const count = l.count!;
      if (!Number.isInteger(count) || count < 1)
        throw new Invalid(f("count"), `count must be a positive integer, got ${count}`);
      keys = Array.from({ length: Math.min(count, PLAN_MAX_POOLS + 1) }, (_, j) => String(j + 1));
    }
    total *= keys.length;
    if (total > PLAN_MAX_POOLS)
      throw new Invalid(
        f(l.keys != null ? "keys" : l.accounts != null ? "accounts" : "count"),
        `the plan would create more than ${PLAN_MAX_POOLS} pools`,
      );
    if ((l.prefixLength == null) === (l.size == null))
      throw new Invalid(f("prefixLength"), "pass either prefixLength or size");
    const length = l.prefixLength ?? lengthForSize(f("size"), family, l.size!);
    const reserveFor = l.reserveFor ?? 1;
    if (!Number.isInteger(reserveFor) || reserveFor < 1 || reserveFor > 1024)
      throw new Invalid(f("reserveFor"), `reserveFor must be an integer from 1 to 1024, got ${reserveFor}`);
    const slotLength = length - ceilLog2(reserveFor);
    const field = f(l.prefixLength != null ? "prefixLength" : "size");
    if (!Number.isInteger(length) || length > maxLength(family))
      throw new Invalid(field, `/${length} is not an IPv${family} prefix length`);
    if (slotLength <= parentLength)
      throw new Invalid(
        reserveFor > 1 && length > parentLength ? f("reserveFor") : field,
        `/${length}${reserveFor > 1 ? ` with room for ${reserveFor}× (a /${slotLength} slot)` : ""} does not fit inside a /${parentLength}; use a longer prefix`,
        { minimum: parentLength + 1 + ceilLog2(reserveFor) },
      );
    parentLength = length;
    out.push({ pattern, keys, accounts: accountRows, length, slotLength, reserveFor, lengthField: field });
  }
  return out;
}

function nameOf(pattern: string, key: string, index: number, parent: string, account?: AccountRow): string {
  let name = pattern
    .replaceAll("{key}", key)
    .replaceAll("{index}", String(index + 1))
    .replaceAll("{parent}", parent);
  if (account) for (const a of ACCOUNT_FIELDS) name = name.replaceAll(`{account.${a}}`, account[a] ?? "");
  return name;
}

/** The proposed tree under `root` given the current state; reads only. O(nodes × prefix length + root free blocks). */
export async function planTree(db: Db, input: PlanInput): Promise<PlanResult> {
  const root = await requirePool(db, input.rootPoolId, "rootPoolId");
  const levels = await cleanLevels(db, root, input.levels);
  const rootPrefix = rowPrefix(root);
  const rootFree = await listFreeBlocks(db, root.id, rootPrefix.family);
  const rootTotal = addressCount(rootPrefix);
  const rootUsedBefore = rootTotal - rootFree.reduce((n, b) => n + addressCount(b), 0n);
  const takenNames = new Map(
    (await liveChildren(db, root.id)).filter((c) => c.kind === "pool" && c.name).map((c) => [c.name!, c]),
  );
  const nodes: PlanNode[] = [];
  const conflicts: PlanConflict[] = [];
  const rootStore = new MemoryFreeBlockStore(rootFree);

  const expand = (
    parentIndex: number,
    parentPrefix: Prefix | undefined,
    depth: number,
    store: MemoryFreeBlockStore | undefined,
  ) => {
    const level = levels[depth]!;
    const parentNode = parentIndex >= 0 ? nodes[parentIndex]! : undefined;
    const parentName = parentNode ? parentNode.name : (root.name ?? root.cidr);
    const siblings = new Map<string, string>();
    for (const [i, key] of level.keys.entries()) {
      const account = level.accounts?.[i];
      const name = nameOf(level.pattern, key, i, parentName, account);
      const twin = siblings.get(name);
      if (twin !== undefined)
        throw new Invalid(
          `levels[${depth}].namePattern`,
          `keys "${twin}" and "${key}" both make the pool name '${name}'; put {key}${account ? " or {account.key}" : " or {index}"} in the pattern`,
        );
      siblings.set(name, key);
      const path = parentNode ? `${parentNode.path}/${name}` : name;
      let slot: Prefix | undefined;
      if (parentPrefix && store) {
        try {
          slot = allocate(store, parentPrefix, { length: level.slotLength }, "smallest-fit");
        } catch (e) {
          if (!(e instanceof AllocatorError)) throw e;
          const largest = store.largest();
          const where = parentNode
            ? `planned pool '${parentNode.path}' (${formatPrefix(parentPrefix)})`
            : describePrefix(root);
          // With headroom, say whether the pool alone would still fit: then reserveFor is the field to change.
          const withoutHeadroom = level.reserveFor > 1 && store.smallestFit(level.length) !== undefined;
          const wanted =
            level.reserveFor > 1
              ? `/${level.slotLength} (a /${level.length} with room for ${level.reserveFor}×)`
              : `/${level.slotLength}`;
          conflicts.push({
            path,
            field: withoutHeadroom ? `levels[${depth}].reserveFor` : level.lengthField,
            code: "NO_SPACE",
            message: `no free ${wanted} left for '${path}' in ${where}${largest ? `; the largest free block is ${formatPrefix(largest)}` : "; it is full"}${withoutHeadroom ? `; the /${level.length} alone would fit without the headroom` : ""}`,
            conflicting: root,
          });
        }
      }
      if (depth === 0 && takenNames.has(name)) {
        const other = takenNames.get(name)!;
        conflicts.push({
          path,
          field: "levels[0].namePattern",
          code: "NAME_TAKEN",
          message: `${describePrefix(root)} already has a child pool named '${name}' (${other.cidr})`,
          conflicting: other,
        });
      }
      const prefix = slot && { family: slot.family, start: slot.start, length: level.length };
      const index = nodes.length;
      nodes.push({
        parent: parentIndex,
        level: depth,
        key,
        name,
        path,
        account,
        prefixLength: level.length,
        prefix,
        slot,
        childAddresses: 0n,
        childSlotAddresses: 0n,
      });
      if (parentNode && prefix) {
        parentNode.childAddresses += addressCount(prefix);
        parentNode.childSlotAddresses += addressCount(slot!);
      }
      if (depth + 1 < levels.length) {
        expand(index, prefix, depth + 1, prefix && new MemoryFreeBlockStore([prefix]));
      }
    }
  };
  expand(-1, rootPrefix, 0, rootStore);

  // The root's free space after the plan: each slot's headroom goes back (it stays free beside its node).
  let rootUsedAfter = rootUsedBefore;
  let rootHeadroomAfter = 0n;
  for (const n of nodes) {
    if (n.level !== 0 || !n.slot || !n.prefix) continue;
    release(rootStore, rootPrefix, n.slot);
    allocate(rootStore, rootPrefix, { prefix: n.prefix });
    rootUsedAfter += addressCount(n.prefix);
    rootHeadroomAfter += addressCount(n.slot) - addressCount(n.prefix);
  }
  return {
    root,
    nodes,
    conflicts,
    rootUsedBefore,
    rootUsedAfter,
    rootTotal,
    rootHeadroomAfter,
    largestFreeAfter: rootStore.largest(),
  };
}

/** A plan result as the domain hands it out: pools as records. */
export type PlanPreview = Omit<PlanResult, "root" | "conflicts" | "nodes"> & {
  root: PoolRecord;
  nodes: (Omit<PlanNode, "account"> & { account: AccountRecord | null })[];
  conflicts: (Omit<PlanConflict, "conflicting"> & { conflicting: PoolRecord })[];
};

/** The proposed tree, its utilisation and every conflict with what exists; writes nothing. */
export async function previewPlan(store: Store, input: PlanInput): Promise<PlanPreview> {
  const r = await store.read((db) => planTree(db, input));
  return {
    ...r,
    root: toPoolRecord(r.root),
    nodes: r.nodes.map((n) => ({ ...n, account: n.account ? toAccountRecord(n.account) : null })),
    conflicts: r.conflicts.map((c) => ({ ...c, conflicting: toPoolRecord(c.conflicting) })),
  };
}

function planHash(input: PlanInput): string {
  return createHash("sha256")
    .update(JSON.stringify({ root: input.rootPoolId, levels: input.levels }))
    .digest("hex");
}

function conflictError(result: PlanResult): Conflict {
  const first = result.conflicts[0]!;
  const refs: ObjectRef[] = [];
  const seen = new Set<number>();
  for (const c of result.conflicts) {
    if (!seen.has(c.conflicting.id)) refs.push(prefixRef(c.conflicting));
    seen.add(c.conflicting.id);
  }
  return new Conflict(
    `the plan conflicts with what exists (${result.conflicts.length} conflict${result.conflicts.length === 1 ? "" : "s"}); nothing was written. First: ${first.message}`,
    {
      field: first.field,
      conflicting: refs.length === 1 ? refs[0]! : refs,
      conflicts: result.conflicts
        .slice(0, 100)
        .map((c) => ({ path: c.path, field: c.field, code: c.code, message: c.message })),
    },
  );
}

/**
 * Creates the whole tree in one write transaction, or nothing (CONFLICT naming every conflict, as the preview
 * shows them). One `pool.created` event per pool and one `plan.applied` on the root. Returns the pools in
 * preview order. A retried idempotency key returns the first result; with another plan, CONFLICT.
 */
export async function applyPlan(
  store: Store,
  caller: Caller,
  input: PlanInput,
  key?: string | null,
): Promise<{ root: PoolRecord; pools: PoolRecord[] }> {
  const idem = idempotencyKey("idempotencyKey", key);
  const hash = planHash(input);
  return store.write(async (db) => {
    await lockPoolRow(db, input.rootPoolId);
    const root = await requirePool(db, input.rootPoolId, "rootPoolId");
    if (idem) {
      const existing = await idempotencyKeyRow(db, `plan:${idem}`);
      if (existing) {
        // Pools of one plan get consecutive ids (inserted in one transaction); the count is stored with the hash
        // (an accounts level can match other accounts by now).
        const [storedHash, storedCount] = existing.requestHash.split("/");
        const count = Number(storedCount);
        const first = (await prefixesByIds(db, [existing.allocationId]))[0];
        if (storedHash !== hash || !first || !Number.isInteger(count)) {
          throw new Conflict(
            `idempotencyKey "${idem}" was already used for a different plan; use a new key for a new plan`,
            {
              field: "idempotencyKey",
              ...(first ? { conflicting: prefixRef(first) } : {}),
            },
          );
        }
        const ids = Array.from({ length: count }, (_, i) => first.id + i);
        const byId = new Map<number, PrefixRow>();
        for (let i = 0; i < ids.length; i += 10_000)
          for (const r of await prefixesByIds(db, ids.slice(i, i + 10_000))) byId.set(r.id, r);
        return {
          root: toPoolRecord(root),
          pools: ids
            .map((id) => byId.get(id))
            .filter((r): r is PrefixRow => !!r)
            .map(toPoolRecord),
        };
      }
    }
    const result = await planTree(db, input);
    if (result.conflicts.length > 0) throw conflictError(result);
    const rows: PrefixRow[] = [];
    for (const n of result.nodes) {
      const parent = n.parent < 0 ? root : rows[n.parent]!;
      // Level 0 takes its range from the root's real free space (and the linked-scope check); deeper levels sit in
      // pools created here, whose free blocks are seeded once all their children exist.
      if (n.parent < 0) await occupyInPool(db, root, n.prefix!, `levels[0].prefixLength`);
      rows.push(
        await insertPrefix(db, {
          kind: "pool",
          scopeId: root.scopeId,
          parentId: parent.id,
          ...rangeColumns(n.prefix!),
          name: n.name,
          description: null,
          status: "ACTIVE",
          accountId: n.account?.id ?? null,
          tags: "{}",
          createdBy: caller.actor.name,
        }),
      );
    }
    // Free blocks of the new pools from the plan itself (their children are exactly the planned ones): no query each.
    const childrenOf = new Map<number, Prefix[]>();
    for (const n of result.nodes) {
      if (n.parent < 0) continue;
      const list = childrenOf.get(n.parent) ?? [];
      list.push(n.prefix!);
      childrenOf.set(n.parent, list);
    }
    for (const [i, row] of rows.entries()) {
      const kids = (childrenOf.get(i) ?? []).sort((a, b) =>
        a.start < b.start ? -1 : a.start > b.start ? 1 : 0,
      );
      await replaceFreeBlocks(db, row.id, seedFreeBlocks(result.nodes[i]!.prefix!, kids));
    }
    const events: EventInput[] = rows.map((row) => ({
      type: "pool.created",
      subjectType: "Pool",
      subjectId: row.id,
      after: prefixSnapshot(row),
    }));
    events.push({
      type: "plan.applied",
      subjectType: "Pool",
      subjectId: root.id,
      after: {
        ...prefixSnapshot(root),
        plan: {
          poolCount: rows.length,
          levels: input.levels.map((l) => ({ ...l })),
          firstPoolCidr: rows[0]?.cidr ?? null,
        },
      },
    });
    await appendEvents(db, caller, events);
    if (idem && rows[0])
      await insertIdempotencyKey(db, {
        key: `plan:${idem}`,
        requestHash: `${hash}/${rows.length}`,
        allocationId: rows[0].id,
      });
    return { root: toPoolRecord(root), pools: rows.map(toPoolRecord) };
  });
}

/** Percent (4 decimals) of `used` in `total`. */
export function percentOf(used: bigint, total: bigint): number {
  return total === 0n ? 0 : Number((used * 1_000_000n) / total) / 10_000;
}
