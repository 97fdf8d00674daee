/**
 * Builds the web UI (web/ -> web/dist) unless the build is up to date: the content hash of every input
 * (web sources, Vite config, lock file) is kept in web/dist/.build-hash. `npm start` runs it first
 * (prestart), and the UI tests call `ensureWebBuilt()`, so a fresh clone needs no extra step.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, gzipSync, constants as zlib } from "node:zlib";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WEB = join(ROOT, "web");
const DIST = join(WEB, "dist");
const STAMP = join(DIST, ".build-hash");

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? filesUnder(p) : [p];
    });
}

/** The hash of everything the build reads: O(total input size). */
export function webInputHash(): string {
  const h = createHash("sha256");
  const inputs = [
    ...filesUnder(join(WEB, "src")),
    join(WEB, "index.html"),
    join(WEB, "vite.config.ts"),
    ...(existsSync(join(WEB, "public")) ? filesUnder(join(WEB, "public")) : []),
    join(ROOT, "package-lock.json"),
    fileURLToPath(import.meta.url),
  ];
  for (const f of inputs) {
    h.update(relative(ROOT, f));
    h.update("\0");
    h.update(readFileSync(f));
    h.update("\0");
  }
  return h.digest("hex");
}

export function webBuildIsFresh(): boolean {
  return (
    existsSync(STAMP) &&
    existsSync(join(DIST, "index.html")) &&
    readFileSync(STAMP, "utf8").trim() === webInputHash()
  );
}

/** Writes `.br` and `.gz` beside every text file, so the server never compresses at request time. */
function precompress(dir: string): void {
  for (const f of filesUnder(dir)) {
    if (!/\.(js|css|html|svg|json)$/.test(f)) continue;
    const body = readFileSync(f);
    writeFileSync(`${f}.gz`, gzipSync(body, { level: 9 }));
    writeFileSync(`${f}.br`, brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }));
  }
}

/** Builds web/dist when its inputs changed since the last build; returns whether it built. */
export async function ensureWebBuilt(opts: { quiet?: boolean } = {}): Promise<boolean> {
  if (webBuildIsFresh()) return false;
  const hash = webInputHash();
  const { build } = await import("vite");
  // Build beside dist and swap it in, so that parallel test workers and a running server never see half a build.
  const tmp = `${DIST}.tmp-${process.pid}`;
  await build({
    configFile: join(WEB, "vite.config.ts"),
    logLevel: opts.quiet ? "warn" : "info",
    build: { outDir: tmp, emptyOutDir: true },
  });
  precompress(tmp);
  writeFileSync(join(tmp, ".build-hash"), hash + "\n");
  const old = `${DIST}.old-${process.pid}`;
  try {
    if (existsSync(DIST)) renameSync(DIST, old);
    renameSync(tmp, DIST);
  } catch (e) {
    // Another process (a parallel test worker) swapped in its build between our two renames: same inputs,
    // same output, so keep theirs.
    if (!existsSync(DIST) && existsSync(tmp)) renameSync(tmp, DIST);
    if (!webBuildIsFresh()) throw e;
    rmSync(tmp, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes("--force");
  if (force && existsSync(STAMP)) writeFileSync(STAMP, "");
  const built = await ensureWebBuilt();
  if (!built) console.log("web UI is up to date (web/dist)");
}
