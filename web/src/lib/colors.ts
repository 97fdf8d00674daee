/** A colour per account (Okabe–Ito palette, distinguishable with common colour-vision deficiencies). */
const PALETTE = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#CC79A7",
  "#56B4E9",
  "#D55E00",
  "#F0E442",
  "#7F6BB0",
  "#8C564B",
  "#2CA02C",
];

export function accountColor(accountId: string | null | undefined): string {
  if (!accountId) return "#8a939c";
  let h = 0;
  for (let i = 0; i < accountId.length; i++) h = (h * 31 + accountId.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}
