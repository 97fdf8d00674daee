/**
 * Drift classification, in AWS IPAM's vocabulary. Pure: it gets what was observed, the allocations bound
 * to the account's resources, and a range lookup into the account's scope; it returns a verdict per
 * observed CIDR and the findings (drift) of this sync.
 *
 * Per observed CIDR:
 *  - IGNORED    the resource carries the ignore tag (settings.ignoreTag, default `cloudpam:ignore`), or
 *               the CIDR lies inside one of settings.ignoreCidrs (default 172.31.0.0/16, AWS default VPCs).
 *  - MANAGED    an allocation bound to this resource has exactly this CIDR, or a live allocation of the
 *               same account contains it (a subnet inside its VPC's allocation).
 *  - UNMANAGED  otherwise. It raises UNMANAGED drift, or OVERLAP drift when a live allocation or pool
 *               assigned to ANOTHER account shares addresses with it (pools without an account are shared).
 * Per allocation bound to a resource of the account:
 *  - MISSING_IN_CLOUD  the resource was not seen (only judged when its region was read successfully).
 *  - CIDR_MISMATCH     the resource is there but none of its CIDRs equals the allocation; the observed CIDR
 *                      of the same family is then reported by this finding instead of as UNMANAGED.
 *
 * Identity: `fingerprint` = `a<accountId>/<unit>/<KIND>/<subject>`, where unit is the sync unit (AWS
 * region, or "global" for a GCP project) so that a failed region never resolves its own findings.
 */
import { containsPrefix, prefixEquals, type Prefix } from "../allocator/index.js";
import { fingerprintOf, type DriftKind, type Finding } from "../domain/drift.js";

export type Management = "MANAGED" | "UNMANAGED" | "IGNORED";

export interface ObservedCidr {
  rowId: number;
  cidr: string;
  prefix: Prefix;
  role: string;
}

export interface ObservedResource {
  rowId: number;
  externalId: string;
  resourceType: string;
  region: string | null;
  tags: Record<string, string>;
  cidrs: ObservedCidr[];
}

export interface BoundAllocation {
  id: number;
  name: string | null;
  cidr: string;
  prefix: Prefix;
  resourceId: string;
  resourceType: string | null;
  region: string | null;
}

/** A pool or allocation found by the range lookup. */
export interface ScopeItem {
  id: number;
  kind: "pool" | "allocation" | "reservation";
  name: string | null;
  cidr: string;
  prefix: Prefix;
  accountId: number | null;
}

export interface ClassifyInput {
  accountId: number;
  /** Resources seen in this sync (only in units read successfully). */
  live: ObservedResource[];
  /** Row ids of resources known before but not seen now, by external id (for MISSING_IN_CLOUD). */
  gone: Map<string, number>;
  bound: BoundAllocation[];
  /** The sync unit of a region (AWS: the region; GCP: "global"). */
  unitOf: (region: string | null) => string;
  /** Units that could not be read: their allocations are not judged. */
  failedUnits: ReadonlySet<string>;
  ignoreCidrs: Prefix[];
  ignoreTag: string;
  /** Live pools/allocations of the scope overlapping p, containers (shortest prefix) first. */
  overlapping: (p: Prefix) => ScopeItem[];
}

export interface Verdict {
  cidrRowId: number;
  management: Management;
  allocationId: number | null;
}

export interface Classification {
  verdicts: Verdict[];
  findings: Finding[];
  /** Time spent, for the benchmark and the sync counts. */
  durationMs: number;
}

const label = (r: Pick<ObservedResource, "externalId" | "region">) =>
  `${r.externalId}${r.region ? ` (${r.region})` : ""}`;

export function classify(input: ClassifyInput): Classification {
  const t0 = performance.now();
  const verdicts: Verdict[] = [];
  const findings: Finding[] = [];
  const { accountId } = input;
  const boundByResource = new Map<string, BoundAllocation[]>();
  for (const a of input.bound) {
    const list = boundByResource.get(a.resourceId) ?? [];
    list.push(a);
    boundByResource.set(a.resourceId, list);
  }
  const liveIds = new Set(input.live.map((r) => r.externalId));

  for (const r of input.live) {
    const unit = input.unitOf(r.region);
    const fp = (kind: DriftKind, subject: string) => fingerprintOf(accountId, unit, kind, subject);
    const bound = boundByResource.get(r.externalId) ?? [];
    const ignoredByTag = Object.prototype.hasOwnProperty.call(r.tags, input.ignoreTag);
    // Bound allocations that match none of the resource's CIDRs: CIDR_MISMATCH against the observed
    // CIDR of the same family (primary first).
    const mismatched = new Set<number>();
    for (const a of bound) {
      if (r.cidrs.some((c) => prefixEquals(c.prefix, a.prefix))) continue;
      const observed =
        r.cidrs.find((c) => c.prefix.family === a.prefix.family && c.role === "primary") ??
        r.cidrs.find((c) => c.prefix.family === a.prefix.family);
      if (observed) mismatched.add(observed.rowId);
      findings.push({
        kind: "CIDR_MISMATCH",
        severity: "HIGH",
        fingerprint: fp("CIDR_MISMATCH", `${a.id}/${r.externalId}/${observed?.cidr ?? "-"}`),
        unit,
        resourceRowId: r.rowId,
        allocationId: a.id,
        cidr: observed?.cidr ?? null,
        detail: `${label(r)} has ${observed ? observed.cidr : `no IPv${a.prefix.family} CIDR`}, but its allocation${a.name ? ` '${a.name}'` : ""} is ${a.cidr}`,
      });
    }
    for (const c of r.cidrs) {
      if (ignoredByTag || input.ignoreCidrs.some((i) => containsPrefix(i, c.prefix))) {
        verdicts.push({ cidrRowId: c.rowId, management: "IGNORED", allocationId: null });
        continue;
      }
      const exact = bound.find((a) => prefixEquals(a.prefix, c.prefix));
      if (exact) {
        verdicts.push({ cidrRowId: c.rowId, management: "MANAGED", allocationId: exact.id });
        continue;
      }
      if (mismatched.has(c.rowId)) {
        verdicts.push({ cidrRowId: c.rowId, management: "UNMANAGED", allocationId: null });
        continue;
      }
      const items = input.overlapping(c.prefix);
      let cover: ScopeItem | undefined;
      for (const it of items) {
        if (it.kind === "allocation" && it.accountId === accountId && containsPrefix(it.prefix, c.prefix))
          cover = it; // containers come shortest first: keep the most specific
      }
      if (cover) {
        verdicts.push({ cidrRowId: c.rowId, management: "MANAGED", allocationId: cover.id });
        continue;
      }
      verdicts.push({ cidrRowId: c.rowId, management: "UNMANAGED", allocationId: null });
      const foreign = items.find((it) => it.accountId !== null && it.accountId !== accountId);
      if (foreign) {
        findings.push({
          kind: "OVERLAP",
          severity: "HIGH",
          fingerprint: fp("OVERLAP", `${r.externalId}/${c.cidr}/${foreign.kind}:${foreign.id}`),
          unit,
          resourceRowId: r.rowId,
          allocationId: foreign.kind === "allocation" ? foreign.id : null,
          cidr: c.cidr,
          detail: `${c.cidr} of ${label(r)} overlaps ${foreign.kind}${foreign.name ? ` '${foreign.name}'` : ""} (${foreign.cidr}) of account ${foreign.accountId}`,
          conflicting: {
            kind: foreign.kind,
            id: foreign.id,
            cidr: foreign.cidr,
            accountId: foreign.accountId,
          },
        });
      } else {
        findings.push({
          kind: "UNMANAGED",
          severity: c.prefix.family === 6 ? "LOW" : "MEDIUM",
          fingerprint: fp("UNMANAGED", `${r.externalId}/${c.cidr}`),
          unit,
          resourceRowId: r.rowId,
          allocationId: null,
          cidr: c.cidr,
          detail: `${c.cidr} of ${r.resourceType.toLowerCase()} ${label(r)} is not covered by any allocation`,
        });
      }
    }
  }

  for (const a of input.bound) {
    if (liveIds.has(a.resourceId)) continue;
    const unit = input.unitOf(a.region);
    // Judge only what this sync could see: a failed unit, or an unknown region while any unit failed.
    if (input.failedUnits.has(unit) || (a.region === null && input.failedUnits.size > 0)) continue;
    findings.push({
      kind: "MISSING_IN_CLOUD",
      severity: "MEDIUM",
      fingerprint: fingerprintOf(accountId, unit, "MISSING_IN_CLOUD", `${a.id}/${a.resourceId}`),
      unit,
      resourceRowId: input.gone.get(a.resourceId) ?? null,
      allocationId: a.id,
      cidr: a.cidr,
      detail: `allocation${a.name ? ` '${a.name}'` : ""} ${a.cidr} is bound to ${(a.resourceType ?? "resource").toLowerCase()} ${a.resourceId}${a.region ? ` (${a.region})` : ""}, which no longer exists`,
    });
  }
  return { verdicts, findings, durationMs: performance.now() - t0 };
}
