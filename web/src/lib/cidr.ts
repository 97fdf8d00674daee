/** Just enough prefix math for drawing: a CIDR as a BigInt range (IPv4 and IPv6). */
export interface Range {
  start: bigint;
  size: bigint;
  bits: 32 | 128;
}

function v4(addr: string): bigint | null {
  const parts = addr.split(".");
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return null;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function v6(addr: string): bigint | null {
  let text = addr;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail?.[1]) {
    const t = v4(tail[1]);
    if (t === null) return null;
    text =
      text.slice(0, -tail[1].length) + ((t >> 16n) & 0xffffn).toString(16) + ":" + (t & 0xffffn).toString(16);
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  const groups = [...head, ...Array<string>(Math.max(0, fill)).fill("0"), ...rest];
  if (groups.length !== 8) return null;
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

export function parseCidr(cidr: string): Range | null {
  const [addr, lenText] = cidr.split("/");
  if (!addr || lenText === undefined) return null;
  const bits = addr.includes(":") ? 128 : 32;
  const start = bits === 32 ? v4(addr) : v6(addr);
  const len = Number(lenText);
  if (start === null || !Number.isInteger(len) || len < 0 || len > bits) return null;
  return { start, size: 1n << BigInt(bits - len), bits };
}

/** a / b as a float in [0, 1] for b > 0, exact enough for pixels even for IPv6 ranges. */
export function ratio(a: bigint, b: bigint): number {
  if (b <= 0n) return 0;
  const scale = 1_000_000n;
  return Number((a * scale) / b) / 1_000_000;
}

/** log2 of a power-of-two-ish size, as a float. */
export function log2(n: bigint): number {
  return n <= 0n ? 0 : n.toString(2).length - 1;
}

/** "16,777,216" for IPv4-sized counts, "2^64" for big ones. */
export function formatCount(n: bigint | string): string {
  const v = typeof n === "string" ? BigInt(n) : n;
  if (v < 10n ** 15n) return Number(v).toLocaleString("en-US");
  return `2^${log2(v)}`;
}
