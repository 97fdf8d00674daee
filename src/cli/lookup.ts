/** `cloudpam lookup 10.0.4.17` (or a CIDR): who holds an address, per scope, root pool first. */
import { Command } from "commander";
import { Refusal, type GraphQLClient } from "./client.js";
import { action, usageExits, withCommonOptions, type CommonOptions } from "./command.js";
import { print, type Column } from "./output.js";

export const LOOKUP = /* GraphQL */ `
  query CliLookup($address: IPAddress, $cidr: CIDR) {
    lookup(address: $address, cidr: $cidr) {
      scope {
        id
        name
      }
      chain {
        id
        kind
        cidr
        prefixLength
        name
        status
      }
    }
  }
`;

interface LookupResult {
  scope: { id: string; name: string };
  chain: { id: string; kind: string; cidr: string; name: string | null; status: string }[];
}

type Row = LookupResult["chain"][number] & { scope: string; depth: number };

const LOOKUP_COLUMNS: Column<Row>[] = [
  { header: "scope", cell: (r) => r.scope },
  { header: "kind", cell: (r) => r.kind },
  // Indented by depth, so the chain reads as a tree.
  { header: "cidr", cell: (r) => `${"  ".repeat(r.depth)}${r.cidr}` },
  { header: "name", cell: (r) => r.name },
  { header: "status", cell: (r) => r.status },
  { header: "id", cell: (r) => r.id },
];

async function lookup(client: GraphQLClient, opts: CommonOptions, target: string): Promise<void> {
  const variables = target.includes("/") ? { cidr: target } : { address: target };
  const data = await client.request<{ lookup: LookupResult[] }>(LOOKUP, variables);
  const rows = data.lookup.flatMap((r) => r.chain.map((e, depth) => ({ ...e, scope: r.scope.name, depth })));
  // Nothing holds it: exit 1 with NOT_FOUND, like grep without a match (JSON still prints the empty list).
  if (rows.length > 0 || opts.output === "json") print(opts.output, data.lookup, LOOKUP_COLUMNS, rows);
  if (rows.length === 0) throw new Refusal("NOT_FOUND", `no pool, allocation or reservation holds ${target}`);
}

export function registerLookupCommands(program: Command): void {
  withCommonOptions(
    usageExits(program.command("lookup"))
      .description("show the pools, allocation or reservation holding an address or CIDR, per scope")
      .argument("<address>", "an address (10.0.4.17, 2001:db8::1) or a CIDR"),
  ).action(action(lookup));
}
