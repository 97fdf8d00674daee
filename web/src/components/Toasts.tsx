/** Toasts for outcomes ("Allocated 10.0.4.0/22"), announced to screen readers. */
import { useEffect, useState } from "react";

interface Toast {
  id: number;
  text: string;
  kind: "ok" | "error";
}
let next = 1;
const listeners = new Set<(t: Toast) => void>();

export function toast(text: string, kind: Toast["kind"] = "ok"): void {
  const t = { id: next++, text, kind };
  listeners.forEach((l) => l(t));
}

export function ToastHost() {
  const [toasts, setToasts] = useState<Toast[]>([]);
  useEffect(() => {
    const l = (t: Toast) => {
      setToasts((ts) => [...ts, t]);
      setTimeout(() => setToasts((ts) => ts.filter((x) => x.id !== t.id)), 5000);
    };
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`}>
          {t.text}
        </div>
      ))}
    </div>
  );
}
