import type { Actor } from "./roles.js";

/** Who performs a domain operation and under which request: recorded on every event. */
export interface Caller {
  actor: Actor;
  requestId?: string | null;
}
