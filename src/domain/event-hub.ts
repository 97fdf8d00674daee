/**
 * The in-process event hub: streams the event log to subscribers.
 *
 * One path serves replay and live streaming: every subscriber holds a cursor and reads "events after my
 * cursor" — from a shared in-memory tail of recent events when its cursor is inside it, from the table
 * otherwise. The hub refills that tail with ONE query after each commit in this process (store.onCommit)
 * and every `pollIntervalMs` (events committed by another process on the same database), then wakes the
 * subscribers. So a subscriber that replays from `after:` slides into live streaming with no gap and no
 * duplicate, and fan-out to N subscribers costs one query, not N.
 *
 * Ordering relies on commit order = id order: on SQLite writers are serialised (BEGIN IMMEDIATE); on
 * PostgreSQL every append goes through src/db/events.ts → events.pg.ts, which hands out ids under a lock
 * held until commit (src/db/README.md, "Events in commit order"), and other replicas' commits wake the hub
 * through their NOTIFY (an onCommit without notes: the hub reads the log).
 *
 * Slow consumers: a subscriber buffers at most `bufferSize` events and reads more only when its consumer
 * drains them, so it never holds the server's memory. One that falls more than `maxLag` events behind
 * the log is closed with a reason and the cursor to resume from.
 */
import { Counter, Gauge } from "prom-client";
import type { Store } from "../db/store.js";
import { eventsAfter, lastEventId, type EventRow } from "../db/events.js";
import { registry } from "../metrics.js";
import type { Logger } from "../logger.js";
import { CommittedEvent, toEventRecord, type EventRecord, type EventStreamFilter } from "./events.js";

const eventsCommitted = new Counter({
  name: "cloudpam_events_total",
  help: "Events committed to the event log (as read by this process's event hub), by type",
  labelNames: ["type"] as const,
  registers: [registry],
});

const subscribersConnected = new Gauge({
  name: "cloudpam_event_subscribers",
  help: "Event subscriptions currently streaming, by subscription field",
  labelNames: ["stream"] as const,
  registers: [registry],
});

const subscribersClosed = new Counter({
  name: "cloudpam_event_subscribers_closed_total",
  help: "Event subscriptions closed by the server because the consumer fell too far behind",
  labelNames: ["stream"] as const,
  registers: [registry],
});

export interface EventHubOptions {
  /** How often to look for events committed by other processes. */
  pollIntervalMs?: number;
  /** Recent events kept in memory for subscribers that are (nearly) caught up. */
  tailSize?: number;
  /** Events buffered per subscriber before it stops reading ahead. */
  bufferSize?: number;
  /** A subscriber more than this many events behind the log is closed (it can resume). */
  maxLag?: number;
}

/** Why the server ended a subscription, and where the client resumes (`after: cursor`). */
export interface SubscriptionClosed {
  kind: "closed";
  reason: string;
  /** Every event up to this id was delivered or did not match: resume with `after: cursor`. */
  cursor: number;
  lag: number;
}

export type StreamItem = EventRecord | SubscriptionClosed;

export function isSubscriptionClosed(item: StreamItem): item is SubscriptionClosed {
  return (item as SubscriptionClosed).kind === "closed";
}

const TABLE_PAGE = 500;

export class EventHub {
  /** Highest event id the hub has read. */
  private head = 0;
  /** All events with cursor `tailFrom` < id <= `head`, ascending. */
  private tail: EventRecord[] = [];
  private tailFrom = 0;
  private readonly subscribers = new Set<Subscriber>();
  private readonly listeners = new Set<() => void>();
  private scheduled = false;
  private fetching: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribeCommit: (() => void) | null = null;
  readonly options: Required<EventHubOptions>;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    options: EventHubOptions = {},
  ) {
    this.options = {
      pollIntervalMs: options.pollIntervalMs ?? 500,
      tailSize: options.tailSize ?? 10_000,
      bufferSize: options.bufferSize ?? 256,
      maxLag: options.maxLag ?? 10_000,
    };
  }

  async start(): Promise<void> {
    this.head = await this.store.read((db) => lastEventId(db));
    this.tailFrom = this.head;
    this.unsubscribeCommit = this.store.onCommit((notes) => this.committed(notes));
    this.timer = setInterval(() => this.schedule(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.unsubscribeCommit?.();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.fetching;
    for (const s of [...this.subscribers]) s.end();
  }

  /** The highest event id read so far. */
  get headId(): number {
    return this.head;
  }

  /** Called after each batch of new events (the webhook dispatcher uses it); returns unsubscribe. */
  onAdvance(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the log up to now, without waiting for the next poll (used after a write and in tests). */
  async refresh(): Promise<void> {
    this.schedule();
    while (this.scheduled || this.fetching) {
      await (this.fetching ?? new Promise((r) => setImmediate(r)));
    }
  }

  /**
   * Opens a stream of events after `after` (default: from now on) that match `filter`.
   * `stream` labels the subscriber metric.
   */
  async subscribe(
    filter: EventStreamFilter,
    after: number | null,
    stream: string,
  ): Promise<AsyncIterableIterator<StreamItem>> {
    const start = after ?? (await this.store.read((db) => lastEventId(db)));
    const sub = new Subscriber(this, filter, start, stream);
    this.subscribers.add(sub);
    subscribersConnected.inc({ stream });
    sub.wake();
    return sub;
  }

  /** @internal */
  remove(sub: Subscriber): void {
    if (this.subscribers.delete(sub)) subscribersConnected.dec({ stream: sub.stream });
  }

  /** Up to `limit` events after `cursor`: from the in-memory tail when it covers the cursor, else the table. */
  async readAfter(cursor: number, limit: number): Promise<{ rows: EventRecord[]; fromTable: boolean }> {
    if (cursor >= this.tailFrom) {
      const tail = this.tail;
      let lo = 0;
      let hi = tail.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (tail[mid]!.id <= cursor) lo = mid + 1;
        else hi = mid;
      }
      return { rows: tail.slice(lo, lo + limit), fromTable: false };
    }
    const rows = await this.store.read((db) => eventsAfter(db, cursor, Math.min(limit, TABLE_PAGE)));
    return { rows: rows.map(toEventRecord), fromTable: true };
  }

  /**
   * After a commit in this process: its events are taken as they were inserted, without reading them back,
   * when they follow the head directly (ids head+1, head+2, ...) and no read is under way or due; otherwise
   * (another process committed in between, or a read is running) the log is read as before. Either way each
   * event enters the tail once, in id order. Subscribers and listeners are told on the next turn of the event
   * loop, as after a read, never inside the committing write.
   */
  private committed(notes: readonly unknown[]): void {
    const rows: EventRow[] = [];
    for (const n of notes) if (n instanceof CommittedEvent) rows.push(n.row);
    rows.sort((a, b) => a.id - b.id);
    const contiguous = rows.length > 0 && rows.every((row, i) => row.id === this.head + 1 + i);
    if (!contiguous || this.fetching || this.scheduled) return this.schedule();
    for (const row of rows) {
      this.tail.push(toEventRecord(row));
      eventsCommitted.inc({ type: row.type });
    }
    this.head = rows[rows.length - 1]!.id;
    this.trimTail();
    if (this.notifying) return;
    this.notifying = true;
    setImmediate(() => {
      this.notifying = false;
      this.notify();
    });
  }

  private notifying = false;

  private trimTail(): void {
    if (this.tail.length > this.options.tailSize) {
      const drop = this.tail.length - this.options.tailSize;
      this.tailFrom = this.tail[drop - 1]!.id;
      this.tail = this.tail.slice(drop);
    }
  }

  private notify(): void {
    for (const s of this.subscribers) s.wake();
    for (const l of this.listeners) l();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.fetching) {
        this.again = true;
        return;
      }
      this.fetching = this.fetch().finally(() => (this.fetching = null));
    });
  }

  private async fetch(): Promise<void> {
    try {
      do {
        this.again = false;
        let advanced = false;
        for (;;) {
          const rows = await this.store.read((db) => eventsAfter(db, this.head, 1000));
          if (rows.length === 0) break;
          for (const row of rows) {
            this.tail.push(toEventRecord(row));
            eventsCommitted.inc({ type: row.type });
          }
          this.head = rows[rows.length - 1]!.id;
          advanced = true;
          if (rows.length < 1000) break;
        }
        this.trimTail();
        if (advanced) this.notify();
      } while (this.again);
    } catch (e) {
      // A closed store during shutdown, or a transient SQLITE_BUSY: the next commit or poll retries.
      this.logger.warn({ err: e }, "event hub could not read the event log");
    }
  }
}

/** One subscription: a cursor, a bounded buffer and a pump that refills it from the hub. */
class Subscriber implements AsyncIterableIterator<StreamItem> {
  private queue: EventRecord[] = [];
  private head = 0;
  private waiting: ((r: IteratorResult<StreamItem>) => void) | null = null;
  private pumping = false;
  private pumpAgain = false;
  private done = false;
  private closed: SubscriptionClosed | null = null;
  /** Events committed before this id do not count as lag (a replay from far back is not "behind"). */
  private readonly lagBase: number;

  constructor(
    private readonly hub: EventHub,
    private readonly filter: EventStreamFilter,
    private cursor: number,
    readonly stream: string,
  ) {
    this.lagBase = hub.headId;
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  next(): Promise<IteratorResult<StreamItem>> {
    if (this.head < this.queue.length) {
      const value = this.queue[this.head++]!;
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      }
      if (!this.done && this.cursor < this.hub.headId && this.buffered() <= this.hub.options.bufferSize / 2) {
        this.wake();
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.closed) {
      const value = this.closed;
      this.closed = null;
      return Promise.resolve({ value, done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /**
   * The events already buffered, taken without waiting: a burst that the server resolves through one
   * loader context (one statement per kind of nested object instead of one per event).
   */
  takeReady(): EventRecord[] {
    const ready = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    if (!this.done && this.cursor < this.hub.headId) this.wake();
    return ready;
  }

  return(): Promise<IteratorResult<StreamItem>> {
    this.end();
    this.queue = [];
    this.head = 0;
    this.closed = null;
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Stops reading; the consumer gets what is buffered, then the end of the stream. */
  end(): void {
    if (this.done) return;
    this.done = true;
    this.hub.remove(this);
    this.flush();
  }

  wake(): void {
    if (this.done) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    void this.pump();
  }

  private buffered(): number {
    return this.queue.length - this.head;
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        while (!this.done && this.buffered() < this.hub.options.bufferSize) {
          const { rows, fromTable } = await this.hub.readAfter(
            this.cursor,
            this.hub.options.bufferSize - this.buffered(),
          );
          if (rows.length === 0 || this.done) break;
          for (const e of rows) {
            this.cursor = e.id;
            if (this.filter.matches(e)) this.queue.push(e);
          }
          this.flush();
          // A long replay from the table yields between pages so it cannot starve other work.
          if (fromTable) await new Promise((r) => setImmediate(r));
        }
      } while (this.pumpAgain && !this.done);
      this.checkLag();
    } catch (e) {
      this.close(`the event log could not be read: ${(e as Error).message}`);
    } finally {
      this.pumping = false;
    }
  }

  private checkLag(): void {
    if (this.done || this.buffered() < this.hub.options.bufferSize) return;
    const lag = this.hub.headId - Math.max(this.cursor, this.lagBase);
    if (lag > this.hub.options.maxLag) {
      subscribersClosed.inc({ stream: this.stream });
      this.close(
        `subscriber fell ${lag} events behind (limit ${this.hub.options.maxLag}): ` +
          `resubscribe with after: "${this.cursor}" to continue without loss`,
        lag,
      );
    }
  }

  private close(reason: string, lag = 0): void {
    this.closed = { kind: "closed", reason, cursor: this.cursor, lag };
    this.end();
  }

  /** Hands the next item to a waiting consumer. */
  private flush(): void {
    const resolve = this.waiting;
    if (!resolve) return;
    this.waiting = null;
    void this.next().then(resolve);
  }
}
