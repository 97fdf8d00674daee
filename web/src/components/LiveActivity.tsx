/**
 * What the page's subscription delivered since it opened, newest first: each event once (the stream resumes
 * from its last cursor after a dropped connection, so what happened offline appears on reconnect).
 */
import { useSyncExternalStore } from "react";
import { currentLinkState, subscribeLinkState } from "../lib/client";

export interface LiveItem {
  cursor: string;
  type: string;
  text: string;
  createdAt: string;
}

export function LiveActivity({ items, label }: { items: readonly LiveItem[]; label: string }) {
  const link = useSyncExternalStore(subscribeLinkState, currentLinkState);
  return (
    <section className="card" aria-labelledby="live-h" data-testid="live-activity">
      <h2 id="live-h">{label}</h2>
      {link === "reconnecting" && (
        <p className="muted" role="status" data-testid="live-reconnecting">
          Reconnecting… changes made meanwhile appear when the connection is back.
        </p>
      )}
      {items.length === 0 ? (
        <p className="muted">Nothing yet since this page opened.</p>
      ) : (
        <ol className="live-list">
          {items.map((e) => (
            <li key={e.cursor} data-cursor={e.cursor} data-type={e.type}>
              <time dateTime={e.createdAt}>{e.createdAt.slice(11, 19)}</time> {e.text}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
