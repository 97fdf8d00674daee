/**
 * The pool split at any prefix length, a page at a time (server-side paging with totalCount), filtered by
 * status; each non-free block says what occupies it ("why unavailable"). Length, filter and page live in
 * the URL. PageDown/PageUp (or the buttons) turn pages.
 */
import { useState, type KeyboardEvent } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import type { BlockStatus } from "../gql/graphql";
import { setParam, useLocation } from "../lib/router";
import { formatCount } from "../lib/cidr";
import { Link } from "../lib/router";
import { useSession } from "../lib/session-context";
import { ReleaseDialog } from "./ReleaseDialog";

const BlocksQuery = graphql(`
  query PoolBlocks(
    $id: ID!
    $len: Int!
    $status: [BlockStatus!]
    $first: Int
    $after: String
    $last: Int
    $before: String
  ) {
    pool(id: $id) {
      id
      blocks(
        prefixLength: $len
        status: $status
        first: $first
        after: $after
        last: $last
        before: $before
      ) {
        totalCount
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
        edges {
          cursor
          node {
            cidr
            prefixLength
            status
            moreOccupants
            occupants {
              __typename
              ... on Allocation {
                id
                allocationName: name
                cidr
                account {
                  id
                  name
                }
              }
              ... on Pool {
                id
                name
                cidr
              }
              ... on Reservation {
                id
                cidr
                reason
              }
            }
          }
        }
      }
    }
  }
`);

const STATUSES: BlockStatus[] = ["FREE", "USED", "PARTIAL", "INSIDE"];
const PAGE = 20;

type Occupant = {
  __typename?: string;
  id?: string;
  name?: string | null;
  allocationName?: string | null;
  cidr?: string;
  reason?: string | null;
  account?: { id: string; name: string } | null;
};

function why(o: Occupant): string {
  if (o.__typename === "Allocation")
    return `allocation ${o.allocationName ?? ""} ${o.cidr}${o.account ? ` (${o.account.name})` : ""}`.replace(
      /\s+/g,
      " ",
    );
  if (o.__typename === "Pool") return `child pool ${o.name} ${o.cidr}`;
  return `reservation ${o.cidr}${o.reason ? `: ${o.reason}` : ""}`;
}

export function BlocksTable(props: {
  poolId: string;
  poolName: string;
  poolLength: number;
  maxLength: number;
  defaultLength: number;
}) {
  const { search } = useLocation();
  const { can, whyNot } = useSession();
  const len = Math.min(
    props.maxLength,
    Math.max(props.poolLength, Number(search.get("len") ?? props.defaultLength) || props.defaultLength),
  );
  const status = (search.get("status") ?? "")
    .split(",")
    .filter((s): s is BlockStatus => (STATUSES as string[]).includes(s));
  const after = search.get("after");
  const before = search.get("before");
  const [releasing, setReleasing] = useState<{ id: string; cidr: string; name?: string | null } | null>(null);
  const [{ data, fetching, error }] = useQuery({
    query: BlocksQuery,
    variables: {
      id: props.poolId,
      len,
      status: status.length ? status : null,
      ...(before ? { last: PAGE, before } : { first: PAGE, after }),
    },
  });
  const conn = data?.pool?.blocks;

  const page = (dir: "next" | "prev") => {
    if (!conn) return;
    if (dir === "next" && conn.pageInfo.hasNextPage) {
      setParam("before", null);
      setParam("after", conn.pageInfo.endCursor);
    }
    if (dir === "prev" && conn.pageInfo.hasPreviousPage) {
      setParam("after", null);
      setParam("before", conn.pageInfo.startCursor);
    }
  };
  const resetPage = () => {
    setParam("after", null);
    setParam("before", null);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "PageDown") {
      e.preventDefault();
      page("next");
    } else if (e.key === "PageUp") {
      e.preventDefault();
      page("prev");
    }
  };

  return (
    <section className="card" aria-labelledby="blocks-h" onKeyDown={onKey}>
      <h2 id="blocks-h">
        Blocks{" "}
        <span className="count" data-testid="blocks-total">
          {conn
            ? `${formatCount(conn.totalCount)} ${conn.totalCount === "1" ? "block" : "blocks"} of /${len}`
            : ""}
        </span>
      </h2>
      <div className="toolbar">
        <label>
          Prefix length
          <input
            type="number"
            min={props.poolLength}
            max={props.maxLength}
            value={len}
            aria-label="Block prefix length"
            onChange={(e) => {
              resetPage();
              setParam("len", e.target.value);
            }}
            style={{ width: "5rem" }}
          />
        </label>
        <fieldset className="toolbar" aria-label="Status filter">
          <legend className="sr-only">Status filter</legend>
          {STATUSES.map((s) => (
            <label key={s}>
              <input
                type="checkbox"
                checked={status.includes(s)}
                onChange={(e) => {
                  const next = e.target.checked ? [...status, s] : status.filter((x) => x !== s);
                  resetPage();
                  setParam("status", next.join(","));
                }}
              />
              {s.toLowerCase()}
            </label>
          ))}
        </fieldset>
      </div>
      {error && <p className="error">{error.graphQLErrors[0]?.message ?? error.message}</p>}
      <table aria-describedby="blocks-h" aria-busy={fetching}>
        <thead>
          <tr>
            <th scope="col">Block</th>
            <th scope="col">Status</th>
            <th scope="col">Occupied by (why unavailable)</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {conn?.edges.map((e) => {
            const occ = e.node.occupants as Occupant[];
            const alloc =
              e.node.status === "USED" &&
              occ.length === 1 &&
              occ[0]?.__typename === "Allocation" &&
              occ[0].cidr === e.node.cidr
                ? occ[0]
                : null;
            return (
              <tr key={e.cursor} data-cidr={e.node.cidr}>
                <td>
                  <code>{e.node.cidr}</code>
                </td>
                <td>
                  <span className={`status status-${e.node.status}`}>{e.node.status.toLowerCase()}</span>
                </td>
                <td>
                  {occ.map((o, i) => (
                    <span key={o.id ?? i}>
                      {i > 0 && "; "}
                      {o.__typename === "Pool" && o.id ? (
                        <Link to={`/pools/${encodeURIComponent(o.id)}`}>{why(o)}</Link>
                      ) : (
                        why(o)
                      )}
                    </span>
                  ))}
                  {e.node.moreOccupants && <span className="muted"> and more</span>}
                </td>
                <td>
                  {alloc && alloc.id && alloc.cidr && (
                    <button
                      type="button"
                      className="ghost"
                      disabled={!can("OPERATE")}
                      title={can("OPERATE") ? undefined : whyNot("OPERATE")}
                      onClick={() =>
                        setReleasing({ id: alloc.id!, cidr: alloc.cidr!, name: alloc.allocationName })
                      }
                    >
                      Release
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {conn && conn.edges.length === 0 && <p className="muted">No blocks match.</p>}
      <div className="pager">
        <button
          type="button"
          className="ghost"
          onClick={() => page("prev")}
          disabled={!conn?.pageInfo.hasPreviousPage}
          aria-keyshortcuts="PageUp"
        >
          ‹ Previous
        </button>
        <button
          type="button"
          className="ghost"
          onClick={() => page("next")}
          disabled={!conn?.pageInfo.hasNextPage}
          aria-keyshortcuts="PageDown"
        >
          Next ›
        </button>
      </div>
      {releasing && (
        <ReleaseDialog allocation={releasing} poolName={props.poolName} onClose={() => setReleasing(null)} />
      )}
    </section>
  );
}
