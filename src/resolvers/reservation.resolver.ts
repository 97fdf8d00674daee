/** reserve / unreserve, and Reservation.pool. */
import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { reservationsById, reserve, unreserve } from "../domain/reservations.js";
import { fromGlobalId } from "../schema/node.js";
import { Pool } from "../schema/pool.js";
import { poolLoader } from "./pool.resolver.js";
import {
  Reservation,
  ReserveInput,
  ReservePayload,
  UnreserveInput,
  UnreservePayload,
  toReservation,
} from "../schema/reservation.js";
import { callerOf, type Context } from "../server/context.js";
import { registerNodeType } from "./node.resolver.js";

/** The per-request Reservation loader: one query per batch of ids. */
export function reservationLoader(ctx: Context) {
  return ctx.loaders.for<number, Reservation>("reservation", async (ids) =>
    (await reservationsById(ctx.services.store, ids)).map((r) => r && toReservation(r)),
  );
}

registerNodeType("Reservation", (ctx, id) => reservationLoader(ctx).load(id));

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
  @Mutation(() => UnreservePayload, { description: "Removes a reservation; its range is free again." })
  async unreserve(
    @Arg("input", () => UnreserveInput, { description: "The reservation to remove." }) input: UnreserveInput,
    @Ctx() ctx: Context,
  ): Promise<UnreservePayload> {
    const { id } = fromGlobalId(input.id, "Reservation", "id");
    return { reservation: toReservation(await unreserve(ctx.services.store, callerOf(ctx), id)) };
  }

  @FieldResolver(() => Pool, { description: "The pool the range is held back in." })
  async pool(@Root() reservation: Reservation, @Ctx() ctx: Context): Promise<Pool> {
    return (await poolLoader(ctx).load(reservation.poolRowId))!;
  }
}
