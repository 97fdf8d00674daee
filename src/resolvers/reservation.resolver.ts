/** reserve / unreserve, and Reservation.pool. */
import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { reserve, unreserve } from "../domain/reservations.js";
import { fromGlobalId } from "../schema/node.js";
import { Pool } from "../schema/pool.js";
import {
  Reservation,
  ReserveInput,
  ReservePayload,
  UnreserveInput,
  UnreservePayload,
  toReservation,
} from "../schema/reservation.js";
import { callerOf, type Context } from "./context.js";

@Resolver(() => Reservation)
export class ReservationResolver {
  @Authorized("operate")
  @Mutation(() => ReservePayload, {
    description: "Holds back a range of a pool (exactly `cidr`, or the next free block of `prefixLength`).",
  })
  async reserve(
    @Arg("input", () => ReserveInput, { description: "What to hold back." }) input: ReserveInput,
    @Ctx() ctx: Context,
  ): Promise<ReservePayload> {
    const record = await reserve(ctx.services.store, callerOf(ctx), {
      poolId: fromGlobalId(input.poolId, "Pool", "poolId").id,
      cidr: input.cidr,
      prefixLength: input.prefixLength,
      reason: input.reason,
    });
    return { reservation: toReservation(record) };
  }

  @Authorized("operate")
  @Mutation(() => UnreservePayload, {
    description:
      "Removes a reservation; its range is free again. The delete is soft: `restore` brings it back within RETENTION_DAYS while its range is still free.",
  })
  async unreserve(
    @Arg("input", () => UnreserveInput, { description: "The reservation to remove." }) input: UnreserveInput,
    @Ctx() ctx: Context,
  ): Promise<UnreservePayload> {
    const { id } = fromGlobalId(input.id, "Reservation", "id");
    return { reservation: toReservation(await unreserve(ctx.services.store, callerOf(ctx), id)) };
  }

  @FieldResolver(() => Pool, { description: "The pool the range is held back in." })
  async pool(@Root() reservation: Reservation, @Ctx() ctx: Context): Promise<Pool> {
    return (await ctx.loaders.pool.load(reservation.poolRowId))!;
  }
}
