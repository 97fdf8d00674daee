/**
 * What reconciliation records about the cloud, inside its own write transaction: the observation diff of a
 * sync, the verdicts it applies, sync state per region, the overlap lookup of the classifier, and what
 * actuation (provision/deprovision) did. The API's side (reading resources, adoption) is in cloud.ts.
 *
 * Recording diffs against what is stored, so a steady-state sync of 5,000 subnets writes only
 * last_seen_at in bulk: rows are inserted or rewritten only when a resource appears or changes, and CIDR
 * rows are replaced only when the resource's CIDRs change. Resources of a region that was read
 * successfully but are not seen any more get `deleted_at`; those of a region that failed keep theirs.
 */
import {
  blockSize,
  containsPrefix,
  formatPrefix,
  makePrefix,
  overlaps,
  parsePrefix,
  type Prefix,
} from "../allocator/index.js";
import {
  boundAllocationsOfAccount,
  cidrColumns,
  cidrsOfAccount,
  deleteCidrsOf,
  insertCidrs,
  insertResources,
  markResourcesDeleted,
  markSyncRunning,
  prefixesOverlapping,
  resourceById,
  resourceByExternalId,
  resourcesOfAccount,
  setCidrsManagement,
  touchResources,
  updateResource,
  upsertSyncState,
  type CloudCidrRow,
  type CloudResourceRow,
  type NewCloudResourceRow,
  type SyncStateRow,
} from "../db/cloud.js";
import { defaultScope, scopeByName } from "../db/scopes.js";
import type { Db } from "../db/store.js";
import type { PrefixRow } from "../db/prefixes.js";
import type { CloudCidr, CloudSubnet, CloudVpc } from "../providers/types.js";
import { Invalid, NotFound } from "./errors.js";

/** A resource as the classifier sees it: row ids, parsed CIDRs. */
export interface LiveResource {
  rowId: number;
  externalId: string;
  resourceType: string;
  region: string | null;
  tags: Record<string, string>;
  cidrs: { rowId: number; cidr: string; prefix: Prefix; role: string }[];
}

export interface RecordedObservation {
  live: LiveResource[];
  /** External id -> row id of resources no longer seen in a unit that was read. */
  gone: Map<string, number>;
  /** Current classification of every CIDR row of the account (to write only what changed). */
  management: Map<number, { management: string | null; allocationId: number | null }>;
  counts: { inserted: number; changed: number; deleted: number };
}

export interface UnitObservation {
  unit: string;
  ok: boolean;
  vpcs: CloudVpc[];
  subnets: CloudSubnet[];
}

type ResourceShape = Omit<NewCloudResourceRow, "id" | "firstSeenAt" | "lastSeenAt" | "deletedAt">;

function shapeOfVpc(accountId: number, v: CloudVpc): ResourceShape {
  return {
    accountId,
    provider: v.provider,
    resourceType: "VPC",
    externalId: v.id,
    vpcExternalId: null,
    region: v.region ?? null,
    zone: null,
    name: v.name ?? null,
    tags: JSON.stringify(v.tags),
    state: v.state,
    managed: false,
    allocationTag: null,
  };
}

function shapeOfSubnet(accountId: number, s: CloudSubnet): ResourceShape {
  return {
    accountId,
    provider: s.provider,
    resourceType: "SUBNET",
    externalId: s.id,
    vpcExternalId: s.vpcId,
    region: s.region,
    zone: s.zone ?? null,
    name: s.name ?? null,
    tags: JSON.stringify(s.tags),
    state: s.state,
    managed: s.managedByCloudPam,
    allocationTag: s.allocationId ?? null,
  };
}

const SHAPE_KEYS = [
  "vpcExternalId",
  "region",
  "zone",
  "name",
  "tags",
  "state",
  "managed",
  "allocationTag",
] as const;

/** Canonical CIDR rows of a resource; CIDRs the allocator cannot parse are skipped. */
function cidrShapes(cidrs: readonly CloudCidr[]) {
  const out: {
    cidr: string;
    family: number;
    prefixLen: number;
    rangeStart: string;
    rangeEnd: string;
    role: string;
    name: string | null;
    prefix: Prefix;
  }[] = [];
  for (const c of cidrs) {
    let cols;
    try {
      cols = cidrColumns(c.cidr);
    } catch {
      continue;
    }
    out.push({ ...cols, cidr: formatPrefix(cols.prefix), role: c.role, name: c.name ?? null });
  }
  return out;
}

const cidrKey = (c: { role: string; cidr: string; name: string | null }) =>
  `${c.role}|${c.cidr}|${c.name ?? ""}`;

/**
 * Writes what a sync observed (inside its write transaction). `unitOf` maps a region to the sync
 * unit; only resources of units with `ok` are touched, deleted or returned as live. `inScope` narrows
 * what an unseen resource may be marked deleted for (a targeted re-read of one VPC: only that VPC and
 * its subnets); without it, everything of the units read is in scope. `preloaded` replaces the load of
 * the whole account's rows by the caller's (the targeted re-read passes that VPC's rows and CIDRs).
 */
export async function recordObservation(
  db: Db,
  accountId: number,
  units: readonly UnitObservation[],
  unitOf: (region: string | null) => string,
  now: string,
  inScope?: (row: CloudResourceRow) => boolean,
  preloaded?: { resources: CloudResourceRow[]; cidrs: CloudCidrRow[] },
): Promise<RecordedObservation> {
  const existing = new Map(
    (preloaded?.resources ?? (await resourcesOfAccount(db, accountId))).map((r) => [r.externalId, r]),
  );
  const cidrsByRow = new Map<number, CloudCidrRow[]>();
  for (const c of preloaded?.cidrs ?? (await cidrsOfAccount(db, accountId))) {
    const list = cidrsByRow.get(c.resourceId) ?? [];
    list.push(c);
    cidrsByRow.set(c.resourceId, list);
  }
  const management = new Map<number, { management: string | null; allocationId: number | null }>();
  for (const list of cidrsByRow.values())
    for (const c of list) management.set(c.id, { management: c.management, allocationId: c.allocationId });

  const okUnits = new Set(units.filter((u) => u.ok).map((u) => u.unit));
  const observed: { shape: ResourceShape; cidrs: readonly CloudCidr[] }[] = [];
  for (const u of units) {
    if (!u.ok) continue;
    for (const v of u.vpcs) observed.push({ shape: shapeOfVpc(accountId, v), cidrs: v.cidrs });
    for (const s of u.subnets) observed.push({ shape: shapeOfSubnet(accountId, s), cidrs: s.cidrs });
  }

  const touched: number[] = [];
  const toInsert: { shape: ResourceShape; cidrs: ReturnType<typeof cidrShapes> }[] = [];
  const cidrRewrite: { row: CloudResourceRow; cidrs: ReturnType<typeof cidrShapes> }[] = [];
  const liveRows: { row: CloudResourceRow; cidrs: ReturnType<typeof cidrShapes> }[] = [];
  const seen = new Set<string>();
  let changed = 0;
  for (const o of observed) {
    if (seen.has(o.shape.externalId)) continue;
    seen.add(o.shape.externalId);
    const cidrs = cidrShapes(o.cidrs);
    const row = existing.get(o.shape.externalId);
    if (!row) {
      toInsert.push({ shape: o.shape, cidrs });
      continue;
    }
    const differs = SHAPE_KEYS.some((k) => (row[k] ?? null) !== (o.shape[k] ?? null));
    let current = row;
    if (differs) {
      current = await updateResource(db, row.id, { ...o.shape, lastSeenAt: now, deletedAt: null });
      changed++;
    } else touched.push(row.id);
    const stored = (cidrsByRow.get(row.id) ?? []).map(cidrKey).sort().join(",");
    if (stored !== cidrs.map(cidrKey).sort().join(",")) cidrRewrite.push({ row: current, cidrs });
    liveRows.push({ row: current, cidrs });
  }
  await touchResources(db, touched, now);

  const inserted = await insertResources(
    db,
    toInsert.map((t) => ({ ...t.shape, firstSeenAt: now, lastSeenAt: now })),
  );
  inserted.forEach((row, i) => {
    cidrRewrite.push({ row, cidrs: toInsert[i]!.cidrs });
    liveRows.push({ row, cidrs: toInsert[i]!.cidrs });
  });

  await deleteCidrsOf(
    db,
    cidrRewrite.filter((c) => cidrsByRow.has(c.row.id)).map((c) => c.row.id),
  );
  const newCidrRows = await insertCidrs(
    db,
    cidrRewrite.flatMap(({ row, cidrs }) =>
      cidrs.map(({ prefix: _p, ...c }) => ({ ...c, resourceId: row.id })),
    ),
  );
  for (const { row } of cidrRewrite) cidrsByRow.set(row.id, []);
  for (const c of newCidrRows) {
    cidrsByRow.get(c.resourceId)!.push(c);
    management.set(c.id, { management: null, allocationId: null });
  }

  const gone = new Map<string, number>();
  const deleted: number[] = [];
  for (const row of existing.values()) {
    if (seen.has(row.externalId) || !okUnits.has(unitOf(row.region))) continue;
    if (inScope && !inScope(row)) continue;
    gone.set(row.externalId, row.id);
    if (row.deletedAt === null) deleted.push(row.id);
  }
  await markResourcesDeleted(db, deleted, now);

  const live: LiveResource[] = liveRows.map(({ row }) => ({
    rowId: row.id,
    externalId: row.externalId,
    resourceType: row.resourceType,
    region: row.region,
    tags: JSON.parse(row.tags) as Record<string, string>,
    cidrs: (cidrsByRow.get(row.id) ?? []).map((c) => ({
      rowId: c.id,
      cidr: c.cidr,
      prefix: parsePrefix(c.cidr),
      role: c.role,
    })),
  }));
  return { live, gone, management, counts: { inserted: inserted.length, changed, deleted: deleted.length } };
}

/** Writes the CIDR verdicts that changed, one statement per distinct (management, allocation). */
export async function applyVerdicts(
  db: Db,
  current: RecordedObservation["management"],
  verdicts: readonly { cidrRowId: number; management: string; allocationId: number | null }[],
): Promise<number> {
  const groups = new Map<string, { management: string; allocationId: number | null; ids: number[] }>();
  let n = 0;
  for (const v of verdicts) {
    const c = current.get(v.cidrRowId);
    if (c && c.management === v.management && c.allocationId === v.allocationId) continue;
    const key = `${v.management}/${v.allocationId}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { management: v.management, allocationId: v.allocationId, ids: [] }));
    g.ids.push(v.cidrRowId);
    n++;
  }
  for (const g of groups.values()) await setCidrsManagement(db, g.ids, g.management, g.allocationId);
  return n;
}

/** The address space an account's CIDRs are compared in: the scope named by settings.scope, else the default one. */
export async function scopeIdOf(db: Db, scopeName: string | undefined): Promise<number> {
  if (scopeName === undefined) return (await defaultScope(db)).id;
  const scope = await scopeByName(db, scopeName);
  if (!scope)
    throw new Invalid(
      "accountId",
      `the account's settings.scope names scope '${scopeName}', which does not exist; fix the account's settings`,
    );
  return scope.id;
}

/** Live allocations of the account bound to a resource of this provider, parsed for the classifier. */
export async function boundAllocations(db: Db, accountId: number, provider: string) {
  return (await boundAllocationsOfAccount(db, accountId, provider)).map((row) => ({
    id: row.id,
    name: row.name,
    cidr: row.cidr,
    prefix: parsePrefix(row.cidr),
    resourceId: row.resourceId!,
    resourceType: row.resourceType,
    region: row.resourceRegion,
  }));
}

export interface ScopeItemView {
  id: number;
  kind: PrefixRow["kind"];
  name: string | null;
  cidr: string;
  prefix: Prefix;
  accountId: number | null;
}

function scopeItem(row: PrefixRow): ScopeItemView {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    cidr: row.cidr,
    prefix: parsePrefix(row.cidr),
    accountId: row.accountId,
  };
}

/** Live pools and allocations of a scope overlapping p (containers first), parsed for the classifier. */
export async function overlappingInScope(db: Db, scopeId: number, p: Prefix): Promise<ScopeItemView[]> {
  return (await prefixesOverlapping(db, scopeId, p, ROOT_LIMIT)).map(scopeItem);
}

/** Items fetched under one root CIDR before falling back to one query per CIDR inside it. */
const ROOT_LIMIT = 2000;

const prefixKey = (p: Prefix) => `${p.family}/${p.start}/${p.length}`;

/** Roots are at least this wide (IPv4 /16, IPv6 /48), so that sibling subnets share one root. */
const ROOT_LENGTH = { 4: 16, 6: 48 } as const;

function rootPrefix(p: Prefix): Prefix {
  const len = ROOT_LENGTH[p.family];
  if (p.length <= len) return p;
  return makePrefix(p.family, p.start - (p.start % blockSize(p.family, len)), len);
}

/**
 * The range lookup of a whole sync, with few statements: the scope is queried once per root (the
 * outermost observed CIDRs, widened to at least /16 or /48 so that sibling subnets share one: their
 * containers and everything inside), and every CIDR under a root is answered in memory from that set.
 * A root with more than ROOT_LIMIT items inside falls back to one indexed query per CIDR, made here for the
 * CIDRs given (the lookup answers synchronously, for the classifier). Results equal overlappingInScope's; the
 * lookup answers only CIDRs in `cidrs` (or under a root that was fetched whole).
 */
export async function overlapLookup(
  db: Db,
  scopeId: number,
  cidrs: readonly Prefix[],
): Promise<(p: Prefix) => ScopeItemView[]> {
  const byStart = (a: Prefix, b: Prefix) =>
    a.family !== b.family
      ? a.family - b.family
      : a.start < b.start
        ? -1
        : a.start > b.start
          ? 1
          : a.length - b.length;
  const roots = [...new Map(cidrs.map((p) => rootPrefix(p)).map((r) => [prefixKey(r), r])).values()].sort(
    byStart,
  );
  const outermost: { prefix: Prefix; items: ScopeItemView[] | null }[] = [];
  for (const r of roots) {
    const last = outermost[outermost.length - 1];
    if (last && containsPrefix(last.prefix, r)) continue;
    const rows = await prefixesOverlapping(db, scopeId, r, ROOT_LIMIT + 1);
    const inside = rows.filter((row) => row.prefixLen > r.length).length;
    outermost.push({ prefix: r, items: inside > ROOT_LIMIT ? null : rows.map(scopeItem) });
  }
  const rootOf = (p: Prefix) => {
    let lo = 0;
    let hi = outermost.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = outermost[mid]!;
      if (containsPrefix(m.prefix, p)) return m;
      if (byStart(m.prefix, p) < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  };
  // CIDRs no fetched root answers: one indexed query each, now.
  const single = new Map<string, ScopeItemView[]>();
  for (const p of cidrs) {
    const entry = rootOf(p);
    if ((!entry || entry.items === null) && !single.has(prefixKey(p)))
      single.set(prefixKey(p), await overlappingInScope(db, scopeId, p));
  }
  return (p) => {
    const entry = rootOf(p);
    if (!entry || entry.items === null) {
      const answer = single.get(prefixKey(p));
      if (!answer)
        throw new Error(`overlapLookup: ${formatPrefix(p)} was not among the CIDRs it was built for`);
      return answer;
    }
    const containers: ScopeItemView[] = [];
    const inside: ScopeItemView[] = [];
    for (const it of entry.items) {
      if (!overlaps(it.prefix, p)) continue;
      if (it.prefix.length <= p.length) containers.push(it);
      else inside.push(it);
    }
    containers.sort((a, b) => a.prefix.length - b.prefix.length || a.id - b.id);
    inside.sort((a, b) => byStart(a.prefix, b.prefix));
    return [...containers, ...inside];
  };
}

export interface SyncStateRecord {
  accountId: number;
  region: string;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  counts: Record<string, number>;
  error: string | null;
}

export function toSyncStateRecord(row: SyncStateRow): SyncStateRecord {
  return { ...row, counts: JSON.parse(row.counts) as Record<string, number> };
}

export async function writeSyncState(db: Db, s: SyncStateRecord): Promise<void> {
  await upsertSyncState(db, { ...s, counts: JSON.stringify(s.counts) });
}

export async function markSyncStarted(
  db: Db,
  accountId: number,
  regions: readonly string[],
  startedAt: string,
): Promise<void> {
  for (const region of regions) await markSyncRunning(db, accountId, region, startedAt);
}

/** The external id of a VPC/subnet resolved to its row in the account (for actuation). */
export async function requireResource(
  db: Db,
  accountId: number,
  ref: { rowId?: number; externalId?: string },
  field: string,
): Promise<CloudResourceRow> {
  const row =
    ref.rowId !== undefined
      ? await resourceById(db, ref.rowId)
      : await resourceByExternalId(db, accountId, ref.externalId ?? "");
  if (!row || row.accountId !== accountId || row.deletedAt)
    throw new NotFound("CloudResource", ref.rowId ?? ref.externalId ?? "?", field);
  return row;
}

/** Records the subnet a provision created (or found), its CIDRs MANAGED by the allocation. */
export async function recordProvisionedSubnet(
  db: Db,
  accountId: number,
  subnet: CloudSubnet,
  allocation: Pick<PrefixRow, "id" | "cidr">,
  now: string,
): Promise<CloudResourceRow> {
  const shape = shapeOfSubnet(accountId, subnet);
  const existing = await resourceByExternalId(db, accountId, subnet.id);
  const row = existing
    ? await updateResource(db, existing.id, { ...shape, lastSeenAt: now, deletedAt: null })
    : (await insertResources(db, [{ ...shape, firstSeenAt: now, lastSeenAt: now }]))[0]!;
  await deleteCidrsOf(db, [row.id]);
  const { id: allocationId, cidr: allocationCidr } = allocation;
  await insertCidrs(
    db,
    cidrShapes(subnet.cidrs).map(({ prefix: _p, ...c }) => ({
      ...c,
      resourceId: row.id,
      management: c.cidr === allocationCidr ? "MANAGED" : null,
      allocationId: c.cidr === allocationCidr ? allocationId : null,
    })),
  );
  return row;
}

/** Marks a resource deleted now (after CloudPAM deleted it). */
export async function markResourceGone(
  db: Db,
  accountId: number,
  externalId: string,
  now: string,
): Promise<void> {
  const row = await resourceByExternalId(db, accountId, externalId);
  if (row && !row.deletedAt) await markResourcesDeleted(db, [row.id], now);
}
