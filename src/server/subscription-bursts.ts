/**
 * Executes a subscription's events in bursts: every event already buffered when the stream is read is
 * executed together, concurrently, with one fresh context (fresh DataLoaders), so nested objects of a
 * burst of N events cost one statement per loader rather than N. Results are still sent one by one, in
 * order. Each burst gets new loaders, so nothing is cached across bursts (a pool renamed later shows its
 * new name in later events).
 */
import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from "graphql";

/** A source stream that can hand over what it has buffered without waiting (the event hub's subscriber). */
interface BurstSource extends AsyncIterator<unknown> {
  takeReady?: () => unknown[];
}

export async function subscribeInBursts(
  args: ExecutionArgs,
  freshContext: (context: unknown) => unknown,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
  const events = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]() as BurstSource;
  let ready: ExecutionResult[] = [];
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      if (ready.length) return { value: ready.shift()!, done: false };
      const first = await events.next();
      if (first.done) return { value: undefined, done: true };
      const burst = [first.value, ...(events.takeReady?.() ?? [])];
      const contextValue = freshContext(args.contextValue);
      const results = await Promise.all(
        burst.map((rootValue) => execute({ ...args, rootValue, contextValue }) as Promise<ExecutionResult>),
      );
      ready = results.slice(1);
      return { value: results[0]!, done: false };
    },
    async return() {
      ready = [];
      await events.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return iterator;
}
