/** Custom scalars: CIDR and IPAddress validate and canonicalise through the allocator. */
import { GraphQLError, GraphQLScalarType, Kind } from "graphql";
import { DateTimeResolver } from "graphql-scalars";
import { formatAddress, formatPrefix, parseAddress, parsePrefix } from "../allocator/prefix.js";
import { invalidInputMessage } from "../allocator/errors.js";

function invalid(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}

function canonicalCidr(value: unknown): string {
  if (typeof value !== "string")
    throw invalid(`CIDR must be a string like "10.0.0.0/16", got ${typeof value}`);
  try {
    return formatPrefix(parsePrefix(value));
  } catch (e) {
    throw invalid(invalidInputMessage(value, "CIDR", e));
  }
}

function canonicalAddress(value: unknown): string {
  if (typeof value !== "string")
    throw invalid(`IPAddress must be a string like "10.0.0.1", got ${typeof value}`);
  try {
    const a = parseAddress(value);
    return formatAddress(a.family, a.value);
  } catch (e) {
    throw invalid(invalidInputMessage(value, "IP address", e));
  }
}

export const CIDRScalar = new GraphQLScalarType({
  name: "CIDR",
  description:
    'An IPv4 or IPv6 network in CIDR notation, e.g. "10.0.0.0/16" or "2001:db8::/32". Input is validated (host bits must be zero) and canonicalised (lowercase, compressed IPv6).',
  serialize: (v) => v,
  parseValue: canonicalCidr,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw invalid("CIDR must be a string");
    return canonicalCidr(ast.value);
  },
});

export const IPAddressScalar = new GraphQLScalarType({
  name: "IPAddress",
  description: 'An IPv4 or IPv6 address, e.g. "10.1.2.3" or "2001:db8::1"; canonicalised on input.',
  serialize: (v) => v,
  parseValue: canonicalAddress,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw invalid("IPAddress must be a string");
    return canonicalAddress(ast.value);
  },
});

/** ISO-8601 UTC date-time (graphql-scalars). */
export const DateTimeScalar = DateTimeResolver;
