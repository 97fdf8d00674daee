/**
 * API token rows. Await style, dialect-neutral (./README.md); the lookup of every authenticated request
 * (`tokenByPrefix`) stays prepared per connection on SQLite. test/postgres/tokens-db.test.ts runs this module on
 * both backends.
 */
import { and, asc, count, eq, isNull } from "drizzle-orm";
import { isPg } from "./dialect.js";
import { placeholder, preparedQuery } from "./prepared.js";
import { apiTokens } from "./schema.js";
import type { Db } from "./store.js";

export type TokenRow = typeof apiTokens.$inferSelect;

export async function insertToken(db: Db, row: typeof apiTokens.$inferInsert): Promise<TokenRow> {
  const [inserted] = await db.insert(apiTokens).values(row).returning();
  return inserted!;
}

/** The token with this public prefix (unique). O(log n). */
export async function tokenByPrefix(db: Db, prefix: string): Promise<TokenRow | undefined> {
  if (isPg(db)) return (await db.select().from(apiTokens).where(eq(apiTokens.prefix, prefix)).limit(1))[0];
  return preparedQuery<TokenRow>(db, "tokenByPrefix", (d) =>
    d
      .select()
      .from(apiTokens)
      .where(eq(apiTokens.prefix, placeholder("prefix"))),
  ).get({ prefix });
}

export async function tokenById(db: Db, id: number): Promise<TokenRow | undefined> {
  return (await db.select().from(apiTokens).where(eq(apiTokens.id, id)).limit(1))[0];
}

export async function tokenByName(db: Db, name: string): Promise<TokenRow | undefined> {
  return (await db.select().from(apiTokens).where(eq(apiTokens.name, name)).limit(1))[0];
}

export async function listTokens(db: Db): Promise<TokenRow[]> {
  return db.select().from(apiTokens).orderBy(asc(apiTokens.id));
}

export async function countActiveTokens(db: Db): Promise<number> {
  return (await db.select({ n: count() }).from(apiTokens).where(isNull(apiTokens.revokedAt)))[0]?.n ?? 0;
}

export async function markTokenUsed(db: Db, id: number, at: string): Promise<void> {
  await db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, id));
}

/** Sets revoked_at unless already revoked; the revoked row, or undefined (missing or already revoked). */
export async function revokeToken(db: Db, id: number, at: string): Promise<TokenRow | undefined> {
  return (
    await db
      .update(apiTokens)
      .set({ revokedAt: at })
      .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
      .returning()
  )[0];
}
