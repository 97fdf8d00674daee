/**
 * Optional OpenTelemetry tracing (#17). Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; then the SDK (tracer
 * provider, OTLP/HTTP exporter, AsyncLocalStorage context, W3C trace-context propagator) is imported and
 * registered — only then: with the variable unset no SDK module is loaded at all (only @opentelemetry/api,
 * which prom-client loads anyway, and which is a no-op without an SDK).
 * Spans: one per GraphQL HTTP request, named after its operation (src/server/http.ts, app.ts), with children
 * for the allocator (domain/allocations.ts), each SQL write transaction (db/store.ts) and each cloud provider
 * call (providers/retry.ts). A caller's `traceparent` header becomes the parent.
 */
import { SpanStatusCode, context, propagation, trace, type Attributes, type Span } from "@opentelemetry/api";
import type { IncomingHttpHeaders } from "node:http";
import { APP_VERSION } from "./version.js";

let enabled = false;

export function tracingEnabled(): boolean {
  return enabled;
}

export interface TracingHandle {
  /** Flushes pending spans and unregisters the SDK. */
  shutdown(): Promise<void>;
}

/** Starts tracing when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; returns null (and loads nothing) otherwise. */
export async function startTracing(env: NodeJS.ProcessEnv = process.env): Promise<TracingHandle | null> {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint || enabled) return null;
  const [sdk, otlp, hooks, core, resources] = await Promise.all([
    import("@opentelemetry/sdk-trace"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/context-async-hooks"),
    import("@opentelemetry/core"),
    import("@opentelemetry/resources"),
  ]);
  const url = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || `${endpoint.replace(/\/+$/, "")}/v1/traces`;
  const exporter = new otlp.OTLPTraceExporter({ url });
  const provider = new sdk.TracerProvider({
    resource: resources.resourceFromAttributes({
      "service.name": env.OTEL_SERVICE_NAME?.trim() || "cloudpam",
      "service.version": APP_VERSION,
    }),
    spanProcessors: [new sdk.BatchSpanProcessor({ exporter, scheduledDelayMillis: 1000 })],
  });
  const contextManager = new hooks.AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  enabled = true;
  return {
    async shutdown() {
      if (!enabled) return;
      enabled = false;
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

const tracer = () => trace.getTracer("cloudpam", APP_VERSION);

function fail(span: Span, e: unknown): void {
  span.recordException(e instanceof Error ? e : String(e));
  span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
}

/** Runs async `fn` in a child span of the active one (or directly, when tracing is off). */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!enabled) return fn(undefined);
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (e) {
      fail(span, e);
      throw e;
    } finally {
      span.end();
    }
  });
}

/** Like withSpan for synchronous work (inside better-sqlite3 transactions). */
export function withSpanSync<T>(name: string, attributes: Attributes, fn: (span: Span | undefined) => T): T {
  if (!enabled) return fn(undefined);
  return tracer().startActiveSpan(name, { attributes }, (span) => {
    try {
      return fn(span);
    } catch (e) {
      fail(span, e);
      throw e;
    } finally {
      span.end();
    }
  });
}

/** The server span of one HTTP request, child of the caller's W3C `traceparent` when it sends one. */
export async function withRequestSpan<T>(
  name: string,
  headers: IncomingHttpHeaders,
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  if (!enabled) return fn();
  const parent = propagation.extract(context.active(), headers);
  return context.with(parent, () =>
    tracer().startActiveSpan(name, { attributes, kind: 1 /* SpanKind.SERVER */ }, async (span) => {
      try {
        return await fn();
      } catch (e) {
        fail(span, e);
        throw e;
      } finally {
        span.end();
      }
    }),
  );
}

/** The active span (the request's, inside GraphQL execution), when tracing is on. */
export function activeSpan(): Span | undefined {
  return enabled ? trace.getActiveSpan() : undefined;
}
