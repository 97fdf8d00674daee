/**
 * Which representation of address ranges on PostgreSQL (#15)? 100,000 pools (65,536 IPv4 /24 in 10/8,
 * 34,464 IPv6 /48 in 2001:db8::/32) stored three ways, each with the index it needs:
 * - text COLLATE "C" start/end (the SQLite encoding: 32 hex digits), B-tree (family, start, end);
 * - bytea start/end (16 bytes), B-tree (family, start, end);
 * - cidr with a GiST inet_ops index.
 * Times one round trip of each query shape the API runs: within X first 100 (network order), contains
 * (lookup of an address: every ancestor pool) and overlaps. Needs PostgreSQL binaries (test/helpers/postgres.ts).
 */
import pg from "pg";
import { measure, type BenchResult } from "./harness.js";
import { postgresAvailability, startPostgres } from "../test/helpers/postgres.js";
import { ancestorStarts } from "../src/db/prefixes.js";
import { encodeAddress, parsePrefix, prefixLast } from "../src/allocator/index.js";

const availability = postgresAvailability();
if (!availability.available) process.exit(0);
const cluster = await startPostgres({ bin: availability.bin! });
const client = new pg.Client({ connectionString: await cluster.createDatabase("ranges") });
await client.connect();
try {
  await client.query(`
    CREATE TABLE src AS
      SELECT 4 AS family, 24 AS prefix_len,
             lpad(to_hex(167772160 + i * 256), 32, '0') AS s, lpad(to_hex(167772160 + i * 256 + 255), 32, '0') AS e,
             ('10.' || (i >> 8) || '.' || (i & 255) || '.0/24')::cidr AS c
        FROM generate_series(0, 65535) i
      UNION ALL
      SELECT 6, 48, '20010db8' || lpad(to_hex(j), 4, '0') || repeat('0', 20),
             '20010db8' || lpad(to_hex(j), 4, '0') || repeat('f', 20),
             ('2001:db8:' || to_hex(j) || '::/48')::cidr
        FROM generate_series(0, 34463) j;
    CREATE TABLE r_text (id serial PRIMARY KEY, family int NOT NULL, prefix_len int NOT NULL,
      range_start text COLLATE "C" NOT NULL, range_end text COLLATE "C" NOT NULL);
    INSERT INTO r_text (family, prefix_len, range_start, range_end) SELECT family, prefix_len, s, e FROM src;
    CREATE INDEX r_text_idx ON r_text (family, range_start, range_end);
    CREATE TABLE r_bytea (id serial PRIMARY KEY, family int NOT NULL, prefix_len int NOT NULL,
      range_start bytea NOT NULL, range_end bytea NOT NULL);
    INSERT INTO r_bytea (family, prefix_len, range_start, range_end)
      SELECT family, prefix_len, decode(s, 'hex'), decode(e, 'hex') FROM src;
    CREATE INDEX r_bytea_idx ON r_bytea (family, range_start, range_end);
    CREATE TABLE r_inet (id serial PRIMARY KEY, cidr cidr NOT NULL);
    INSERT INTO r_inet (cidr) SELECT c FROM src;
    CREATE INDEX r_inet_idx ON r_inet USING gist (cidr inet_ops);
    ANALYZE;
  `);
  const sizes = await client.query(
    "SELECT relname, pg_relation_size(oid) AS bytes FROM pg_class WHERE relname IN ('r_text_idx','r_bytea_idx','r_inet_idx') ORDER BY relname",
  );
  for (const r of sizes.rows)
    console.log(`${r.relname.padEnd(12)} ${(Number(r.bytes) / 1024).toFixed(0)} KiB`);

  const hex = (p: string) => {
    const x = parsePrefix(p);
    return { x, s: encodeAddress(x.start), e: encodeAddress(prefixLast(x)) };
  };
  const buf = (h: string) => Buffer.from(h, "hex");
  const results: BenchResult[] = [];
  const run = async (name: string, text: string, values: unknown[], expectRows?: number) => {
    const q = { name: name.replace(/\W+/g, "_"), text, values };
    const rows = (await client.query(q)).rowCount;
    if (expectRows !== undefined && rows !== expectRows)
      throw new Error(`${name}: ${rows} rows, expected ${expectRows}`);
    results.push(await measure(name, () => client.query(q), { iterations: 300, warmup: 50 }));
  };
  const withinRange = (t: string) =>
    `SELECT id FROM ${t} WHERE family = $1 AND range_start >= $2 AND range_end <= $3 AND prefix_len > $4 ORDER BY family, range_start, prefix_len, id LIMIT 101`;
  const contains = (t: string) =>
    `SELECT id FROM ${t} WHERE family = $1 AND range_start = ANY($2) AND range_end >= $3`;
  for (const [label, within, addr, fam, expectWithin] of [
    ["v4 /8", "10.0.0.0/8", "10.20.30.5/32", 4, 101],
    ["v4 /16", "10.20.0.0/16", "10.20.30.5/32", 4, 101],
    ["v6 /32", "2001:db8::/32", "2001:db8:1234::1/128", 6, 101],
  ] as const) {
    const w = hex(within);
    const a = hex(addr);
    const anc = ancestorStarts(a.x);
    await run(
      `text  within ${label} first 100`,
      withinRange("r_text"),
      [fam, w.s, w.e, w.x.length],
      expectWithin,
    );
    await run(
      `bytea within ${label} first 100`,
      withinRange("r_bytea"),
      [fam, buf(w.s), buf(w.e), w.x.length],
      expectWithin,
    );
    await run(
      `inet  within ${label} first 100`,
      "SELECT id FROM r_inet WHERE cidr << $1 ORDER BY cidr, id LIMIT 101",
      [within],
      expectWithin,
    );
    if (label !== "v4 /8") continue;
    for (const [l2, ad] of [
      ["v4", a],
      ["v6", hex("2001:db8:1234::1/128")],
    ] as const) {
      const f = l2 === "v4" ? 4 : 6;
      const starts = ancestorStarts(ad.x);
      await run(`text  lookup ${l2}`, contains("r_text"), [f, starts, ad.e], 1);
      await run(`bytea lookup ${l2}`, contains("r_bytea"), [f, starts.map(buf), buf(ad.e)], 1);
      await run(
        `inet  lookup ${l2}`,
        "SELECT id FROM r_inet WHERE cidr >>= $1",
        [l2 === "v4" ? "10.20.30.5/32" : "2001:db8:1234::1/128"],
        1,
      );
    }
    void anc;
  }
  console.log("query".padEnd(34), "median µs".padStart(10), "p99 µs".padStart(10));
  for (const r of results)
    console.log(r.name.padEnd(34), r.medianUs.toFixed(0).padStart(10), r.p99Us.toFixed(0).padStart(10));
} finally {
  await client.end();
  await cluster.destroy();
}
