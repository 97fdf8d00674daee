/**
 * Analytics: the server-side filtered, multi-sorted, paged `blocks(filter, orderBy)` table; charts (a lazy
 * chunk with Chart.js) that click through to the filtered table; CSV export of the same filter. Filters and
 * sort live in the URL.
 */
import { lazy, Suspense, useState } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import type {
  AnalyticsBlockOrder,
  AnalyticsBlockOrderField,
  AnalyticsBlockStatus,
  AnalyticsFilter,
  Provider,
  Tier,
} from "../gql/graphql";
import { Link, navigate, setParam, useLocation } from "../lib/router";
import { useSession } from "../lib/session-context";
import { toast } from "../components/Toasts";
import { ProviderOptions, TierOptions } from "../components/AccountOptions";

const AnalyticsCharts = lazy(() => import("../components/AnalyticsCharts"));

const BlocksQuery = graphql(`
  query AnalyticsBlocks(
    $filter: AnalyticsFilter
    $orderBy: [AnalyticsBlockOrder!]
    $first: Int!
    $after: String
  ) {
    blocks(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          cidr
          kind
          status
          name
          createdAt
          addressCount
          account {
            id
            name
            tier
            provider
          }
          pool {
            id
            name
          }
          scope {
            id
            name
          }
        }
      }
    }
  }
`);

const StatsQuery = graphql(`
  query AnalyticsStats($filter: AnalyticsFilter) {
    analytics(filter: $filter) {
      addressSpacePerAccount(limit: 12) {
        account {
          id
          name
        }
        allocations
        ipv4Addresses
      }
      allocationsPerPool(limit: 12) {
        pool {
          id
          name
        }
        allocations
      }
      allocationsCreated(interval: DAY) {
        period
        allocations
      }
    }
  }
`);

const AccountsList = graphql(`
  query AnalyticsAccounts {
    accounts(first: 200) {
      edges {
        node {
          id
          name
        }
      }
    }
  }
`);

const PoolName = graphql(`
  query AnalyticsPoolName($id: ID!) {
    pool(id: $id) {
      id
      name
      cidr
    }
  }
`);

const SORTABLE: { field: AnalyticsBlockOrderField; label: string }[] = [
  { field: "NETWORK", label: "CIDR" },
  { field: "KIND", label: "Kind" },
  { field: "STATUS", label: "Status" },
  { field: "NAME", label: "Name" },
  { field: "ACCOUNT", label: "Account" },
  { field: "TIER", label: "Tier" },
  { field: "POOL", label: "Pool" },
  { field: "CREATED_AT", label: "Created" },
];
const STATUSES: AnalyticsBlockStatus[] = ["ALLOCATED", "RELEASED", "ACTIVE", "PLANNED", "DEPRECATED"];

/** The URL's filter as the API's AnalyticsFilter. */
function filterOf(search: URLSearchParams): AnalyticsFilter {
  const list = (k: string) => (search.get(k) ? search.get(k)!.split(",").filter(Boolean) : undefined);
  return {
    accountIds: list("account"),
    poolIds: list("pool"),
    tiers: list("tier") as Tier[] | undefined,
    providers: list("provider") as Provider[] | undefined,
    statuses: list("status") as AnalyticsBlockStatus[] | undefined,
    within: search.get("within") || undefined,
    createdAfter: search.get("after") || undefined,
    createdBefore: search.get("before") || undefined,
  };
}

/** The filters that have no control of their own (set by a chart click): a label each, and the params it removes. */
function chartFilters(
  search: URLSearchParams,
  poolName: string | undefined,
): { label: string; params: string[] }[] {
  const chips: { label: string; params: string[] }[] = [];
  const pool = search.get("pool");
  if (pool) chips.push({ label: `Pool: ${poolName ?? "…"}`, params: ["pool"] });
  const after = search.get("after");
  const before = search.get("before");
  if (after || before) {
    const day = (t: string) => t.slice(0, 10);
    const oneDay =
      after &&
      before &&
      new Date(before).getTime() - new Date(after).getTime() === 86_400_000 &&
      after.includes("T00:00:00");
    const label = oneDay
      ? `Created: ${day(after)}`
      : `Created: ${after ? `from ${after.replace("T", " ").slice(0, 16)}` : ""}${after && before ? " " : ""}${before ? `before ${before.replace("T", " ").slice(0, 16)}` : ""}`;
    chips.push({ label, params: ["after", "before"] });
  }
  return chips;
}

/** `sort=NETWORK:ASC,ACCOUNT:DESC` */
function sortOf(search: URLSearchParams): AnalyticsBlockOrder[] {
  return (search.get("sort") ?? "")
    .split(",")
    .filter(Boolean)
    .map((s) => {
      const [field, dir] = s.split(":");
      return { field: field as AnalyticsBlockOrderField, direction: dir === "DESC" ? "DESC" : "ASC" };
    });
}

/** The CSV export's query string for the same filter (src/server/export.ts names its parameters singular). */
export function exportQuery(f: AnalyticsFilter): string {
  const p = new URLSearchParams();
  const add = (k: string, v: readonly string[] | string | null | undefined) => {
    if (Array.isArray(v)) v.forEach((x) => p.append(k, x));
    else if (typeof v === "string" && v) p.append(k, v);
  };
  add("accountId", f.accountIds as string[] | undefined);
  add("poolId", f.poolIds as string[] | undefined);
  add("tier", f.tiers as string[] | undefined);
  add("provider", f.providers as string[] | undefined);
  add("status", f.statuses as string[] | undefined);
  add("within", f.within as string | undefined);
  add("createdAfter", f.createdAfter as string | undefined);
  add("createdBefore", f.createdBefore as string | undefined);
  return p.toString();
}

export function AnalyticsPage() {
  const { search } = useLocation();
  const { token } = useSession();
  const filter = filterOf(search);
  const orderBy = sortOf(search);
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, error, fetching }] = useQuery({
    query: BlocksQuery,
    variables: { filter, orderBy: orderBy.length ? orderBy : null, first: 50, after },
  });
  const [stats] = useQuery({ query: StatsQuery, variables: { filter } });
  const [accounts] = useQuery({ query: AccountsList });
  const [within, setWithin] = useState(search.get("within") ?? "");
  const poolParam = search.get("pool");
  const [poolName] = useQuery({
    query: PoolName,
    variables: { id: poolParam ?? "" },
    pause: !poolParam,
  });
  const chips = chartFilters(search, poolName.data?.pool?.name);

  const toggleSort = (field: AnalyticsBlockOrderField, add: boolean) => {
    const cur = orderBy.find((o) => o.field === field);
    const rest = add ? orderBy.filter((o) => o.field !== field) : [];
    const next = cur
      ? cur.direction === "ASC"
        ? [...rest, { field, direction: "DESC" as const }]
        : rest
      : [...rest, { field, direction: "ASC" as const }];
    setAfter(null);
    setParam("sort", next.map((o) => `${o.field}:${o.direction}`).join(","));
  };
  const set = (k: string, v: string | null) => {
    setAfter(null);
    setParam(k, v);
  };

  async function exportCsv() {
    const res = await fetch(`/export/allocations.csv?${exportQuery(filter)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) {
      toast(`Export failed: ${res.status} ${await res.text()}`, "error");
      return;
    }
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = "cloudpam-allocations.csv";
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  const s = stats.data?.analytics;
  return (
    <>
      <div className="page-head">
        <h1>Analytics</h1>
        <button type="button" onClick={() => void exportCsv()}>
          Export CSV (this filter)
        </button>
      </div>
      <div className="toolbar card" role="search" aria-label="Filter blocks">
        <label>
          Account
          <select value={search.get("account") ?? ""} onChange={(e) => set("account", e.target.value)}>
            <option value="">any</option>
            {accounts.data?.accounts.edges.map((e) => (
              <option key={e.node.id} value={e.node.id}>
                {e.node.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tier
          <select value={search.get("tier") ?? ""} onChange={(e) => set("tier", e.target.value)}>
            <TierOptions empty="any" />
          </select>
        </label>
        <label>
          Provider
          <select value={search.get("provider") ?? ""} onChange={(e) => set("provider", e.target.value)}>
            <ProviderOptions empty="any" />
          </select>
        </label>
        <label>
          Status
          <select value={search.get("status") ?? ""} onChange={(e) => set("status", e.target.value)}>
            <option value="">any</option>
            {STATUSES.map((p) => (
              <option key={p} value={p}>
                {p.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            set("within", within.trim());
          }}
        >
          <label>
            Within CIDR
            <input
              value={within}
              onChange={(e) => setWithin(e.target.value)}
              placeholder="10.0.0.0/8"
              style={{ width: "9rem" }}
            />
          </label>
        </form>
        {chips.length > 0 && (
          <ul className="active-filters" aria-label="Chart filters" data-testid="active-filters">
            {chips.map((c) => (
              <li key={c.label} className="chip">
                <span>{c.label}</span>
                <button
                  type="button"
                  className="chip-remove"
                  aria-label={`Remove filter ${c.label}`}
                  onClick={() => c.params.forEach((k) => set(k, null))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        {search.toString() && (
          <button
            type="button"
            className="ghost"
            onClick={() => {
              setWithin("");
              setAfter(null);
              navigate("/analytics", { replace: true });
            }}
          >
            Clear filters
          </button>
        )}
      </div>
      {s && (
        <Suspense fallback={<p className="muted">Loading charts…</p>}>
          <AnalyticsCharts
            data={{
              byAccount: s.addressSpacePerAccount.map((a) => ({
                id: a.account?.id ?? null,
                name: a.account?.name ?? "(no account)",
                addresses: Number(a.ipv4Addresses),
              })),
              byPool: s.allocationsPerPool.map((p) => ({
                id: p.pool.id,
                name: p.pool.name,
                allocations: p.allocations,
              })),
              overTime: s.allocationsCreated.map((p) => ({ period: p.period, allocations: p.allocations })),
            }}
            onAccount={(id) => set("account", id)}
            onPool={(id) => set("pool", id)}
            onPeriod={(period) => {
              const start = new Date(`${period.slice(0, 10)}T00:00:00Z`);
              set("after", start.toISOString());
              set("before", new Date(start.getTime() + 86_400_000).toISOString());
            }}
          />
        </Suspense>
      )}
      {error && <p className="error">{error.graphQLErrors[0]?.message ?? error.message}</p>}
      <section className="card" aria-labelledby="blocks-h">
        <h2 id="blocks-h">
          Blocks{" "}
          <span className="count" data-testid="analytics-total">
            {data ? `${data.blocks.totalCount} ${data.blocks.totalCount === 1 ? "row" : "rows"}` : ""}
          </span>
        </h2>
        <p className="muted">Click a column to sort; shift-click to add it as a further sort key.</p>
        <table aria-busy={fetching}>
          <thead>
            <tr>
              {SORTABLE.map((c) => {
                const o = orderBy.find((x) => x.field === c.field);
                const rank = orderBy.findIndex((x) => x.field === c.field);
                return (
                  <th
                    key={c.field}
                    scope="col"
                    aria-sort={o ? (o.direction === "ASC" ? "ascending" : "descending") : "none"}
                  >
                    <button type="button" className="sort" onClick={(e) => toggleSort(c.field, e.shiftKey)}>
                      {c.label}
                      {o ? ` ${o.direction === "ASC" ? "▲" : "▼"}${orderBy.length > 1 ? rank + 1 : ""}` : ""}
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {data?.blocks.edges.map(({ node: b }) => (
              <tr key={b.id} data-cidr={b.cidr}>
                <td>
                  <code>{b.cidr}</code>
                </td>
                <td>{b.kind.toLowerCase()}</td>
                <td>{b.status.toLowerCase()}</td>
                <td>{b.name ?? "—"}</td>
                <td>{b.account?.name ?? "—"}</td>
                <td>{b.account?.tier?.toLowerCase() ?? "—"}</td>
                <td>
                  {b.pool ? <Link to={`/pools/${encodeURIComponent(b.pool.id)}`}>{b.pool.name}</Link> : "—"}
                </td>
                <td>{b.createdAt.slice(0, 16).replace("T", " ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {data?.blocks.pageInfo.hasNextPage && (
          <div className="pager">
            <button
              type="button"
              className="ghost"
              onClick={() => setAfter(data.blocks.pageInfo.endCursor ?? null)}
            >
              Next ›
            </button>
          </div>
        )}
      </section>
    </>
  );
}
