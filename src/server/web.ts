/**
 * The web UI (web/, built by Vite into web/dist) served at `/` by the API process itself.
 *
 * Hashed assets (`/assets/<name>-<hash>.js`) are immutable and cached for a year; `index.html` is
 * `no-cache` so a new build is picked up at once. Bodies are brotli or gzip, precompressed by the build
 * (or compressed once on first request) and kept in memory: the whole build is a few hundred KB. Any other GET that asks for HTML
 * gets `index.html` (history-API routing: deep links load directly). API paths never reach here
 * (http.ts answers /graphql, /healthz, ... first), and a missing asset is a 404, never the page.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, gzipSync, constants as zlib } from "node:zlib";
import type { Config } from "../config.js";
import type { RouteHandler } from "./http.js";

export const WEB_DIST = fileURLToPath(new URL("../../web/dist", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};
const COMPRESSIBLE = new Set([".html", ".js", ".css", ".svg", ".json", ".txt"]);
/** Paths owned by the API: never answered with the UI's index.html. */
const API_PREFIXES = ["/graphql", "/export/", "/healthz", "/readyz", "/metrics", "/auth/", "/oidc/"];
/** A Host header we are willing to echo into the CSP (host name or [v6], optional port). */
const SAFE_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

interface Prepared {
  body: Buffer;
  gzip?: Buffer;
  br?: Buffer;
  etag: string;
  type: string;
}

const cache = new Map<string, Prepared>();

function prepare(file: string): Prepared {
  const key = `${file}:${statSync(file).mtimeMs}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const body = readFileSync(file);
  const ext = extname(file);
  const p: Prepared = {
    body,
    etag: `"${statSync(file).size.toString(36)}-${Math.floor(statSync(file).mtimeMs).toString(36)}"`,
    type: TYPES[ext] ?? "application/octet-stream",
  };
  if (COMPRESSIBLE.has(ext) && body.length > 512) {
    // The build writes .br/.gz beside each file (scripts/build-web.ts); compress here only without them.
    p.gzip = existsSync(`${file}.gz`) ? readFileSync(`${file}.gz`) : gzipSync(body, { level: 9 });
    p.br = existsSync(`${file}.br`)
      ? readFileSync(`${file}.br`)
      : brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } });
  }
  cache.set(key, p);
  return p;
}

/**
 * The page's CSP: scripts, styles and connections only to this origin (and its WebSocket), plus
 * `connectOrigins` (the OIDC issuer's origin, for its discovery document and token endpoint).
 */
export function contentSecurityPolicy(
  host: string | undefined,
  connectOrigins: readonly string[] = [],
): string {
  const ws = host && SAFE_HOST.test(host) ? ` ws://${host} wss://${host}` : "";
  const extra = connectOrigins.map((o) => ` ${o}`).join("");
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${ws}${extra}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The origin the UI's OIDC sign-in talks to (the configured issuer's), when OIDC sign-in is on. */
export function oidcConnectOrigins(oidc: Config["oidc"]): string[] {
  if (!oidc.issuer || !oidc.clientId) return [];
  try {
    return [new URL(oidc.issuer).origin];
  } catch {
    return [];
  }
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  cacheControl: string,
  connectOrigins: readonly string[] = [],
): void {
  const p = prepare(file);
  const headers: Record<string, string> = {
    "content-type": p.type,
    "cache-control": cacheControl,
    etag: p.etag,
    vary: "accept-encoding",
    "x-content-type-options": "nosniff",
  };
  if (p.type.startsWith("text/html")) {
    headers["content-security-policy"] = contentSecurityPolicy(req.headers.host, connectOrigins);
    headers["referrer-policy"] = "no-referrer";
    headers["x-frame-options"] = "DENY";
  }
  if (req.headers["if-none-match"] === p.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const accept = String(req.headers["accept-encoding"] ?? "");
  let body = p.body;
  if (p.br && /\bbr\b/.test(accept)) {
    headers["content-encoding"] = "br";
    body = p.br;
  } else if (p.gzip && /\bgzip\b/.test(accept)) {
    headers["content-encoding"] = "gzip";
    body = p.gzip;
  }
  headers["content-length"] = String(body.length);
  res.writeHead(200, headers);
  res.end(req.method === "HEAD" ? undefined : body);
}

/** Builds the route for a built UI in `dist` (default web/dist). */
export function webRoute(dist: string = WEB_DIST): RouteHandler {
  const root = normalize(dist + sep);
  return (req, res, { url, services }) => {
    const method = (req.method ?? "GET").toUpperCase();
    if (method !== "GET" && method !== "HEAD") return false;
    const path = url.pathname;
    if (API_PREFIXES.some((p) => path === p.replace(/\/$/, "") || path.startsWith(p))) return false;
    const index = join(root, "index.html");
    if (!existsSync(index)) {
      if (path !== "/") return false;
      res.writeHead(503, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      res.end("The web UI is not built: run `npm run build:web` (npm start does it for you).\n");
      return true;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return false;
    }
    const file = normalize(join(root, decoded));
    if (file.startsWith(root) && file !== index && existsSync(file) && statSync(file).isFile()) {
      const immutable = decoded.startsWith("/assets/");
      send(
        req,
        res,
        file,
        immutable ? "public, max-age=31536000, immutable" : "no-cache",
        oidcConnectOrigins(services.config.oidc),
      );
      return true;
    }
    // A missing file (anything with an extension, or under /assets/) is a 404, not the app; so is a
    // request that does not ask for a page (API clients keep their JSON 404).
    if (decoded.startsWith("/assets/") || extname(decoded) !== "") return false;
    if (decoded !== "/" && !String(req.headers.accept ?? "").includes("text/html")) return false;
    send(req, res, index, "no-cache", oidcConnectOrigins(services.config.oidc));
    return true;
  };
}
