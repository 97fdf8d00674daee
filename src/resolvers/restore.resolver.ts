/** restore: brings a soft-deleted pool, reservation or account back (issue #18). */
import { Arg, Authorized, Ctx, Mutation, Resolver } from "type-graphql";
import { Invalid } from "../domain/errors.js";
import { restore, retentionSettings, type RestorableType } from "../domain/soft-delete.js";
import { fromGlobalId } from "../schema/node.js";
import { RestoreInput, RestorePayload, toRestorePayload } from "../schema/restore.js";
import { callerOf, type Context } from "./context.js";

const RESTORABLE: readonly string[] = ["Pool", "Allocation", "Reservation", "Account"];

@Resolver()
export class RestoreResolver {
  @Authorized("operate")
  @Mutation(() => RestorePayload, {
    description:
      "Brings a deleted Pool, Reservation or Account back with everything its delete took (child pools, allocations, reservations; an account's allocations and detached pools), within RETENTION_DAYS, in one transaction with a `<kind>.restored` event per object. Needs the role of the delete (ADMIN for pools and accounts, OPERATOR for reservations). CONFLICT when something has taken its space since (details.conflicting), its parent pool is deleted, an account's key is in use again, or the id is of an object deleted with another one (details.deletedWith names it); NOT_FOUND once purged or past the retention.",
  })
  async restore(
    @Arg("input", () => RestoreInput, { description: "The deleted object." }) input: RestoreInput,
    @Ctx() ctx: Context,
  ): Promise<RestorePayload> {
    const { type, id } = fromGlobalId(input.id, undefined, "id");
    if (!RESTORABLE.includes(type))
      throw new Invalid("id", `a ${type} cannot be restored; pass the id of a Pool, Reservation or Account`);
    const result = await restore(
      ctx.services.store,
      callerOf(ctx),
      { type: type as RestorableType, id },
      retentionSettings(ctx.services.config),
    );
    return toRestorePayload(result);
  }
}
