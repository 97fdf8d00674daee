/** One pool: its place in the tree, rules, account, utilisation and fragmentation, children. */
import { useState } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { Link } from "../lib/router";
import { UtilBar } from "../components/UtilBar";
import { CreatePoolForm } from "../components/CreatePoolForm";
import { useSession } from "../lib/session-context";
import { canAdmin, whyNot } from "../lib/session";

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
  const { role } = useSession();
  const [creating, setCreating] = useState(false);
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
          onClick={() => setCreating(true)}
          disabled={!canAdmin(role)}
          title={canAdmin(role) ? undefined : whyNot("admin")}
        >
          New child pool
        </button>
      </div>
      {creating && <CreatePoolForm onClose={() => setCreating(false)} scopes={[]} parent={pool} />}
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
    </>
  );
}
