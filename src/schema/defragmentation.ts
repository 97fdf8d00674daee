/**
 * Fragmentation advice: what stands in the way of a larger free block, and what moving or releasing it gains.
 * Computed on read (src/allocator/defragmentation.ts), never stored.
 */
import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { BlockOccupant } from "./block.js";
import { CIDRScalar } from "./scalars.js";

export enum DefragmentationAction {
  MOVE = "MOVE",
  RELEASE = "RELEASE",
}
registerEnumType(DefragmentationAction, {
  name: "DefragmentationAction",
  description: "How the blockers of a block get out of its way.",
  valuesConfig: {
    MOVE: { description: "They all fit elsewhere in the pool: `moves` says where." },
    RELEASE: {
      description:
        "They cannot all fit elsewhere in the pool (no placement exists): release them or move them to another pool.",
    },
  },
});

@ObjectType({ description: "One blocker's new place in the pool, outside the block being freed." })
export class DefragmentationMove {
  @Field(() => BlockOccupant, { description: "The allocation, reservation or child pool to move." })
  occupant!: typeof BlockOccupant;

  @Field(() => CIDRScalar, { description: "Where it is now." })
  from!: string;

  @Field(() => CIDRScalar, {
    description: "A free block of the same size outside `block` (placed largest first, smallest fit).",
  })
  to!: string;
}

@ObjectType({
  description:
    "One way to obtain a free block of a prefix length: the children in its way, ranked by how few must move.",
})
export class DefragmentationAdvice {
  @Field(() => CIDRScalar, { description: "The aligned block that would become free." })
  block!: string;

  @Field(() => Int, { description: "The block's prefix length (the length the advice was asked for)." })
  prefixLength!: number;

  @Field(() => [BlockOccupant], {
    description: "The allocations, reservations and child pools inside the block, in address order.",
  })
  blockers!: (typeof BlockOccupant)[];

  @Field(() => Int, { description: "How many children must move or be released (the ranking key)." })
  moveCount!: number;

  @Field(() => String, {
    description: "Addresses the blockers hold (decimal string; second ranking key, fewer first).",
  })
  addressesToMove!: string;

  @Field(() => DefragmentationAction, {
    description: "MOVE when every blocker fits elsewhere, else RELEASE.",
  })
  action!: DefragmentationAction;

  @Field(() => [DefragmentationMove], {
    description: "MOVE: where each blocker goes (blocker order); RELEASE: empty.",
  })
  moves!: DefragmentationMove[];

  @Field(() => CIDRScalar, {
    description: "The free block that holds `block` afterwards: it merges with free neighbours.",
  })
  freedBlock!: string;
}
