/** Minimal CIDR math for the emulators' validation (the real allocator lives in src/allocator). */
import { isIPv4, isIPv6 } from "node:net";

export interface Range {
  family: 4 | 6;
  start: bigint;
  end: bigint;
  len: number;
}

function v4ToBig(a: string): bigint {
  return a.split(".").reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
}

function v6ToBig(a: string): bigint {
  const [head, tail] = a.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const t = tail !== undefined ? (tail ? tail.split(":") : []) : [];
  const groups = tail !== undefined ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
  if (groups.length !== 8) throw new Error(`bad IPv6 address ${a}`);
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Parses `a.b.c.d/n` or `x::/n`; throws on malformed input or host bits set. */
export function parseCidr(cidr: string): Range {
  const [addr, lenText] = cidr.split("/");
  if (!addr || lenText === undefined || !/^\d+$/.test(lenText)) throw new Error(`bad CIDR ${cidr}`);
  const len = Number(lenText);
  const family = isIPv4(addr) ? 4 : isIPv6(addr) ? 6 : 0;
  if (family === 0) throw new Error(`bad CIDR ${cidr}`);
  const bits = family === 4 ? 32 : 128;
  if (len > bits) throw new Error(`bad CIDR ${cidr}`);
  const value = family === 4 ? v4ToBig(addr) : v6ToBig(addr);
  const size = 1n << BigInt(bits - len);
  if (value % size !== 0n) throw new Error(`bad CIDR ${cidr} (host bits set)`);
  return { family, start: value, end: value + size - 1n, len };
}

export function contains(outer: string, inner: string): boolean {
  const a = parseCidr(outer);
  const b = parseCidr(inner);
  return a.family === b.family && a.start <= b.start && b.end <= a.end;
}

export function overlaps(x: string, y: string): boolean {
  const a = parseCidr(x);
  const b = parseCidr(y);
  return a.family === b.family && a.start <= b.end && b.start <= a.end;
}

export function isValidCidr(cidr: string): boolean {
  try {
    parseCidr(cidr);
    return true;
  } catch {
    return false;
  }
}

/** Number of addresses in an IPv4 CIDR (for availableIpAddressCount). */
export function size4(cidr: string): number {
  const r = parseCidr(cidr);
  return Number(r.end - r.start + 1n);
}
