/**
 * Who the client is, for per-address rate limits: the TCP peer, or, when the peer is a trusted proxy
 * (TRUST_PROXY), the right-most X-Forwarded-For hop that is not itself a trusted proxy. Hops left of
 * that are written by the client and can be forged, so they are never read.
 */
import type { IncomingMessage } from "node:http";
import {
  containsPrefix,
  formatAddress,
  maxLength,
  parseAddress,
  parsePrefix,
  type Prefix,
} from "../../allocator/prefix.js";

export type TrustedProxies = readonly Prefix[];

export function trustedProxies(cidrs: readonly string[]): TrustedProxies {
  return cidrs.map((c) => parsePrefix(c));
}

/** Canonical text of an address, or null when it is not one (IPv4-mapped IPv6 becomes IPv4). */
function canonical(text: string): { text: string; prefix: Prefix } | null {
  let t = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(t);
  if (bracketed) t = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(t)) t = t.slice(0, t.lastIndexOf(":"));
  try {
    const a = parseAddress(t);
    return {
      text: formatAddress(a.family, a.value),
      prefix: { family: a.family, start: a.value, length: maxLength(a.family) },
    };
  } catch {
    return null;
  }
}

function isTrusted(address: Prefix, trusted: TrustedProxies): boolean {
  return trusted.some((p) => containsPrefix(p, address));
}

/** The client address of a request; O(hops × trusted CIDRs). */
export function clientAddress(req: IncomingMessage, trusted: TrustedProxies = []): string {
  const peerText = req.socket.remoteAddress ?? "unknown";
  const peer = canonical(peerText);
  if (!peer) return peerText;
  if (trusted.length === 0 || !isTrusted(peer.prefix, trusted)) return peer.text;
  const header = req.headers["x-forwarded-for"];
  const hops = (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",").filter((h) => h.trim());
  let nearest = peer.text;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = canonical(hops[i]!);
    // A hop that is not an address: stop at the nearest address a trusted proxy vouched for.
    if (!hop) return nearest;
    if (!isTrusted(hop.prefix, trusted)) return hop.text;
    nearest = hop.text;
  }
  return nearest;
}
