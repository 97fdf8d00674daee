/**
 * Blocks: a pool split at a prefix length, computed lazily (never stored). The connection's cursor is the
 * block's first address, and `totalCount` is a string because an IPv6 pool holds more than 2^53 blocks.
 */
import { createUnionType, Field, Int, ObjectType, registerEnumType } from "type-graphql";
import type { OccupantRecord } from "../domain/blocks.js";
import { Allocation, toAllocation } from "./allocation.js";
import { PageInfo } from "./connection.js";
import { Pool, toPool } from "./pool.js";
import { Reservation, toReservation } from "./reservation.js";
import { CIDRScalar } from "./scalars.js";

export enum BlockStatus {
  FREE = "FREE",
  USED = "USED",
  PARTIAL = "PARTIAL",
  INSIDE = "INSIDE",
}
registerEnumType(BlockStatus, {
  name: "BlockStatus",
  description: "What occupies a block.",
  valuesConfig: {
    FREE: { description: "Nothing: the whole block is free." },
    USED: { description: "Exactly one allocation, reservation or child pool of the block's size." },
    PARTIAL: {
      description: "Smaller allocations, reservations or child pools, with free space between them.",
    },
    INSIDE: { description: "The block lies inside a larger allocation, reservation or child pool." },
  },
});

export const BlockOccupant = createUnionType({
  name: "BlockOccupant",
  description: "What occupies a block: a child pool, an allocation or a reservation.",
  types: () => [Pool, Allocation, Reservation] as const,
  resolveType: (value) => (value as { __typename: string }).__typename,
});

export function toBlockOccupant(o: OccupantRecord): typeof BlockOccupant {
  if (o.kind === "pool") return toPool(o.record);
  if (o.kind === "allocation") return toAllocation(o.record);
  return toReservation(o.record);
}

@ObjectType({ description: "One block of a pool split at a prefix length." })
export class Block {
  @Field(() => CIDRScalar, { description: "The block." })
  cidr!: string;

  @Field(() => Int, { description: "Prefix length of the block (the split length)." })
  prefixLength!: number;

  @Field(() => BlockStatus, { description: "FREE, USED, PARTIAL or INSIDE." })
  status!: BlockStatus;

  @Field(() => BlockOccupant, {
    nullable: true,
    description: "USED: the prefix that is the block; INSIDE: the larger prefix holding it; else null.",
  })
  occupant!: typeof BlockOccupant | null;

  @Field(() => [BlockOccupant], {
    description:
      "PARTIAL: the first 16 prefixes inside the block (address order); USED/INSIDE: the occupant.",
  })
  occupants!: (typeof BlockOccupant)[];

  @Field(() => Boolean, {
    description: "PARTIAL only: true when more prefixes lie inside than `occupants` lists.",
  })
  moreOccupants!: boolean;
}

@ObjectType({ description: "An edge of a Block connection." })
export class BlockEdge {
  @Field(() => String, { description: "The block's first address; pass it as `after` for the next page." })
  cursor!: string;

  @Field(() => Block, { description: "The block." })
  node!: Block;
}

@ObjectType({ description: "A page of a pool's blocks in address order (Relay cursor connection)." })
export class BlockConnection {
  @Field(() => [BlockEdge], { description: "The edges of this page." })
  edges!: BlockEdge[];

  @Field(() => PageInfo, { description: "Page information." })
  pageInfo!: PageInfo;

  @Field(() => String, {
    description: "Number of blocks with the requested statuses, as a decimal string (it may exceed 2^53).",
  })
  totalCount!: string | Promise<string>;
}
