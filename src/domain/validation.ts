/**
 * Input rules shared by every mutation, each written once: names, free text, tags, idempotency keys,
 * CIDRs and addresses, and ids that must name a live row. Plain values in, canonical values out; every
 * refusal is an `Invalid` (or `NotFound`, or `Conflict` for a RELEASED allocation) naming the input field, so
 * the GraphQL error says which field.
 *
 * Plain functions rather than zod schemas at the GraphQL edge: the same rules run for CSV import,
 * reconciliation (adoption), the CLI and domain tests, none of which pass through a resolver, and they
 * throw our own typed errors without a translation step.
 */
import {
  invalidInputMessage,
  maxLength,
  parseAddress,
  parsePrefix,
  type Prefix,
} from "../allocator/index.js";
import { accountById, type AccountRow } from "../db/accounts.js";
import { accountSummary, type AccountSummary } from "../db/allocations.js";
import { prefixById, type PrefixRow } from "../db/prefixes.js";
import type { Db } from "../db/store.js";
import { Conflict, Invalid, NotFound } from "./errors.js";
import { describePrefix, prefixRef } from "./placement.js";

/** C0 controls, DEL and C1 controls: never part of a name, key or tag key. */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
/** Free text may hold tabs and line breaks, but no other control character. */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

export const NAME_MAX = 255;
export const FREE_TEXT_MAX = 4096;
export const TAGS_MAX = 50;
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
export const IDEMPOTENCY_KEY_MAX = 255;

/** A required display name: trimmed, 1-255 characters, no control characters. */
export function requiredName(field: string, value: string): string {
  const name = value.trim();
  if (name.length === 0) throw new Invalid(field, `${field} must not be empty`);
  return checkName(field, name);
}

/** An optional name (allocations): trimmed; empty becomes null; otherwise as `requiredName`. */
export function optionalName(field: string, value: string | null | undefined): string | null {
  if (value == null) return null;
  const name = value.trim();
  return name.length === 0 ? null : checkName(field, name);
}

function checkName(field: string, name: string): string {
  if (name.length > NAME_MAX)
    throw new Invalid(field, `${field} is ${name.length} characters; the maximum is ${NAME_MAX}`);
  if (CONTROL_CHARACTERS.test(name)) throw new Invalid(field, `${field} must not contain control characters`);
  return name;
}

/** Optional free text (descriptions, reasons): trimmed, at most 4096 characters; empty becomes null. */
export function freeText(field: string, value: string | null | undefined): string | null {
  if (value == null) return null;
  const text = value.trim();
  if (text.length > FREE_TEXT_MAX)
    throw new Invalid(field, `${field} is ${text.length} characters; the maximum is ${FREE_TEXT_MAX}`);
  if (CONTROL_IN_TEXT.test(text))
    throw new Invalid(field, `${field} must not contain control characters other than tabs and line breaks`);
  return text.length ? text : null;
}

/**
 * Tags: an object of at most 50 string values; keys 1-128 characters, not blank, without control
 * characters; values at most 256 characters. Returned sorted by key.
 */
export function cleanTags(
  field: string,
  tags: Record<string, unknown> | null | undefined,
): Record<string, string> {
  if (tags == null) return {};
  if (typeof tags !== "object" || Array.isArray(tags))
    throw new Invalid(field, `${field} must be an object of string values, e.g. {"team": "net"}`);
  const entries = Object.entries(tags);
  if (entries.length > TAGS_MAX)
    throw new Invalid(field, `at most ${TAGS_MAX} tags (got ${entries.length})`, { count: entries.length });
  const out: Record<string, string> = {};
  for (const [k, v] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    tagKey(field, k);
    if (typeof v !== "string" || v.length > TAG_VALUE_MAX)
      throw new Invalid(field, `tag "${k}" must be a string of at most ${TAG_VALUE_MAX} characters`, {
        key: k,
      });
    out[k] = v;
  }
  return out;
}

/** A tag key: 1-128 characters, not blank, without control characters. */
export function tagKey(field: string, key: string): string {
  if (key.trim().length === 0 || key.length > TAG_KEY_MAX || CONTROL_CHARACTERS.test(key))
    throw new Invalid(
      field,
      `tag key ${JSON.stringify(key)} must be 1-${TAG_KEY_MAX} characters without control characters`,
      { key },
    );
  return key;
}

/** An optional idempotency key: 1-255 characters without control characters. */
export function idempotencyKey(field: string, key: string | null | undefined): string | null {
  if (key == null) return null;
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX || CONTROL_CHARACTERS.test(key))
    throw new Invalid(
      field,
      `${field} must be 1-${IDEMPOTENCY_KEY_MAX} characters without control characters`,
    );
  return key;
}

/** CIDR text as a prefix (the API's CIDR scalar already canonicalises; CSV and domain callers may pass anything). */
export function parseCidr(field: string, text: string): Prefix {
  try {
    return parsePrefix(text);
  } catch (e) {
    throw new Invalid(field, invalidInputMessage(text, "CIDR", e), { value: text });
  }
}

/** A single address as a host prefix (/32 or /128). */
export function parseHost(field: string, text: string): Prefix {
  try {
    const a = parseAddress(text);
    return { family: a.family, start: a.value, length: maxLength(a.family) };
  } catch (e) {
    throw new Invalid(field, invalidInputMessage(text, "IP address", e), { value: text });
  }
}

/** A live pool (pools are never released, but a released row is refused all the same), or NotFound naming `field`. */
export async function requirePool(db: Db, id: number, field: string): Promise<PrefixRow> {
  const row = await prefixById(db, id);
  if (!row || row.kind !== "pool" || row.releasedAt !== null) throw new NotFound("Pool", id, field);
  return row;
}

/** The account, or NotFound naming `field`. */
export async function requireAccount(db: Db, id: number, field: string): Promise<AccountRow> {
  const row = await accountById(db, id);
  if (!row) throw new NotFound("Account", id, field);
  return row;
}

/** The account fields the allocation rules read (4 columns: the allocate hot path), or NotFound naming `field`. */
export async function requireAccountSummary(db: Db, id: number, field: string): Promise<AccountSummary> {
  const row = await accountSummary(db, id);
  if (!row) throw new NotFound("Account", id, field);
  return row;
}

/** An allocation (live or RELEASED, not deleted), or NotFound naming `field`. */
export async function requireAllocation(db: Db, id: number, field: string): Promise<PrefixRow> {
  const row = await prefixById(db, id);
  // A soft-deleted allocation (issue #18) is gone for every operation but restore (of its pool or account).
  if (!row || row.kind !== "allocation" || row.deletedAt !== null)
    throw new NotFound("Allocation", id, field);
  return row;
}

/** A live allocation, or NotFound / CONFLICT (it is RELEASED: history) naming `field`. */
export async function requireLiveAllocation(db: Db, id: number, field: string): Promise<PrefixRow> {
  const row = await requireAllocation(db, id, field);
  if (row.releasedAt)
    throw new Conflict(`${describePrefix(row)} is RELEASED; released allocations are history`, {
      field,
      conflicting: prefixRef(row),
    });
  return row;
}
