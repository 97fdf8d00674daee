/** One pool: its place in the tree, rules, account, utilisation and fragmentation, children. */
import { useState } from "react";
import { useQuery, useSubscription } from "urql";
import { graphql } from "../gql";
import { Link } from "../lib/router";
import { UtilBar } from "../components/UtilBar";
import { CreatePoolForm } from "../components/CreatePoolForm";
import { useSession } from "../lib/session-context";
import { IpSpaceBar, LogScaleToggle, useLogScale } from "../components/IpSpaceBar";
import { usePoolSpace } from "../lib/pool-space";
import { BlocksTable } from "../components/BlocksTable";
import { AllocateForm, ReserveForm } from "../components/AllocateForm";
import { ReleaseDialog } from "../components/ReleaseDialog";
import { LiveActivity, type LiveItem } from "../components/LiveActivity";
import { navigate } from "../lib/router";

/**
 * How many allocations the bar draws exactly (the query stays within the server's complexity limit);
 * past that the occupancy strip (an aggregate of at most 256 blocks) shows the rest.
 */
const BAR_ITEMS = 200;
/** How many live events the activity list keeps. */
const LIVE_ITEMS = 50;

/** The occupancy strip: the pool's non-free blocks at 8 bits below it, at most 256 rows whatever the pool holds. */
const StripQuery = graphql(`
  query PoolStrip($id: ID!, $stripLength: Int!) {
    pool(id: $id) {
      id
      blocks(prefixLength: $stripLength, first: 256, status: [USED, PARTIAL, INSIDE]) {
        edges {
          node {
            cidr
            status
          }
        }
      }
    }
  }
`);

const PoolEvents = graphql(`
  subscription PoolAllocationEvents($poolId: ID, $after: String) {
    allocationEvents(poolId: $poolId, after: $after) {
      cursor
      type
      createdAt
      pool {
        id
      }
      allocation {
        id
        cidr
        name
        status
      }
    }
  }
`);

const PoolQuery = graphql(`
  query PoolPage($id: ID!) {
    pool(id: $id) {
      id
      name
      cidr
      family
      prefixLength
      status
      description
      scope {
        id
        name
      }
      path {
        id
        name
        cidr
      }
      account {
        id
        name
        key
      }
      rules {
        minChildPrefixLength
        maxChildPrefixLength
        defaultChildPrefixLength
        allowedTiers
      }
      utilization {
        percent
        total
        used
        free
        reserved
        largestFree
        freeBlocksByLength {
          prefixLength
          count
        }
      }
      children(first: 100) {
        totalCount
        edges {
          node {
            id
            name
            cidr
            utilization {
              percent
            }
          }
        }
      }
    }
  }
`);

/** Fragmentation: 1 - largest free block / all free space (0 = one free block, near 1 = scattered). */
function fragmentation(free: string, largestFree: string | null | undefined, family: string): number | null {
  if (!largestFree) return null;
  const bits = family === "IPV6" ? 128 : 32;
  const len = Number(largestFree.split("/")[1]);
  const largest = 2n ** BigInt(bits - len);
  const total = BigInt(free);
  if (total === 0n) return null;
  return 1 - Number((largest * 10000n) / total) / 10000;
}

export function PoolPage({ id }: { id: string }) {
  const [{ data, fetching, error }] = useQuery({ query: PoolQuery, variables: { id } });
  const { can, whyNot } = useSession();
  const [creating, setCreating] = useState(false);
  const [dialog, setDialog] = useState<"allocate" | "reserve" | null>(null);
  const [releasing, setReleasing] = useState<{ id: string; cidr: string; name?: string | null } | null>(null);
  const logScale = useLogScale();
  const bits = data?.pool?.family === "IPV6" ? 128 : 32;
  const poolLen = data?.pool?.prefixLength ?? 0;
  const stripLength = Math.min(bits, poolLen + 8);
  const { space, items } = usePoolSpace(id, BAR_ITEMS, !data?.pool);
  const [strip] = useQuery({ query: StripQuery, variables: { id, stripLength }, pause: !data?.pool });
  const [live] = useSubscription(
    { query: PoolEvents, variables: { poolId: id } },
    (seen: LiveItem[] = [], { allocationEvents: e }): LiveItem[] =>
      [
        {
          cursor: e.cursor,
          type: e.type,
          createdAt: e.createdAt,
          text: `${e.type.replace(/^allocation\./, "")} ${e.allocation.cidr}${e.allocation.name ? ` (${e.allocation.name})` : ""}`,
        },
        ...seen,
      ].slice(0, LIVE_ITEMS),
  );
  const sp = space.data?.pool;
  const truncated =
    sp &&
    (sp.allocations.totalCount > sp.allocations.edges.length ||
      sp.children.totalCount > sp.children.edges.length ||
      sp.reservations.totalCount > sp.reservations.edges.length)
      ? `Drawing ${items.length} of ${sp.allocations.totalCount + sp.children.totalCount + sp.reservations.totalCount} items; the strip above shows all occupancy by /${stripLength}.`
      : null;
  if (error) return <p className="error">{error.graphQLErrors[0]?.message ?? error.message}</p>;
  if (!data && fetching) return <p className="muted">Loading…</p>;
  const pool = data?.pool;
  if (!pool)
    return (
      <section>
        <h1>Pool not found</h1>
        <Link to="/">Back to pools</Link>
      </section>
    );
  const u = pool.utilization;
  const frag = fragmentation(u.free, u.largestFree, pool.family);
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">{pool.scope.name}</Link>
        {pool.path.slice(0, -1).map((p) => (
          <span key={p.id}>
            {" / "}
            <Link to={`/pools/${encodeURIComponent(p.id)}`}>{p.name}</Link>
          </span>
        ))}
      </nav>
      <div className="page-head">
        <h1>
          {pool.name} <code className="cidr">{pool.cidr}</code>
        </h1>
        <button
          type="button"
          onClick={() => setDialog("allocate")}
          disabled={!can("OPERATE")}
          title={can("OPERATE") ? undefined : whyNot("OPERATE")}
        >
          Allocate
        </button>
        <button
          type="button"
          className="ghost"
          onClick={() => setDialog("reserve")}
          disabled={!can("OPERATE")}
          title={can("OPERATE") ? undefined : whyNot("OPERATE")}
        >
          Reserve
        </button>
        <button
          type="button"
          className="ghost"
          onClick={() => setCreating(true)}
          disabled={!can("ADMIN")}
          title={can("ADMIN") ? undefined : whyNot("ADMIN")}
        >
          New child pool
        </button>
        <Link to={`/pools/${encodeURIComponent(pool.id)}/plan`} className="button ghost">
          Design a plan
        </Link>
      </div>
      {creating && <CreatePoolForm onClose={() => setCreating(false)} scopes={[]} parent={pool} />}
      {dialog === "allocate" && (
        <AllocateForm
          pool={pool}
          defaultLength={pool.rules.defaultChildPrefixLength ?? Math.min(bits, pool.prefixLength + 8)}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === "reserve" && <ReserveForm pool={pool} onClose={() => setDialog(null)} />}
      {releasing && (
        <ReleaseDialog allocation={releasing} poolName={pool.name} onClose={() => setReleasing(null)} />
      )}
      <section className="card" aria-labelledby="space-h">
        <div className="toolbar">
          <h2 id="space-h" style={{ margin: 0, marginRight: "auto" }}>
            Address space
          </h2>
          <LogScaleToggle />
        </div>
        <IpSpaceBar
          poolCidr={pool.cidr}
          items={items}
          strip={strip.data?.pool?.blocks.edges.map((e) => e.node) ?? []}
          logScale={logScale}
          truncated={space.error ? (space.error.graphQLErrors[0]?.message ?? space.error.message) : truncated}
          onOpen={(it) => {
            if (it.kind === "pool") navigate(`/pools/${encodeURIComponent(it.id)}`);
            else if (it.kind === "allocation" && can("OPERATE"))
              setReleasing({ id: it.id, cidr: it.cidr, name: it.label || null });
          }}
        />
      </section>
      <section className="card facts" aria-label="Pool summary">
        <dl>
          <dt>Status</dt>
          <dd>{pool.status.toLowerCase()}</dd>
          <dt>Account</dt>
          <dd>{pool.account ? `${pool.account.name} (${pool.account.key})` : "—"}</dd>
          <dt>Utilisation</dt>
          <dd>
            <UtilBar percent={u.percent} label="Pool utilisation" />{" "}
            <span className="muted">
              {u.used} used, {u.reserved} reserved, {u.free} free of {u.total}
            </span>
          </dd>
          <dt>Largest free</dt>
          <dd>{u.largestFree ?? "none"}</dd>
          <dt>Fragmentation</dt>
          <dd data-testid="fragmentation">{frag === null ? "—" : `${(frag * 100).toFixed(0)}%`}</dd>
          <dt>Rules</dt>
          <dd>
            {pool.rules.minChildPrefixLength ||
            pool.rules.maxChildPrefixLength ||
            pool.rules.defaultChildPrefixLength
              ? `children /${pool.rules.minChildPrefixLength ?? "any"}–/${pool.rules.maxChildPrefixLength ?? "any"}, default /${pool.rules.defaultChildPrefixLength ?? "—"}`
              : "none"}
            {pool.rules.allowedTiers?.length ? `; tiers ${pool.rules.allowedTiers.join(", ")}` : ""}
          </dd>
        </dl>
        {pool.description && <p>{pool.description}</p>}
      </section>
      {pool.children.totalCount > 0 && (
        <section className="card" aria-labelledby="children-h">
          <h2 id="children-h">Child pools ({pool.children.totalCount})</h2>
          <ul className="tree">
            {pool.children.edges.map((e) => (
              <li key={e.node.id}>
                <div className="tree-row">
                  <Link to={`/pools/${encodeURIComponent(e.node.id)}`}>{e.node.name}</Link>{" "}
                  <code className="cidr">{e.node.cidr}</code>
                  <UtilBar percent={e.node.utilization.percent} label={`${e.node.name} utilisation`} />
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
      <BlocksTable
        poolId={pool.id}
        poolName={pool.name}
        poolLength={pool.prefixLength}
        maxLength={bits}
        defaultLength={pool.rules.defaultChildPrefixLength ?? Math.min(bits, pool.prefixLength + 8)}
      />
      <LiveActivity label="Live activity in this pool" items={live.data ?? []} />
    </>
  );
}
