/**
 * What a pool's IP-space bar draws: its child pools, live allocations (at most `items`) and reservations,
 * as bar items. One bounded query, shared by the pool page and the plan page.
 */
import { useMemo } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import type { SpaceItem } from "../components/IpSpaceBar";

const SpaceQuery = graphql(`
  query PoolSpace($id: ID!, $items: Int!) {
    pool(id: $id) {
      id
      name
      cidr
      family
      prefixLength
      children(first: 100) {
        totalCount
        edges {
          node {
            id
            name
            cidr
            account {
              id
              name
            }
          }
        }
      }
      allocations(first: $items, status: ALLOCATED) {
        totalCount
        edges {
          node {
            id
            name
            cidr
            account {
              id
              name
            }
          }
        }
      }
      reservations(first: 100) {
        totalCount
        edges {
          node {
            id
            cidr
            reason
          }
        }
      }
    }
  }
`);

export function usePoolSpace(id: string, items: number, pause = false) {
  const [space] = useQuery({ query: SpaceQuery, variables: { id, items }, pause });
  const list = useMemo<SpaceItem[]>(() => {
    const p = space.data?.pool;
    if (!p) return [];
    return [
      ...p.children.edges.map((e) => ({
        id: e.node.id,
        cidr: e.node.cidr,
        kind: "pool" as const,
        label: e.node.name,
        accountId: e.node.account?.id,
        accountName: e.node.account?.name,
      })),
      ...p.allocations.edges.map((e) => ({
        id: e.node.id,
        cidr: e.node.cidr,
        kind: "allocation" as const,
        label: e.node.name ?? "",
        accountId: e.node.account?.id,
        accountName: e.node.account?.name,
      })),
      ...p.reservations.edges.map((e) => ({
        id: e.node.id,
        cidr: e.node.cidr,
        kind: "reservation" as const,
        label: e.node.reason ?? "",
      })),
    ];
  }, [space.data]);
  return { space, items: list };
}
