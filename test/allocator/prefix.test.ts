import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AllocatorError } from "../../src/allocator/errors.js";
import {
  addressCount,
  buddyOf,
  childrenOf,
  comparePrefixes,
  containsPrefix,
  decodeAddress,
  encodeAddress,
  formatAddress,
  formatPrefix,
  makePrefix,
  maxLength,
  overlaps,
  parentOf,
  parseAddress,
  parsePrefix,
  prefixEquals,
  prefixLast,
  type Prefix,
} from "../../src/allocator/prefix.js";

const p = parsePrefix;
const canonical = (text: string) => formatPrefix(parsePrefix(text));

function errorOf(fn: () => unknown): AllocatorError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AllocatorError) return e;
    throw e;
  }
  throw new Error("expected an AllocatorError");
}

describe("parsePrefix", () => {
  it("reads IPv4 at the extremes of length", () => {
    expect(p("0.0.0.0/0")).toEqual({ family: 4, start: 0n, length: 0 });
    expect(addressCount(p("0.0.0.0/0"))).toBe(2n ** 32n);
    expect(addressCount(p("10.0.0.7/32"))).toBe(1n);
    expect(addressCount(p("10.0.0.6/31"))).toBe(2n);
    expect(p("255.255.255.255/32").start).toBe(2n ** 32n - 1n);
  });

  it("reads IPv6 at the extremes of length", () => {
    expect(p("::/0")).toEqual({ family: 6, start: 0n, length: 0 });
    expect(addressCount(p("::/0"))).toBe(2n ** 128n);
    expect(addressCount(p("2001:db8::1/128"))).toBe(1n);
    expect(addressCount(p("2001:db8::/127"))).toBe(2n);
    expect(p("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128").start).toBe(2n ** 128n - 1n);
  });

  it("canonicalises non-canonical spellings", () => {
    expect(canonical("2001:DB8::/32")).toBe("2001:db8::/32");
    expect(canonical("2001:0db8:0000:0000:0000:0000:0000:0000/32")).toBe("2001:db8::/32");
    expect(canonical("10.000.0.0/8")).toBe("10.0.0.0/8");
    expect(canonical(" 10.0.0.0/08 ")).toBe("10.0.0.0/8");
    expect(canonical("::0:0/0")).toBe("::/0");
  });

  it("maps IPv4-mapped IPv6 to IPv4", () => {
    expect(p("::ffff:10.0.0.0/104")).toEqual(p("10.0.0.0/8"));
    expect(p("::FFFF:a00:0/104")).toEqual(p("10.0.0.0/8"));
    expect(p("::ffff:10.1.2.3/128")).toEqual(p("10.1.2.3/32"));
    expect(p("::ffff:0:0/96")).toEqual(p("0.0.0.0/0"));
    expect(parseAddress("::ffff:192.0.2.1")).toEqual({ family: 4, value: 0xc0000201n });
  });

  it("keeps other embedded IPv4 notation as IPv6", () => {
    expect(canonical("::10.0.0.0/104")).toBe("::a00:0/104");
    expect(canonical("64:ff9b::192.0.2.0/120")).toBe("64:ff9b::c000:200/120");
  });

  it("refuses a CIDR with host bits set and names the network", () => {
    const e = errorOf(() => p("10.0.0.1/24"));
    expect(e.code).toBe("HOST_BITS_SET");
    expect(e.message).toBe("host bits set; did you mean 10.0.0.0/24?");
    expect(e.details).toEqual({ suggestion: "10.0.0.0/24" });
    expect(errorOf(() => p("2001:db8::1/32")).details).toEqual({ suggestion: "2001:db8::/32" });
    expect(errorOf(() => p("::ffff:10.0.0.1/104")).details).toEqual({ suggestion: "10.0.0.0/8" });
  });

  it("refuses a length longer than the address", () => {
    expect(errorOf(() => p("10.0.0.0/33")).code).toBe("LENGTH_OUT_OF_RANGE");
    expect(errorOf(() => p("::/129")).code).toBe("LENGTH_OUT_OF_RANGE");
  });

  it("refuses an octal-looking octet", () => {
    const e = errorOf(() => p("010.0.0.0/8"));
    expect(e.code).toBe("INVALID_PREFIX");
    expect(e.message).toContain("ambiguous leading zero");
  });

  it.each([
    "",
    "garbage",
    "10.0.0.0",
    "10.0.0/8",
    "10.0.0.256/32",
    "10.0.0.0/-1",
    "10.0.0.0/8/8",
    "10.0.0.0/",
    "10.0.0.0/ 8",
    "1::2::3/64",
    "1:2:3:4:5:6:7:8:9/128",
    "1:2:3:4:5:6:7::8/128",
    ":1:2:3:4:5:6:7/128",
    "12345::/16",
    "fe80::1%eth0/64",
    "::1.2.3/128",
    "1.2.3.4::/64",
    "::ffff:1.2.3.4.5/128",
    "g::/16",
    "１0.0.0.0/8",
  ])("refuses garbage %j", (text) => {
    expect(errorOf(() => p(text)).code).toBe("INVALID_PREFIX");
  });
});

describe("formatAddress", () => {
  it("compresses IPv6 per RFC 5952", () => {
    const f = (text: string) => formatAddress(6, parseAddress(text).value);
    expect(f("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1");
    expect(f("2001:db8:0:1:1:1:1:1")).toBe("2001:db8:0:1:1:1:1:1");
    expect(f("1:0:0:2:0:0:0:3")).toBe("1:0:0:2::3");
    expect(f("0:0:0:0:0:0:0:0")).toBe("::");
    expect(f("0:0:0:0:0:0:0:1")).toBe("::1");
    expect(f("1:0:0:0:0:0:0:0")).toBe("1::");
    expect(f("2001:DB8:00AB::")).toBe("2001:db8:ab::");
  });

  it("writes IPv4-mapped values in dotted form", () => {
    expect(formatAddress(6, 0xffff_0a00_0001n)).toBe("::ffff:10.0.0.1");
  });

  it("round-trips every IPv4 and (non-mapped) IPv6 address", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }), (v) => {
        expect(parseAddress(formatAddress(4, v))).toEqual({ family: 4, value: v });
      }),
    );
    const v6 = fc
      .bigInt({ min: 0n, max: 2n ** 128n - 1n })
      .filter((v) => v >> 32n !== 0xffffn)
      .chain((v) =>
        // Bias towards zero runs, where compression rules matter.
        fc.integer({ min: 0, max: 255 }).map((mask) => {
          let out = v;
          for (let g = 0; g < 8; g++) if (mask & (1 << g)) out &= ~(0xffffn << BigInt(16 * g));
          return out;
        }),
      )
      .filter((v) => v >> 32n !== 0xffffn);
    fc.assert(
      fc.property(v6, (v) => {
        expect(parseAddress(formatAddress(6, v))).toEqual({ family: 6, value: v });
      }),
    );
  });
});

describe("prefix relations", () => {
  it("computes the last address, including the last block of the space", () => {
    expect(formatAddress(4, prefixLast(p("10.0.0.0/8")))).toBe("10.255.255.255");
    expect(prefixLast(p("255.255.255.254/31"))).toBe(2n ** 32n - 1n);
    expect(prefixLast(p("ffff::/16"))).toBe(2n ** 128n - 1n);
    expect(prefixLast(p("::/0"))).toBe(2n ** 128n - 1n);
  });

  it("splits into halves and finds parent and buddy", () => {
    expect(childrenOf(p("10.0.0.0/8")).map(formatPrefix)).toEqual(["10.0.0.0/9", "10.128.0.0/9"]);
    expect(childrenOf(p("255.255.255.254/31")).map(formatPrefix)).toEqual([
      "255.255.255.254/32",
      "255.255.255.255/32",
    ]);
    expect(childrenOf(p("::/127")).map(formatPrefix)).toEqual(["::/128", "::1/128"]);
    expect(formatPrefix(parentOf(p("10.128.0.0/9"))!)).toBe("10.0.0.0/8");
    expect(formatPrefix(buddyOf(p("10.128.0.0/9"))!)).toBe("10.0.0.0/9");
    expect(parentOf(p("0.0.0.0/0"))).toBeUndefined();
    expect(buddyOf(p("::/0"))).toBeUndefined();
  });

  it("refuses to split a full-length prefix", () => {
    expect(errorOf(() => childrenOf(p("10.0.0.1/32"))).code).toBe("LENGTH_OUT_OF_RANGE");
    expect(errorOf(() => childrenOf(p("::1/128"))).code).toBe("LENGTH_OUT_OF_RANGE");
  });

  it("treats containment and overlap as never crossing families", () => {
    const v4 = p("0.0.0.0/0");
    const v6 = p("::/0");
    expect(containsPrefix(v4, p("10.0.0.0/8"))).toBe(true);
    expect(containsPrefix(p("10.0.0.0/8"), p("10.0.0.0/8"))).toBe(true);
    expect(containsPrefix(p("10.0.0.0/9"), p("10.0.0.0/8"))).toBe(false);
    expect(containsPrefix(v6, p("::a00:0/104"))).toBe(true);
    expect(containsPrefix(v6, p("10.0.0.0/8"))).toBe(false);
    expect(overlaps(v6, v4)).toBe(false);
    expect(overlaps(p("10.0.0.0/8"), p("10.255.0.0/16"))).toBe(true);
    expect(overlaps(p("10.0.0.0/9"), p("10.128.0.0/9"))).toBe(false);
    expect(prefixEquals(p("10.0.0.0/8"), p("10.000.0.0/8"))).toBe(true);
  });

  it("orders IPv4 before IPv6, then by start, then parent before child", () => {
    const sorted = ["2001:db8::/32", "10.0.0.0/16", "10.0.0.0/8", "9.0.0.0/8", "::/0"]
      .map(p)
      .sort(comparePrefixes)
      .map(formatPrefix);
    expect(sorted).toEqual(["9.0.0.0/8", "10.0.0.0/8", "10.0.0.0/16", "::/0", "2001:db8::/32"]);
  });

  it("builds prefixes with the same checks as the parser", () => {
    expect(makePrefix(6, 0n, 128)).toEqual(p("::/128"));
    expect(errorOf(() => makePrefix(4, 1n, 24)).code).toBe("HOST_BITS_SET");
    expect(errorOf(() => makePrefix(4, 2n ** 32n, 32)).code).toBe("INVALID_PREFIX");
    expect(errorOf(() => makePrefix(4, 0n, 33)).code).toBe("LENGTH_OUT_OF_RANGE");
    expect(maxLength(4)).toBe(32);
    expect(maxLength(6)).toBe(128);
  });

  it("round-trips random prefixes through text", () => {
    const prefix = fc
      .record({ family: fc.constantFrom<4 | 6>(4, 6), raw: fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }) })
      .chain(({ family, raw }) =>
        fc.integer({ min: 0, max: maxLength(family) }).map((length): Prefix => {
          const bits = BigInt(maxLength(family));
          const value = raw % (1n << bits);
          const host = 1n << (bits - BigInt(length));
          return { family, start: value - (value % host), length };
        }),
      )
      .filter((q) => q.family === 4 || q.start >> 32n !== 0xffffn);
    fc.assert(
      fc.property(prefix, (q) => {
        expect(parsePrefix(formatPrefix(q))).toEqual(q);
      }),
    );
  });
});

describe("encodeAddress", () => {
  it("is fixed-width lowercase hex for both families", () => {
    expect(encodeAddress(p("10.0.0.0/8").start)).toBe("0000000000000000000000000a000000");
    expect(encodeAddress(2n ** 128n - 1n)).toBe("f".repeat(32));
    expect(decodeAddress("0000000000000000000000000a000000")).toBe(0x0a000000n);
  });

  it("sorts as strings exactly as the numbers sort", () => {
    const address = fc.bigInt({ min: 0n, max: 2n ** 128n - 1n });
    fc.assert(
      fc.property(address, address, (a, b) => {
        const byString = encodeAddress(a) < encodeAddress(b);
        expect(byString).toBe(a < b);
        expect(decodeAddress(encodeAddress(a))).toBe(a);
      }),
    );
  });

  it("refuses values outside 128 bits and malformed encodings", () => {
    expect(errorOf(() => encodeAddress(-1n)).code).toBe("INVALID_PREFIX");
    expect(errorOf(() => encodeAddress(2n ** 128n)).code).toBe("INVALID_PREFIX");
    expect(errorOf(() => decodeAddress("A".repeat(32))).code).toBe("INVALID_PREFIX");
    expect(errorOf(() => decodeAddress("0a")).code).toBe("INVALID_PREFIX");
  });
});
