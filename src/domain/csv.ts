/**
 * CSV export and import of accounts, pools and allocations.
 *
 * Export: rows stream from a SQL cursor (src/db/csv.ts) and are formatted one at a time; regions and
 * allowed tiers are joined with "|", tags and settings are JSON, times are RFC 3339 UTC. The files
 * import back as they are.
 *
 * Import: headers are matched by common names ("CIDR Block" -> cidr, "Account ID" -> key, …), then
 * every row goes through the same domain function as the matching mutation (createAccount,
 * createPool, allocate), each in a savepoint of ONE write transaction. Every row is checked and every
 * failure reported ({row, field, column, message, code}); one failure, or dryRun, rolls all of it back.
 */
import { parse } from "csv-parse/sync";
import { formatPrefix, parsePrefix, type Prefix } from "../allocator/index.js";
import { accountByKey } from "../db/accounts.js";
import { containingLive } from "../db/prefixes.js";
import {
  accountsCursor,
  allocationsCursor,
  livePoolByPrefix,
  livePoolsNamed,
  poolsCursor,
  type Rows,
} from "../db/csv.js";
import { defaultScope, scopeByName } from "../db/scopes.js";
import { nestedStore, type Db, type Store } from "../db/store.js";
import { createAccount, parseAccountKey } from "./accounts.js";
import { allocate, releaseAllocation } from "./allocations.js";
import { toRowFilter, type AnalyticsFilter } from "./analytics.js";
import type { Caller } from "./caller.js";
import { DomainError, Invalid, type ErrorCode } from "./errors.js";
import { createPool } from "./pools.js";
import { parseCidr } from "./validation.js";

export type CsvKind = "accounts" | "pools" | "allocations";

// ---------------------------------------------------------------------------------------------------
// Export.

/** An export in progress: the header row, then one array of cells (strings, numbers, null) per row. */
export interface CsvExport {
  header: string[];
  /** A generator on SQLite, an async generator on PostgreSQL (src/db/csv.ts). */
  rows: Rows;
}

const JOINED_LISTS = new Set(["regions", "allowedTiers"]);

/** Header names: snake_case of the field names (what the import maps back). */
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The columns whose stored form differs from their CSV form; the rest pass as they are. */
function cellFormatter(column: string): ((value: unknown) => unknown) | null {
  if (JOINED_LISTS.has(column))
    return (v) => (v == null ? null : (JSON.parse(String(v)) as string[]).join("|"));
  if (column === "tags" || column === "settings") return (v) => (v === "{}" ? null : v);
  return null;
}

/**
 * Opens an export of one kind with the analytics filter (the table's status default does not apply:
 * an export holds every status unless `statuses` says otherwise). The caller must drain or `return()`
 * the rows so the cursor's connection closes.
 */
export async function exportCsv(store: Store, kind: CsvKind, filter: AnalyticsFilter): Promise<CsvExport> {
  const rowFilter = {
    ...toRowFilter(filter, false),
    statuses: filter.statuses?.length ? filter.statuses : null,
  };
  const cursor = await store.read((db) =>
    kind === "accounts"
      ? accountsCursor(store, db, rowFilter)
      : kind === "pools"
        ? poolsCursor(store, db, rowFilter)
        : allocationsCursor(store, db, rowFilter),
  );
  const columns = cursor.columns;
  const formatters = columns
    .map((c, i) => [i, cellFormatter(c)] as const)
    .filter((x): x is readonly [number, (v: unknown) => unknown] => x[1] !== null);
  // Rows are fresh arrays from the cursor: formatted in place; csv-stringify writes null as "".
  const format = (raw: unknown[]) => {
    for (const [i, f] of formatters) raw[i] = f(raw[i]);
    for (let i = 0; i < raw.length; i++) raw[i] = neutraliseFormula(raw[i]);
    return raw;
  };
  const source = cursor.rows;
  return {
    header: columns.map(snake),
    rows:
      Symbol.asyncIterator in source
        ? (async function* () {
            try {
              for await (const raw of source) yield format(raw);
            } finally {
              await source.return();
            }
          })()
        : (function* () {
            try {
              for (const raw of source) yield format(raw);
            } finally {
              source.return();
            }
          })(),
  };
}

/** Cells a spreadsheet would run as a formula (=, +, -, @, tab, CR first). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * CSV injection guard (OWASP): a text cell that a spreadsheet would evaluate gets a leading apostrophe
 * on export; import strips it again, so files round-trip. O(1) per cell.
 */
export function neutraliseFormula(cell: unknown): unknown {
  return typeof cell === "string" && FORMULA_START.test(cell) ? `'${cell}` : cell;
}

function restoreFormula(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}

// ---------------------------------------------------------------------------------------------------
// Import: header mapping.

/** Lowercase letters and digits only: "CIDR Block" -> "cidrblock", "account_id" -> "accountid". */
const normalise = (header: string) => header.toLowerCase().replace(/[^a-z0-9]/g, "");

/** Field -> accepted header names (normalised), in priority order: the first present one is used. */
const HEADERS: Record<CsvKind, Record<string, string[]>> = {
  accounts: {
    key: ["key", "accountkey", "accountid", "account", "projectid", "subscriptionid", "id"],
    provider: ["provider", "cloud", "cloudprovider"],
    name: ["name", "accountname", "displayname", "projectname"],
    description: ["description", "desc", "notes"],
    platform: ["platform", "team", "owner"],
    tier: ["tier"],
    environment: ["environment", "env"],
    regions: ["regions", "region"],
    settings: ["settings"],
    reconcilePolicy: ["reconcilepolicy", "policy"],
  },
  pools: {
    cidr: ["cidr", "cidrblock", "network", "prefix", "range", "block", "subnet"],
    name: ["name", "poolname"],
    parent: ["parent", "parentcidr", "parentpool", "parentname"],
    scope: ["scope", "scopename", "vrf"],
    status: ["status", "state"],
    account: ["account", "accountkey", "accountid", "key"],
    description: ["description", "desc", "notes"],
    tags: ["tags", "labels"],
    minChildPrefixLength: ["minchildprefixlength", "minchildlength", "minprefixlength"],
    maxChildPrefixLength: ["maxchildprefixlength", "maxchildlength", "maxprefixlength"],
    defaultChildPrefixLength: ["defaultchildprefixlength", "defaultchildlength", "defaultprefixlength"],
    allowedTiers: ["allowedtiers", "tiers"],
  },
  allocations: {
    cidr: ["cidr", "cidrblock", "network", "prefix", "range", "block", "subnet"],
    pool: ["pool", "parent", "poolcidr", "parentcidr", "poolname", "parentpool", "parentname"],
    scope: ["scope", "scopename", "vrf"],
    account: ["account", "accountkey", "accountid", "key"],
    name: ["name", "allocationname"],
    description: ["description", "desc", "notes"],
    status: ["status", "state"],
    tags: ["tags", "labels"],
  },
};

/** Columns the export writes that are not imported (set by the server, not by a client). */
const KNOWN_IGNORED = new Set(
  [
    "created_at",
    "updated_at",
    "released_at",
    "created_by",
    "resource_provider",
    "resource_type",
    "resource_id",
    "resource_region",
  ].map(normalise),
);

/** Whether a header names some field of the kind (an alias that lost to a higher-priority one is not "ignored"). */
const isKnownHeader = (kind: CsvKind, normalised: string) =>
  KNOWN_IGNORED.has(normalised) || Object.values(HEADERS[kind]).some((names) => names.includes(normalised));

const REQUIRED: Record<CsvKind, string[]> = {
  accounts: ["key"],
  pools: ["cidr"],
  allocations: ["cidr", "account"],
};

export interface ColumnMapping {
  column: string;
  field: string;
}

export interface CsvRowError {
  /** Spreadsheet row number: the header is row 1, the first data row is row 2. */
  row: number;
  /** The target field (e.g. "cidr"), or null for an error of the whole row. */
  field: string | null;
  /** The header of the column that holds the field, when there is one. */
  column: string | null;
  message: string;
  code: ErrorCode;
}

export interface ImportResult {
  kind: CsvKind;
  dryRun: boolean;
  /** Data rows read. */
  rows: number;
  /** Objects created (or, in a dry run or a failed import, that would have been created). */
  created: number;
  /** Whether the changes were written (no errors and not a dry run). */
  committed: boolean;
  columns: ColumnMapping[];
  ignoredColumns: string[];
  errors: CsvRowError[];
}

/** A row's values by field name (empty cells are absent). */
type Values = Map<string, string>;

class Rollback extends Error {}

/** Maps a domain error's input field to the CSV field it came from. */
const FIELD_OF_INPUT: Record<string, string> = {
  parentId: "parent",
  poolId: "pool",
  accountId: "account",
  scopeId: "scope",
  prefixLength: "cidr",
  "rules.minChildPrefixLength": "minChildPrefixLength",
  "rules.maxChildPrefixLength": "maxChildPrefixLength",
  "rules.defaultChildPrefixLength": "defaultChildPrefixLength",
  "rules.allowedTiers": "allowedTiers",
};

function splitList(text: string): string[] {
  return text
    .split(/[|,;]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Tags as a JSON object, or "k=v" pairs separated by ";" or "|". */
function parseTags(text: string): Record<string, unknown> {
  if (text.trim().startsWith("{")) {
    try {
      const v = JSON.parse(text) as unknown;
      if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      /* fall through */
    }
    throw new Invalid(
      "tags",
      `tags must be a JSON object or k=v pairs separated by ";", got ${JSON.stringify(text)}`,
    );
  }
  const out: Record<string, string> = {};
  for (const pair of text
    .split(/[;|]/)
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Invalid("tags", `tag "${pair}" is not k=v`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

function parseLength(field: string, text: string | undefined): number | null {
  if (text === undefined) return null;
  if (!/^\/?\d{1,3}$/.test(text))
    throw new Invalid(field, `${field} must be a prefix length like 24, got "${text}"`);
  return Number(text.replace("/", ""));
}

async function resolveScope(db: Db, v: Values): Promise<number> {
  const name = v.get("scope");
  if (!name) return (await defaultScope(db)).id;
  const scope = await scopeByName(db, name);
  if (!scope) throw new Invalid("scope", `no scope named "${name}"`);
  return scope.id;
}

async function resolveAccount(db: Db, field: string, key: string | undefined): Promise<number | null> {
  if (!key) return null;
  const account = await accountByKey(db, parseAccountKey(field, key).key);
  if (!account) throw new Invalid(field, `no account with key "${key}"`);
  return account.id;
}

/** A pool by CIDR or by (unique) name in a scope. */
async function resolvePool(db: Db, field: string, scopeId: number, ref: string): Promise<number> {
  let asPrefix: Prefix | null = null;
  try {
    asPrefix = parsePrefix(ref);
  } catch {
    asPrefix = null;
  }
  if (asPrefix) {
    const pool = await livePoolByPrefix(db, scopeId, asPrefix);
    if (!pool) throw new Invalid(field, `no pool ${formatPrefix(asPrefix)} in this scope`);
    return pool.id;
  }
  const named = await livePoolsNamed(db, scopeId, ref);
  if (named.length === 0) throw new Invalid(field, `no pool named "${ref}" in this scope`);
  if (named.length > 1)
    throw new Invalid(field, `several pools are named "${ref}"; refer to the pool by its CIDR instead`);
  return named[0]!.id;
}

/** The smallest live pool of the scope that holds p (where an allocation without a pool column goes). */
async function innermostPool(db: Db, scopeId: number, p: Prefix): Promise<number> {
  const chain = (await containingLive(db, scopeId, p)).filter(
    (r) => r.kind === "pool" && r.prefixLen < p.length,
  );
  const pool = chain[chain.length - 1];
  if (!pool)
    throw new Invalid("cidr", `no pool in this scope contains ${formatPrefix(p)}; add a pool column`);
  return pool.id;
}

/** Creates one row's object through the domain function of its mutation. */
async function importRow(kind: CsvKind, nested: Store, db: Db, caller: Caller, v: Values): Promise<void> {
  if (kind === "accounts") {
    let key = v.get("key")!;
    const provider = v.get("provider");
    // A bare id takes the Provider column's prefix; a bare 12-digit id is an AWS account id.
    if (!key.includes(":")) {
      if (provider) key = `${provider.toLowerCase()}:${key}`;
      else if (/^\d{12}$/.test(key)) key = `aws:${key}`;
    }
    let settings: Record<string, unknown> | null = null;
    if (v.has("settings")) {
      try {
        settings = JSON.parse(v.get("settings")!) as Record<string, unknown>;
      } catch {
        throw new Invalid("settings", "settings must be a JSON object");
      }
    }
    await createAccount(nested, caller, {
      key,
      name: v.get("name") ?? "",
      description: v.get("description"),
      platform: v.get("platform"),
      tier: v.get("tier")?.toUpperCase(),
      environment: v.get("environment"),
      regions: v.has("regions") ? splitList(v.get("regions")!) : null,
      settings,
      reconcilePolicy: v.get("reconcilePolicy")?.toUpperCase(),
    });
    return;
  }
  const scopeId = await resolveScope(db, v);
  if (kind === "pools") {
    const cidr = formatPrefix(parseCidr("cidr", v.get("cidr")!));
    const parent = v.get("parent");
    await createPool(nested, caller, {
      scopeId,
      parentId: parent ? await resolvePool(db, "parent", scopeId, parent) : null,
      cidr,
      name: v.get("name") ?? cidr,
      description: v.get("description"),
      status: v.get("status")?.toUpperCase(),
      accountId: await resolveAccount(db, "account", v.get("account")),
      tags: v.has("tags") ? parseTags(v.get("tags")!) : null,
      rules: {
        minChildPrefixLength: parseLength("minChildPrefixLength", v.get("minChildPrefixLength")),
        maxChildPrefixLength: parseLength("maxChildPrefixLength", v.get("maxChildPrefixLength")),
        defaultChildPrefixLength: parseLength("defaultChildPrefixLength", v.get("defaultChildPrefixLength")),
        allowedTiers: v.has("allowedTiers")
          ? splitList(v.get("allowedTiers")!).map((t) => t.toUpperCase())
          : null,
      },
    });
    return;
  }
  const p = parseCidr("cidr", v.get("cidr")!);
  const pool = v.get("pool");
  const status = (v.get("status") ?? "ALLOCATED").toUpperCase();
  if (status !== "ALLOCATED" && status !== "RELEASED")
    throw new Invalid("status", `status must be ALLOCATED or RELEASED, got "${v.get("status")}"`);
  const created = await allocate(nested, caller, {
    poolId: pool ? await resolvePool(db, "pool", scopeId, pool) : await innermostPool(db, scopeId, p),
    cidr: formatPrefix(p),
    accountId: (await resolveAccount(db, "account", v.get("account")))!,
    name: v.get("name"),
    description: v.get("description"),
    tags: v.has("tags") ? parseTags(v.get("tags")!) : null,
  });
  // Released history imports as history: allocated, then released in the same savepoint.
  if (status === "RELEASED") await releaseAllocation(nested, caller, created.id);
}

/** Parses, maps and imports a CSV document; see the module comment. */
export async function importCsv(
  store: Store,
  caller: Caller,
  input: { kind: CsvKind; csv: string; dryRun: boolean },
): Promise<ImportResult> {
  const { kind, dryRun } = input;
  const result: ImportResult = {
    kind,
    dryRun,
    rows: 0,
    created: 0,
    committed: false,
    columns: [],
    ignoredColumns: [],
    errors: [],
  };
  let records: string[][];
  try {
    records = parse(input.csv, {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      cast: (value) => restoreFormula(value),
    }) as string[][];
  } catch (e) {
    const err = e as Error & { lines?: number };
    result.errors.push({
      row: err.lines ?? 1,
      field: null,
      column: null,
      message: `not valid CSV: ${err.message}`,
      code: "BAD_USER_INPUT",
    });
    return result;
  }
  const [header, ...data] = records;
  if (!header) {
    result.errors.push({
      row: 1,
      field: null,
      column: null,
      message: "the file is empty; expected a header row",
      code: "BAD_USER_INPUT",
    });
    return result;
  }
  result.rows = data.length;

  // Header mapping: for each field the first accepted name present wins.
  const byName = new Map<string, number>();
  header.forEach((h, i) => {
    const n = normalise(h);
    if (!byName.has(n)) byName.set(n, i);
  });
  const fieldColumn = new Map<string, number>();
  for (const [field, names] of Object.entries(HEADERS[kind])) {
    const name = names.find((n) => byName.has(n));
    if (name !== undefined) fieldColumn.set(field, byName.get(name)!);
  }
  const used = new Set(fieldColumn.values());
  result.columns = [...fieldColumn].map(([field, i]) => ({ column: header[i]!, field }));
  result.ignoredColumns = header.filter((h, i) => !used.has(i) && !isKnownHeader(kind, normalise(h)));
  for (const field of REQUIRED[kind]) {
    if (!fieldColumn.has(field))
      result.errors.push({
        row: 1,
        field,
        column: null,
        message: `no column for ${field}; name one of: ${HEADERS[kind][field]!.join(", ")}`,
        code: "BAD_USER_INPUT",
      });
  }
  if (result.errors.length) return result;
  const columnOf = (field: string | null) =>
    field && fieldColumn.has(field) ? header[fieldColumn.get(field)!]! : null;

  try {
    await store.write(async (db) => {
      const nested = nestedStore(db, store);
      for (const [i, record] of data.entries()) {
        const row = i + 2;
        const values: Values = new Map();
        for (const [field, col] of fieldColumn) {
          const cellText = record[col];
          if (cellText !== undefined && cellText !== "") values.set(field, cellText);
        }
        const missing = REQUIRED[kind].find((f) => !values.has(f));
        if (missing) {
          result.errors.push({
            row,
            field: missing,
            column: columnOf(missing),
            message: `${missing} is empty`,
            code: "BAD_USER_INPUT",
          });
          continue;
        }
        try {
          // A row's own look-ups and writes share one savepoint: a failed row leaves nothing behind.
          await nested.write(() => importRow(kind, nested, db, caller, values));
          result.created++;
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
          const raw = typeof e.details.field === "string" ? e.details.field : null;
          const field = raw ? (FIELD_OF_INPUT[raw] ?? raw) : null;
          result.errors.push({ row, field, column: columnOf(field), message: e.message, code: e.code });
        }
      }
      if (dryRun || result.errors.length) throw new Rollback();
    });
    result.committed = true;
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  return result;
}
