/** A small utilisation meter with its percentage as text (the colour is never the only cue). */
export function UtilBar({ percent, label }: { percent: number; label?: string }) {
  const p = Math.max(0, Math.min(100, percent));
  return (
    <span className="util" title={label ?? `${p.toFixed(1)}% used`}>
      <span
        className="util-track"
        role="meter"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(p * 10) / 10}
        aria-label={label ?? "utilisation"}
      >
        <span className={`util-fill ${p >= 90 ? "hot" : p >= 70 ? "warm" : ""}`} style={{ width: `${p}%` }} />
      </span>
      <span className="util-text">{p.toFixed(1)}%</span>
    </span>
  );
}
