/** Relay `node(id:)` / `nodes(ids:)`: each domain registers how to fetch its type by id. */
import { Arg, Authorized, Ctx, ID, Query, Resolver } from "type-graphql";
import { Node, fromGlobalId } from "../schema/node.js";
import type { Context } from "../server/context.js";

type NodeFetcher = (ctx: Context, id: number) => Promise<Node | null>;
const fetchers = new Map<string, NodeFetcher>();

/** Called once per node type (at module load of its resolver) with a loader-backed fetcher. */
export function registerNodeType(type: string, fetch: NodeFetcher): void {
  fetchers.set(type, fetch);
}

export async function fetchNode(ctx: Context, globalId: string): Promise<Node | null> {
  let decoded;
  try {
    decoded = fromGlobalId(globalId);
  } catch {
    return null;
  }
  const fetch = fetchers.get(decoded.type);
  return fetch ? fetch(ctx, decoded.id) : null;
}

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
    return fetchNode(ctx, id);
  }

  @Authorized("read")
  @Query(() => [Node], { nullable: "items", description: "Fetches several objects by global id, in order." })
  nodes(
    @Arg("ids", () => [ID], { description: "Global ids (at most 500)." }) ids: string[],
    @Ctx() ctx: Context,
  ) {
    return Promise.all(ids.slice(0, 500).map((id) => fetchNode(ctx, id)));
  }
}
