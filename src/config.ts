/**
 * Flags + environment -> one typed, validated Config.
 * Every setting is declared once in `settings` below; that table drives parsing, validation,
 * `--help`, the README's config table and the redacted start-up log line.
 */

import { formatPrefix, maxLength, parseAddress, parsePrefix } from "./allocator/prefix.js";

export type AuthMode = "on" | "off";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface Config {
  addr: { host: string; port: number };
  sqliteDsn: string;
  /** PostgreSQL when set (`DATABASE_URL`), else SQLite at `sqliteDsn`. */
  database: {
    url: string | null;
    poolSize: number;
    /** Per-statement timeout on PostgreSQL; 0 = none. */
    statementTimeoutMs: number;
  };
  logLevel: LogLevel;
  production: boolean;
  auth: AuthMode;
  introspection: boolean;
  oidc: {
    issuer: string | null;
    audience: string | null;
    jwksUrl: string | null;
    roleClaim: string;
    clockSkewSeconds: number;
    /** The web UI's OAuth client (public, PKCE): set to offer "Sign in with OIDC" in the UI. */
    clientId: string | null;
    /** Scopes the UI asks the issuer for. */
    scopes: string;
    /** Where the issuer sends the browser back; null: `<UI origin>/signin/callback`. */
    redirectUri: string | null;
  };
  limits: {
    maxDepth: number;
    maxComplexity: number;
    maxPageSize: number;
    maxAliases: number;
    maxBatch: number;
    maxBodyBytes: number;
    rateLimitPerSecond: number;
    rateLimitBurst: number;
    wsConnectionsPerToken: number;
  };
  /** CIDRs of reverse proxies whose X-Forwarded-For is believed (empty: none). */
  trustProxy: string[];
  /** Bytes of query text the automatic persisted query cache keeps (LRU); 0 disables APQ. */
  apqCacheBytes: number;
  reconcileIntervalSeconds: number;
  webhookMaxAttempts: number;
  webhookTimeoutMs: number;
  webhookRetryBaseMs: number;
  webhookRetryMaxMs: number;
  subscriptionMaxLag: number;
  shutdownTimeoutMs: number;
  /** How long a change request waits for approval (hours, fractions allowed). */
  changeRequestTtlHours: number;
  /** How long a deleted object can be restored before the purge removes it (days, fractions allowed). */
  retentionDays: number;
  /** How often `serve` purges deletes older than the retention; 0 = never. */
  purgeIntervalSeconds: number;
}

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`invalid setting ${setting}: ${message}`);
  }
}

type Parser<T> = (raw: string, name: string) => T;

interface Setting<T> {
  /** Environment variable name; the flag is the kebab-case form (`SQLITE_DSN` -> `--sqlite-dsn`). */
  env: string;
  default: T;
  parse: Parser<T>;
  help: string;
  secret?: boolean;
  apply: (c: Config, v: T) => void;
}

const int =
  (min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> =>
  (raw, name) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `expected an integer, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new ConfigError(name, `expected ${min}..${max}, got ${n}`);
    return n;
  };

const positiveNumber =
  (max: number): Parser<number> =>
  (raw, name) => {
    if (!/^\d+(\.\d+)?$/.test(raw.trim()))
      throw new ConfigError(name, `expected a positive number, got "${raw}"`);
    const n = Number(raw);
    if (n <= 0 || n > max) throw new ConfigError(name, `expected more than 0 and at most ${max}, got ${n}`);
    return n;
  };

const bool: Parser<boolean> = (raw, name) => {
  const v = raw.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off"].includes(v)) return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
};

const oneOf =
  <T extends string>(...values: T[]): Parser<T> =>
  (raw, name) => {
    const v = raw.trim().toLowerCase() as T;
    if (!values.includes(v))
      throw new ConfigError(name, `expected one of ${values.join(", ")}, got "${raw}"`);
    return v;
  };

const optionalUrl: Parser<string | null> = (raw, name) => {
  if (raw.trim() === "") return null;
  try {
    const u = new URL(raw);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
    return u.toString().replace(/\/$/, "");
  } catch {
    throw new ConfigError(name, `expected an http(s) URL, got "${raw}"`);
  }
};

/**
 * `postgres://user:pass@host:port/db?sslmode=…` (or `postgresql://`). Errors never echo the password.
 */
const databaseUrl: Parser<string | null> = (raw, name) => {
  const v = raw.trim();
  if (v === "") return null;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new ConfigError(
      name,
      "expected postgres://user:password@host:port/database (the value, not echoed, is not a URL)",
    );
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
    throw new ConfigError(name, `expected a postgres:// URL, got scheme "${u.protocol.replace(/:$/, "")}"`);
  }
  if (!u.hostname) throw new ConfigError(name, "has no host (postgres://user:password@host:port/database)");
  if (u.port && (Number(u.port) < 1 || Number(u.port) > 65535))
    throw new ConfigError(name, `port ${u.port} is out of range`);
  if (u.pathname.replace(/^\//, "") === "")
    throw new ConfigError(name, "names no database (postgres://user:password@host:port/database)");
  const sslmode = u.searchParams.get("sslmode");
  const modes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full", "no-verify"];
  if (sslmode !== null && !modes.includes(sslmode))
    throw new ConfigError(name, `sslmode must be one of ${modes.join(", ")}, got "${sslmode}"`);
  return v;
};

/** The URL with its password replaced by `***` (for logs and error messages). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    // Not a URL: hide whatever sits between "://user:" and "@".
    return url.replace(/(:\/\/[^:/@]*:)[^@]*@/, "$1***@");
  }
}

/** `10.0.0.0/8, 192.168.1.10` -> canonical CIDRs (a bare address is a /32 or /128). */
const cidrList: Parser<string[]> = (raw, name) =>
  raw
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((item) => {
      try {
        if (item.includes("/")) return formatPrefix(parsePrefix(item));
        const a = parseAddress(item);
        return formatPrefix({ family: a.family, start: a.value, length: maxLength(a.family) });
      } catch (e) {
        throw new ConfigError(name, `"${item}" is not a CIDR or an IP address (${(e as Error).message})`);
      }
    });

const optionalString: Parser<string | null> = (raw) => (raw.trim() === "" ? null : raw.trim());

const addr: Parser<{ host: string; port: number }> = (raw, name) => {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(raw.trim());
  if (!m) throw new ConfigError(name, `expected host:port (e.g. 127.0.0.1:8080 or [::1]:8080), got "${raw}"`);
  const port = Number(m[3]);
  if (port > 65535) throw new ConfigError(name, `port ${port} is out of range`);
  return { host: m[1] ?? (m[2] || "127.0.0.1"), port };
};

function setting<T>(s: Setting<T>): Setting<unknown> {
  return s as Setting<unknown>;
}

export const settings: Setting<unknown>[] = [
  setting({
    env: "ADDR",
    default: { host: "127.0.0.1", port: 8080 },
    parse: addr,
    help: "HTTP listen address (host:port); port 0 picks a free port",
    apply: (c, v) => (c.addr = v),
  }),
  setting({
    env: "SQLITE_DSN",
    default: "./data/cloudpam.db",
    parse: (raw, name) => {
      if (raw.trim() === "") throw new ConfigError(name, "must not be empty");
      return raw.trim();
    },
    help: "SQLite database file (created on first start), or :memory:",
    apply: (c, v) => (c.sqliteDsn = v),
  }),
  setting({
    env: "DATABASE_URL",
    default: null,
    parse: databaseUrl,
    secret: true,
    help: "PostgreSQL URL (postgres://user:password@host:port/db?sslmode=…); selects PostgreSQL instead of SQLITE_DSN",
    apply: (c, v) => (c.database.url = v),
  }),
  setting({
    env: "DATABASE_POOL_SIZE",
    default: 10,
    parse: int(1, 1000),
    help: "PostgreSQL connections per process",
    apply: (c, v) => (c.database.poolSize = v),
  }),
  setting({
    env: "DATABASE_STATEMENT_TIMEOUT_MS",
    default: 30_000,
    parse: int(0, 86_400_000),
    help: "PostgreSQL statement_timeout of every connection; 0 = none",
    apply: (c, v) => (c.database.statementTimeoutMs = v),
  }),
  setting({
    env: "LOG_LEVEL",
    default: "info" as LogLevel,
    parse: oneOf<LogLevel>("fatal", "error", "warn", "info", "debug", "trace", "silent"),
    help: "log level",
    apply: (c, v) => (c.logLevel = v),
  }),
  setting({
    env: "PRODUCTION",
    default: process.env.NODE_ENV === "production",
    parse: bool,
    help: "production mode: introspection off unless INTROSPECTION=true (default: NODE_ENV=production)",
    apply: (c, v) => (c.production = v),
  }),
  setting({
    env: "AUTH",
    default: "on" as AuthMode,
    parse: oneOf<AuthMode>("on", "off"),
    help: "authentication; 'off' is accepted only when ADDR is a loopback address",
    apply: (c, v) => (c.auth = v),
  }),
  setting({
    env: "INTROSPECTION",
    default: null as boolean | null,
    parse: bool,
    help: "allow schema introspection (default: on, off in production mode)",
    apply: (c, v) => (c.introspection = v ?? !c.production),
  }),
  setting({
    env: "OIDC_ISSUER",
    default: null,
    parse: optionalString,
    help: "OIDC issuer (iss) accepted for bearer JWTs; empty disables JWT auth",
    apply: (c, v) => (c.oidc.issuer = v),
  }),
  setting({
    env: "OIDC_AUDIENCE",
    default: null,
    parse: optionalString,
    help: "OIDC audience (aud) required in bearer JWTs",
    apply: (c, v) => (c.oidc.audience = v),
  }),
  setting({
    env: "OIDC_JWKS_URL",
    default: null,
    parse: optionalUrl,
    help: "JWKS URL of the OIDC issuer (default: <issuer>/.well-known/jwks.json)",
    apply: (c, v) => (c.oidc.jwksUrl = v),
  }),
  setting({
    env: "OIDC_ROLE_CLAIM",
    default: "cloudpam_role",
    parse: (raw) => raw.trim(),
    help: "JWT claim that holds the CloudPAM role (VIEWER, OPERATOR, ADMIN, AUDITOR)",
    apply: (c, v) => (c.oidc.roleClaim = v),
  }),
  setting({
    env: "OIDC_CLOCK_SKEW_SECONDS",
    default: 30,
    parse: int(0, 600),
    help: "clock skew tolerated when checking JWT exp/nbf",
    apply: (c, v) => (c.oidc.clockSkewSeconds = v),
  }),
  setting({
    env: "OIDC_CLIENT_ID",
    default: null,
    parse: optionalString,
    help: "OAuth client id of the web UI at the OIDC issuer (public client, code + PKCE); set to offer OIDC sign-in in the UI",
    apply: (c, v) => (c.oidc.clientId = v),
  }),
  setting({
    env: "OIDC_SCOPES",
    default: "openid profile email",
    parse: (raw) => raw.trim().replace(/\s+/g, " "),
    help: "scopes the web UI requests at OIDC sign-in",
    apply: (c, v) => (c.oidc.scopes = v),
  }),
  setting({
    env: "OIDC_REDIRECT_URI",
    default: null,
    parse: optionalUrl,
    help: "redirect URI registered for the web UI (default: <UI origin>/signin/callback)",
    apply: (c, v) => (c.oidc.redirectUri = v),
  }),
  setting({
    env: "MAX_DEPTH",
    default: 12,
    parse: int(1, 100),
    help: "maximum GraphQL query depth",
    apply: (c, v) => (c.limits.maxDepth = v),
  }),
  setting({
    env: "MAX_COMPLEXITY",
    default: 5000,
    parse: int(1),
    help: "maximum GraphQL query complexity",
    apply: (c, v) => (c.limits.maxComplexity = v),
  }),
  setting({
    env: "MAX_PAGE_SIZE",
    default: 500,
    parse: int(1, 10_000),
    help: "maximum first/last of a connection",
    apply: (c, v) => (c.limits.maxPageSize = v),
  }),
  setting({
    env: "MAX_ALIASES",
    default: 50,
    parse: int(1),
    help: "maximum field aliases in one operation",
    apply: (c, v) => (c.limits.maxAliases = v),
  }),
  setting({
    env: "MAX_BATCH",
    default: 10,
    parse: int(1),
    help: "maximum operations in one batched HTTP request",
    apply: (c, v) => (c.limits.maxBatch = v),
  }),
  setting({
    env: "MAX_BODY_BYTES",
    default: 1_048_576,
    parse: int(1024),
    help: "maximum HTTP request body size",
    apply: (c, v) => (c.limits.maxBodyBytes = v),
  }),
  setting({
    env: "RATE_LIMIT_PER_SECOND",
    default: 50,
    parse: int(1),
    help: "sustained requests per second per token and per client address",
    apply: (c, v) => (c.limits.rateLimitPerSecond = v),
  }),
  setting({
    env: "RATE_LIMIT_BURST",
    default: 200,
    parse: int(1),
    help: "burst size of the per-token/per-address token bucket",
    apply: (c, v) => (c.limits.rateLimitBurst = v),
  }),
  setting({
    env: "TRUST_PROXY",
    default: [] as string[],
    parse: cidrList,
    help: "CIDRs of trusted reverse proxies (comma-separated); only their X-Forwarded-For is honoured",
    apply: (c, v) => (c.trustProxy = v),
  }),
  setting({
    env: "APQ_CACHE_BYTES",
    default: 8_388_608,
    parse: int(0),
    help: "size of the automatic persisted query cache (LRU, bytes of query text); 0 disables APQ",
    apply: (c, v) => (c.apqCacheBytes = v),
  }),
  setting({
    env: "WS_CONNECTIONS_PER_TOKEN",
    default: 20,
    parse: int(1),
    help: "maximum concurrent WebSocket connections per token",
    apply: (c, v) => (c.limits.wsConnectionsPerToken = v),
  }),
  setting({
    env: "RECONCILE_INTERVAL_SECONDS",
    default: 0,
    parse: int(0),
    help: "background cloud sync interval per account; 0 disables the loop",
    apply: (c, v) => (c.reconcileIntervalSeconds = v),
  }),
  setting({
    env: "WEBHOOK_MAX_ATTEMPTS",
    default: 8,
    parse: int(1, 100),
    help: "delivery attempts per webhook event before it is marked failed",
    apply: (c, v) => (c.webhookMaxAttempts = v),
  }),
  setting({
    env: "WEBHOOK_TIMEOUT_MS",
    default: 10_000,
    parse: int(10, 120_000),
    help: "timeout of one webhook delivery attempt",
    apply: (c, v) => (c.webhookTimeoutMs = v),
  }),
  setting({
    env: "WEBHOOK_RETRY_BASE_MS",
    default: 1000,
    parse: int(0, 3_600_000),
    help: "first webhook retry delay; doubles per attempt (full jitter)",
    apply: (c, v) => (c.webhookRetryBaseMs = v),
  }),
  setting({
    env: "WEBHOOK_RETRY_MAX_MS",
    default: 300_000,
    parse: int(0, 86_400_000),
    help: "upper bound of one webhook retry delay",
    apply: (c, v) => (c.webhookRetryMaxMs = v),
  }),
  setting({
    env: "SUBSCRIPTION_MAX_LAG",
    default: 10_000,
    parse: int(10),
    help: "events a subscriber may fall behind before its subscription is closed (it can resume)",
    apply: (c, v) => (c.subscriptionMaxLag = v),
  }),
  setting({
    env: "CHANGE_REQUEST_TTL_HOURS",
    default: 72,
    parse: positiveNumber(8760),
    help: "hours a change request (approval policy of a scope) waits for a decision before it expires",
    apply: (c, v) => (c.changeRequestTtlHours = v),
  }),
  setting({
    env: "RETENTION_DAYS",
    default: 30,
    parse: positiveNumber(36_500),
    help: "days a deleted pool, allocation, reservation or account can be restored before the purge removes it",
    apply: (c, v) => (c.retentionDays = v),
  }),
  setting({
    env: "PURGE_INTERVAL_SECONDS",
    default: 3600,
    parse: int(0, 604_800),
    help: "how often the server purges deletes older than RETENTION_DAYS; 0 disables the purge",
    apply: (c, v) => (c.purgeIntervalSeconds = v),
  }),
  setting({
    env: "SHUTDOWN_TIMEOUT_MS",
    default: 8000,
    parse: int(100, 60_000),
    help: "how long graceful shutdown waits for in-flight requests",
    apply: (c, v) => (c.shutdownTimeoutMs = v),
  }),
];

export function flagName(env: string): string {
  return env.toLowerCase().replace(/_/g, "-");
}

function blankConfig(): Config {
  return {
    addr: { host: "127.0.0.1", port: 8080 },
    sqliteDsn: "./data/cloudpam.db",
    database: { url: null, poolSize: 10, statementTimeoutMs: 30_000 },
    logLevel: "info",
    production: false,
    auth: "on",
    introspection: true,
    oidc: {
      issuer: null,
      audience: null,
      jwksUrl: null,
      roleClaim: "cloudpam_role",
      clockSkewSeconds: 30,
      clientId: null,
      scopes: "openid profile email",
      redirectUri: null,
    },
    limits: {
      maxDepth: 12,
      maxComplexity: 5000,
      maxPageSize: 500,
      maxAliases: 50,
      maxBatch: 10,
      maxBodyBytes: 1_048_576,
      rateLimitPerSecond: 50,
      rateLimitBurst: 200,
      wsConnectionsPerToken: 20,
    },
    trustProxy: [],
    apqCacheBytes: 8_388_608,
    reconcileIntervalSeconds: 0,
    webhookMaxAttempts: 8,
    webhookTimeoutMs: 10_000,
    webhookRetryBaseMs: 1000,
    webhookRetryMaxMs: 300_000,
    subscriptionMaxLag: 10_000,
    shutdownTimeoutMs: 8000,
    changeRequestTtlHours: 72,
    retentionDays: 30,
    purgeIntervalSeconds: 3600,
  };
}

/**
 * Builds the Config: flags (keyed by env name or flag name) win over the environment, which wins over defaults.
 * Throws ConfigError naming the first bad setting.
 */
export function loadConfig(
  flags: Record<string, string | undefined> = {},
  env: Record<string, string | undefined> = process.env,
): Config {
  const config = blankConfig();
  for (const s of settings) {
    const raw = flags[s.env] ?? flags[flagName(s.env)] ?? env[s.env];
    const value = raw === undefined ? s.default : s.parse(raw, s.env);
    s.apply(config, value);
  }
  if (config.auth === "off" && !isLoopback(config.addr.host)) {
    throw new ConfigError(
      "AUTH",
      `auth=off is only allowed on a loopback address, not ${config.addr.host}; bind ADDR to 127.0.0.1 or enable auth`,
    );
  }
  if (config.oidc.issuer && !config.oidc.audience) {
    throw new ConfigError("OIDC_AUDIENCE", "required when OIDC_ISSUER is set");
  }
  if (config.oidc.clientId) {
    if (!config.oidc.issuer)
      throw new ConfigError("OIDC_CLIENT_ID", "needs OIDC_ISSUER (the issuer to sign in with)");
    // The browser fetches <issuer>/.well-known/openid-configuration: the issuer must be an http(s) URL.
    optionalUrl(config.oidc.issuer, "OIDC_ISSUER");
  }
  if (config.oidc.issuer && !config.oidc.jwksUrl) {
    config.oidc.jwksUrl = `${config.oidc.issuer.replace(/\/$/, "")}/.well-known/jwks.json`;
  }
  return config;
}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The effective config as one flat object for the start-up log line, secrets redacted. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    addr: `${config.addr.host}:${config.addr.port}`,
    backend: config.database.url ? "postgres" : "sqlite",
    ...(config.database.url
      ? {
          databaseUrl: redactUrl(config.database.url),
          databasePoolSize: config.database.poolSize,
          databaseStatementTimeoutMs: config.database.statementTimeoutMs,
        }
      : { sqliteDsn: config.sqliteDsn }),
    logLevel: config.logLevel,
    production: config.production,
    auth: config.auth,
    introspection: config.introspection,
    oidc: config.oidc.issuer ? { ...config.oidc } : "disabled",
    limits: config.limits,
    trustProxy: config.trustProxy,
    apqCacheBytes: config.apqCacheBytes,
    reconcileIntervalSeconds: config.reconcileIntervalSeconds,
    webhookMaxAttempts: config.webhookMaxAttempts,
    webhookTimeoutMs: config.webhookTimeoutMs,
    webhookRetryBaseMs: config.webhookRetryBaseMs,
    webhookRetryMaxMs: config.webhookRetryMaxMs,
    subscriptionMaxLag: config.subscriptionMaxLag,
    changeRequestTtlHours: config.changeRequestTtlHours,
    retentionDays: config.retentionDays,
    purgeIntervalSeconds: config.purgeIntervalSeconds,
  };
}

/** Markdown table of every setting (used by the README and `--help`). */
export function settingsHelp(): string {
  return settings.map((s) => `  --${flagName(s.env).padEnd(28)} ${s.env.padEnd(28)} ${s.help}`).join("\n");
}
