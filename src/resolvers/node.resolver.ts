/** Relay `node(id:)` / `nodes(ids:)`, through the request's loaders (src/resolvers/loaders.ts). */
import { Arg, Authorized, Ctx, ID, Query, Resolver } from "type-graphql";
import { Node } from "../schema/node.js";
import { loadNode } from "./nodes.js";
import type { Context } from "./context.js";

@Resolver()
export class NodeResolver {
  @Authorized("read")
  @Query(() => Node, {
    nullable: true,
    description: "Fetches any object by its global id; null if it does not exist.",
  })
  node(
    @Arg("id", () => ID, { description: "A global id." }) id: string,
    @Ctx() ctx: Context,
  ): Promise<Node | null> {
    return loadNode(ctx, id);
  }

  @Authorized("read")
  @Query(() => [Node], { nullable: "items", description: "Fetches several objects by global id, in order." })
  nodes(
    @Arg("ids", () => [ID], { description: "Global ids (at most 500)." }) ids: string[],
    @Ctx() ctx: Context,
  ) {
    return Promise.all(ids.slice(0, 500).map((id) => loadNode(ctx, id)));
  }
}
