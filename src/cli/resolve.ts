/**
 * Names → global ids for the everyday commands: a pool, scope or account can be given by its id or by
 * its name (an account also by its key). Ids stay opaque: `node(id:)` answers null for anything that is
 * not one, so each reference is tried as an id and as a name in one request. A name that several objects
 * share is a usage error listing the candidates with their ids.
 */
import { Refusal, UsageError, type GraphQLClient } from "./client.js";

const PAGE = 100;

export interface PoolRef {
  id: string;
  name: string;
  cidr: string;
  scope: { id: string; name: string };
}

export interface ScopeRef {
  id: string;
  name: string;
  isDefault: boolean;
}

export interface AccountRef {
  id: string;
  key: string;
  name: string;
}

interface Page<T> {
  edges: { node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const RESOLVE_POOL = /* GraphQL */ `
  query CliResolvePool($ref: ID!, $search: String!, $scopeId: ID, $first: Int!, $after: String) {
    node(id: $ref) {
      __typename
      ... on Pool {
        id
        name
        cidr
        scope {
          id
          name
        }
      }
    }
    pools(filter: { search: $search, scopeId: $scopeId }, first: $first, after: $after) {
      edges {
        node {
          id
          name
          cidr
          scope {
            id
            name
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const RESOLVE_SCOPES = /* GraphQL */ `
  query CliResolveScopes($first: Int!, $after: String) {
    scopes(first: $first, after: $after) {
      edges {
        node {
          id
          name
          isDefault
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const RESOLVE_ACCOUNT = /* GraphQL */ `
  query CliResolveAccount($ref: ID!, $search: String!, $first: Int!, $after: String) {
    node(id: $ref) {
      __typename
      ... on Account {
        id
        key
        name
      }
    }
    accounts(filter: { search: $search }, first: $first, after: $after) {
      edges {
        node {
          id
          key
          name
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

/** Reads every page of a connection (`fetchPage(after)` returns one page). */
async function allPages<T>(fetchPage: (after: string | null) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Page<T> = await fetchPage(after);
    items.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return items;
    after = page.pageInfo.endCursor;
  }
}

export async function resolveScope(client: GraphQLClient, ref: string): Promise<ScopeRef> {
  const scopes = await allPages(async (after) => {
    const data = await client.request<{ scopes: Page<ScopeRef> }>(RESOLVE_SCOPES, { first: PAGE, after });
    return data.scopes;
  });
  const match = scopes.find((s) => s.id === ref) ?? scopes.find((s) => s.name === ref);
  if (!match) {
    throw new Refusal(
      "NOT_FOUND",
      `no scope named "${ref}" (scopes: ${scopes.map((s) => s.name).join(", ")})`,
    );
  }
  return match;
}

/** A pool by id or exact name; `scopeId` narrows a name to one scope. */
export async function resolvePool(client: GraphQLClient, ref: string, scopeId?: string): Promise<PoolRef> {
  const byId: { pool?: PoolRef } = {};
  const byName = (
    await allPages(async (after) => {
      const data = await client.request<{
        node: (PoolRef & { __typename: string }) | null;
        pools: Page<PoolRef>;
      }>(RESOLVE_POOL, { ref, search: ref, scopeId: scopeId ?? null, first: PAGE, after });
      if (data.node?.__typename === "Pool") byId.pool = data.node;
      return data.pools;
    })
  ).filter((p) => p.name === ref);
  const found = byId.pool;
  if (found && (!scopeId || found.scope.id === scopeId)) return found;
  if (byName.length === 1) return byName[0]!;
  if (byName.length === 0 && found) {
    throw new Refusal(
      "NOT_FOUND",
      `pool ${ref} (${found.name}, ${found.cidr}) is in scope ${found.scope.name}, not the one given`,
    );
  }
  if (byName.length === 0) {
    throw new Refusal(
      "NOT_FOUND",
      `no pool named "${ref}"${scopeId ? " in that scope" : ""} (and no pool has that id)`,
    );
  }
  const candidates = byName.map((p) => `  ${p.id}  ${p.name}  ${p.cidr}  scope ${p.scope.name}`).join("\n");
  const scopes = new Set(byName.map((p) => p.scope.id)).size;
  throw new UsageError(
    `pool name "${ref}" is ambiguous: ${byName.length} pools have it; pass the id${scopes > 1 && !scopeId ? " or --scope" : ""}:\n${candidates}`,
  );
}

/** An account by id, key (`aws:123456789012`) or exact name. */
export async function resolveAccount(client: GraphQLClient, ref: string): Promise<AccountRef> {
  const byId: { account?: AccountRef } = {};
  const matches = await allPages(async (after) => {
    const data = await client.request<{
      node: (AccountRef & { __typename: string }) | null;
      accounts: Page<AccountRef>;
    }>(RESOLVE_ACCOUNT, { ref, search: ref, first: PAGE, after });
    if (data.node?.__typename === "Account") byId.account = data.node;
    return data.accounts;
  });
  const found = byId.account;
  if (found) return found;
  const byKey = matches.find((a) => a.key === ref);
  if (byKey) return byKey;
  const byName = matches.filter((a) => a.name === ref);
  if (byName.length === 1) return byName[0]!;
  if (byName.length === 0) throw new Refusal("NOT_FOUND", `no account with key, name or id "${ref}"`);
  throw new UsageError(
    `account name "${ref}" is ambiguous; pass its key:\n${byName.map((a) => `  ${a.key}  ${a.name}`).join("\n")}`,
  );
}
