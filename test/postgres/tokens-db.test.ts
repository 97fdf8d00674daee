/**
 * src/db/tokens.ts in await style answers the same on SQLite and PostgreSQL, and token authentication stays
 * exact across replicas on PostgreSQL: there is no verified-token cache there (no externalVersion), so a token
 * revoked through one replica is refused by the other on the very next request.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresAvailability } from "../helpers/postgres.js";
import { bothBackends, type BothBackends } from "../helpers/both-backends.js";
import type { Db } from "../../src/db/store.js";
import { pgSeam } from "../../src/db/store.pg.js";
import {
  countActiveTokens,
  insertToken,
  listTokens,
  markTokenUsed,
  revokeToken,
  tokenById,
  tokenByName,
  tokenByPrefix,
} from "../../src/db/tokens.js";
import { createToken, hasActiveTokens, revokeToken as revoke, verifyToken } from "../../src/domain/tokens.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";

const availability = postgresAvailability();
const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const caller = { actor: SYSTEM_ACTOR };

async function exercise(db: Db) {
  const none = await countActiveTokens(db);
  const a = await insertToken(db, {
    name: "ci",
    prefix: "aaaaaaaaaa",
    hash: "00",
    role: "OPERATOR",
    createdAt: T(1),
  });
  const b = await insertToken(db, {
    name: "viewer",
    prefix: "bbbbbbbbbb",
    hash: "11",
    role: "VIEWER",
    expiresAt: T(99),
    createdBy: "alice",
    createdAt: T(2),
  });
  await markTokenUsed(db, a.id, T(5));
  const first = await revokeToken(db, b.id, T(6));
  const again = await revokeToken(db, b.id, T(7));
  const strip = (r: { id: number } | undefined) => (r ? { ...r, id: r.id - a.id } : null);
  return {
    none,
    byPrefix: strip(await tokenByPrefix(db, "aaaaaaaaaa")),
    byName: strip(await tokenByName(db, "viewer")),
    byId: strip(await tokenById(db, b.id)),
    missing: [
      (await tokenByPrefix(db, "zzzzzzzzzz")) ?? null,
      (await tokenByName(db, "zz")) ?? null,
      (await tokenById(db, a.id + 99)) ?? null,
    ],
    list: (await listTokens(db)).map((t) => t.name),
    revoked: [first?.revokedAt ?? null, again ?? null],
    active: await countActiveTokens(db),
  };
}

describe.skipIf(!availability.available)("token rows on both backends", () => {
  let both: BothBackends;
  beforeAll(async () => {
    both = await bothBackends(availability.bin!);
  }, 60_000);
  afterAll(async () => {
    await both?.stop();
  });

  it("answer the same on SQLite and PostgreSQL", async () => {
    const { sqlite, pg } = await both.run(exercise);
    expect(sqlite).toEqual({
      none: 0,
      byPrefix: expect.objectContaining({
        id: 0,
        name: "ci",
        role: "OPERATOR",
        lastUsedAt: T(5),
        revokedAt: null,
      }),
      byName: expect.objectContaining({ id: 1, expiresAt: T(99), createdBy: "alice", revokedAt: T(6) }),
      byId: expect.objectContaining({ id: 1, name: "viewer" }),
      missing: [null, null, null],
      list: ["ci", "viewer"],
      revoked: [T(6), null],
      active: 1,
    });
    expect(pg).toEqual(sqlite);
  });

  it("a token revoked through one PostgreSQL replica is refused by another at once", async () => {
    const url = await both.newDatabase();
    const [r1, r2] = [pgSeam(await both.pgStore(url)), pgSeam(await both.pgStore(url))];
    expect(r1.externalVersion).toBeUndefined();
    expect(await hasActiveTokens(r1)).toBe(false);
    const { token, info } = await createToken(r1, caller, { name: "ci-bot", role: "OPERATOR" });
    expect(await hasActiveTokens(r2)).toBe(true);
    for (let i = 0; i < 3; i++)
      expect(await verifyToken(r1, token)).toMatchObject({ ok: true, tokenId: info.id });
    await revoke(r2, caller, info.id);
    expect(await verifyToken(r1, token)).toEqual({ ok: false, reason: "token revoked" });
    expect(await verifyToken(r2, token)).toEqual({ ok: false, reason: "token revoked" });
  });
});
