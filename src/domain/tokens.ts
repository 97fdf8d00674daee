/**
 * API tokens: `cpam_<prefix>_<secret>`. Shown once at creation; only a SHA-256 hash is stored, with the
 * short public prefix for lookup. Tokens carry a role and an optional expiry, and can be revoked.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Store } from "../db/store.js";
import {
  countActiveTokens,
  insertToken,
  listTokens as listTokenRows,
  markTokenUsed,
  revokeToken as revokeTokenRow,
  tokenById,
  tokenByName,
  tokenByPrefix,
  type TokenRow,
} from "../db/tokens.js";
import { Conflict, Invalid, NotFound } from "./errors.js";
import { appendEvent } from "./events.js";
import { isRole, type Actor, type Role } from "./roles.js";
import type { Caller } from "./caller.js";

/** Appended to every "bad credential" message: what a person does next. */
export const CREATE_TOKEN_HINT = "create a new token with `cloudpam token create`";

export interface TokenInfo {
  id: number;
  name: string;
  prefix: string;
  role: Role;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
  createdBy: string | null;
}

const TOKEN_RE = /^cpam_([a-z0-9]{10})_([A-Za-z0-9_-]{43})$/;

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function toInfo(row: TokenRow): TokenInfo {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role as Role,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
  };
}

/** Parses an expiry like "30d", "12h", "90m" or an ISO date into an ISO timestamp. */
export function parseExpiry(value: string, now = new Date()): string {
  const m = /^(\d+)([dhm])$/.exec(value.trim());
  if (m) {
    const ms = Number(m[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as "d" | "h" | "m"];
    return new Date(now.getTime() + ms).toISOString();
  }
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw new Invalid("expires", `"${value}" is not a duration (30d, 12h) or a date`);
  if (d.getTime() <= now.getTime()) throw new Invalid("expires", "the expiry must be in the future");
  return d.toISOString();
}

export interface CreatedToken {
  token: string;
  info: TokenInfo;
}

/** Creates a token; the plaintext is returned once and never stored. */
export async function createToken(
  store: Store,
  caller: Caller,
  input: { name: string; role: string; expiresAt?: string | null },
): Promise<CreatedToken> {
  const name = input.name.trim();
  if (!/^[\w.@-]{1,64}$/.test(name)) {
    throw new Invalid("name", "token names are 1-64 characters of letters, digits, '_', '-', '.', '@'");
  }
  if (!isRole(input.role))
    throw new Invalid("role", `unknown role "${input.role}"; use VIEWER, OPERATOR, ADMIN or AUDITOR`);
  if (input.expiresAt != null) {
    const at = new Date(input.expiresAt).getTime();
    if (Number.isNaN(at)) throw new Invalid("expiresAt", `"${input.expiresAt}" is not a date`);
    if (at <= Date.now()) throw new Invalid("expiresAt", "the expiry must be in the future");
  }
  const prefix = randomBytes(8).toString("hex").slice(0, 10);
  const token = `cpam_${prefix}_${randomBytes(32).toString("base64url")}`;
  return store.write(async (db) => {
    const existing = await tokenByName(db, name);
    if (existing) {
      throw new Conflict(`a token named "${name}" already exists`, {
        field: "name",
        conflicting: { type: "ApiToken", id: existing.id, name },
      });
    }
    const row = await insertToken(db, {
      name,
      prefix,
      hash: hashToken(token),
      role: input.role,
      expiresAt: input.expiresAt ?? null,
      createdBy: caller.actor.name,
      createdAt: new Date().toISOString(),
    });
    const info = toInfo(row);
    await appendEvent(db, caller, {
      type: "token.created",
      subjectType: "ApiToken",
      subjectId: row.id,
      after: info,
    });
    return { token, info };
  });
}

export async function listTokens(store: Store): Promise<TokenInfo[]> {
  return (await store.read((db) => listTokenRows(db))).map(toInfo);
}

type RevocationListener = (tokenId: number) => void;
const revocationListeners = new WeakMap<Store, Set<RevocationListener>>();

/**
 * Calls `listener` after each revocation committed through `store` in this process (the server ends
 * the token's open WebSocket sessions). Revocations by other processes are found by re-checking.
 */
export function onTokenRevoked(store: Store, listener: RevocationListener): () => void {
  let set = revocationListeners.get(store);
  if (!set) revocationListeners.set(store, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

/** Revokes by id or name. */
export async function revokeToken(
  store: Store,
  caller: Caller,
  idOrName: number | string,
): Promise<TokenInfo> {
  const info = await revokeTokenRowOnce(store, caller, idOrName);
  forgetVerified(store, info.id);
  for (const listener of revocationListeners.get(store) ?? []) listener(info.id);
  return info;
}

async function revokeTokenRowOnce(
  store: Store,
  caller: Caller,
  idOrName: number | string,
): Promise<TokenInfo> {
  return store.write(async (db) => {
    const row =
      typeof idOrName === "number" ? await tokenById(db, idOrName) : await tokenByName(db, idOrName);
    if (!row) throw new NotFound("ApiToken", idOrName);
    if (row.revokedAt) return toInfo(row);
    const revoked = (await revokeTokenRow(db, row.id, new Date().toISOString()))!;
    await appendEvent(db, caller, {
      type: "token.revoked",
      subjectType: "ApiToken",
      subjectId: row.id,
      before: toInfo(row),
      after: toInfo(revoked),
    });
    return toInfo(revoked);
  });
}

export async function hasActiveTokens(store: Store): Promise<boolean> {
  return (await store.read((db) => countActiveTokens(db))) > 0;
}

export type TokenCheck = { ok: true; actor: Actor; tokenId: number } | { ok: false; reason: string };

const lastUsedWrites = new Map<number, number>();
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Tokens verified recently, by the SHA-256 of the presented token (never the token itself): a hit skips the
 * lookup. An entry lives at most VERIFIED_TTL_MS and only while no other process has committed to the
 * database (Store.externalVersion), so a revocation by the CLI or another server is seen by the very next
 * request, exactly as without the cache; a revocation through this store deletes the token's entries at once;
 * expiry is checked on every hit. Only successes are kept.
 * On PostgreSQL the store has no externalVersion (store.pg.ts `pgSeam`), so there is no cache and every request
 * reads its token row: exact across replicas (test/postgres/tokens-db.test.ts). Invalidating by the commit
 * NOTIFY instead would not be exact: it arrives after the other replica's commit, and a request in between
 * would still accept the revoked token.
 */
interface Verified {
  tokenId: number;
  actor: Actor;
  expiresAtMs: number | null;
  cachedAtMs: number;
}
const VERIFIED_TTL_MS = 5_000;
const VERIFIED_MAX = 10_000;
interface VerifiedCache {
  /** The store's externalVersion the entries were read at. */
  version: number;
  /** Bumped by every revocation through this store: a lookup that overlapped one is not kept. */
  revocations: number;
  entries: Map<string, Verified>;
}
const verifiedCaches = new WeakMap<Store, VerifiedCache>();

function verifiedCache(store: Store): VerifiedCache | null {
  if (!store.externalVersion) return null;
  const version = store.externalVersion();
  let cache = verifiedCaches.get(store);
  if (!cache) verifiedCaches.set(store, (cache = { version, revocations: 0, entries: new Map() }));
  if (cache.version !== version) {
    cache.version = version;
    cache.entries.clear();
  }
  return cache;
}

function forgetVerified(store: Store, tokenId: number): void {
  const cache = verifiedCaches.get(store);
  if (!cache) return;
  cache.revocations++;
  for (const [hash, v] of cache.entries) if (v.tokenId === tokenId) cache.entries.delete(hash);
}

/** last-used is advisory: written at most once a minute per token, outside the request's critical path. */
function noteUsed(store: Store, tokenId: number, now: Date): void {
  const last = lastUsedWrites.get(tokenId) ?? 0;
  if (now.getTime() - last > LAST_USED_RESOLUTION_MS) {
    lastUsedWrites.set(tokenId, now.getTime());
    store.write((db) => markTokenUsed(db, tokenId, now.toISOString())).catch(() => undefined);
  }
}

/** Verifies a presented token: known, hash matches, not revoked, not expired. */
export async function verifyToken(store: Store, token: string, now = new Date()): Promise<TokenCheck> {
  const m = TOKEN_RE.exec(token);
  if (!m) return { ok: false, reason: "malformed token" };
  const hash = hashToken(token);
  const cache = verifiedCache(store);
  const hit = cache?.entries.get(hash);
  if (hit && now.getTime() - hit.cachedAtMs < VERIFIED_TTL_MS) {
    if (hit.expiresAtMs !== null && hit.expiresAtMs <= now.getTime()) {
      cache!.entries.delete(hash);
      return { ok: false, reason: "token expired" };
    }
    noteUsed(store, hit.tokenId, now);
    return { ok: true, tokenId: hit.tokenId, actor: { ...hit.actor } };
  }
  const revocations = cache?.revocations;
  const row = await store.read((db) => tokenByPrefix(db, m[1]!));
  if (!row) return { ok: false, reason: "unknown token" };
  const a = Buffer.from(row.hash, "hex");
  const b = Buffer.from(hash, "hex");
  if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, reason: "unknown token" };
  if (row.revokedAt) return { ok: false, reason: "token revoked" };
  const expiresAtMs = row.expiresAt ? new Date(row.expiresAt).getTime() : null;
  if (expiresAtMs !== null && expiresAtMs <= now.getTime()) return { ok: false, reason: "token expired" };
  noteUsed(store, row.id, now);
  const actor: Actor = { kind: "token", id: String(row.id), name: row.name, role: row.role as Role };
  if (cache && cache.revocations === revocations) {
    if (cache.entries.size >= VERIFIED_MAX) cache.entries.clear();
    cache.entries.set(hash, { tokenId: row.id, actor: { ...actor }, expiresAtMs, cachedAtMs: now.getTime() });
  }
  return { ok: true, tokenId: row.id, actor };
}

/** Whether a token is still valid (for long-lived WebSocket subscriptions). */
export async function tokenStillValid(store: Store, tokenId: number, now = new Date()): Promise<boolean> {
  const row = await store.read((db) => tokenById(db, tokenId));
  return !!row && !row.revokedAt && !(row.expiresAt && new Date(row.expiresAt).getTime() <= now.getTime());
}
