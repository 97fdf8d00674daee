/**
 * Grafana dashboard and Prometheus alert rules (#17): the dashboard JSON parses, every PromQL expression in it
 * and in the alert rules parses (the Prometheus project's own PromQL grammar, @prometheus-io/lezer-promql), and
 * every metric they name is exposed by /metrics of a running server. The new gauges report real values:
 * utilisation of a pool with monitored: true (and no series for another pool, even one tagged monitor: "true"),
 * readiness, reconcile interval.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { parser } from "@prometheus-io/lezer-promql";
import { startTestServer, type TestServer } from "../helpers/server.js";

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string; refId: string }[];
}
interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}

const dashboard = JSON.parse(readFileSync("deploy/grafana/cloudpam-dashboard.json", "utf8")) as {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string }[] };
};
const rules = (
  parseYaml(readFileSync("deploy/prometheus/cloudpam-alerts.yaml", "utf8")) as { groups: { rules: Rule[] }[] }
).groups.flatMap((g) => g.rules);

/** Metric names a PromQL expression selects; throws on a syntax error. Grafana's variables are substituted. */
function metricNames(expr: string): string[] {
  const q = expr.replace(/\$__rate_interval|\$__interval/g, "5m");
  const tree = parser.parse(q);
  const names: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) throw new Error(`PromQL syntax error at ${node.from} in: ${q}`);
      if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector")
        names.push(q.slice(node.from, node.to));
    },
  });
  return names;
}

/** Series names /metrics exposes (histograms as _bucket/_sum/_count), from its # TYPE lines. */
function exposedNames(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    out.add(name);
    if (type === "histogram") for (const s of ["_bucket", "_sum", "_count"]) out.add(name + s);
    if (type === "summary") for (const s of ["_sum", "_count"]) out.add(name + s);
  }
  return out;
}
/** Synthetic series Prometheus adds itself. */
const SCRAPE_SERIES = new Set(["up"]);

let s: TestServer;
let metricsText: string;
beforeAll(async () => {
  s = await startTestServer({ RECONCILE_INTERVAL_SECONDS: "300" });
  const account = await s.ok<{ createAccount: { account: { id: string } } }>(
    `mutation { createAccount(input: {key: "aws:555555555555", name: "dash", tier: PRD}) { account { id } } }`,
  );
  const pool = (cidr: string, name: string, tags: Record<string, string>, monitored?: boolean) =>
    s
      .ok<{ createPool: { pool: { id: string } } }>(
        `mutation($input: CreatePoolInput!) { createPool(input: $input) { pool { id } } }`,
        { input: { cidr, name, tags, monitored } },
      )
      .then((r) => r.createPool.pool.id);
  const watched = await pool("10.20.0.0/24", "watched", { team: "net" }, true);
  await pool("10.30.0.0/24", "unwatched", { team: "net" });
  // The tag the gauge once read means nothing now (the migration turned it into the flag).
  await pool("10.40.0.0/24", "tagged", { monitor: "true" });
  await s.ok(`mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id } } }`, {
    input: {
      poolId: watched,
      accountId: account.createAccount.account.id,
      prefixLength: 26,
      name: "quarter",
    },
  });
  metricsText = await (await fetch(`${s.url}/metrics`)).text();
});
afterAll(async () => {
  await s?.close();
});

describe("Grafana dashboard", () => {
  it("parses, has the sections the issue lists, and a data source variable", () => {
    expect(dashboard.uid).toBe("cloudpam-overview");
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join("\n");
    for (const t of [
      "operations by outcome",
      "latency",
      "allocations",
      "pool utilisation",
      "lag",
      "webhook",
      "reconcile sync duration",
      "drift",
    ])
      expect(titles).toContain(t);
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(
      expect.arrayContaining(["datasource", "job"]),
    );
  });

  it("every expression parses and every metric it names exists in /metrics of a running server", () => {
    const exposed = exposedNames(metricsText);
    const targets = dashboard.panels.flatMap((p) => p.targets ?? []);
    expect(targets.length).toBeGreaterThan(15);
    const missing: string[] = [];
    for (const t of targets)
      for (const name of metricNames(t.expr))
        if (!exposed.has(name) && !SCRAPE_SERIES.has(name)) missing.push(name);
    expect(missing).toEqual([]);
    // the check is real: a misspelt metric would be reported
    expect(
      metricNames("rate(cloudpam_graphql_operation_duration_second_count[5m])").every((n) => exposed.has(n)),
    ).toBe(false);
  });
});

describe("Prometheus alert rules", () => {
  it("has the four alerts the issue asks for, each with severity, summary and a for: duration", () => {
    const names = rules.map((r) => r.alert);
    expect(names).toEqual(
      expect.arrayContaining([
        "CloudPAMPoolAlmostFull",
        "CloudPAMWebhookFailing",
        "CloudPAMReconcileStale",
        "CloudPAMNotReady",
      ]),
    );
    for (const r of rules) {
      expect(r.for).toMatch(/^\d+[smh]$/);
      expect(["critical", "warning", "info"]).toContain(r.labels.severity);
      expect(r.annotations.summary.length).toBeGreaterThan(10);
    }
    expect(rules.find((r) => r.alert === "CloudPAMPoolAlmostFull")!.expr).toMatch(/> 0\.9$/);
  });

  it("every rule expression parses and names only metrics that /metrics exposes", () => {
    const exposed = exposedNames(metricsText);
    for (const r of rules)
      for (const name of metricNames(r.expr))
        expect(exposed.has(name) || SCRAPE_SERIES.has(name), `${r.alert}: ${name}`).toBe(true);
  });
});

describe("gauges for the dashboard and alerts", () => {
  it("pool utilisation is exported for monitored pools only, with the real ratio", () => {
    const lines = metricsText.split("\n").filter((l) => l.startsWith("cloudpam_pool_utilization_ratio{"));
    expect(lines).toEqual([
      `cloudpam_pool_utilization_ratio{scope="default",pool="watched",cidr="10.20.0.0/24"} 0.25`,
    ]);
  });

  it("readiness and the reconcile interval are exported", () => {
    expect(metricsText).toMatch(/^cloudpam_ready 1$/m);
    expect(metricsText).toMatch(/^cloudpam_reconcile_interval_seconds 300$/m);
    expect(metricsText).toMatch(/^cloudpam_reconcile_sync_errors 0$/m);
  });
});
