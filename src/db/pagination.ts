/**
 * Relay cursor pagination over keyset cursors. A cursor is an opaque base64url encoding of the
 * sort key and id of the row it points at, so pages stay stable while rows are inserted.
 *
 * Usage in a repository (await style: the same code runs on SQLite and PostgreSQL; row-value comparisons
 * and ORDER BY are standard SQL on both):
 *   const page = resolvePage(args, maxPageSize);
 *   const rows = await db.select().from(t).where(and(filter, keysetWhere(page, t.name, t.id)))
 *     .orderBy(...keysetOrder(page, t.name, t.id)).limit(page.limit + 1);
 *   return toPage(page, rows, (r) => [r.name, r.id]);
 */
import { asc, desc, sql, type SQL, type AnyColumn } from "drizzle-orm";
import { Invalid } from "../errors.js";

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export type CursorKey = [string | number | null, number];

export interface ResolvedPage {
  /** forward = first/after, backward = last/before. */
  backward: boolean;
  limit: number;
  cursor: CursorKey | null;
  /** Sort direction requested by the caller for the whole list. */
  descending: boolean;
  hadCursor: boolean;
}

export interface Page<T> {
  items: T[];
  cursors: string[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export const DEFAULT_PAGE_SIZE = 50;

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

export function decodeCursor(cursor: string, field: string): CursorKey {
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[1] === "number") return v as CursorKey;
  } catch {
    /* fall through */
  }
  throw new Invalid(field, `"${cursor}" is not a cursor returned by this API`);
}

/** Validates first/last against the cap and decodes the cursor. */
export function resolvePage(args: PageArgs, maxPageSize: number, descending = false): ResolvedPage {
  if (args.first != null && args.last != null)
    throw new Invalid("last", "pass either first or last, not both");
  for (const field of ["first", "last"] as const) {
    const n = args[field];
    if (n != null && (n < 0 || n > maxPageSize || !Number.isInteger(n))) {
      throw new Invalid(
        field,
        `${field} must be between 0 and ${maxPageSize} (the maximum page size), got ${n}`,
        {
          maximum: maxPageSize,
        },
      );
    }
  }
  const backward = args.last != null || (args.before != null && args.first == null);
  const limit = (backward ? args.last : args.first) ?? Math.min(DEFAULT_PAGE_SIZE, maxPageSize);
  const raw = backward ? args.before : args.after;
  return {
    backward,
    limit,
    cursor: raw ? decodeCursor(raw, backward ? "before" : "after") : null,
    descending,
    hadCursor: !!raw,
  };
}

/** Row-value comparison against the cursor for the page's direction (SQLite >= 3.15, PostgreSQL). */
export function keysetWhere(page: ResolvedPage, sortCol: AnyColumn | SQL, idCol: AnyColumn): SQL | undefined {
  if (!page.cursor) return undefined;
  const [k, id] = page.cursor;
  const after = page.backward === page.descending;
  return after ? sql`(${sortCol}, ${idCol}) > (${k}, ${id})` : sql`(${sortCol}, ${idCol}) < (${k}, ${id})`;
}

/** ORDER BY for the page's direction; results of backward pages are reversed by `toPage`. */
export function keysetOrder(page: ResolvedPage, sortCol: AnyColumn | SQL, idCol: AnyColumn): SQL[] {
  const ascending = page.backward === page.descending;
  return ascending ? [asc(sortCol), asc(idCol)] : [desc(sortCol), desc(idCol)];
}

/** Turns `limit + 1` fetched rows into a page with cursors and page info. */
export function toPage<T>(page: ResolvedPage, rows: T[], keyOf: (row: T) => CursorKey): Page<T> {
  const more = rows.length > page.limit;
  const items = more ? rows.slice(0, page.limit) : rows;
  if (page.backward) items.reverse();
  return {
    items,
    cursors: items.map((r) => encodeCursor(keyOf(r))),
    hasNextPage: page.backward ? page.hadCursor : more,
    hasPreviousPage: page.backward ? more : page.hadCursor,
  };
}

// ---------------------------------------------------------------------------------------------------
// Multi-key keyset pagination: ORDER BY several keys, each ASC or DESC, then id ASC as the tie-breaker.
// The cursor holds the values of every sort key and the id, tagged with the order it belongs to.

/** One sort key: a non-null SQL expression (coalesce nullable columns) and its direction. */
export interface SortKey {
  expr: AnyColumn | SQL;
  descending: boolean;
}

export interface ResolvedKeysetPage {
  backward: boolean;
  limit: number;
  /** Values of the sort keys and then the id of the row the cursor points at. */
  cursor: (string | number)[] | null;
  hadCursor: boolean;
}

/** Encodes sort key values + id; `signature` names the ordering so a cursor of another order is refused. */
export function encodeKeysetCursor(signature: string, values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([signature, ...values])).toString("base64url");
}

/** Like `resolvePage`, for a cursor of `arity` sort keys (+ id) made under `signature`. */
export function resolveKeysetPage(
  args: PageArgs,
  maxPageSize: number,
  signature: string,
  arity: number,
): ResolvedKeysetPage {
  const base = resolvePage({ first: args.first, last: args.last, before: null, after: null }, maxPageSize);
  const backward = args.last != null || (args.before != null && args.first == null);
  const raw = backward ? args.before : args.after;
  const field = backward ? "before" : "after";
  let cursor: (string | number)[] | null = null;
  if (raw) {
    let v: unknown;
    try {
      v = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
    } catch {
      v = null;
    }
    const ok =
      Array.isArray(v) &&
      v.length === arity + 2 &&
      v[0] === signature &&
      v.slice(1).every((x) => typeof x === "string" || typeof x === "number");
    if (!ok)
      throw new Invalid(field, `"${raw}" is not a cursor returned by this list in this order`, {
        orderBy: signature,
      });
    cursor = (v as (string | number)[]).slice(1);
  }
  return { backward, limit: base.limit, cursor, hadCursor: !!raw };
}

/**
 * Rows strictly after (or, backward, before) the cursor in the order of `keys` then `id` ASC:
 * (k1 ≷ v1) OR (k1 = v1 AND k2 ≷ v2) OR … OR (all equal AND id ≷ vid).
 * The leading keys that share a direction are also bounded as one row value, (k1, …, km) ≥ (v1, …, vm),
 * which SQLite can use to seek an index instead of scanning from its start.
 */
export function multiKeysetWhere(
  page: ResolvedKeysetPage,
  keys: readonly SortKey[],
  idCol: AnyColumn,
): SQL | undefined {
  if (!page.cursor) return undefined;
  const all: SortKey[] = [...keys, { expr: idCol, descending: false }];
  const values = page.cursor;
  const greaterFor = (k: SortKey) => k.descending === page.backward;
  const branches: SQL[] = all.map((k, i) => {
    const cmp = greaterFor(k) ? sql`${k.expr} > ${values[i]}` : sql`${k.expr} < ${values[i]}`;
    const equalBefore = all.slice(0, i).map((e, j) => sql`${e.expr} = ${values[j]}`);
    return sql.join([...equalBefore, cmp], sql` AND `);
  });
  let run = 1;
  while (run < all.length && greaterFor(all[run]!) === greaterFor(all[0]!)) run++;
  const lead = sql.join(
    all.slice(0, run).map((k) => sql`${k.expr}`),
    sql`, `,
  );
  const leadValues = sql.join(
    values.slice(0, run).map((v) => sql`${v}`),
    sql`, `,
  );
  const bound = greaterFor(all[0]!) ? sql`(${lead}) >= (${leadValues})` : sql`(${lead}) <= (${leadValues})`;
  return sql`(${bound} AND (${sql.join(
    branches.map((b) => sql`(${b})`),
    sql` OR `,
  )}))`;
}

/** ORDER BY for a multi-key page (reversed for backward pages; `toKeysetPage` restores the order). */
export function multiKeysetOrder(
  page: ResolvedKeysetPage,
  keys: readonly SortKey[],
  idCol: AnyColumn,
): SQL[] {
  const all: SortKey[] = [...keys, { expr: idCol, descending: false }];
  return all.map((k) => (k.descending !== page.backward ? desc(k.expr) : asc(k.expr)));
}

/** Turns `limit + 1` fetched rows into a page; `keyOf` returns the sort key values then the id. */
export function toKeysetPage<T>(
  page: ResolvedKeysetPage,
  signature: string,
  rows: T[],
  keyOf: (row: T) => (string | number)[],
): Page<T> {
  const more = rows.length > page.limit;
  const items = more ? rows.slice(0, page.limit) : rows;
  if (page.backward) items.reverse();
  return {
    items,
    cursors: items.map((r) => encodeKeysetCursor(signature, keyOf(r))),
    hasNextPage: page.backward ? page.hadCursor : more,
    hasPreviousPage: page.backward ? more : page.hadCursor,
  };
}
