/**
 * The ids a client sees, below every layer (like src/errors.ts) so that db, domain and the GraphQL edge share
 * one codec:
 * - Relay global ids ("Pool:42" in base64url) for the API, event snapshots and webhook bodies;
 * - event cursors (the event's integer id as a decimal string) for `events`, subscriptions and webhooks.
 */
import { Invalid, withArticle } from "./errors.js";

export function toGlobalId(type: string, id: number | string): string {
  return Buffer.from(`${type}:${id}`).toString("base64url");
}

/** Decodes a global id; with `expected`, refuses an id of another type. */
export function fromGlobalId(
  globalId: string,
  expected?: string,
  field = "id",
): { type: string; id: number } {
  const decoded = Buffer.from(globalId, "base64url").toString("utf8");
  const m = /^([A-Za-z]+):(\d+)$/.exec(decoded);
  if (!m) throw new Invalid(field, `"${globalId}" is not a valid id`);
  const type = m[1]!;
  if (expected && type !== expected) {
    throw new Invalid(
      field,
      `"${globalId}" is the id of ${withArticle(type)}, expected ${withArticle(expected)}`,
    );
  }
  return { type, id: Number(m[2]) };
}

/** The event cursor clients see: the integer id as a decimal string. */
export function eventCursor(id: number): string {
  return String(id);
}

/** Parses an event cursor (`"0"` = from the beginning of the log). */
export function parseEventCursor(cursor: string, field = "after"): number {
  if (!/^\d{1,15}$/.test(cursor.trim())) {
    throw new Invalid(field, `"${cursor}" is not an event cursor; use the \`cursor\` of an Event, or "0"`);
  }
  return Number(cursor.trim());
}
