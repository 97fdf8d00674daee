/** Extra HTTP routes beside /graphql (CSV export, ...). Add a domain's route handler here. */
import type { RouteHandler } from "./http.js";

export const routes: RouteHandler[] = [];
