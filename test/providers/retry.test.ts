import { describe, expect, it } from "vitest";
import { ProviderError, RetryExhaustedError } from "../../src/providers/errors.js";
import { CallGate, fullJitterDelay, type ErrorClass } from "../../src/providers/retry.js";

class FakeCloudError extends Error {
  constructor(readonly kind: ErrorClass) {
    super(kind);
  }
}

const gate = (over: Partial<ConstructorParameters<typeof CallGate>[0]> = {}) =>
  new CallGate({
    provider: "aws",
    classify: (e) => (e instanceof FakeCloudError ? e.kind : "fatal"),
    translate: (e, op) => new ProviderError("aws", op, "UNKNOWN", String(e), { cause: e }),
    retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4 },
    ...over,
  });

describe("fullJitterDelay", () => {
  const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
  it("is uniform in [0, min(max, base * 2^(n-1)))", () => {
    expect(fullJitterDelay(1, policy, () => 0)).toBe(0);
    expect(fullJitterDelay(1, policy, () => 0.999)).toBe(99);
    expect(fullJitterDelay(3, policy, () => 0.5)).toBe(200);
    expect(fullJitterDelay(9, policy, () => 0.999)).toBe(999);
  });
});

describe("CallGate", () => {
  it("retries throttling and transient errors, then succeeds", async () => {
    const g = gate();
    const fails: ErrorClass[] = ["throttle", "transient"];
    let calls = 0;
    const out = await g.run("Op", async () => {
      calls++;
      const f = fails.shift();
      if (f) throw new FakeCloudError(f);
      return 42;
    });
    expect(out).toBe(42);
    expect(calls).toBe(3);
  });

  it("gives up after maxAttempts with a typed error", async () => {
    let calls = 0;
    const err = await gate()
      .run("Op", async () => {
        calls++;
        throw new FakeCloudError("throttle");
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryExhaustedError);
    expect((err as RetryExhaustedError).attempts).toBe(4);
    expect((err as RetryExhaustedError).code).toBe("THROTTLED");
    expect(calls).toBe(4);
  });

  it("does not retry fatal errors and translates them", async () => {
    let calls = 0;
    const err = await gate()
      .run("Op", async () => {
        calls++;
        throw new Error("boom");
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).not.toBeInstanceOf(RetryExhaustedError);
    expect(calls).toBe(1);
  });

  it("tries a non-idempotent call once; the surrounding unit re-runs the whole step", async () => {
    const g = gate();
    let creates = 0;
    let lookups = 0;
    const out = await g.unit("create", async () => {
      lookups++;
      return g.run(
        "Create",
        async () => {
          creates++;
          if (creates < 3) throw new FakeCloudError("transient");
          return "made";
        },
        { idempotent: false },
      );
    });
    expect(out).toBe("made");
    expect(creates).toBe(3);
    expect(lookups).toBe(3);
  });

  it("a unit does not multiply the attempts of a call that already exhausted them", async () => {
    const g = gate();
    let calls = 0;
    const err = await g
      .unit("create", () =>
        g.run("Lookup", async () => {
          calls++;
          throw new FakeCloudError("throttle");
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryExhaustedError);
    expect(calls).toBe(4);
  });

  it("limits calls in flight per account", async () => {
    const g = gate({ concurrency: 2 });
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        g.run("Op", async () => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((r) => setTimeout(r, 5));
          inFlight--;
        }),
      ),
    );
    expect(peak).toBe(2);
  });
});
