/**
 * The event log: every change appends one event in the same transaction as the change.
 * Event types are `<subject>.<verb>`, e.g. `pool.created`, `allocation.released`, `drift.detected`.
 */
import type { Db } from "../db/store.js";
import { insertEvent, type EventRow } from "../db/events.js";
import { actorLabel } from "./roles.js";
import type { Caller } from "./caller.js";

export interface EventInput {
  type: string;
  subjectType: string;
  subjectId: string | number;
  before?: unknown;
  after?: unknown;
}

/** Records `event` as done by `caller`; call it inside the write transaction of the change. */
export function appendEvent(db: Db, caller: Caller, event: EventInput): EventRow {
  return insertEvent(db, {
    type: event.type,
    actor: actorLabel(caller.actor),
    subjectType: event.subjectType,
    subjectId: String(event.subjectId),
    before: event.before === undefined || event.before === null ? null : JSON.stringify(event.before),
    after: event.after === undefined || event.after === null ? null : JSON.stringify(event.after),
    requestId: caller.requestId ?? null,
    createdAt: new Date().toISOString(),
  });
}
