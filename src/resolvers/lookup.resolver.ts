/** `lookup(address | cidr)`: the containing chain in every scope ("who owns this IP?"). */
import { Arg, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { lookup } from "../domain/lookup.js";
import { LookupEntry, LookupResult, toLookupEntry } from "../schema/lookup.js";
import { Node } from "../schema/node.js";
import { CIDRScalar, IPAddressScalar } from "../schema/scalars.js";
import { Scope } from "../schema/scope.js";
import type { Context } from "./context.js";
import { loadNode } from "./nodes.js";

@Resolver(() => LookupResult)
export class LookupResolver {
  @Authorized("read")
  @Query(() => [LookupResult], {
    description:
      "Who owns an address (or CIDR): per scope, the live pools, allocations and reservations containing it, root pool first. Scopes without a match are left out.",
  })
  async lookup(
    @Arg("address", () => IPAddressScalar, {
      nullable: true,
      description: "An address, e.g. 10.1.2.3 (or pass cidr).",
    })
    address: string | null,
    @Arg("cidr", () => CIDRScalar, {
      nullable: true,
      description: "A CIDR, e.g. 10.1.2.0/24 (or pass address).",
    })
    cidr: string | null,
    @Ctx() ctx: Context,
  ): Promise<LookupResult[]> {
    const chains = await lookup(ctx.services.store, { address, cidr });
    return chains.map((c) => ({ scopeId: c.scopeId, chain: c.chain.map(toLookupEntry) }));
  }

  @FieldResolver(() => Scope, { description: "The scope of this chain." })
  async scope(@Root() result: LookupResult, @Ctx() ctx: Context): Promise<Scope> {
    return (await ctx.loaders.scope.load(result.scopeId))!;
  }
}

@Resolver(() => LookupEntry)
export class LookupEntryResolver {
  @FieldResolver(() => Node, {
    nullable: true,
    description: "The prefix as its own type (Pool, Allocation, Reservation), through `node(id:)`.",
  })
  node(@Root() entry: LookupEntry, @Ctx() ctx: Context): Promise<Node | null> {
    return loadNode(ctx, entry.id);
  }
}
