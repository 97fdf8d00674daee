/** `cloudpam allocate --pool NAME|ID --length N --account KEY` and `cloudpam release <id|cidr>`. */
import { Command, Option } from "commander";
import { Refusal, UsageError, type GraphQLClient } from "./client.js";
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

const ALLOCATION_FIELDS = /* GraphQL */ `
  fragment CliAllocation on Allocation {
    id
    cidr
    prefixLength
    name
    status
    description
    tags
    createdAt
    releasedAt
    pool {
      id
      name
      scope {
        id
        name
      }
    }
    account {
      id
      key
    }
  }
`;

export const ALLOCATE = /* GraphQL */ `
  mutation CliAllocate($input: AllocateInput!) {
    allocate(input: $input) {
      allocation {
        ...CliAllocation
      }
    }
  }
  ${ALLOCATION_FIELDS}
`;

export const RELEASE = /* GraphQL */ `
  mutation CliRelease($input: ReleaseAllocationInput!) {
    releaseAllocation(input: $input) {
      allocation {
        ...CliAllocation
      }
      changeRequest {
        id
        status
        expiresAt
      }
    }
  }
  ${ALLOCATION_FIELDS}
`;

/** The live allocation holding exactly a CIDR: the lookup chain's ALLOCATION entry of the same length. */
export const FIND_ALLOCATION = /* GraphQL */ `
  query CliFindAllocation($cidr: CIDR!) {
    lookup(cidr: $cidr) {
      scope {
        id
        name
      }
      chain {
        id
        kind
        cidr
        prefixLength
      }
    }
  }
`;

interface Allocation {
  id: string;
  cidr: string;
  name: string | null;
  status: string;
  pool: { id: string; name: string; scope: { id: string; name: string } };
  account: { id: string; key: string } | null;
}

const ALLOCATION_COLUMNS: Column<Allocation>[] = [
  { header: "id", cell: (a) => a.id },
  { header: "cidr", cell: (a) => a.cidr },
  { header: "name", cell: (a) => a.name },
  { header: "pool", cell: (a) => a.pool.name },
  { header: "scope", cell: (a) => a.pool.scope.name },
  { header: "account", cell: (a) => a.account?.key },
  { header: "status", cell: (a) => a.status },
];

interface AllocateOptions extends CommonOptions {
  pool: string;
  length?: number;
  cidr?: string;
  account: string;
  name?: string;
  idempotencyKey?: string;
  strategy?: string;
  description?: string;
  tag?: Record<string, string>;
  scope?: string;
}

async function allocate(client: GraphQLClient, opts: AllocateOptions): Promise<void> {
  if (opts.length === undefined && !opts.cidr) {
    throw new UsageError("allocate needs --length (e.g. --length 22) or --cidr");
  }
  if (opts.length !== undefined && opts.cidr) throw new UsageError("give --length or --cidr, not both");
  const scopeId = opts.scope ? (await resolveScope(client, opts.scope)).id : undefined;
  const pool = await resolvePool(client, opts.pool, scopeId);
  const account = await resolveAccount(client, opts.account);
  const input = {
    poolId: pool.id,
    accountId: account.id,
    ...(opts.length !== undefined ? { prefixLength: opts.length } : {}),
    ...(opts.cidr ? { cidr: opts.cidr } : {}),
    ...(opts.name ? { name: opts.name } : {}),
    ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
    ...(opts.strategy ? { strategy: opts.strategy } : {}),
    ...(opts.description ? { description: opts.description } : {}),
    ...(opts.tag ? { tags: opts.tag } : {}),
  };
  const data = await client.request<{ allocate: { allocation: Allocation } }>(ALLOCATE, { input });
  const allocation = data.allocate.allocation;
  print(opts.output, allocation, ALLOCATION_COLUMNS, [allocation]);
}

interface ReleaseOptions extends CommonOptions {
  scope?: string;
}

interface LookupChain {
  scope: { id: string; name: string };
  chain: { id: string; kind: string; cidr: string; prefixLength: number }[];
}

/** An allocation id, or the CIDR of a live allocation (`--scope` picks one when several scopes hold it). */
async function allocationIdOf(client: GraphQLClient, ref: string, scopeRef?: string): Promise<string> {
  if (!ref.includes("/")) return ref;
  const scope = scopeRef ? await resolveScope(client, scopeRef) : undefined;
  const length = Number(ref.slice(ref.indexOf("/") + 1));
  const { lookup } = await client.request<{ lookup: LookupChain[] }>(FIND_ALLOCATION, { cidr: ref });
  const found = lookup
    .filter((r) => !scope || r.scope.id === scope.id)
    .flatMap((r) =>
      r.chain
        .filter((e) => e.kind === "ALLOCATION" && e.prefixLength === length)
        .map((e) => ({ ...e, scope: r.scope })),
    );
  if (found.length === 0) {
    throw new Refusal("NOT_FOUND", `no live allocation is ${ref}${scope ? ` in scope ${scope.name}` : ""}`);
  }
  if (found.length > 1) {
    throw new UsageError(
      `${ref} is allocated in ${found.length} scopes; pass --scope or the allocation id:\n${found
        .map((e) => `  ${e.id}  ${e.cidr}  scope ${e.scope.name}`)
        .join("\n")}`,
    );
  }
  return found[0]!.id;
}

async function release(client: GraphQLClient, opts: ReleaseOptions, ref: string): Promise<void> {
  const id = await allocationIdOf(client, ref, opts.scope);
  const data = await client.request<{
    releaseAllocation: {
      allocation: Allocation | null;
      changeRequest: { id: string; status: string; expiresAt: string } | null;
    };
  }>(RELEASE, { input: { id } });
  const { allocation, changeRequest } = data.releaseAllocation;
  // The scope requires approval: nothing was released yet (issue #18).
  if (!allocation && changeRequest) {
    if (opts.output === "json") print(opts.output, { changeRequest }, [], []);
    else
      process.stdout.write(
        `release awaits approval: change request ${changeRequest.id} (${changeRequest.status}, expires ${changeRequest.expiresAt}); another principal approves it with approveChange\n`,
      );
    return;
  }
  print(opts.output, allocation, ALLOCATION_COLUMNS, [allocation!]);
}

export function registerAllocationCommands(program: Command): void {
  withCommonOptions(
    usageExits(program.command("allocate"))
      .description("take the next free block of a pool for an account")
      .requiredOption("--pool <pool>", "pool to allocate from (name or id)")
      .option("--length <n>", "prefix length of the block, e.g. 22", parseLength)
      .option("--cidr <cidr>", "exactly this range instead of the next free block")
      .requiredOption(
        "--account <account>",
        "account the range is for (key such as aws:123456789012, name or id)",
      )
      .option("--name <name>", "name, e.g. the VPC it is for")
      .option("--idempotency-key <key>", "a retry with the same key and input returns the first allocation")
      .addOption(
        new Option("--strategy <strategy>", "how to pick the block (default SMALLEST_FIT)").choices([
          "SMALLEST_FIT",
          "FIRST_FIT",
        ]),
      )
      .option("--description <text>", "free-text description")
      .option("--tag <key=value>", "a tag (repeatable)", collectTag)
      .option("--scope <scope>", "scope (name or id) in which to look up the pool name"),
  ).action(action(allocate));

  withCommonOptions(
    usageExits(program.command("release"))
      .description("give an allocation's range back to its pool (the allocation stays, RELEASED)")
      .argument("<allocation>", "allocation id, or the CIDR of a live allocation")
      .option("--scope <scope>", "scope (name or id) of the CIDR, when several scopes hold it"),
  ).action(action(release));
}
