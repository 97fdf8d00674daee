/** `viewer`: the request's authenticated caller (src/domain/roles.ts decides what its role may do). */
import { Authorized, Ctx, Query, Resolver } from "type-graphql";
import { toViewer, Viewer } from "../schema/viewer.js";
import { viewerOf } from "../domain/roles.js";
import { Unauthenticated } from "../domain/errors.js";
import type { Context } from "./context.js";

@Resolver()
export class ViewerResolver {
  // Not public: without a credential (AUTH=on) it is refused with HTTP 401 like every protected
  // field, which is how a client learns it must sign in. Every role holds `read`.
  @Authorized("read")
  @Query(() => Viewer, {
    description:
      "Who is calling: credential kind, name, role and what the role may do. Needs a credential (any role); with AUTH=off it answers the anonymous ADMIN.",
  })
  viewer(@Ctx() ctx: Context): Viewer {
    // @Authorized has refused a caller without a role before this runs.
    const viewer = viewerOf(ctx.actor);
    if (!viewer) throw new Unauthenticated("authentication required for viewer");
    return toViewer(viewer);
  }
}
