/** restore (soft delete with undo, issue #18): its input and payload. */
import { Field, ID, InputType, ObjectType } from "type-graphql";
import type { RestoredObject, RestoreResult } from "../domain/soft-delete.js";
import { toAccount } from "./account.js";
import { toAllocation } from "./allocation.js";
import { Node } from "./node.js";
import { Pool, toPool } from "./pool.js";
import { toReservation } from "./reservation.js";

@InputType({ description: "What to restore." })
export class RestoreInput {
  @Field(() => ID, {
    description:
      "Global id of the deleted Pool, Reservation or Account (the object that was deleted; an allocation comes back with its pool or account).",
  })
  id!: string;
}

@ObjectType({ description: "What a restore brought back, live again as before its delete." })
export class RestorePayload {
  @Field(() => Node, { description: "The object named by input.id (a Pool, Reservation or Account)." })
  restored!: Node;

  @Field(() => [Node], {
    description:
      "What its delete took with it and came back with it (child pools, allocations and reservations; an account's allocations): pools outermost first, then the rest in address order. Released history comes back released.",
  })
  cascaded!: Node[];

  @Field(() => [Pool], {
    description:
      "An account restore: the pools its delete detached from it, attached again (those given another account since keep it).",
  })
  reattachedPools!: Pool[];
}

function toNode(o: RestoredObject): Node {
  switch (o.type) {
    case "Pool":
      return toPool(o.record);
    case "Allocation":
      return toAllocation(o.record);
    case "Reservation":
      return toReservation(o.record);
    case "Account":
      return toAccount(o.record);
  }
}

export function toRestorePayload(r: RestoreResult): RestorePayload {
  return {
    restored: toNode(r.restored),
    cascaded: r.cascaded.map(toNode),
    reattachedPools: r.reattachedPools.map(toPool),
  };
}
