/** "Who owns this address?": the containing chain of an address or CIDR in every scope. */
import { containingLiveInAllScopes, type PrefixRow } from "../db/prefixes.js";
import type { Store } from "../db/store.js";
import { Invalid } from "./errors.js";
import { toPoolRecord, type PoolRecord, type PrefixKind } from "./pools.js";
import { parseCidr, parseHost } from "./validation.js";

/** One prefix of a lookup chain as the domain hands it out. */
export interface LookupEntryRecord {
  id: number;
  kind: PrefixKind;
  cidr: string;
  prefixLength: number;
  name: string | null;
  status: string;
  /** The pool, when the entry is one. */
  pool: PoolRecord | null;
}

export interface LookupChain {
  scopeId: number;
  /** Live pools, allocations and reservations containing the target, root pool first, deepest last. */
  chain: LookupEntryRecord[];
}

function toLookupEntryRecord(row: PrefixRow): LookupEntryRecord {
  return {
    id: row.id,
    kind: row.kind,
    cidr: row.cidr,
    prefixLength: row.prefixLen,
    name: row.name,
    status: row.status,
    pool: row.kind === "pool" ? toPoolRecord(row) : null,
  };
}

/** One statement: index probes per scope (O(scopes × prefix length × log n)). Scopes without a match are left out. */
export async function lookup(
  store: Store,
  target: { address?: string | null; cidr?: string | null },
): Promise<LookupChain[]> {
  if ((target.address == null) === (target.cidr == null))
    throw new Invalid(target.address == null ? "address" : "cidr", "pass exactly one of address or cidr");
  const p = target.address != null ? parseHost("address", target.address) : parseCidr("cidr", target.cidr!);
  const rows = await store.read((db) => containingLiveInAllScopes(db, p));
  const chains: LookupChain[] = [];
  for (const row of rows) {
    const last = chains[chains.length - 1];
    const entry = toLookupEntryRecord(row);
    if (last && last.scopeId === row.scopeId) last.chain.push(entry);
    else chains.push({ scopeId: row.scopeId, chain: [entry] });
  }
  return chains;
}
