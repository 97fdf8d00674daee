/** API token rows. */
import { and, asc, eq, isNull } from "drizzle-orm";
import { placeholder, preparedQuery } from "./prepared.js";
import { apiTokens } from "./schema.js";
import type { Db } from "./store.js";

export type TokenRow = typeof apiTokens.$inferSelect;

export function insertToken(db: Db, row: typeof apiTokens.$inferInsert): TokenRow {
  return db.insert(apiTokens).values(row).returning().get();
}

export function tokenByPrefix(db: Db, prefix: string): TokenRow | undefined {
  return preparedQuery<TokenRow>(db, "tokenByPrefix", (d) =>
    d
      .select()
      .from(apiTokens)
      .where(eq(apiTokens.prefix, placeholder("prefix"))),
  ).get({ prefix });
}

export function tokenById(db: Db, id: number): TokenRow | undefined {
  return db.select().from(apiTokens).where(eq(apiTokens.id, id)).get();
}

export function tokenByName(db: Db, name: string): TokenRow | undefined {
  return db.select().from(apiTokens).where(eq(apiTokens.name, name)).get();
}

export function listTokens(db: Db): TokenRow[] {
  return db.select().from(apiTokens).orderBy(asc(apiTokens.id)).all();
}

export function countActiveTokens(db: Db): number {
  return db.select({ id: apiTokens.id }).from(apiTokens).where(isNull(apiTokens.revokedAt)).all().length;
}

export function markTokenUsed(db: Db, id: number, at: string): void {
  db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, id)).run();
}

export function revokeToken(db: Db, id: number, at: string): TokenRow | undefined {
  return db
    .update(apiTokens)
    .set({ revokedAt: at })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .returning()
    .get();
}
