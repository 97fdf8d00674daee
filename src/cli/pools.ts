/** `cloudpam pools list [--within CIDR]` and `cloudpam pool create`. */
import { Command, Option } from "commander";
import { UsageError, type GraphQLClient } from "./client.js";
import {
  action,
  collectTag,
  parseLength,
  usageExits,
  withCommonOptions,
  type CommonOptions,
} from "./command.js";
import { print, type Column } from "./output.js";
import { resolveAccount, resolvePool, resolveScope } from "./resolve.js";

const POOL_FIELDS = /* GraphQL */ `
  fragment CliPool on Pool {
    id
    name
    cidr
    family
    prefixLength
    status
    description
    tags
    scope {
      id
      name
    }
    parent {
      id
      name
    }
    account {
      id
      key
    }
    rules {
      minChildPrefixLength
      maxChildPrefixLength
      defaultChildPrefixLength
      allowedTiers
    }
  }
`;

export const LIST_POOLS = /* GraphQL */ `
  query CliListPools($filter: PoolFilter, $first: Int!, $after: String) {
    pools(filter: $filter, first: $first, after: $after) {
      totalCount
      edges {
        node {
          ...CliPool
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${POOL_FIELDS}
`;

export const CREATE_POOL = /* GraphQL */ `
  mutation CliCreatePool($input: CreatePoolInput!) {
    createPool(input: $input) {
      pool {
        ...CliPool
      }
    }
  }
  ${POOL_FIELDS}
`;

interface Pool {
  id: string;
  name: string;
  cidr: string;
  status: string;
  scope: { id: string; name: string };
  parent: { id: string; name: string } | null;
  account: { id: string; key: string } | null;
}

const POOL_COLUMNS: Column<Pool>[] = [
  { header: "id", cell: (p) => p.id },
  { header: "name", cell: (p) => p.name },
  { header: "cidr", cell: (p) => p.cidr },
  { header: "scope", cell: (p) => p.scope.name },
  { header: "parent", cell: (p) => p.parent?.name },
  { header: "account", cell: (p) => p.account?.key },
  { header: "status", cell: (p) => p.status },
];

const PAGE = 100;

interface ListOptions extends CommonOptions {
  within?: string;
  withinOrEqual?: string;
  scope?: string;
  parent?: string;
  search?: string;
}

async function listPools(client: GraphQLClient, opts: ListOptions): Promise<void> {
  const scopeId = opts.scope ? (await resolveScope(client, opts.scope)).id : undefined;
  const parentId = opts.parent ? (await resolvePool(client, opts.parent, scopeId)).id : undefined;
  const filter = {
    ...(opts.within ? { within: opts.within } : {}),
    ...(opts.withinOrEqual ? { withinOrEqual: opts.withinOrEqual } : {}),
    ...(scopeId ? { scopeId } : {}),
    ...(parentId ? { parentId } : {}),
    ...(opts.search ? { search: opts.search } : {}),
  };
  const pools: Pool[] = [];
  let after: string | null = null;
  for (;;) {
    const data: {
      pools: { edges: { node: Pool }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    } = await client.request(LIST_POOLS, { filter, first: PAGE, after });
    pools.push(...data.pools.edges.map((e) => e.node));
    if (!data.pools.pageInfo.hasNextPage || !data.pools.pageInfo.endCursor) break;
    after = data.pools.pageInfo.endCursor;
  }
  print(opts.output, pools, POOL_COLUMNS, pools);
}

interface CreateOptions extends CommonOptions {
  name: string;
  cidr?: string;
  parent?: string;
  prefixLength?: number;
  scope?: string;
  account?: string;
  status?: string;
  description?: string;
  tag?: Record<string, string>;
  minChildLength?: number;
  maxChildLength?: number;
  defaultChildLength?: number;
  allowedTiers?: string;
}

async function createPool(client: GraphQLClient, opts: CreateOptions): Promise<void> {
  if (!opts.cidr && !(opts.parent && opts.prefixLength !== undefined)) {
    throw new UsageError(
      "pool create needs --cidr, or --parent with --prefix-length (the parent's next free block)",
    );
  }
  const scopeId = opts.scope ? (await resolveScope(client, opts.scope)).id : undefined;
  const parentId = opts.parent ? (await resolvePool(client, opts.parent, scopeId)).id : undefined;
  const accountId = opts.account ? (await resolveAccount(client, opts.account)).id : undefined;
  const rules = {
    ...(opts.minChildLength !== undefined ? { minChildPrefixLength: opts.minChildLength } : {}),
    ...(opts.maxChildLength !== undefined ? { maxChildPrefixLength: opts.maxChildLength } : {}),
    ...(opts.defaultChildLength !== undefined ? { defaultChildPrefixLength: opts.defaultChildLength } : {}),
    ...(opts.allowedTiers
      ? {
          allowedTiers: opts.allowedTiers
            .split(",")
            .map((t) => t.trim().toUpperCase())
            .filter(Boolean),
        }
      : {}),
  };
  const input = {
    name: opts.name,
    ...(opts.cidr ? { cidr: opts.cidr } : {}),
    ...(parentId ? { parentId } : {}),
    ...(opts.prefixLength !== undefined ? { prefixLength: opts.prefixLength } : {}),
    // With a parent the scope is the parent's; --scope then only narrows the parent's name.
    ...(scopeId && !parentId ? { scopeId } : {}),
    ...(accountId ? { accountId } : {}),
    ...(opts.status ? { status: opts.status.toUpperCase() } : {}),
    ...(opts.description ? { description: opts.description } : {}),
    ...(opts.tag ? { tags: opts.tag } : {}),
    ...(Object.keys(rules).length ? { rules } : {}),
  };
  const data = await client.request<{ createPool: { pool: Pool } }>(CREATE_POOL, { input });
  const pool = data.createPool.pool;
  print(opts.output, pool, POOL_COLUMNS, [pool]);
}

export function registerPoolCommands(program: Command): void {
  const pools = usageExits(program.command("pools").description("list pools of a running server"));
  withCommonOptions(
    pools
      .command("list")
      .description("list pools in network order (every page)")
      .option("--within <cidr>", "only pools strictly inside this CIDR")
      .option("--within-or-equal <cidr>", "only pools inside or equal to this CIDR")
      .option("--scope <scope>", "only pools of this scope (name or id)")
      .option("--parent <pool>", "only direct children of this pool (name or id)")
      .option("--search <text>", "only pools whose name contains this (case-insensitive)"),
  ).action(action(listPools));

  const pool = usageExits(program.command("pool").description("change pools of a running server"));
  withCommonOptions(
    pool
      .command("create")
      .description(
        "create a pool: --cidr, or --parent with --prefix-length to carve the parent's next free block",
      )
      .requiredOption("--name <name>", "pool name")
      .option("--cidr <cidr>", "exact range (top-level, or inside --parent)")
      .option("--parent <pool>", "parent pool (name or id)")
      .option(
        "--prefix-length <n>",
        "with --parent: carve the parent's next free block of this length",
        parseLength,
      )
      .option("--scope <scope>", "scope (name or id) of a top-level pool; default: the default scope")
      .option("--account <account>", "owning account (key such as aws:123456789012, name or id)")
      .addOption(
        new Option("--status <status>", "lifecycle status (default ACTIVE)").choices([
          "ACTIVE",
          "PLANNED",
          "DEPRECATED",
        ]),
      )
      .option("--description <text>", "free-text description")
      .option("--tag <key=value>", "a tag (repeatable)", collectTag)
      .option("--min-child-length <n>", "rule: shortest prefix length handed out", parseLength)
      .option("--max-child-length <n>", "rule: longest prefix length handed out", parseLength)
      .option("--default-child-length <n>", "rule: prefix length used when a request gives none", parseLength)
      .option(
        "--allowed-tiers <tiers>",
        "rule: account tiers allowed to allocate, comma-separated (DEV,STG,SBX,PRD)",
      ),
  ).action(action(createPool));
}
