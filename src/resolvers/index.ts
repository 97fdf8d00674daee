/** Every resolver class of the schema. Add a new domain's resolver here. */
import type { NonEmptyArray } from "type-graphql";
import { NodeResolver } from "./node.resolver.js";
import { ServerInfoResolver, ServerResolver } from "./server.resolver.js";
import { TokenResolver } from "./token.resolver.js";
import { AllocationEventResolver, EventResolver } from "./event.resolver.js";
import { WebhookResolver } from "./webhook.resolver.js";
import { ScopeResolver } from "./scope.resolver.js";
import { AccountPoolsResolver, PoolResolver } from "./pool.resolver.js";
import { AccountResolver } from "./account.resolver.js";
import { LookupEntryResolver, LookupResolver } from "./lookup.resolver.js";
import { AllocationPreviewResolver, AllocationResolver } from "./allocation.resolver.js";
import { ReservationResolver } from "./reservation.resolver.js";
import { AccountAllocationsResolver, PoolSpaceResolver } from "./pool-space.resolver.js";
import {
  AccountSpaceStatResolver,
  AnalyticsBlockResolver,
  AnalyticsResolver,
  PoolAllocationStatResolver,
} from "./analytics.resolver.js";
import { CsvResolver } from "./csv.resolver.js";
import { CloudResolver } from "./cloud.resolver.js";
import { DriftResolver } from "./drift.resolver.js";
import { PlanResolver } from "./plan.resolver.js";
import { ChangeRequestResolver } from "./change-request.resolver.js";
import { ViewerResolver } from "./viewer.resolver.js";
import { RestoreResolver } from "./restore.resolver.js";

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [
  ServerResolver,
  ServerInfoResolver,
  ViewerResolver,
  NodeResolver,
  TokenResolver,
  EventResolver,
  AllocationEventResolver,
  WebhookResolver,
  ScopeResolver,
  PoolResolver,
  AccountPoolsResolver,
  AccountResolver,
  LookupResolver,
  LookupEntryResolver,
  AnalyticsBlockResolver,
  AnalyticsResolver,
  PoolAllocationStatResolver,
  AccountSpaceStatResolver,
  CsvResolver,
  CloudResolver,
  DriftResolver,
  AllocationResolver,
  AllocationPreviewResolver,
  ReservationResolver,
  PoolSpaceResolver,
  AccountAllocationsResolver,
  PlanResolver,
  ChangeRequestResolver,
  RestoreResolver,
];
