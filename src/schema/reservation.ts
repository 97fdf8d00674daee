/** Reservations as the API shows them (Reservation implements Node); `pool` is resolved through the pool loader. */
import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import type { ReservationRecord } from "../domain/reservations.js";
import { ConnectionType } from "./connection.js";
import { Node, toGlobalId } from "./node.js";
import { CIDRScalar } from "./scalars.js";

@ObjectType({ implements: Node, description: "A range of a pool held back: never handed out by allocate." })
export class Reservation extends Node {
  __typename!: "Reservation";
  /** Row ids (not in the schema): for field resolvers and loaders. */
  rowId!: number;
  poolRowId!: number;

  @Field(() => CIDRScalar, { description: "The reserved range." })
  cidr!: string;

  @Field(() => Int, { description: "Prefix length of the range." })
  prefixLength!: number;

  @Field(() => String, { nullable: true, description: "Why the range is held back." })
  reason!: string | null;

  @Field(() => String, { nullable: true, description: "Who reserved it." })
  createdBy!: string | null;

  @Field(() => Date, { description: "When it was reserved." })
  createdAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description:
      "When the reservation was deleted; null unless it is (deleted objects are only listed with includeDeleted: true). `restore` brings it back within RETENTION_DAYS.",
  })
  deletedAt!: Date | null;

  @Field(() => String, {
    nullable: true,
    description: "Who deleted it (token or user); null unless deleted.",
  })
  deletedBy!: string | null;
}

export function toReservation(r: ReservationRecord): Reservation {
  return {
    __typename: "Reservation",
    id: toGlobalId("Reservation", r.id),
    rowId: r.id,
    poolRowId: r.poolId,
    cidr: r.cidr,
    prefixLength: r.prefixLength,
    reason: r.reason,
    createdBy: r.createdBy,
    createdAt: new Date(r.createdAt),
    deletedAt: r.deletedAt ? new Date(r.deletedAt) : null,
    deletedBy: r.deletedBy ?? null,
  };
}

export const ReservationConnection = ConnectionType("Reservation", Reservation);
export type ReservationConnection = InstanceType<typeof ReservationConnection>;

@InputType({ description: "What to hold back: exactly `cidr`, or the next free block of `prefixLength`." })
export class ReserveInput {
  @Field(() => ID, { description: "Global id of the pool." })
  poolId!: string;

  @Field(() => CIDRScalar, {
    nullable: true,
    description: "Exactly this range (it must be free in the pool).",
  })
  cidr?: string | null;

  @Field(() => Int, { nullable: true, description: "Prefix length of the next free block to hold back." })
  prefixLength?: number | null;

  @Field(() => String, { nullable: true, description: "Why the range is held back." })
  reason?: string | null;
}

@ObjectType({ description: "The reservation made." })
export class ReservePayload {
  @Field(() => Reservation, { description: "The reservation." })
  reservation!: Reservation;
}

@InputType({ description: "The reservation to remove." })
export class UnreserveInput {
  @Field(() => ID, { description: "Global id of the reservation." })
  id!: string;
}

@ObjectType({ description: "The removed reservation; its range is free again." })
export class UnreservePayload {
  @Field(() => Reservation, { description: "The reservation as it was." })
  reservation!: Reservation;
}
