/**
 * Relay global ids ("Pool:42" in base64url): the one codec for every id a client sees — the API, event
 * snapshots and webhook bodies. Below the schema so that domain code (snapshots, webhooks) can use it.
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
