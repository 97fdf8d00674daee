/**
 * IPv4 and IPv6 prefixes as plain values: the network address as a bigint and a length.
 *
 * Parsing decisions (documented because they are policy, not syntax):
 * - IPv4-mapped IPv6 (`::ffff:10.0.0.0/104`, `::ffff:a00:1`) is mapped to IPv4 (`10.0.0.0/8`, `10.0.0.1`):
 *   those are IPv4 addresses, and keeping a second spelling would let the same range slip past overlap checks
 *   in another family. The IPv6 range ::ffff:0:0/96 therefore never comes out of the parser as IPv6.
 * - IPv4 octets with leading zeros are accepted only when every digit is zero (`10.000.0.0` = `10.0.0.0`);
 *   `010` is refused because inet_aton reads it as octal 8 while others read decimal 10.
 * - Surrounding whitespace is ignored; zone ids (`fe80::1%eth0`) and bare addresses without `/length` are refused.
 */
import { AllocatorError } from "./errors.js";

export type Family = 4 | 6;

/** A CIDR block: `start` is the network address, with all host bits zero. */
export interface Prefix {
  readonly family: Family;
  readonly start: bigint;
  readonly length: number;
}

/** A single address. */
export interface Address {
  readonly family: Family;
  readonly value: bigint;
}

function powersOfTwo(bits: number): bigint[] {
  const sizes: bigint[] = [];
  for (let length = 0; length <= bits; length++) sizes.push(1n << BigInt(bits - length));
  return sizes;
}

const SIZES: Readonly<Record<Family, readonly bigint[]>> = { 4: powersOfTwo(32), 6: powersOfTwo(128) };
const MAPPED_PREFIX = 0xffffn; // ::ffff:0:0/96 >> 32
const MAX_ENCODED = (1n << 128n) - 1n;

/** The number of bits of an address of the family (32 or 128); O(1). */
export function maxLength(family: Family): 32 | 128 {
  return family === 4 ? 32 : 128;
}

/** The number of addresses in a block of the given length, 2^(bits - length); O(1). */
export function blockSize(family: Family, length: number): bigint {
  const size = SIZES[family][length];
  if (size === undefined) {
    throw new AllocatorError("LENGTH_OUT_OF_RANGE", `/${length} is not a valid IPv${family} prefix length`, {
      length,
      min: 0,
      max: maxLength(family),
    });
  }
  return size;
}

/** Builds a prefix, refusing a bad length, an address outside the family or host bits set; O(1). */
export function makePrefix(family: Family, start: bigint, length: number): Prefix {
  if (!Number.isInteger(length)) {
    throw new AllocatorError("LENGTH_OUT_OF_RANGE", `/${length} is not a valid prefix length`, { length });
  }
  const size = blockSize(family, length);
  if (start < 0n || start > SIZES[family][0]! - 1n) {
    throw new AllocatorError("INVALID_PREFIX", `${start} is not an IPv${family} address`, {
      start: start.toString(),
    });
  }
  const network = start - (start % size);
  if (network !== start) {
    const suggestion = formatPrefix({ family, start: network, length });
    throw new AllocatorError("HOST_BITS_SET", `host bits set; did you mean ${suggestion}?`, { suggestion });
  }
  return { family, start, length };
}

/** The last address of the prefix; O(1). */
export function prefixLast(p: Prefix): bigint {
  return p.start + SIZES[p.family][p.length]! - 1n;
}

/** The number of addresses in the prefix (bigint: an IPv6 /0 holds 2^128); O(1). */
export function addressCount(p: Prefix): bigint {
  return SIZES[p.family][p.length]!;
}

/** True when `a` contains or equals `b` (false across families); O(1). */
export function containsPrefix(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.length <= b.length && b.start >= a.start && b.start <= prefixLast(a);
}

/** True when the prefixes share at least one address (false across families); O(1). */
export function overlaps(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.start <= prefixLast(b) && b.start <= prefixLast(a);
}

/** True when both denote the same block; O(1). */
export function prefixEquals(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.start === b.start && a.length === b.length;
}

/** Numeric order: IPv4 before IPv6, then start, then length (a parent before its first child); O(1). */
export function comparePrefixes(a: Prefix, b: Prefix): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.start !== b.start) return a.start < b.start ? -1 : 1;
  return a.length - b.length;
}

/** The enclosing block one bit shorter, or undefined for a /0; O(1). */
export function parentOf(p: Prefix): Prefix | undefined {
  if (p.length === 0) return undefined;
  const size = SIZES[p.family][p.length - 1]!;
  return { family: p.family, start: p.start - (p.start % size), length: p.length - 1 };
}

/** The two halves of the prefix, low first; refuses a full-length prefix (/32, /128); O(1). */
export function childrenOf(p: Prefix): [Prefix, Prefix] {
  if (p.length >= maxLength(p.family)) {
    throw new AllocatorError("LENGTH_OUT_OF_RANGE", `${formatPrefix(p)} cannot be split`, {
      prefix: formatPrefix(p),
    });
  }
  const length = p.length + 1;
  const half = SIZES[p.family][length]!;
  return [
    { family: p.family, start: p.start, length },
    { family: p.family, start: p.start + half, length },
  ];
}

/** The other half of this prefix's parent, or undefined for a /0; O(1). */
export function buddyOf(p: Prefix): Prefix | undefined {
  if (p.length === 0) return undefined;
  return { family: p.family, start: p.start ^ SIZES[p.family][p.length]!, length: p.length };
}

function invalid(text: string, why: string): AllocatorError {
  return new AllocatorError("INVALID_PREFIX", `'${text}' is not a valid ${why}`, { input: text });
}

function parseIPv4(text: string, original: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part)) return undefined;
    if (part.length > 1 && part.startsWith("0") && !/^0+$/.test(part)) {
      throw new AllocatorError(
        "INVALID_PREFIX",
        `'${original}' has an ambiguous leading zero in '${part}' (octal or decimal?)`,
        { input: original },
      );
    }
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseGroups(text: string, original: string, allowTrailingIPv4: boolean): bigint[] | undefined {
  if (text === "") return [];
  const parts = text.split(":");
  const groups: bigint[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (allowTrailingIPv4 && i === parts.length - 1 && part.includes(".")) {
      const v4 = parseIPv4(part, original);
      if (v4 === undefined) return undefined;
      groups.push(v4 >> 16n, v4 & 0xffffn);
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
      groups.push(BigInt(`0x${part}`));
    }
  }
  return groups;
}

function parseIPv6(text: string, original: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  let groups: bigint[];
  if (halves.length === 2) {
    const head = parseGroups(halves[0]!, original, false);
    const tail = parseGroups(halves[1]!, original, true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups = [...head, ...Array<bigint>(8 - head.length - tail.length).fill(0n), ...tail];
  } else {
    const all = parseGroups(text, original, true);
    if (!all || all.length !== 8) return undefined;
    groups = all;
  }
  let value = 0n;
  for (const group of groups) value = (value << 16n) | group;
  return value;
}

function isMapped(value: bigint): boolean {
  return value >> 32n === MAPPED_PREFIX;
}

/** Parses an IPv4 or IPv6 address; IPv4-mapped IPv6 becomes IPv4; O(text length). */
export function parseAddress(text: string): Address {
  const trimmed = text.trim();
  if (trimmed.includes(":")) {
    const value = parseIPv6(trimmed, text);
    if (value === undefined) throw invalid(text, "IP address");
    return isMapped(value) ? { family: 4, value: value & 0xffffffffn } : { family: 6, value };
  }
  const value = parseIPv4(trimmed, text);
  if (value === undefined) throw invalid(text, "IP address");
  return { family: 4, value };
}

/** Parses a CIDR such as `10.0.0.0/8` or `2001:db8::/32`, refusing host bits set; O(text length). */
export function parsePrefix(text: string): Prefix {
  const trimmed = text.trim();
  const slash = trimmed.indexOf("/");
  if (slash < 0) throw invalid(text, "CIDR (missing /length)");
  const lengthText = trimmed.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(lengthText)) throw invalid(text, "CIDR (bad /length)");
  let length = Number(lengthText);
  const addressText = trimmed.slice(0, slash);
  let family: Family;
  let value: bigint | undefined;
  if (addressText.includes(":")) {
    family = 6;
    value = parseIPv6(addressText, text);
  } else {
    family = 4;
    value = parseIPv4(addressText, text);
  }
  if (value === undefined) throw invalid(text, "CIDR");
  if (length > maxLength(family)) {
    throw new AllocatorError(
      "LENGTH_OUT_OF_RANGE",
      `/${length} is longer than an IPv${family} address (max /${maxLength(family)})`,
      { input: text, length, min: 0, max: maxLength(family) },
    );
  }
  if (family === 6 && length >= 96 && isMapped(value)) {
    family = 4;
    value &= 0xffffffffn;
    length -= 96;
  }
  return makePrefix(family, value, length);
}

function formatIPv4(value: bigint): string {
  const n = Number(value);
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function formatIPv6(value: bigint): string {
  if (isMapped(value)) return `::ffff:${formatIPv4(value & 0xffffffffn)}`; // RFC 5952 section 5
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  // RFC 5952: compress the longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** Canonical text of an address: dotted IPv4, or lowercase RFC 5952 compressed IPv6; O(1). */
export function formatAddress(family: Family, value: bigint): string {
  return family === 4 ? formatIPv4(value) : formatIPv6(value);
}

/** Canonical CIDR text, e.g. `10.0.0.0/8`, `2001:db8::/32`; O(1). */
export function formatPrefix(p: Prefix): string {
  return `${formatAddress(p.family, p.start)}/${p.length}`;
}

/** Fixed-width (32 chars) lowercase hex for any address, so SQL string order = numeric order; O(1). */
export function encodeAddress(value: bigint): string {
  if (value < 0n || value > MAX_ENCODED) {
    throw new AllocatorError("INVALID_PREFIX", `${value} is not an address`, { value: value.toString() });
  }
  return value.toString(16).padStart(32, "0");
}

/** Inverse of encodeAddress; refuses anything but 32 lowercase hex digits; O(1). */
export function decodeAddress(encoded: string): bigint {
  if (!/^[0-9a-f]{32}$/.test(encoded)) {
    throw new AllocatorError("INVALID_PREFIX", `'${encoded}' is not an encoded address`, { input: encoded });
  }
  return BigInt(`0x${encoded}`);
}
