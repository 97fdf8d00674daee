/** How full a pool is. Address counts are decimal strings: an IPv6 pool holds more than 2^53 addresses. */
import { Field, Float, Int, ObjectType } from "type-graphql";
import { CIDRScalar } from "./scalars.js";

@ObjectType({ description: "Free maximal blocks of one prefix length (how fragmented the free space is)." })
export class FreeBlockCount {
  @Field(() => Int, { description: "Prefix length." })
  prefixLength!: number;

  @Field(() => Int, { description: "Number of free maximal blocks of this length." })
  count!: number;
}

@ObjectType({ description: "Utilisation of a pool, computed from counts (never by enumerating its space)." })
export class PoolUtilization {
  @Field(() => String, { description: "Addresses in the pool (decimal string)." })
  total!: string;

  @Field(() => String, { description: "Addresses in allocations and child pools (decimal string)." })
  used!: string;

  @Field(() => String, { description: "Addresses in reservations (decimal string)." })
  reserved!: string;

  @Field(() => String, { description: "Addresses neither used nor reserved (decimal string)." })
  free!: string;

  @Field(() => Float, { description: "(used + reserved) / total × 100, rounded to 4 decimals." })
  percent!: number;

  @Field(() => CIDRScalar, {
    nullable: true,
    description: "The largest free block (lowest address on a tie); null when full.",
  })
  largestFree!: string | null;

  @Field(() => [FreeBlockCount], {
    description: "Free maximal blocks per prefix length, ascending by length.",
  })
  freeBlocksByLength!: FreeBlockCount[];
}
