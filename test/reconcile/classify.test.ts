import { describe, expect, it } from "vitest";
import { overlaps, parsePrefix } from "../../src/allocator/index.js";
import {
  classify,
  type BoundAllocation,
  type ClassifyInput,
  type ObservedResource,
  type ScopeItem,
} from "../../src/reconcile/classify.js";

const ACCOUNT = 7;
let rowId = 0;

function resource(
  externalId: string,
  cidrs: string[],
  extra: Partial<ObservedResource> = {},
): ObservedResource {
  return {
    rowId: ++rowId,
    externalId,
    resourceType: "SUBNET",
    region: "us-east-1",
    tags: {},
    cidrs: cidrs.map((c, i) => ({
      rowId: ++rowId,
      cidr: c,
      prefix: parsePrefix(c),
      role: i === 0 ? "primary" : "ipv6",
    })),
    ...extra,
  };
}

function item(id: number, kind: ScopeItem["kind"], cidr: string, accountId: number | null): ScopeItem {
  return { id, kind, name: `${kind}-${id}`, cidr, prefix: parsePrefix(cidr), accountId };
}

function bound(id: number, cidr: string, resourceId: string, region = "us-east-1"): BoundAllocation {
  return { id, name: null, cidr, prefix: parsePrefix(cidr), resourceId, resourceType: "SUBNET", region };
}

/** Scope items answered by plain overlap, containers first (what the SQL lookup returns). */
function input(
  live: ObservedResource[],
  items: ScopeItem[],
  more: Partial<ClassifyInput> = {},
): ClassifyInput {
  return {
    accountId: ACCOUNT,
    live,
    gone: new Map(),
    bound: [],
    unitOf: (r) => r ?? "unknown",
    failedUnits: new Set(),
    ignoreCidrs: [parsePrefix("172.31.0.0/16")],
    ignoreTag: "cloudpam:ignore",
    overlapping: (p) =>
      items.filter((i) => overlaps(i.prefix, p)).sort((a, b) => a.prefix.length - b.prefix.length),
    ...more,
  };
}

const verdictOf = (out: ReturnType<typeof classify>, r: ObservedResource, i = 0) =>
  out.verdicts.find((v) => v.cidrRowId === r.cidrs[i]!.rowId);

describe("classify", () => {
  it("marks a CIDR MANAGED when an allocation bound to its resource has exactly that CIDR", () => {
    const r = resource("subnet-1", ["10.0.1.0/24"]);
    const out = classify(input([r], [], { bound: [bound(5, "10.0.1.0/24", "subnet-1")] }));
    expect(verdictOf(out, r)).toEqual({
      cidrRowId: r.cidrs[0]!.rowId,
      management: "MANAGED",
      allocationId: 5,
    });
    expect(out.findings).toEqual([]);
  });

  it("marks a CIDR MANAGED by the most specific allocation of the same account that contains it", () => {
    const r = resource("subnet-1", ["10.0.1.0/24"]);
    const out = classify(
      input(
        [r],
        [
          item(1, "pool", "10.0.0.0/8", null),
          item(2, "allocation", "10.0.0.0/16", ACCOUNT),
          item(3, "allocation", "10.0.0.0/20", ACCOUNT),
        ],
      ),
    );
    expect(verdictOf(out, r)).toMatchObject({ management: "MANAGED", allocationId: 3 });
    expect(out.findings).toEqual([]);
  });

  it("raises UNMANAGED for a CIDR only a shared pool covers, LOW for IPv6 and MEDIUM for IPv4", () => {
    const r = resource("subnet-1", ["10.0.1.0/24", "2600:1f18::/64"]);
    const out = classify(input([r], [item(1, "pool", "10.0.0.0/8", null)]));
    expect(out.findings.map((f) => [f.kind, f.cidr, f.severity])).toEqual([
      ["UNMANAGED", "10.0.1.0/24", "MEDIUM"],
      ["UNMANAGED", "2600:1f18::/64", "LOW"],
    ]);
  });

  it("raises OVERLAP naming another account's allocation or pool", () => {
    const a = resource("subnet-a", ["10.0.1.0/24"]);
    const b = resource("subnet-b", ["10.9.1.0/24"]);
    const out = classify(
      input([a, b], [item(1, "allocation", "10.0.0.0/16", 99), item(2, "pool", "10.9.0.0/16", 98)]),
    );
    expect(out.findings.map((f) => [f.kind, f.conflicting?.id, f.allocationId])).toEqual([
      ["OVERLAP", 1, 1],
      ["OVERLAP", 2, null],
    ]);
    expect(out.findings[0]!.severity).toBe("HIGH");
  });

  it("ignores CIDRs inside an ignore range and resources with the ignore tag", () => {
    const dflt = resource("subnet-d", ["172.31.16.0/20"]);
    const tagged = resource("subnet-t", ["10.0.1.0/24"], { tags: { "cloudpam:ignore": "" } });
    const out = classify(input([dflt, tagged], []));
    expect([verdictOf(out, dflt)!.management, verdictOf(out, tagged)!.management]).toEqual([
      "IGNORED",
      "IGNORED",
    ]);
    expect(out.findings).toEqual([]);
  });

  it("reports CIDR_MISMATCH instead of UNMANAGED when a bound resource has another CIDR", () => {
    const r = resource("subnet-1", ["10.0.2.0/24"]);
    const out = classify(input([r], [], { bound: [bound(5, "10.0.1.0/24", "subnet-1")] }));
    expect(out.findings.map((f) => [f.kind, f.cidr, f.allocationId])).toEqual([
      ["CIDR_MISMATCH", "10.0.2.0/24", 5],
    ]);
    expect(verdictOf(out, r)!.management).toBe("UNMANAGED");
  });

  it("raises MISSING_IN_CLOUD for a bound resource not seen, except in a region that could not be read", () => {
    const out = classify(
      input([], [], {
        bound: [
          bound(5, "10.0.1.0/24", "subnet-gone"),
          bound(6, "10.0.2.0/24", "subnet-unknown", "eu-west-1"),
        ],
        gone: new Map([["subnet-gone", 42]]),
        failedUnits: new Set(["eu-west-1"]),
      }),
    );
    expect(out.findings.map((f) => [f.kind, f.allocationId, f.resourceRowId])).toEqual([
      ["MISSING_IN_CLOUD", 5, 42],
    ]);
  });

  it("gives a finding the same fingerprint on every sync, scoped by account and region", () => {
    const r = resource("subnet-1", ["10.0.1.0/24"]);
    const first = classify(input([r], []));
    const again = classify(input([{ ...r, rowId: 999 }], []));
    expect(again.findings[0]!.fingerprint).toBe(first.findings[0]!.fingerprint);
    expect(first.findings[0]!.fingerprint).toBe("a7/us-east-1/UNMANAGED/subnet-1/10.0.1.0/24");
  });
});
