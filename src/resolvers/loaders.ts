/**
 * The per-request DataLoaders, one typed field per kind, created with the request's context
 * (`createLoaders(store)`), so caching never outlives a request (or a subscription burst).
 * Every `...ById` lookup of a resolver goes through these: the statements of a query do not grow
 * with its page size. Each loader maps to the API type with the mapper beside that type (src/schema).
 */
import DataLoader from "dataloader";
import type { Store } from "../db/store.js";
import type { PageArgs, Page } from "../db/pagination.js";
import { accountsById } from "../domain/accounts.js";
import { changeRequestsById } from "../domain/change-requests.js";
import { allocationsById } from "../domain/allocations.js";
import { cloudCidrsOf, cloudResourcesById, type CloudCidrRecord } from "../domain/cloud.js";
import { driftItemsById } from "../domain/drift.js";
import { eventsById } from "../domain/events.js";
import { poolsById } from "../domain/pools.js";
import { reservationsById } from "../domain/reservations.js";
import { scopesById } from "../domain/scopes.js";
import { countDeliveriesOf, deliveriesOf, webhooksById, type DeliveryInfo } from "../domain/webhooks.js";
import { toAccount, type Account } from "../schema/account.js";
import { toAllocation, type Allocation } from "../schema/allocation.js";
import { toChangeRequest, type ChangeRequest } from "../schema/change-request.js";
import { toCloudResource, type CloudResource } from "../schema/cloud.js";
import { toDriftItem, type DriftItem } from "../schema/drift.js";
import { toEvent, type Event } from "../schema/event.js";
import { toPool, type Pool } from "../schema/pool.js";
import { toReservation, type Reservation } from "../schema/reservation.js";
import { toScope, type Scope } from "../schema/scope.js";
import { toWebhook, type Webhook } from "../schema/webhook.js";

/** A loader by row id; null where the row does not exist. */
export type ByIdLoader<T> = DataLoader<number, T | null>;

export interface Loaders {
  pool: ByIdLoader<Pool>;
  account: ByIdLoader<Account>;
  scope: ByIdLoader<Scope>;
  allocation: ByIdLoader<Allocation>;
  reservation: ByIdLoader<Reservation>;
  cloudResource: ByIdLoader<CloudResource>;
  /** The CIDRs of each cloud resource (by resource row id). */
  cloudCidrs: DataLoader<number, CloudCidrRecord[]>;
  driftItem: ByIdLoader<DriftItem>;
  event: ByIdLoader<Event>;
  webhook: ByIdLoader<Webhook>;
  changeRequest: ByIdLoader<ChangeRequest>;
  /** Delivery attempts per webhook (by webhook row id). */
  webhookDeliveryCounts: DataLoader<number, number>;
  /** One page of delivery attempts per webhook; one loader per distinct page window. */
  webhookDeliveries(args: PageArgs, maxPageSize: number): DataLoader<number, Page<DeliveryInfo>>;
}

/** Maps the rows of a by-id batch function, keeping the nulls. */
function mapped<R, T>(
  batch: (store: Store, ids: readonly number[]) => Promise<(R | null)[]>,
  store: Store,
  map: (row: R) => T,
): ByIdLoader<T> {
  return new DataLoader<number, T | null>(async (ids) =>
    (await batch(store, ids)).map((r) => (r ? map(r) : null)),
  );
}

export function createLoaders(store: Store): Loaders {
  const deliveryPages = new Map<string, DataLoader<number, Page<DeliveryInfo>>>();
  return {
    pool: mapped(poolsById, store, toPool),
    account: mapped(accountsById, store, toAccount),
    scope: mapped(scopesById, store, toScope),
    allocation: mapped(allocationsById, store, toAllocation),
    reservation: mapped(reservationsById, store, toReservation),
    cloudResource: mapped(cloudResourcesById, store, toCloudResource),
    cloudCidrs: new DataLoader((ids) => cloudCidrsOf(store, ids)),
    driftItem: mapped(driftItemsById, store, toDriftItem),
    event: mapped(eventsById, store, toEvent),
    webhook: mapped(webhooksById, store, toWebhook),
    changeRequest: mapped(changeRequestsById, store, toChangeRequest),
    webhookDeliveryCounts: new DataLoader((ids) => countDeliveriesOf(store, ids)),
    webhookDeliveries(args, maxPageSize) {
      const key = JSON.stringify([args.first, args.after, args.last, args.before, maxPageSize]);
      let loader = deliveryPages.get(key);
      if (!loader) {
        loader = new DataLoader((ids) => deliveriesOf(store, ids, args, maxPageSize));
        deliveryPages.set(key, loader);
      }
      return loader;
    },
  };
}
