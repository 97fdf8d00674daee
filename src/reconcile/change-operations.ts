/**
 * The operations a change request runs once approved (issue #18), and the gated entry points of the cloud
 * actuation mutations. Here rather than in src/domain because provisioning and deprovisioning live in this
 * layer (src/domain must not import it); the approval rules themselves are src/domain/change-requests.ts.
 */
import type { Caller } from "../domain/caller.js";
import {
  approveChange,
  performOrRequest,
  type ChangeOperations,
  type ChangeRequestRecord,
  type ChangeRequestSettings,
  type Gated,
} from "../domain/change-requests.js";
import { releaseAllocation } from "../domain/allocations.js";
import { deletePool } from "../domain/pools.js";
import {
  deprovisionSubnet,
  provisionSubnet,
  type DeprovisionInput,
  type DeprovisionResult,
  type ProvisionInput,
  type ProvisionResult,
} from "./actuation.js";
import type { ReconcileServices } from "./sync.js";

/** The provisioning arguments as stored on the request (everything but the allocation, its target). */
type StoredProvision = Pick<ProvisionInput, "vpc" | "region" | "zone" | "name">;

/** Each operation, replayed from its request through the store approval hands it. */
export function changeOperations(services: ReconcileServices): ChangeOperations {
  return {
    DELETE_POOL: (store, caller, r) => deletePool(store, caller, r.targetId, r.input.cascade === true),
    RELEASE_ALLOCATION: (store, caller, r) => releaseAllocation(store, caller, r.targetId),
    PROVISION_SUBNET: (store, caller, r) =>
      provisionSubnet({ ...services, store }, caller, {
        ...(r.input as unknown as StoredProvision),
        allocationId: r.targetId,
      }),
    DEPROVISION_SUBNET: (store, caller, r) =>
      deprovisionSubnet({ ...services, store }, caller, { allocationId: r.targetId, confirm: true }),
  };
}

/** approveChange with the operations of this server. */
export function approveChangeRequest(
  services: ReconcileServices,
  caller: Caller,
  id: number,
): Promise<ChangeRequestRecord> {
  return approveChange(services.store, caller, id, changeOperations(services));
}

/** provisionSubnet, or a PENDING change request when the allocation's scope requires approval of actuation. */
export function provisionOrRequest(
  services: ReconcileServices,
  caller: Caller,
  input: ProvisionInput,
  settings: ChangeRequestSettings,
): Promise<Gated<ProvisionResult>> {
  const { allocationId, ...stored } = input;
  return performOrRequest(
    services.store,
    caller,
    { operation: "PROVISION_SUBNET", targetId: allocationId, input: { ...stored } },
    settings,
    (store) => provisionSubnet({ ...services, store }, caller, input),
  );
}

/** deprovisionSubnet, or a PENDING change request (only once confirmed: an unconfirmed call is refused as always). */
export function deprovisionOrRequest(
  services: ReconcileServices,
  caller: Caller,
  input: DeprovisionInput,
  settings: ChangeRequestSettings,
): Promise<Gated<DeprovisionResult>> {
  // Unconfirmed: refused by deprovisionSubnet itself, as without a policy.
  if (input.confirm !== true)
    return deprovisionSubnet(services, caller, input).then((done) => ({ done, changeRequest: null }));
  return performOrRequest(
    services.store,
    caller,
    { operation: "DEPROVISION_SUBNET", targetId: input.allocationId, input: { confirm: true } },
    settings,
    (store) => deprovisionSubnet({ ...services, store }, caller, input),
  );
}
