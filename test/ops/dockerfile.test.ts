/**
 * Lints the Dockerfile (#17) with a real Dockerfile parser (dockerfile-ast, the parser behind the VS Code
 * Docker language server): pinned bases, multi-stage with production dependencies only at runtime, a
 * non-root numeric USER, no secrets in ENV/ARG, HEALTHCHECK on /healthz, EXPOSE 8080, VOLUME /data; and
 * the image's environment is one CloudPAM's own config accepts (0.0.0.0 only with auth on).
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DockerfileParser, type Instruction } from "dockerfile-ast";
import { From, Env, Arg, Copy, Healthcheck } from "dockerfile-ast/lib/main.js";
import { loadConfig } from "../../src/config.js";

const text = readFileSync("Dockerfile", "utf8");
const dockerfile = DockerfileParser.parse(text);
const instructions = dockerfile.getInstructions();
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> };

interface Stage {
  from: From;
  instructions: Instruction[];
}
/** Instructions grouped by stage (each FROM opens one); ARGs before the first FROM are global. */
const stages: Stage[] = [];
const globalArgs: Arg[] = [];
for (const i of instructions) {
  if (i instanceof From) stages.push({ from: i, instructions: [] });
  else if (stages.length > 0) stages.at(-1)!.instructions.push(i);
  else if (i instanceof Arg) globalArgs.push(i);
}
/** Defaults of the global ARGs, which a FROM line may use (`FROM ${NODE_IMAGE} AS build`). */
const globalDefaults = new Map(
  globalArgs.flatMap((a) => a.getProperties()).map((p) => [p.getName(), p.getValue() ?? ""]),
);
/** A FROM line's image with the global ARG defaults substituted, parsed again for its name, tag and digest. */
function resolvedFrom(from: From): From {
  const image = (from.getImage() ?? "").replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a?: string, b?: string) => {
    const name = (a ?? b)!;
    expect(globalDefaults.get(name), `ARG ${name} before the first FROM has a default`).toBeTruthy();
    return globalDefaults.get(name)!;
  });
  return DockerfileParser.parse(`FROM ${image}\n`).getFROMs()[0]!;
}
const runtime = stages.at(-1)!;
const of = <T extends Instruction>(stage: Stage, kind: new (...a: never[]) => T): T[] =>
  stage.instructions.filter((i): i is T => i instanceof kind);
const keyword = (stage: Stage, k: string) => stage.instructions.filter((i) => i.getKeyword() === k);

/** Image ENV of the runtime stage as a plain map. */
function runtimeEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of of(runtime, Env)) for (const p of e.getProperties()) env[p.getName()] = p.getValue() ?? "";
  return env;
}

const SECRET_NAME = /(SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|API_?KEY|ACCESS_KEY|DATABASE_URL)/i;
const SECRET_VALUE = /(cpam_[A-Za-z0-9]|AKIA[0-9A-Z]{12}|-----BEGIN|:\/\/[^/\s:]+:[^@\s]+@)/;

describe("Dockerfile", () => {
  it("parses without syntax problems into a multi-stage build", () => {
    expect(instructions.length).toBeGreaterThan(10);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]!.from.getBuildStage()).toBe("build");
  });

  it("pins every base image to an exact version (no latest, no floating major) and runs Node 24 slim", () => {
    for (const stage of stages) {
      if (stages.some((s) => s.from.getBuildStage() === stage.from.getImageName())) continue; // FROM <stage>
      const from = resolvedFrom(stage.from);
      const tag = from.getImageTag();
      const digest = from.getImageDigest();
      expect(digest ?? tag, `${from.getImage()} has a tag or digest`).toBeTruthy();
      if (!digest) expect(tag, `${from.getImage()} is pinned`).toMatch(/^\d+\.\d+\.\d+(-[a-z0-9.-]+)?$/);
    }
    const base = resolvedFrom(runtime.from);
    expect(base.getImageName()).toBe("node");
    expect(base.getImageTag()).toMatch(/^24\.\d+\.\d+-[a-z]+-slim$/);
  });

  it("takes the base of both stages from one build argument, NODE_IMAGE, defaulting to the pinned image", () => {
    // scripts/image-base.sh + image-smoke.sh build with --build-arg NODE_IMAGE=<local stand-in>
    expect([...globalDefaults.keys()]).toContain("NODE_IMAGE");
    expect(stages.map((s) => s.from.getImage())).toEqual(stages.map(() => "${NODE_IMAGE}"));
  });

  it("the runtime stage gets the built server and production dependencies only from the build stage", () => {
    const copies = of(runtime, Copy);
    const fromBuild = copies.filter((c) => c.getFromFlag()?.getValue() === "build");
    const sources = fromBuild.map((c) => c.getArguments()[0]!.getValue());
    expect(sources).toEqual(expect.arrayContaining(["/app/dist", "/app/node_modules", "/app/drizzle"]));
    // no package installation in the runtime stage, and dev dependencies are pruned in the build stage
    expect(
      keyword(runtime, "RUN")
        .map((r) => r.getArgumentsContent())
        .join("\n"),
    ).not.toMatch(/npm (ci|install)/);
    const buildRuns = keyword(stages[0]!, "RUN").map((r) => r.getArgumentsContent() ?? "");
    expect(buildRuns.some((r) => /npm run build\b/.test(r))).toBe(true);
    expect(buildRuns.some((r) => /npm prune --omit=dev/.test(r))).toBe(true);
    expect(pkg.scripts.build).toBeDefined();
    expect(existsSync("tsconfig.build.json")).toBe(true);
  });

  it("runs as a non-root numeric user", () => {
    const users = keyword(runtime, "USER");
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.getArgumentsContent()!.trim();
    const [uid, gid] = user.split(":");
    expect(uid).toMatch(/^\d+$/); // numeric, so Kubernetes runAsNonRoot can verify it
    expect(Number(uid)).toBeGreaterThan(0);
    if (gid !== undefined) expect(Number(gid)).toBeGreaterThan(0);
  });

  it("puts no secrets in ENV or ARG", () => {
    const props = [
      ...globalArgs.flatMap((a) => a.getProperties()),
      ...stages.flatMap((s) => [...of(s, Env), ...of(s, Arg)].flatMap((i) => i.getProperties())),
    ];
    expect(props.length).toBeGreaterThan(0);
    for (const p of props) {
      expect(p.getName(), "secret-looking name").not.toMatch(SECRET_NAME);
      expect(p.getValue() ?? "", `${p.getName()} value`).not.toMatch(SECRET_VALUE);
    }
  });

  it("has a HEALTHCHECK on /healthz, EXPOSE 8080 and VOLUME /data", () => {
    const hc = of(runtime, Healthcheck);
    expect(hc).toHaveLength(1);
    expect(hc[0]!.getSubcommand()?.getValue()).toBe("CMD");
    expect(hc[0]!.getArgumentsContent()).toMatch(/127\.0\.0\.1:8080\/healthz/);
    expect(keyword(runtime, "EXPOSE").map((e) => e.getArgumentsContent())).toContain("8080");
    expect(keyword(runtime, "VOLUME").map((e) => e.getArgumentsContent())).toContain("/data");
  });

  it("listens on 0.0.0.0:8080 with auth on, which CloudPAM's config accepts (and refuses with auth off)", () => {
    const env = runtimeEnv();
    expect(env.ADDR).toBe("0.0.0.0:8080");
    expect(env.AUTH).toBe("on");
    expect(env.SQLITE_DSN).toMatch(/^\/data\//);
    const config = loadConfig(env, {});
    expect(config.addr).toEqual({ host: "0.0.0.0", port: 8080 });
    expect(config.auth).toBe("on");
    expect(() => loadConfig({ ...env, AUTH: "off" }, {})).toThrow(/loopback/);
  });

  it(".dockerignore keeps local state and secrets out of the build context", () => {
    const ignored = readFileSync(".dockerignore", "utf8")
      .split("\n")
      .map((l) => l.trim());
    for (const p of ["node_modules", ".git", ".env", "*.db", "data", "dist", "web/dist"])
      expect(ignored).toContain(p);
  });
});
