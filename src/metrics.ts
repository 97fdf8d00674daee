import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The one Prometheus registry served at /metrics. Each module defines its own metrics against it. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const graphqlOperationDuration = new Histogram({
  name: "cloudpam_graphql_operation_duration_seconds",
  help: "GraphQL operations by name, type and outcome",
  labelNames: ["operation", "type", "outcome"] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const httpResponses = new Counter({
  name: "cloudpam_http_responses_total",
  help: "HTTP responses by route and status code",
  labelNames: ["route", "status"] as const,
  registers: [registry],
});

export const providerCallDuration = new Histogram({
  name: "cloudpam_provider_call_duration_seconds",
  help: "Cloud provider API calls by provider, operation and outcome",
  labelNames: ["provider", "operation", "outcome"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});
