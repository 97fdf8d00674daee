import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addressCount, formatPrefix, maxLength, parsePrefix } from "../../src/allocator/prefix.js";
import { describeUtilization, utilization, utilizationOf } from "../../src/allocator/utilization.js";
import { disjoint, markAddresses, nthBlock, referenceFreeBlocks } from "./reference-model.js";

const p = parsePrefix;

describe("utilization", () => {
  it("splits used, reserved and free addresses and names the largest free block", () => {
    const parent = p("10.0.0.0/22");
    const u = utilizationOf(parent, [
      { prefix: p("10.0.0.0/24") },
      { prefix: p("10.0.1.0/25"), reserved: true },
      { prefix: p("10.0.2.0/26") },
    ]);
    expect(u).toMatchObject({ total: 1024n, used: 320n, reserved: 128n, free: 576n, percent: 43.75 });
    expect(formatPrefix(u.largestFree!)).toBe("10.0.3.0/24");
    expect([...u.freeBlocksByLength]).toEqual([
      [24, 1],
      [25, 2],
      [26, 1],
    ]);
    expect(describeUtilization(parent, u)).toBe("10.0.0.0/22: 43.75% used, largest free 10.0.3.0/24");
  });

  it("reports an IPv6 /0 and a full pool exactly", () => {
    const empty = utilizationOf(p("::/0"), []);
    expect(empty).toMatchObject({ total: 2n ** 128n, free: 2n ** 128n, percent: 0 });
    expect(formatPrefix(empty.largestFree!)).toBe("::/0");
    const full = utilizationOf(p("10.0.0.0/31"), [
      { prefix: p("10.0.0.0/32") },
      { prefix: p("10.0.0.1/32") },
    ]);
    expect(full).toMatchObject({ used: 2n, free: 0n, percent: 100, largestFree: undefined });
    expect(full.freeBlocksByLength.size).toBe(0);
  });

  it("computes the same figures from per-length counts as from the children", () => {
    const parent = p("2001:db8::/32");
    const children = [{ prefix: p("2001:db8::/48") }, { prefix: p("2001:db8:1::/64"), reserved: true }];
    const fromChildren = utilizationOf(parent, children);
    const fromCounts = utilization(parent, {
      used: new Map([[48, 1]]),
      reserved: new Map([[64, 1]]),
      free: fromChildren.freeBlocksByLength,
      largestFree: fromChildren.largestFree,
    });
    expect(fromCounts).toEqual(fromChildren);
  });

  it("agrees with the reference model on random pools", () => {
    const parent = p("10.0.0.0/24");
    fc.assert(
      fc.property(
        fc.array(fc.record({ extra: fc.nat(8), index: fc.nat(), reserved: fc.boolean() }), { maxLength: 20 }),
        (picks) => {
          const kept = disjoint(
            picks.map((x) => nthBlock(parent, Math.min(maxLength(4), 24 + x.extra), x.index)),
          );
          const reservedStarts = new Set(
            picks
              .filter((x) => x.reserved)
              .map((x) => nthBlock(parent, Math.min(32, 24 + x.extra), x.index).start),
          );
          const children = kept.map((prefix) => ({ prefix, reserved: reservedStarts.has(prefix.start) }));
          const u = utilizationOf(parent, children);
          const free = referenceFreeBlocks(parent, kept);
          const marks = markAddresses(parent, [kept, free]);
          expect(marks.every((m) => m === 1)).toBe(true);
          const sum = (list: typeof kept) => list.reduce((s, x) => s + addressCount(x), 0n);
          expect(u.free).toBe(sum(free));
          expect(u.used + u.reserved).toBe(sum(kept));
          expect(u.reserved).toBe(sum(children.filter((c) => c.reserved).map((c) => c.prefix)));
          expect([...u.freeBlocksByLength.values()].reduce((a, b) => a + b, 0)).toBe(free.length);
        },
      ),
    );
  });
});
