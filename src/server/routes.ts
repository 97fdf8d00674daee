/** Extra HTTP routes beside /graphql (CSV export, ...). Add a domain's route handler here. */
import type { RouteHandler } from "./http.js";
import { exportRoute } from "./export.js";
import { webRoute } from "./web.js";

// The web UI goes last: it answers any remaining GET that asks for a page (history-API fallback).
export const routes: RouteHandler[] = [exportRoute, webRoute()];
