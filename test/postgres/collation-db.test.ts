/**
 * Lists ordered by text (account names and keys, pool and scope names) come out in the same order on SQLite
 * (BINARY: bytewise) and on PostgreSQL, also on a database whose default collation is not "C" (an ICU
 * database, which sorts case- and accent-insensitively first): the sorted columns are `COLLATE "C"` in
 * drizzle/pg (schema.pg.ts `sortText`). Mixed case, accents, digits, punctuation and non-Latin scripts; pages
 * walked with keyset cursors both ways.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { postgresAvailability } from "../helpers/postgres.js";
import { bothBackends, type BothBackends } from "../helpers/both-backends.js";
import { openStore, type Store } from "../../src/db/store.js";
import { openPgStore, pgSeam, type PgStore } from "../../src/db/store.pg.js";
import { createAccount, listAccounts } from "../../src/domain/accounts.js";
import { createPool, listPools } from "../../src/domain/pools.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";

const availability = postgresAvailability();
const caller = { actor: SYSTEM_ACTOR };

const NAMES = [
  "beta",
  "Alpha",
  "alpha",
  "Éclair",
  "eclair",
  "zeta",
  "Zulu",
  "_under",
  "ärger",
  "10 net",
  "2 net",
  "Ωmega",
  "日本",
  "a-b",
  "ab",
];
/** Bytewise (UTF-8) order: what SQLite's BINARY collation gives. */
const bytewise = [...NAMES].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

async function populate(store: Store) {
  for (const [i, name] of NAMES.entries()) {
    await createAccount(store, caller, { key: `gcp:project-${name.length}-${i}`, name });
    await createPool(store, caller, { cidr: `10.${i}.0.0/16`, name });
  }
}

/** Every page of a list of `size`, forwards (first/after) or backwards (last/before), names in list order. */
async function walk(
  list: (args: { first?: number; after?: string; last?: number; before?: string }) => Promise<{
    items: { name: string | null }[];
    endCursor: string | null;
    startCursor: string | null;
    more: boolean;
  }>,
  backwards: boolean,
): Promise<string[]> {
  const out: string[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await list(backwards ? { last: 4, before: cursor } : { first: 4, after: cursor });
    out.push(page.items.map((x) => x.name ?? ""));
    if (!page.more) break;
    cursor = (backwards ? page.startCursor : page.endCursor) ?? undefined;
  }
  return backwards ? out.reverse().flat() : out.flat();
}

async function orders(store: Store) {
  const accounts = (backwards: boolean, descending = false) =>
    walk(async (args) => {
      const { page } = await listAccounts(store, {}, "name", descending, args, 100);
      return {
        items: page.items,
        endCursor: page.cursors.at(-1) ?? null,
        startCursor: page.cursors[0] ?? null,
        more: backwards ? page.hasPreviousPage : page.hasNextPage,
      };
    }, backwards);
  const pools = (backwards: boolean) =>
    walk(async (args) => {
      const { page } = await listPools(store, {}, "name", false, args, 100);
      return {
        items: page.items,
        endCursor: page.cursors.at(-1) ?? null,
        startCursor: page.cursors[0] ?? null,
        more: backwards ? page.hasPreviousPage : page.hasNextPage,
      };
    }, backwards);
  return {
    accounts: await accounts(false),
    accountsBackwards: await accounts(true),
    accountsDescending: await accounts(false, true),
    pools: await pools(false),
    poolsBackwards: await pools(true),
  };
}

describe.skipIf(!availability.available)("text order on both backends", () => {
  let both: BothBackends;
  let dir: string;
  const stores: PgStore[] = [];
  beforeAll(async () => {
    both = await bothBackends(availability.bin!);
    dir = mkdtempSync(join(tmpdir(), "cloudpam-collation-"));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await both?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("names sort bytewise on SQLite, on PostgreSQL, and on a PostgreSQL database with an ICU default collation", async () => {
    const sqlite = openStore({ dsn: join(dir, "a.db") });
    let expected;
    try {
      await populate(sqlite);
      expected = await orders(sqlite);
    } finally {
      await sqlite.close();
    }
    expect(expected.accounts).toEqual(bytewise);
    expect(expected.accountsBackwards).toEqual(bytewise);
    expect(expected.accountsDescending).toEqual([...bytewise].reverse());
    expect(expected.pools).toEqual(bytewise);
    expect(expected.poolsBackwards).toEqual(bytewise);

    // A database whose default collation is ICU's root locale ("alpha" < "Alpha" < "ärger" < "beta" …).
    const plain = await both.newDatabase();
    const admin = new pg.Client({ connectionString: plain });
    await admin.connect();
    const icuName = `icu_${process.pid}`;
    try {
      await admin.query(`CREATE DATABASE ${icuName} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'und'`);
      const check = await admin.query(`SELECT datlocprovider FROM pg_database WHERE datname = $1`, [icuName]);
      expect(check.rows[0]?.datlocprovider).toBe("i");
    } finally {
      await admin.end();
    }
    const icuUrl = plain.replace(/\/[^/?]+(\?|$)/, `/${icuName}$1`);
    // The ICU database really orders text differently by default, so the test can tell.
    const probe = new pg.Client({ connectionString: icuUrl });
    await probe.connect();
    try {
      const r = await probe.query<{ n: string }>(`SELECT n FROM unnest($1::text[]) AS t(n) ORDER BY n`, [
        NAMES,
      ]);
      expect(r.rows.map((x) => x.n)).not.toEqual(bytewise);
    } finally {
      await probe.end();
    }

    for (const url of [await both.newDatabase(), icuUrl]) {
      const s = await openPgStore({ url });
      stores.push(s);
      const store = pgSeam(s);
      await populate(store);
      expect(await orders(store)).toEqual(expected);
    }
  }, 120_000);
});
