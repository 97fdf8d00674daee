/** Tiny benchmark harness: warm up, time N runs, report per-op statistics. */
export interface BenchResult {
  name: string;
  ops: number;
  medianUs: number;
  p99Us: number;
  opsPerSec: number;
}

export async function measure(
  name: string,
  fn: (i: number) => unknown | Promise<unknown>,
  opts: { iterations?: number; warmup?: number } = {},
): Promise<BenchResult> {
  const iterations = opts.iterations ?? 1000;
  const warmup = opts.warmup ?? Math.min(100, iterations);
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples = new Float64Array(iterations);
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) {
    const s = performance.now();
    await fn(warmup + i);
    samples[i] = (performance.now() - s) * 1000;
  }
  const total = performance.now() - t0;
  samples.sort();
  const result: BenchResult = {
    name,
    ops: iterations,
    medianUs: samples[Math.floor(iterations / 2)] ?? 0,
    p99Us: samples[Math.min(iterations - 1, Math.floor(iterations * 0.99))] ?? 0,
    opsPerSec: (iterations / total) * 1000,
  };
  return result;
}

/**
 * For synchronous operations of a few microseconds: times `samples` batches of `batch` calls, each sample being
 * the mean per call of one batch (so the timer's own cost and resolution vanish, and a batch pays its share of
 * garbage collection), and reports the median and p99 sample. No await between calls.
 */
export function measureSync(
  name: string,
  fn: (i: number) => unknown,
  opts: { samples?: number; batch?: number; warmup?: number } = {},
): BenchResult {
  const samples = opts.samples ?? 100;
  const batch = opts.batch ?? 20;
  const warmup = opts.warmup ?? batch * 10;
  let i = 0;
  for (; i < warmup; i++) fn(i);
  const perCall = new Float64Array(samples);
  const t0 = performance.now();
  for (let s = 0; s < samples; s++) {
    const start = performance.now();
    for (let b = 0; b < batch; b++, i++) fn(i);
    perCall[s] = ((performance.now() - start) * 1000) / batch;
  }
  const total = performance.now() - t0;
  perCall.sort();
  return {
    name,
    ops: samples * batch,
    medianUs: perCall[Math.floor(samples / 2)] ?? 0,
    p99Us: perCall[Math.min(samples - 1, Math.floor(samples * 0.99))] ?? 0,
    opsPerSec: ((samples * batch) / total) * 1000,
  };
}

export function report(results: BenchResult[]): void {
  console.table(
    results.map((r) => ({
      name: r.name,
      ops: r.ops,
      "median µs": r.medianUs.toFixed(1),
      "p99 µs": r.p99Us.toFixed(1),
      "ops/s": Math.round(r.opsPerSec),
    })),
  );
}

/** Prints `label: a/b = ratio` and whether it meets the target ratio. */
export function ratio(label: string, a: number, b: number, target: number): void {
  const r = a / b;
  console.log(`${label}: ${r.toFixed(2)}x (target <= ${target}x) ${r <= target ? "OK" : "MISSED"}`);
}
