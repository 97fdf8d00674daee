/**
 * The verified-token cache (#14): a repeated token costs no SQL, yet a revocation (through this store or by
 * another process on the same file) and an expiry are seen by the very next verification.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type Store } from "../../src/db/store.js";
import { createToken, revokeToken, verifyToken } from "../../src/domain/tokens.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";

let dir: string;
let store: Store;
let other: Store;
let statements: string[];
const caller = { actor: SYSTEM_ACTOR };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cloudpam-token-cache-"));
  statements = [];
  store = openStore({ dsn: join(dir, "db.sqlite"), onStatement: (s) => statements.push(s) });
  other = openStore({ dsn: join(dir, "db.sqlite") }); // stands for the CLI: another connection, own commits
});
afterEach(() => {
  other.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const lookups = () => statements.filter((s) => s.includes('from "api_tokens"')).length;

describe("verified-token cache", () => {
  it("answers a repeated token without a lookup, with the same actor", async () => {
    const { token, info } = await createToken(store, caller, { name: "t", role: "OPERATOR" });
    const first = await verifyToken(store, token);
    const before = lookups();
    const second = await verifyToken(store, token);
    expect(lookups()).toBe(before);
    expect(second).toEqual(first);
    expect(second).toMatchObject({ ok: true, tokenId: info.id, actor: { role: "OPERATOR", name: "t" } });
    // A wrong secret with the same public prefix is still looked up and refused.
    const forged = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    expect(await verifyToken(store, forged)).toEqual({ ok: false, reason: "unknown token" });
  });

  it("sees a revocation by another connection (another process) on the next request", async () => {
    const { token } = await createToken(store, caller, { name: "t", role: "ADMIN" });
    expect((await verifyToken(store, token)).ok).toBe(true);
    await revokeToken(other, caller, "t");
    expect(await verifyToken(store, token)).toEqual({ ok: false, reason: "token revoked" });
  });

  it("sees a revocation through this store on the next request", async () => {
    const { token } = await createToken(store, caller, { name: "t", role: "ADMIN" });
    expect((await verifyToken(store, token)).ok).toBe(true);
    await revokeToken(store, caller, "t");
    expect(await verifyToken(store, token)).toEqual({ ok: false, reason: "token revoked" });
  });

  it("checks expiry on every hit", async () => {
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const { token } = await createToken(store, caller, { name: "t", role: "VIEWER", expiresAt });
    expect((await verifyToken(store, token)).ok).toBe(true);
    const later = new Date(Date.now() + 61_000);
    expect(await verifyToken(store, token, later)).toEqual({ ok: false, reason: "token expired" });
  });
});
