/**
 * The IP-space bar: every child pool, allocation and reservation of a pool placed by offset and size,
 * coloured by account. Linear mode is true to scale; log mode gives each item and each gap a width of
 * log2(size)+1, so a /28 stays visible beside a /16. Above it, an occupancy strip drawn from a bounded
 * aggregate (the pool's blocks at a coarser length, at most 256 rows) covers what the item list leaves out
 * in a huge pool. Hover or arrow keys show an item; a click opens it. A plan preview adds `proposed` items:
 * pools that do not exist yet, drawn hatched over what exists.
 */
import { useId, useMemo, useState, type KeyboardEvent } from "react";
import { log2, parseCidr, ratio } from "../lib/cidr";
import { accountColor } from "../lib/colors";
import { setParam, useLocation } from "../lib/router";

/** Whether the bars draw log-scaled (`?scale=log`, so the choice survives a reload and a shared link). */
export function useLogScale(): boolean {
  return useLocation().search.get("scale") === "log";
}

export function LogScaleToggle() {
  const logScale = useLogScale();
  return (
    <label>
      <input
        type="checkbox"
        checked={logScale}
        onChange={(e) => setParam("scale", e.target.checked ? "log" : null)}
      />{" "}
      Log scale (small prefixes stay visible)
    </label>
  );
}

export interface SpaceItem {
  id: string;
  cidr: string;
  kind: "pool" | "allocation" | "reservation" | "proposed";
  label: string;
  accountId?: string | null;
  accountName?: string | null;
}

export interface StripCell {
  cidr: string;
  status: string;
}

interface Placed extends SpaceItem {
  x: number;
  w: number;
}

const W = 1000;

function place(poolCidr: string, items: SpaceItem[], logScale: boolean): Placed[] {
  const pool = parseCidr(poolCidr);
  if (!pool) return [];
  const ranged = items
    .map((it) => ({ it, r: parseCidr(it.cidr) }))
    .filter((x): x is { it: SpaceItem; r: NonNullable<ReturnType<typeof parseCidr>> } => x.r !== null)
    .sort((a, b) => (a.r.start < b.r.start ? -1 : a.r.start > b.r.start ? 1 : 0));
  if (!logScale) {
    return ranged.map(({ it, r }) => ({
      ...it,
      x: ratio(r.start - pool.start, pool.size) * W,
      w: Math.max(ratio(r.size, pool.size) * W, 1.5),
    }));
  }
  const segments: { item: SpaceItem | null; weight: number }[] = [];
  let cursor = pool.start;
  for (const { it, r } of ranged) {
    if (r.start > cursor) segments.push({ item: null, weight: log2(r.start - cursor) + 1 });
    segments.push({ item: it, weight: log2(r.size) + 1 });
    if (r.start + r.size > cursor) cursor = r.start + r.size;
  }
  const end = pool.start + pool.size;
  if (end > cursor) segments.push({ item: null, weight: log2(end - cursor) + 1 });
  const total = segments.reduce((s, x) => s + x.weight, 0) || 1;
  const out: Placed[] = [];
  let x = 0;
  for (const seg of segments) {
    const w = (seg.weight / total) * W;
    if (seg.item) out.push({ ...seg.item, x, w: Math.max(w, 1.5) });
    x += w;
  }
  return out;
}

const STRIP_COLORS: Record<string, string> = {
  FREE: "var(--free)",
  USED: "var(--used-strip)",
  PARTIAL: "var(--partial-strip)",
  INSIDE: "var(--used-strip)",
};

const KIND_LABEL: Record<SpaceItem["kind"], string> = {
  pool: "Pool",
  allocation: "Allocation",
  reservation: "Reservation",
  proposed: "Proposed pool",
};

/** Where an item sits vertically: pools span the bar, proposed pools sit inside that, allocations inside both. */
const ROWS: Record<SpaceItem["kind"], { y: number; height: number }> = {
  pool: { y: 16, height: 44 },
  proposed: { y: 19, height: 38 },
  allocation: { y: 22, height: 32 },
  reservation: { y: 22, height: 32 },
};

function fillOf(p: SpaceItem, hatch: string): string {
  if (p.kind === "reservation") return "var(--reserved)";
  if (p.kind === "pool") return "transparent";
  if (p.kind === "proposed") return `url(#${hatch})`;
  return accountColor(p.accountId);
}

/** Pools are outlined in their account's colour; a proposed pool too when the plan assigns it an account. */
function strokeOf(p: SpaceItem): string {
  if (p.kind === "pool") return accountColor(p.accountId);
  if (p.kind === "proposed") return p.accountId ? accountColor(p.accountId) : "var(--accent)";
  return "none";
}

export function IpSpaceBar(props: {
  poolCidr: string;
  items: SpaceItem[];
  strip: StripCell[];
  logScale: boolean;
  onOpen: (item: SpaceItem) => void;
  truncated?: string | null;
}) {
  const placed = useMemo(
    () => place(props.poolCidr, props.items, props.logScale),
    [props.poolCidr, props.items, props.logScale],
  );
  const strip = useMemo(
    () =>
      place(
        props.poolCidr,
        props.strip.map((c, i) => ({ id: `s${i}`, cidr: c.cidr, kind: "pool" as const, label: c.status })),
        false,
      ),
    [props.poolCidr, props.strip],
  );
  const [active, setActive] = useState<number | null>(null);
  const current = active === null ? null : placed[active];
  const accounts = useMemo(() => {
    const m = new Map<string, string>();
    for (const it of props.items)
      if (it.accountId && it.kind !== "reservation") m.set(it.accountId, it.accountName ?? it.accountId);
    return [...m.entries()];
  }, [props.items]);

  function onKey(e: KeyboardEvent) {
    if (placed.length === 0) return;
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      e.preventDefault();
      const d = e.key === "ArrowRight" ? 1 : -1;
      setActive((a) =>
        a === null ? (d > 0 ? 0 : placed.length - 1) : (a + d + placed.length) % placed.length,
      );
    } else if (e.key === "Enter" && current) props.onOpen(current);
  }

  const describe = (p: SpaceItem) =>
    `${KIND_LABEL[p.kind]} ${p.label} ${p.cidr}${p.accountName ? ` · ${p.accountName}` : ""}`;
  const proposed = props.items.some((it) => it.kind === "proposed");
  const hatch = `hatch${useId().replace(/[^A-Za-z0-9_-]/g, "")}`;

  return (
    <div className="ipbar">
      <svg
        viewBox={`0 0 ${W} 64`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`IP space of ${props.poolCidr}: ${placed.length} items${props.logScale ? " (log scale)" : ""}. Arrow keys step through them, Enter opens one.`}
        tabIndex={0}
        onKeyDown={onKey}
        onMouseLeave={() => setActive(null)}
        data-testid="ip-space-bar"
      >
        <defs>
          <pattern id={hatch} patternUnits="userSpaceOnUse" width="8" height="8">
            <rect width="8" height="8" fill="var(--proposed-bg)" />
            <path d="M0 8 L8 0" stroke="var(--accent)" strokeWidth="2" />
          </pattern>
        </defs>
        <rect x={0} y={0} width={W} height={10} fill="var(--free)" />
        {strip.map((c) => (
          <rect
            key={c.id}
            x={c.x}
            y={0}
            width={c.w}
            height={10}
            fill={STRIP_COLORS[c.label] ?? "var(--free)"}
          >
            <title>{`${c.cidr}: ${c.label.toLowerCase()}`}</title>
          </rect>
        ))}
        <rect x={0} y={16} width={W} height={44} fill="var(--free)" rx={3} />
        {placed.map((p, i) => (
          <rect
            key={p.id}
            data-cidr={p.cidr}
            data-kind={p.kind}
            className={`ipbar-item ipbar-${p.kind} ${i === active ? "active" : ""}`}
            x={p.x}
            y={ROWS[p.kind].y}
            width={p.w}
            height={ROWS[p.kind].height}
            fill={fillOf(p, hatch)}
            stroke={strokeOf(p)}
            strokeWidth={p.kind === "pool" || p.kind === "proposed" ? 2 : 0}
            strokeDasharray={p.kind === "proposed" ? "4 2" : undefined}
            vectorEffect="non-scaling-stroke"
            onMouseEnter={() => setActive(i)}
            onClick={() => props.onOpen(p)}
          >
            <title>{describe(p)}</title>
          </rect>
        ))}
      </svg>
      <div className="ipbar-info" aria-live="polite" data-testid="ip-space-hover">
        {current ? (
          describe(current)
        ) : (
          <span className="muted">Hover an item, or focus the bar and use the arrow keys.</span>
        )}
      </div>
      <div className="legend" aria-label="Legend">
        {accounts.map(([id, name]) => (
          <span key={id} className="legend-item">
            <span className="swatch" style={{ background: accountColor(id) }} aria-hidden="true" /> {name}
          </span>
        ))}
        <span className="legend-item">
          <span className="swatch reserved" aria-hidden="true" /> reserved
        </span>
        <span className="legend-item">
          <span className="swatch pool" aria-hidden="true" /> child pool
        </span>
        {proposed && (
          <span className="legend-item">
            <span className="swatch proposed" aria-hidden="true" /> proposed (not created yet)
          </span>
        )}
        {props.truncated && <span className="muted">{props.truncated}</span>}
      </div>
    </div>
  );
}
