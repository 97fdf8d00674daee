/**
 * The event log: every change appends one event in the same transaction as the change.
 * Event types are `<subject>.<verb>`, e.g. `pool.created`, `allocation.released`, `drift.detected`.
 * The integer id is the global cursor of the audit log, of subscriptions and of webhooks.
 */
import { noteCommit, type Db, type Store } from "../db/store.js";
import {
  appendEventRows,
  countEvents,
  eventsByIds,
  eventsPage,
  lastEventId,
  type EventRow,
  type EventRowFilter,
} from "../db/events.js";
import { resolvePage, type Page, type PageArgs } from "../db/pagination.js";
import { actorLabel } from "./roles.js";
import type { Caller } from "./caller.js";
import { Invalid } from "./errors.js";
import { readSnapshot, toSnapshot, type Snapshot } from "./event-snapshots.js";
import { eventCursor, fromGlobalId, toGlobalId } from "../ids.js";

/** A change to record: the domain records of the object before and after it (row ids, as the domain has them). */
export interface EventInput {
  type: string;
  subjectType: string;
  subjectId: string | number;
  before?: object | null;
  after?: object | null;
}

/**
 * An event as the rest of the code sees it: snapshots at the current version (global ids, see
 * event-snapshots.ts), subject id as stored (numeric string).
 */
export interface EventRecord {
  id: number;
  type: string;
  actor: string;
  subjectType: string;
  subjectId: string;
  before: Snapshot | null;
  after: Snapshot | null;
  requestId: string | null;
  createdAt: string;
}

/**
 * Records `event` as done by `caller`; call it inside the write transaction of the change, after its other
 * writes (on PostgreSQL the event lock is held from here to the commit: src/db/README.md).
 */
export async function appendEvent(db: Db, caller: Caller, event: EventInput): Promise<EventRow> {
  const [row] = await appendEventRows(db, [eventRow(caller, event)]);
  noteCommit(db, new CommittedEvent(row!));
  return row!;
}

/** Records many events at once (in order), inside the write transaction of the change, after its other writes. */
export async function appendEvents(db: Db, caller: Caller, list: readonly EventInput[]): Promise<EventRow[]> {
  const rows = await appendEventRows(
    db,
    list.map((e) => eventRow(caller, e)),
  );
  for (const row of rows) noteCommit(db, new CommittedEvent(row));
  return rows;
}

/** An event row as inserted (RETURNING), noted for the commit listeners (the event hub). */
export class CommittedEvent {
  constructor(readonly row: EventRow) {}
}

function eventRow(caller: Caller, event: EventInput) {
  const before = toSnapshot(event.subjectType, event.before);
  const after = toSnapshot(event.subjectType, event.after);
  return {
    type: event.type,
    actor: actorLabel(caller.actor),
    subjectType: event.subjectType,
    subjectId: String(event.subjectId),
    before: before && JSON.stringify(before),
    after: after && JSON.stringify(after),
    requestId: caller.requestId ?? null,
    createdAt: new Date().toISOString(),
  };
}

export function toEventRecord(row: EventRow): EventRecord {
  return {
    id: row.id,
    type: row.type,
    actor: row.actor,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    before: row.before === null ? null : readSnapshot(row.subjectType, JSON.parse(row.before)),
    after: row.after === null ? null : readSnapshot(row.subjectType, JSON.parse(row.after)),
    requestId: row.requestId,
    createdAt: row.createdAt,
  };
}

/** The event cursor codec lives in src/ids.ts (below every layer); re-exported for the domain's callers. */
export { eventCursor, parseEventCursor } from "../ids.js";

const TYPE_RE = /^[a-z][a-z_]*(\.[a-z][a-z_]*|\.\*)$/;

/** A set of event type patterns: exact (`pool.created`) or per subject (`allocation.*`). */
export interface EventTypePatterns {
  exact: string[];
  prefixes: string[];
}

/** Validates type patterns; throws Invalid naming `field`. */
export function parseEventTypes(types: readonly string[], field = "types"): EventTypePatterns {
  const exact: string[] = [];
  const prefixes: string[] = [];
  for (const t of types) {
    if (!TYPE_RE.test(t)) {
      throw new Invalid(
        field,
        `"${t}" is not an event type; use "<subject>.<verb>" (e.g. "pool.created") or "<subject>.*"`,
        { value: t },
      );
    }
    if (t.endsWith(".*")) prefixes.push(t.slice(0, -1));
    else exact.push(t);
  }
  return { exact, prefixes };
}

/** Whether `type` matches the patterns; no patterns (null) matches every type. O(patterns). */
export function typeMatches(patterns: EventTypePatterns | null, type: string): boolean {
  if (!patterns) return true;
  return patterns.exact.includes(type) || patterns.prefixes.some((p) => type.startsWith(p));
}

/** Audit-log filter in domain terms (the subject as type + numeric id). */
export interface EventFilter {
  types?: readonly string[] | null;
  subject?: { type: string; id: number } | null;
  actor?: string | null;
  from?: Date | string | null;
  to?: Date | string | null;
}

function iso(value: Date | string | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw new Invalid(field, `"${String(value)}" is not an ISO-8601 date-time`);
  return d.toISOString();
}

function toRowFilter(filter: EventFilter): EventRowFilter {
  const from = iso(filter.from, "filter.from");
  const to = iso(filter.to, "filter.to");
  if (from && to && from >= to) throw new Invalid("filter.to", "`to` must be later than `from`");
  return {
    types: filter.types ? parseEventTypes(filter.types, "filter.types") : null,
    subjectType: filter.subject?.type ?? null,
    subjectId: filter.subject ? String(filter.subject.id) : null,
    actor: filter.actor ?? null,
    from,
    to,
  };
}

/** One page of the audit log (oldest first; `last` gives the newest); the count runs only on demand. */
export async function listEvents(
  store: Store,
  filter: EventFilter,
  args: PageArgs,
  maxPageSize: number,
): Promise<{ page: Page<EventRecord>; count: () => Promise<number> }> {
  const rowFilter = toRowFilter(filter);
  const resolved = resolvePage(args, maxPageSize);
  const rows = await store.read((db) => eventsPage(db, rowFilter, resolved));
  return {
    page: { ...rows, items: rows.items.map(toEventRecord) },
    count: () => store.read((db) => countEvents(db, rowFilter)),
  };
}

/**
 * The cursor of the newest committed event: a subscription started with it as `after` misses nothing that
 * commits later, even across a dropped connection (a client resumes from it before it has seen an event).
 */
export async function latestEventCursor(store: Store): Promise<string> {
  return eventCursor(await store.read((db) => lastEventId(db)));
}

/** Events by id, in the order asked (null where missing): the batch function of the Event loader. */
export async function eventsById(store: Store, ids: readonly number[]): Promise<(EventRecord | null)[]> {
  const rows = await store.read((db) => eventsByIds(db, ids));
  const byId = new Map(rows.map((r) => [r.id, toEventRecord(r)]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** Whether the event's before or after snapshot holds `globalId` in `field` (a move from A to B names both). */
function snapshotNames(e: EventRecord, field: string, globalId: string): boolean {
  return e.before?.[field] === globalId || e.after?.[field] === globalId;
}

/** A global id argument of `type` in its canonical spelling (null passes). */
function canonicalId(globalId: string | null | undefined, type: string, field: string): string | null {
  return globalId == null ? null : toGlobalId(type, fromGlobalId(globalId, type, field).id);
}

/** Which events a subscription streams. */
export interface EventStreamFilter {
  types: EventTypePatterns | null;
  matches(e: EventRecord): boolean;
}

/** `events(types)`: every event, or those of the given types. */
export function allEventsFilter(types: readonly string[] | null | undefined): EventStreamFilter {
  const patterns = types?.length ? parseEventTypes(types) : null;
  return { types: patterns, matches: (e) => typeMatches(patterns, e.type) };
}

/**
 * `allocationEvents(poolId, accountId)` (global ids): allocation.* events whose before or after snapshot
 * names the pool / account (an allocation moved from account A to B is reported to both).
 */
export function allocationEventsFilter(args: {
  poolId?: string | null;
  accountId?: string | null;
}): EventStreamFilter {
  const patterns = parseEventTypes(["allocation.*"]);
  const poolId = canonicalId(args.poolId, "Pool", "poolId");
  const accountId = canonicalId(args.accountId, "Account", "accountId");
  return {
    types: patterns,
    matches: (e) =>
      typeMatches(patterns, e.type) &&
      (poolId === null || snapshotNames(e, "poolId", poolId)) &&
      (accountId === null || snapshotNames(e, "accountId", accountId)),
  };
}

/** `driftEvents(accountId)` (a global id): drift.* events, optionally of one account. */
export function driftEventsFilter(args: { accountId?: string | null }): EventStreamFilter {
  const patterns = parseEventTypes(["drift.*"]);
  const accountId = canonicalId(args.accountId, "Account", "accountId");
  return {
    types: patterns,
    matches: (e) =>
      typeMatches(patterns, e.type) && (accountId === null || snapshotNames(e, "accountId", accountId)),
  };
}
