/** Pools: a tree per scope (children load on expand), with search by name or CIDR and "which pool holds 10.2.3.4". */
import { useState } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { Link, setParam, useLocation } from "../lib/router";
import { UtilBar } from "../components/UtilBar";
import { CreatePoolForm } from "../components/CreatePoolForm";
import { useSession } from "../lib/session-context";

const ScopesQuery = graphql(`
  query Scopes {
    scopes(first: 100) {
      totalCount
      edges {
        node {
          id
          name
          isDefault
          description
        }
      }
    }
  }
`);

const PoolNodeFields = graphql(`
  fragment PoolNodeFields on Pool {
    id
    name
    cidr
    status
    account {
      id
      name
    }
    utilization {
      percent
    }
    children(first: 0) {
      totalCount
    }
  }
`);

const RootPoolsQuery = graphql(`
  query RootPools($scopeId: ID!) {
    pools(first: 200, filter: { scopeId: $scopeId, rootsOnly: true }) {
      totalCount
      edges {
        node {
          ...PoolNodeFields
        }
      }
    }
  }
`);

const ChildPoolsQuery = graphql(`
  query ChildPools($id: ID!) {
    pool(id: $id) {
      id
      children(first: 200) {
        totalCount
        edges {
          node {
            ...PoolNodeFields
          }
        }
      }
    }
  }
`);

const SearchPoolsQuery = graphql(`
  query SearchPools($search: String!) {
    pools(first: 50, filter: { search: $search }) {
      totalCount
      edges {
        node {
          ...PoolNodeFields
          scope {
            id
            name
          }
        }
      }
    }
  }
`);

const LookupQuery = graphql(`
  query LookupAddress($address: IPAddress!) {
    lookup(address: $address) {
      scope {
        id
        name
      }
      chain {
        id
        cidr
        kind
        name
        status
        pool {
          id
        }
      }
    }
  }
`);

void PoolNodeFields;

interface PoolNode {
  id: string;
  name: string;
  cidr: string;
  status: string;
  account?: { id: string; name: string } | null;
  utilization: { percent: number };
  children: { totalCount: number };
}

function PoolRow({ pool, depth }: { pool: PoolNode; depth: number }) {
  const [open, setOpen] = useState(depth === 0);
  const hasChildren = pool.children.totalCount > 0;
  return (
    <li
      role="treeitem"
      aria-expanded={hasChildren ? open : undefined}
      aria-level={depth + 1}
      aria-selected={false}
    >
      <div className="tree-row" style={{ paddingLeft: `${depth * 1.25}rem` }}>
        {hasChildren ? (
          <button
            type="button"
            className="twisty"
            aria-label={`${open ? "Collapse" : "Expand"} ${pool.name}`}
            onClick={() => setOpen(!open)}
          >
            {open ? "▾" : "▸"}
          </button>
        ) : (
          <span className="twisty" aria-hidden="true" />
        )}
        <Link to={`/pools/${encodeURIComponent(pool.id)}`} className="pool-link">
          {pool.name}
        </Link>
        <code className="cidr">{pool.cidr}</code>
        {pool.account && <span className="chip">{pool.account.name}</span>}
        {pool.status !== "ACTIVE" && <span className="chip muted">{pool.status.toLowerCase()}</span>}
        <UtilBar percent={pool.utilization.percent} label={`${pool.name} utilisation`} />
      </div>
      {open && hasChildren && <ChildPools id={pool.id} depth={depth + 1} />}
    </li>
  );
}

function ChildPools({ id, depth }: { id: string; depth: number }) {
  const [{ data, fetching, error }] = useQuery({ query: ChildPoolsQuery, variables: { id } });
  if (error) return <p className="error">{error.message}</p>;
  if (!data && fetching) return <p className="muted">Loading…</p>;
  return (
    <ul role="group" className="tree">
      {data?.pool?.children.edges.map((e) => (
        <PoolRow key={e.node.id} pool={e.node} depth={depth} />
      ))}
    </ul>
  );
}

function ScopeTree({ scope }: { scope: { id: string; name: string; isDefault: boolean } }) {
  const [{ data, fetching, error }] = useQuery({ query: RootPoolsQuery, variables: { scopeId: scope.id } });
  return (
    <section className="card" aria-labelledby={`scope-${scope.id}`}>
      <h2 id={`scope-${scope.id}`}>
        {scope.name} {scope.isDefault && <span className="chip muted">default scope</span>}
        <span className="count">{data ? `${data.pools.totalCount} top-level pools` : ""}</span>
      </h2>
      {error && <p className="error">{error.message}</p>}
      {!data && fetching && <p className="muted">Loading…</p>}
      {data && data.pools.totalCount === 0 && <p className="muted">No pools yet.</p>}
      {data && data.pools.totalCount > 0 && (
        <ul role="tree" className="tree" aria-label={`Pools in ${scope.name}`}>
          {data.pools.edges.map((e) => (
            <PoolRow key={e.node.id} pool={e.node} depth={0} />
          ))}
        </ul>
      )}
    </section>
  );
}

const IP = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]+)$/i;

function SearchResults({ q }: { q: string }) {
  const isAddress = IP.test(q);
  const [lookup] = useQuery({ query: LookupQuery, variables: { address: q }, pause: !isAddress });
  const [search] = useQuery({ query: SearchPoolsQuery, variables: { search: q }, pause: isAddress });
  if (isAddress) {
    if (lookup.error)
      return <p className="error">{lookup.error.graphQLErrors[0]?.message ?? lookup.error.message}</p>;
    const results = lookup.data?.lookup ?? [];
    return (
      <section className="card" aria-label="Address lookup">
        <h2>Which pool holds {q}</h2>
        {lookup.data && results.length === 0 && <p className="muted">No pool holds {q}.</p>}
        {results.map((r) => (
          <div key={r.scope.id}>
            <h3>{r.scope.name}</h3>
            <ol className="chain">
              {r.chain.map((c) => (
                <li key={c.id}>
                  {c.kind === "POOL" ? (
                    <Link to={`/pools/${encodeURIComponent(c.id)}`}>{c.name ?? c.cidr}</Link>
                  ) : (
                    <span>{c.name ?? c.kind.toLowerCase()}</span>
                  )}{" "}
                  <code>{c.cidr}</code> <span className="chip muted">{c.kind.toLowerCase()}</span>
                </li>
              ))}
            </ol>
          </div>
        ))}
      </section>
    );
  }
  return (
    <section className="card" aria-label="Search results">
      <h2>Pools matching “{q}”</h2>
      {search.error && <p className="error">{search.error.message}</p>}
      {search.data && search.data.pools.totalCount === 0 && <p className="muted">No pool matches.</p>}
      <ul className="tree">
        {search.data?.pools.edges.map((e) => (
          <li key={e.node.id}>
            <div className="tree-row">
              <Link to={`/pools/${encodeURIComponent(e.node.id)}`}>{e.node.name}</Link>{" "}
              <code className="cidr">{e.node.cidr}</code>
              <span className="chip muted">{e.node.scope.name}</span>
              <UtilBar percent={e.node.utilization.percent} label={`${e.node.name} utilisation`} />
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function PoolsPage() {
  const { search } = useLocation();
  const q = search.get("q") ?? "";
  const [draft, setDraft] = useState(q);
  const [{ data, error }] = useQuery({ query: ScopesQuery });
  const { can, whyNot } = useSession();
  const [creating, setCreating] = useState(false);
  return (
    <>
      <div className="page-head">
        <h1>Pools</h1>
        <form
          role="search"
          className="search"
          onSubmit={(e) => {
            e.preventDefault();
            setParam("q", draft.trim());
          }}
        >
          <label htmlFor="pool-search" className="sr-only">
            Search pools by name, CIDR or address
          </label>
          <input
            id="pool-search"
            type="search"
            placeholder="Name, CIDR or an address like 10.2.3.4"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
          />
          <button type="submit">Search</button>
          {q && (
            <button
              type="button"
              className="ghost"
              onClick={() => {
                setDraft("");
                setParam("q", null);
              }}
            >
              Clear
            </button>
          )}
        </form>
        <button
          type="button"
          onClick={() => setCreating(true)}
          disabled={!can("ADMIN")}
          title={can("ADMIN") ? undefined : whyNot("ADMIN")}
        >
          New pool
        </button>
      </div>
      {creating && (
        <CreatePoolForm
          onClose={() => setCreating(false)}
          scopes={data?.scopes.edges.map((e) => e.node) ?? []}
        />
      )}
      {error && <p className="error">{error.message}</p>}
      {q ? (
        <SearchResults q={q} />
      ) : (
        data?.scopes.edges.map((e) => <ScopeTree key={e.node.id} scope={e.node} />)
      )}
    </>
  );
}
